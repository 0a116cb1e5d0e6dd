"""``amsync accounts list``: each account with its size and last sync.

Plain SQL on a ``Reader`` (both backends; the CLI reads an SQLite mirror without loading
SQLAlchemy, see ``amsync.db.reading``). This module imports no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from amsync.db.reading import Reader, iso_sql


@dataclass(frozen=True, slots=True)
class AccountSummary:
    name: str
    storefront: str | None
    created_at: str | None  # ISO 8601 UTC, like the views
    last_synced_at: str | None
    songs: int
    playlists: int
    runs: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _live(table: str) -> str:
    return f"(SELECT count(*) FROM {table} t WHERE t.account_id = a.id AND t.removed_at IS NULL)"


def account_summaries(reader: Reader) -> list[AccountSummary]:
    """Every account in the database, by name."""
    rows = reader.rows(
        f"SELECT a.name, a.storefront, {iso_sql(reader, 'a.created_at')}, "
        f"{iso_sql(reader, 'a.last_synced_at')}, {_live('songs')}, {_live('playlists')}, "
        "(SELECT count(*) FROM sync_runs r WHERE r.account_id = a.id) "
        "FROM accounts a ORDER BY a.name"
    )
    return [AccountSummary(*row) for row in rows]
