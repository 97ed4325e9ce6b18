"""The transaction rule (docs/decisions/0009): services never commit, except the work that
commits in steps, named there. A new commit in a service fails here until the decision names it."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "src" / "leadflow" / "services"

IN_STEPS = {
    ("intake/intake_batches.py", "IntakeBatches"),
    ("intake/imports.py", "import_csv"),
    ("assignment/timekeeping.py", "_in_steps"),
    ("delivery/outbox.py", "_deliver_batch"),
    ("delivery/outbox.py", "_record"),
    ("reporting/rollups.py", "refresh_rollups_in_steps"),
    ("demo.py", "load"),
    ("demo.py", "_load_leads"),
    ("workflow/sweep.py", "_in_batches"),
    ("channels/pipeline/processing.py", "process_due"),
    ("channels/replies.py", "WhatsAppReplies"),
}


def _committing() -> set[tuple[str, str]]:
    """(module, top-level function or class) of every `.commit()` call in services."""
    found = set()
    for path in SERVICES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for top in tree.body:
            for node in ast.walk(top):
                called = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                if called and node.func.attr == "commit":  # type: ignore[union-attr]
                    name = getattr(top, "name", "<module>")
                    found.add((path.relative_to(SERVICES).as_posix(), name))
    return found


def test_only_the_work_named_in_the_decision_commits() -> None:
    assert _committing() == IN_STEPS
