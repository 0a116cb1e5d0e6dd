"""What the mirror holds now, read compactly (ids, fingerprints, flags) for planning."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from amsync.db import models, tables
from amsync.sync.fetch import CATALOG_KINDS, ITEM_COLLECTIONS, KnownCatalog

ITEM_TABLES: dict[str, Table] = {
    "songs": tables.songs,
    "albums": tables.albums,
    "artists": tables.artists,
    "playlists": tables.playlists,
    "folders": tables.playlist_folders,
}
CATALOG_TABLES: dict[str, Table] = {
    "catalog_songs": tables.catalog_songs,
    "catalog_albums": tables.catalog_albums,
    "catalog_artists": tables.catalog_artists,
}


@dataclass(slots=True)
class MirroredItem:
    fingerprint: str
    removed: bool


@dataclass(slots=True)
class MirroredPlaylist:
    name: str | None  # the current revision's name (None without a revision)
    tracks_fingerprint: str | None
    current_revision_id: int | None


@dataclass(slots=True)
class MirroredCatalog:
    fingerprint: str
    available: bool
    fetched_at: datetime


@dataclass(slots=True)
class MirrorState:
    items: dict[str, dict[str, MirroredItem]] = field(default_factory=dict)
    playlists: dict[str, MirroredPlaylist] = field(default_factory=dict)
    catalog: dict[str, dict[str, MirroredCatalog]] = field(default_factory=dict)
    last_synced_at: datetime | None = None

    def live_count(self, collection: str) -> int:
        return sum(1 for item in self.items[collection].values() if not item.removed)

    def known_catalog(self, now: datetime, refresh_days: int) -> KnownCatalog:
        cutoff = now - timedelta(days=refresh_days)
        known = KnownCatalog()
        for kind in CATALOG_KINDS:
            known.fresh[kind] = {
                cid: row.available
                for cid, row in self.catalog[kind].items()
                if row.fetched_at >= cutoff
            }
        return known


def load_mirror_state(session: Session, account_id: int) -> MirrorState:
    state = MirrorState()
    for collection in ITEM_COLLECTIONS:
        table = ITEM_TABLES[collection]
        result = session.execute(
            select(table.c.library_id, table.c.fingerprint, table.c.removed_at).where(
                table.c.account_id == account_id
            )
        )
        state.items[collection] = {
            lid: MirroredItem(fp, removed is not None) for lid, fp, removed in result
        }
    playlists, revisions = tables.playlists, tables.playlist_revisions
    # the name a new revision is compared with is the current revision's (as the apply does)
    for lid, name, tracks_fp, revision in session.execute(
        select(
            playlists.c.library_id,
            revisions.c.name,
            playlists.c.tracks_fingerprint,
            playlists.c.current_revision_id,
        )
        .outerjoin(revisions, revisions.c.id == playlists.c.current_revision_id)
        .where(playlists.c.account_id == account_id)
    ):
        state.playlists[lid] = MirroredPlaylist(name, tracks_fp, revision)
    for kind in CATALOG_KINDS:
        table = CATALOG_TABLES[kind]
        state.catalog[kind] = {
            cid: MirroredCatalog(fp, bool(available), fetched)
            for cid, fp, available, fetched in session.execute(
                select(
                    table.c.catalog_id, table.c.fingerprint, table.c.available, table.c.fetched_at
                ).where(table.c.account_id == account_id)
            )
        }
    state.last_synced_at = session.scalar(
        select(models.Account.last_synced_at).where(models.Account.id == account_id)
    )
    return state
