"""``amsync stats``: how big the mirror is, what is favourite, how the last runs went, and —
once Apple's privacy export was imported — the listening history (``listening``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, func, select

from amsync.db.models import (
    Account,
    Album,
    Artist,
    CatalogSong,
    Favourite,
    FavouritePush,
    Playlist,
    PlaylistEntry,
    PlaylistFolder,
    Song,
    SyncRun,
)
from amsync.db.store import Store
from amsync.domain.timestamps import iso_utc
from amsync.query.listening import listening_summary
from amsync.query.snapshot import snapshot

LAST_RUNS: Final = 5
_COLLECTIONS: Final[dict[str, Any]] = {
    "songs": Song,
    "albums": Album,
    "artists": Artist,
    "playlists": Playlist,
    "folders": PlaylistFolder,
}


def _stamp(value: datetime | None) -> str | None:
    return iso_utc(value)


def _collection_counts(connection: Connection, account_id: int) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for name, model in _COLLECTIONS.items():
        row = connection.execute(
            select(func.count(), func.count(model.removed_at)).where(model.account_id == account_id)
        ).one()
        total, removed = int(row[0] or 0), int(row[1] or 0)
        counts[name] = {"live": total - removed, "removed": removed}
    return counts


_ITEM_TABLES: Final[dict[str, Any]] = {
    "song": Song,
    "album": Album,
    "artist": Artist,
    "playlist": Playlist,
}


def _favourite_counts(connection: Connection, account_id: int) -> dict[str, Any]:
    """Favourites and dislikes (the user's current wish) of the items in the library — the
    items the exports list — by type, with the totals a backup's manifest records too
    (``favourites``, ``dislikes``)."""
    by_type: dict[str, dict[str, int]] = {}
    totals = {"favourites": 0, "dislikes": 0}
    for item_type, table in _ITEM_TABLES.items():
        rows = connection.execute(
            select(Favourite.local, func.count())
            .join(
                table,
                (table.account_id == Favourite.account_id)
                & (table.library_id == Favourite.library_id),
            )
            .where(
                Favourite.account_id == account_id,
                Favourite.item_type == item_type,
                Favourite.local.in_(("favourite", "disliked")),
                table.removed_at.is_(None),
            )
            .group_by(Favourite.local)
        )
        for state, n in rows:
            by_type.setdefault(item_type, {})[state] = int(n)
            totals["favourites" if state == "favourite" else "dislikes"] += int(n)
    pending = connection.execute(
        select(func.count()).where(FavouritePush.account_id == account_id)
    ).scalar()
    return {"by_type": by_type, **totals, "pending_pushes": int(pending or 0)}


def _runs(connection: Connection, account_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            SyncRun.id,
            SyncRun.kind,
            SyncRun.status,
            SyncRun.started_at,
            SyncRun.finished_at,
            SyncRun.counts,
            SyncRun.error,
        )
        .where(SyncRun.account_id == account_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(LAST_RUNS)
    )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "started_at": _stamp(r.started_at),
            "finished_at": _stamp(r.finished_at),
            "counts": r.counts or {},
            "error": r.error,
        }
        for r in rows
    ]


def database_size(store: Store, connection: Connection) -> int | None:
    """Bytes on disk: the SQLite file with its WAL, or the whole PostgreSQL database."""
    if store.is_sqlite:
        path = Path(str(store.engine.url.database))
        sizes = [p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()]
        return sum(sizes) if sizes else None
    value = connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    return None if value is None else int(value)


def library_stats(store: Store, account_id: int) -> dict[str, Any]:
    """Counts, favourites, the last runs and the database's size, as plain data."""
    with snapshot(store) as connection:
        account = connection.execute(
            select(Account.name, Account.storefront, Account.last_synced_at).where(
                Account.id == account_id
            )
        ).one()
        current_tracks = connection.execute(
            select(func.count())
            .select_from(PlaylistEntry)
            .join(Playlist, Playlist.current_revision_id == PlaylistEntry.revision_id)
            .where(Playlist.account_id == account_id, Playlist.removed_at.is_(None))
        ).scalar()
        unavailable = connection.execute(
            select(func.count())
            .select_from(Song)
            .join(
                CatalogSong,
                (CatalogSong.account_id == Song.account_id)
                & (CatalogSong.catalog_id == Song.catalog_id),
            )
            .where(
                Song.account_id == account_id,
                Song.removed_at.is_(None),
                CatalogSong.available.is_(False),
            )
        ).scalar()
        stats: dict[str, Any] = {
            "account": account.name,
            "storefront": account.storefront,
            "last_synced_at": _stamp(account.last_synced_at),
            "database": {
                "location": store.location,
                "backend": "sqlite" if store.is_sqlite else "postgresql",
                "size_bytes": database_size(store, connection),
            },
            "counts": _collection_counts(connection, account_id),
            "playlist_tracks": int(current_tracks or 0),
            "unavailable_songs": int(unavailable or 0),
            "favourites": _favourite_counts(connection, account_id),
            "last_runs": _runs(connection, account_id),
        }
        listening = listening_summary(connection, account_id)
        if listening is not None:  # only once Apple's privacy export was imported
            stats["listening"] = listening
        return stats
