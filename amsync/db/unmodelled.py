"""What the migrations and the drift check compare: the models, minus tables kept beside them."""

from __future__ import annotations

from typing import Any

# SQLite's full-text search tables (created by a migration as virtual tables, kept in step by
# the sync) and SQLite's internal tables are not models.
UNMODELLED_PREFIXES = ("sqlite_", "search_")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    unmodelled = bool(name) and str(name).startswith(UNMODELLED_PREFIXES)
    return not (type_ in ("table", "index") and unmodelled)
