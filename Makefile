# The two quick-start commands: `make demo` and `make test`. Everything installs into .venv.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint chromium

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'
	touch $@

# The pure routing core compiled with mypyc, beside its source (docs/decisions/0006).
$(BIN)/.native: $(BIN)/.installed $(wildcard src/leadflow/routing/*.py src/leadflow/routing/replay/*.py src/leadflow/routing/choice/*.py src/leadflow/routing/explanation/*.py src/leadflow/domain/*.py) src/leadflow/native.py
	$(BIN)/python -m leadflow.native build
	touch $@

install: $(BIN)/.installed $(BIN)/.native

# `make demo PORT=8080` serves on another port.
demo: install
	$(BIN)/leadflow demo $(if $(PORT),--port $(PORT))

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Browser tests drive Debian's Chromium; install it when missing (CI runs as root).
chromium:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)

test: lint chromium
	$(BIN)/pytest -q
