"""Saved views of the leads list: each user's own, a name and the list's filters and sort.

What is stored is the list's query string; it is checked like any address when the view is
opened, so a view naming a stage removed since shows a message, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from leadflow.storage.store import Store

NAME_LENGTH = 80
QUERY_LENGTH = 4000
_NOT_KEPT = frozenset({"cursor", "view", "csrf_token"})
"""A position in the list, and the form's own fields, are not part of a view."""


class BadView(ValueError):
    """A view that cannot be saved: `field` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    query: str


def kept_query(query: str) -> str:
    """The query string of the list's filters and sort, without blanks or a position."""
    pairs = parse_qsl(query, keep_blank_values=False)
    return urlencode([(k, v) for k, v in pairs if k not in _NOT_KEPT and v.strip()])


async def of_user(store: Store, user_id: int) -> list[SavedView]:
    return [SavedView(v.id, v.name, v.query) for v in await store.saved_views.of_user(user_id)]


async def save(store: Store, user_id: int, name: str, query: str) -> SavedView:
    """Store the view (one of the same name is replaced); the caller commits."""
    name = " ".join(name.split())
    if not name:
        raise BadView("name", "a view needs a name")
    if len(name) > NAME_LENGTH or not name.isprintable():
        raise BadView("name", f"at most {NAME_LENGTH} printable characters")
    kept = kept_query(query)
    if len(kept) > QUERY_LENGTH:
        raise BadView("query", f"at most {QUERY_LENGTH} characters of filters")
    view_id = await store.saved_views.save(user_id, name, kept)
    return SavedView(view_id, name, kept)


async def get(store: Store, user_id: int, view_id: int) -> SavedView | None:
    found = await store.saved_views.get(user_id, view_id)
    return None if found is None else SavedView(found.id, found.name, found.query)


async def remove(store: Store, user_id: int, view_id: int) -> bool:
    """Remove the user's view; False if they have none of that id. The caller commits."""
    return await store.saved_views.remove(user_id, view_id)
