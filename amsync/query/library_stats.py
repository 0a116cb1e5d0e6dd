"""``amsync stats``: how big the mirror is, what is favourite, and how the last runs went.

Plain SQL on a ``Reader`` (both backends; see ``amsync.db.reading``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import Reader, first, scalar
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


def iso_utc(value: datetime | str | None) -> str | None:
    """A stored moment as amsync prints it: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, no fraction).

    PostgreSQL hands back aware datetimes; SQLite's text column holds what SQLAlchemy wrote
    (``2026-11-29 09:51:40.812345``, UTC, sometimes with an offset): both are accepted."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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


def _favourite_counts(reader: Reader, account_id: int) -> dict[str, Any]:
    by_type: dict[str, dict[str, int]] = {}
    rows = reader.rows(
        "SELECT item_type, local, count(*) FROM favourites "
        "WHERE account_id = :account AND local <> 'none' GROUP BY item_type, local "
        "ORDER BY item_type, local",
        {"account": account_id},
    )
    for item_type, state, n in rows:
        by_type.setdefault(str(item_type), {})[str(state)] = int(n)
    pending = scalar(
        reader,
        "SELECT count(*) FROM favourite_pushes WHERE account_id = :account",
        {"account": account_id},
    )
    return {"by_type": by_type, "pending_pushes": int(pending or 0)}


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
            "started_at": iso_utc(started),
            "finished_at": iso_utc(finished),
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
        return {
            "account": account[0],
            "storefront": account[1],
            "last_synced_at": iso_utc(account[2]),
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
