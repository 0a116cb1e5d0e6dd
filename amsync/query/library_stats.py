"""``amsync stats``: how big the mirror is, what is favourite, how the last runs went, and —
once Apple's privacy export was imported — the listening history (``listening``).

Plain SQL on a ``Reader`` (both backends; see ``amsync.db.reading``).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import Reader, first, scalar
from amsync.domain.timestamps import iso_utc, parse_moment
from amsync.query.listening import listening_summary
from amsync.query.snapshot import reading

if TYPE_CHECKING:
    from amsync.db.store import Store

LAST_RUNS: Final = 5
COLLECTIONS: Final = {
    "songs": "songs",
    "albums": "albums",
    "artists": "artists",
    "playlists": "playlists",
    "folders": "playlist_folders",
}


def _stamp(value: datetime | str | None) -> str | None:
    """A stored moment as amsync prints it (``amsync.domain.timestamps.iso_utc``). PostgreSQL
    hands back datetimes; SQLite's text column holds what SQLAlchemy wrote (``2026-11-29
    09:51:40.812345``, UTC), which is parsed first."""
    if isinstance(value, str):
        try:
            return iso_utc(parse_moment(value))
        except ValueError:
            return value
    return iso_utc(value)


def _collection_counts(reader: Reader, account_id: int) -> dict[str, dict[str, int]]:
    parts = [
        f"SELECT '{name}', count(*), count(removed_at) FROM {table} WHERE account_id = :account"
        for name, table in COLLECTIONS.items()
    ]
    counts: dict[str, dict[str, int]] = {}
    for name, total, removed in reader.rows(" UNION ALL ".join(parts), {"account": account_id}):
        total, removed = int(total or 0), int(removed or 0)
        counts[str(name)] = {"live": total - removed, "removed": removed}
    return {name: counts[name] for name in COLLECTIONS}


ITEM_TABLES: Final = {
    "song": "songs",
    "album": "albums",
    "artist": "artists",
    "playlist": "playlists",
}


def _favourite_counts(reader: Reader, account_id: int) -> dict[str, Any]:
    """Favourites and dislikes (the user's current wish) of the items in the library — the
    items the exports list — by type, with the totals a backup's manifest records too
    (``favourites``, ``dislikes``)."""
    parts = [
        f"SELECT '{item_type}', f.local, count(*) FROM favourites f JOIN {table} t "
        "ON t.account_id = f.account_id AND t.library_id = f.library_id "
        f"WHERE f.account_id = :account AND f.item_type = '{item_type}' "
        "AND f.local IN ('favourite', 'disliked') AND t.removed_at IS NULL GROUP BY f.local"
        for item_type, table in ITEM_TABLES.items()
    ]
    by_type: dict[str, dict[str, int]] = {}
    totals = {"favourites": 0, "dislikes": 0}
    for item_type, state, n in reader.rows(" UNION ALL ".join(parts), {"account": account_id}):
        by_type.setdefault(str(item_type), {})[str(state)] = int(n)
        totals["favourites" if state == "favourite" else "dislikes"] += int(n)
    by_type = {t: dict(sorted(by_type[t].items())) for t in ITEM_TABLES if t in by_type}
    pending = scalar(
        reader,
        "SELECT count(*) FROM favourite_pushes WHERE account_id = :account",
        {"account": account_id},
    )
    return {"by_type": by_type, **totals, "pending_pushes": int(pending or 0)}


def _counts_value(value: Any) -> dict[str, Any]:
    """The JSON ``counts`` column: text on SQLite, already decoded on PostgreSQL."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _runs(reader: Reader, account_id: int) -> list[dict[str, Any]]:
    rows = reader.rows(
        "SELECT id, kind, status, started_at, finished_at, counts, error FROM sync_runs "
        "WHERE account_id = :account ORDER BY started_at DESC, id DESC LIMIT :limit",
        {"account": account_id, "limit": LAST_RUNS},
    )
    return [
        {
            "id": int(run_id),
            "kind": kind,
            "status": status,
            "started_at": _stamp(started),
            "finished_at": _stamp(finished),
            "counts": _counts_value(counts),
            "error": error,
        }
        for run_id, kind, status, started, finished, counts, error in rows
    ]


def database_size(reader: Reader) -> int | None:
    """Bytes on disk: the SQLite file with its WAL, or the whole PostgreSQL database."""
    path = reader.sqlite_path
    if path is not None:
        sizes = [p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()]
        return sum(sizes) if sizes else None
    value = scalar(reader, "SELECT pg_database_size(current_database())")
    return None if value is None else int(value)


def library_stats(source: Store | Reader, account_id: int) -> dict[str, Any]:
    """Counts, favourites, the last runs and the database's size, as plain data."""
    with reading(source) as reader:
        params = {"account": account_id}
        account = first(
            reader,
            "SELECT name, storefront, last_synced_at FROM accounts WHERE id = :account",
            params,
        )
        if account is None:  # pragma: no cover - the caller looked the account up
            raise LookupError(f"no account {account_id}")
        current_tracks = scalar(
            reader,
            "SELECT count(*) FROM playlist_entries e "
            "JOIN playlists p ON p.current_revision_id = e.revision_id "
            "WHERE p.account_id = :account AND p.removed_at IS NULL",
            params,
        )
        unavailable = scalar(
            reader,
            "SELECT count(*) FROM songs s JOIN catalog_songs c "
            "ON c.account_id = s.account_id AND c.catalog_id = s.catalog_id "
            "WHERE s.account_id = :account AND s.removed_at IS NULL AND c.available = :no",
            {**params, "no": False},
        )
        stats: dict[str, Any] = {
            "account": account[0],
            "storefront": account[1],
            "last_synced_at": _stamp(account[2]),
            "database": {
                "location": reader.location,
                "backend": reader.backend,
                "size_bytes": database_size(reader),
            },
            "counts": _collection_counts(reader, account_id),
            "playlist_tracks": int(current_tracks or 0),
            "unavailable_songs": int(unavailable or 0),
            "favourites": _favourite_counts(reader, account_id),
            "last_runs": _runs(reader, account_id),
        }
        listening = listening_summary(reader, account_id)
        if listening is not None:  # only once Apple's privacy export was imported
            stats["listening"] = listening
        return stats
