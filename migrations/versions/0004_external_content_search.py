"""Full-text search as external-content FTS5 tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 11:30:00

SQLite only (PostgreSQL's trigram indexes of 0002 stay as they are). 0002's FTS5 tables kept
their own copy of the searchable text; now each is an *external-content* table of the item
table it indexes — ``search_songs(name, artist, album)`` is
``fts5(..., content="songs", content_rowid="id")`` — so the text is stored once, and tools that
look for a table's full-text index find it: Datasette detects ``content="songs"`` and offers
search on ``songs`` (``/db/songs?_search=…``); sqlite-utils does the same.

The ``search_*`` triggers keep the index in step with every writer, following FTS5's
external-content protocol: an insert adds the new row's text; a delete (and the first half of
an update of an indexed column) tells the index the *old* values with the special
``INSERT INTO search_x(search_x, rowid, …) VALUES ('delete', old.id, old.…)`` — FTS5 cannot
read them from the content table any more. The index is filled with ``'rebuild'``.

NOTE for later migrations (as in 0002): rebuilding one of the item tables (SQLite batch mode)
drops its triggers; recreate them (copy ``external_content_ddl``).

Downgrade restores 0002's tables (their own copy of the text, the same triggers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# item table -> (FTS table, indexed columns); the same as 0002's
SEARCH_TABLES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "songs": ("search_songs", ("name", "artist", "album")),
    "albums": ("search_albums", ("name", "artist")),
    "artists": ("search_artists", ("name",)),
    "playlists": ("search_playlists", ("name", "description")),
}
TOKENIZE: Final = "tokenize = 'unicode61 remove_diacritics 2'"


def _values(prefix: str, columns: Sequence[str]) -> str:
    return ", ".join(f"{prefix}.{c}" for c in columns)


def _drop(table: str) -> list[str]:
    fts, _ = SEARCH_TABLES[table]
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


def external_content_ddl(table: str) -> list[str]:
    """The FTS5 table over ``table``'s own text, its filling, and the triggers that keep it."""
    fts, columns = SEARCH_TABLES[table]
    names = ", ".join(columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {_values('new', columns)});"
    delete = (
        f"INSERT INTO {fts}({fts}, rowid, {names}) "
        f"VALUES ('delete', old.id, {_values('old', columns)});"
    )
    return [
        f'CREATE VIRTUAL TABLE {fts} USING fts5({names}, content="{table}", '
        f'content_rowid="id", {TOKENIZE})',
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def own_copy_ddl(table: str) -> list[str]:
    """0002's FTS5 table, which keeps its own copy of the text, and its triggers."""
    fts, columns = SEARCH_TABLES[table]
    names = ", ".join(columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {_values('new', columns)});"
    delete = f"DELETE FROM {fts} WHERE rowid = old.id;"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, {TOKENIZE})",
        f"INSERT INTO {fts}(rowid, {names}) SELECT id, {names} FROM {table}",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def _fts5_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    used = bind.exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar()
    return bool(used)


def _replace(build: object) -> None:
    if not _fts5_available():
        return  # PostgreSQL, or an SQLite without FTS5 (search falls back to LIKE)
    assert callable(build)
    for table in SEARCH_TABLES:
        for statement in [*_drop(table), *build(table)]:
            op.execute(statement)


def upgrade() -> None:
    _replace(external_content_ddl)


def downgrade() -> None:
    _replace(own_copy_ddl)
