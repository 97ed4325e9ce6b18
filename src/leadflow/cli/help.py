"""The type column of `--help`: words a user reads (TEXT, INTEGER, TEXT…), not Python types.

Typer 0.29 labels each option with its annotation (`<str>`, `<list[str]>`, `<bool>` even for a
flag, which takes no value). Its label is rewritten once, when the CLI is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typer.core import TyperArgument, TyperOption

_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH", "datetime": "TIME"}


def label(python: str) -> str:
    """`<list[str]>` → `TEXT…` (repeat the option), `<int>` → `INTEGER`; choices stay."""
    bare = python.removeprefix("<").removesuffix(">")
    repeated = bare.startswith("list[") and bare.endswith("]")
    if repeated:
        bare = bare.removeprefix("list[").removesuffix("]")
    word = _WORDS.get(bare, bare)
    return f"{word}…" if repeated else word


def _worded(original: Callable[[Any, Any], str | None]) -> Callable[..., str | None]:
    def display(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False):
            return None  # a flag takes no value
        shown = original(self, ctx)
        return label(shown) if shown is not None else None

    return display


def use_words() -> None:
    for kind in (TyperOption, TyperArgument):
        if not getattr(kind.display_type_rich, "worded", False):
            worded = _worded(kind.display_type_rich)
            worded.worded = True  # type: ignore[attr-defined]
            kind.display_type_rich = worded  # type: ignore[method-assign]
