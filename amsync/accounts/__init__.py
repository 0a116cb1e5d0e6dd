"""Accounts: the mirrored libraries in one database — list, add, remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, Table, delete, func, select

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.timestamps import iso_utc
from amsync.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AccountSummary:
    name: str
    storefront: str | None
    created_at: datetime
    last_synced_at: datetime | None
    songs: int
    playlists: int
    runs: int

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "storefront": self.storefront,
            "created_at": _iso(self.created_at),
            "last_synced_at": _iso(self.last_synced_at),
            "songs": self.songs,
            "playlists": self.playlists,
            "runs": self.runs,
        }


def _iso(value: datetime | None) -> str | None:
    return iso_utc(value)


def _live_count(table: Table, account_id: ColumnElement[int]) -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(table)
        .where(table.c.account_id == account_id, table.c.removed_at.is_(None))
        .scalar_subquery()
    )


def list_accounts(store: Store) -> list[AccountSummary]:
    a = tables.accounts
    runs = (
        select(func.count())
        .select_from(tables.sync_runs)
        .where(tables.sync_runs.c.account_id == a.c.id)
        .scalar_subquery()
    )
    query = select(
        a.c.name,
        a.c.storefront,
        a.c.created_at,
        a.c.last_synced_at,
        _live_count(tables.songs, a.c.id),
        _live_count(tables.playlists, a.c.id),
        runs,
    ).order_by(a.c.name)
    with store.session() as session:
        return [AccountSummary(*row) for row in session.execute(query)]


def add_account(store: Store, name: str) -> bool:
    """Create account ``name``; false when it already exists."""
    with store.session() as session:
        exists = session.scalar(select(tables.accounts.c.id).where(tables.accounts.c.name == name))
    if exists is not None:
        return False
    store.account_id(name)
    return True


def remove_account(store: Store, name: str) -> int:
    """Delete account ``name`` and every row that belongs to it (and nothing else); returns the
    number of its songs that were mirrored."""
    with store.writing() as session:
        account_id = session.scalar(
            select(tables.accounts.c.id).where(tables.accounts.c.name == name)
        )
        if account_id is None:
            raise ConfigError(
                f"no account named {name!r}", hint="`amsync accounts list` shows the accounts"
            )
        songs = (
            session.scalar(
                select(func.count())
                .select_from(tables.songs)
                .where(tables.songs.c.account_id == account_id)
            )
            or 0
        )
        # Children first, so that it works whether or not the backend enforces the cascades.
        revisions = select(tables.playlist_revisions.c.id).where(
            tables.playlist_revisions.c.account_id == account_id
        )
        session.execute(
            delete(tables.playlist_entries).where(
                tables.playlist_entries.c.revision_id.in_(revisions)
            )
        )
        for table in (
            tables.playlist_revisions,
            tables.item_changes,
            tables.favourite_pushes,
            tables.favourites,
            tables.run_locks,
            tables.songs,
            tables.albums,
            tables.artists,
            tables.playlists,
            tables.playlist_folders,
            tables.catalog_songs,
            tables.catalog_albums,
            tables.catalog_artists,
            tables.sync_runs,
            tables.play_events,
            tables.play_days,
            tables.library_track_counts,
            tables.listening_imports,
        ):
            session.execute(delete(table).where(table.c.account_id == account_id))
        session.execute(delete(tables.accounts).where(tables.accounts.c.id == account_id))
    return int(songs)
