"""The apply step: one transaction that turns a plan into the new mirror.

Inserts new items, rewrites changed and revived ones, tombstones removed ones (never a hard
delete), records a playlist revision where a name or track list changed, upserts catalog
metadata, records Apple's favourite states, and logs every change in ``item_changes``. Rows the
plan does not name are not touched, so a sync that finds nothing new writes no item rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from amsync.db import tables
from amsync.favourites.state import record_remote_states
from amsync.sync.fetch import ITEM_COLLECTIONS, Snapshot
from amsync.sync.mirror_state import CATALOG_TABLES, ITEM_TABLES, MirrorState
from amsync.sync.plan import CollectionPlan, SyncPlan
from amsync.sync.staging import Staging

CHUNK: Final = 500
ITEM_TYPES: Final = {
    "songs": "song",
    "albums": "album",
    "artists": "artist",
    "playlists": "playlist",
    "folders": "folder",
}
_NAMED_COLUMNS: Final = ("name", "artist")
_changes = tables.item_changes
_revisions = tables.playlist_revisions
_entries = tables.playlist_entries
_playlists = tables.playlists


@dataclass(slots=True)
class ApplyResult:
    revisions: int = 0
    catalog_writes: int = 0
    favourites_changed: int = 0
    favourites_pulled: int = 0
    item_changes: int = 0
    warnings: list[str] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batches(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``items`` in lists of ``size``, consumed lazily (bounded memory for big applies)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Applier:
    def __init__(
        self,
        connection: Connection,
        account_id: int,
        run_id: int | None,
        snapshot: Snapshot,
        staging: Staging,
        mirror: MirrorState,
        now: datetime,
    ) -> None:
        self.db = connection
        self.account_id = account_id
        self.run_id = run_id
        self.snapshot = snapshot
        self.staging = staging
        self.mirror = mirror
        self.now = now
        self.result = ApplyResult()
        self._change_rows: list[dict[str, Any]] = []

    def apply(self, plan: SyncPlan) -> ApplyResult:
        for name in ITEM_COLLECTIONS:
            self._collection(plan.collections[name])
        self._revisions(plan.revisions)
        self._catalog(plan)
        self._favourites()
        self._flush_changes()
        return self.result

    # --- items -----------------------------------------------------------------------------

    def _collection(self, plan: CollectionPlan) -> None:
        table = ITEM_TABLES[plan.name]
        fingerprints = self.snapshot.items[plan.name].fingerprints
        item_type = ITEM_TYPES[plan.name]
        # The first import of a collection is not a change: its items' first_seen_at and the
        # run's counts record it, and the change log stays about changes.
        initial = not self.mirror.items[plan.name]
        if plan.added:
            staged = self.staging.rows(plan.name, plan.added)
            for batch in _batches(staged):
                new_rows = [
                    {
                        **row,
                        "account_id": self.account_id,
                        "fingerprint": fingerprints[key],
                        "first_seen_at": self.now,
                        "last_seen_at": self.now,
                        "removed_at": None,
                    }
                    for key, row in batch
                ]
                self.db.execute(insert(table), new_rows)
                if not initial:
                    for row in new_rows:
                        self._change(item_type, row, "added")
        rewrite = plan.changed | plan.revived
        for keys in _batches(sorted(rewrite)):
            self._rewrite(plan, table, set(keys), fingerprints, item_type)
        if plan.removed:
            self._tombstone(plan, table, item_type)

    def _rewrite(
        self,
        plan: CollectionPlan,
        table: Table,
        keys: set[str],
        fingerprints: dict[str, str],
        item_type: str,
    ) -> None:
        staged = dict(self.staging.rows(plan.name, keys))
        columns = [table.c[name] for name in next(iter(staged.values()))]
        old = {
            row.library_id: row._mapping
            for row in self.db.execute(
                select(*columns).where(
                    table.c.account_id == self.account_id, table.c.library_id.in_(sorted(keys))
                )
            )
        }
        params = []
        for key, row in staged.items():
            params.append(
                {
                    **{f"v_{k}": v for k, v in row.items()},
                    "b_library_id": key,
                    "b_account_id": self.account_id,
                    "v_fingerprint": fingerprints[key],
                    "v_last_seen_at": self.now,
                    "v_removed_at": None,
                }
            )
            before: dict[str, Any] = dict(old.get(key, {}))
            if key in plan.revived:
                self._change(item_type, row, "revived")
            else:
                diff = {k: [before.get(k), v] for k, v in row.items() if before.get(k) != v}
                self._change(item_type, row, "changed", diff)
        statement = (
            update(table)
            .where(
                table.c.account_id == bindparam("b_account_id"),
                table.c.library_id == bindparam("b_library_id"),
            )
            .values({k.removeprefix("v_"): bindparam(k) for k in params[0] if k.startswith("v_")})
        )
        self.db.execute(statement, params)

    def _tombstone(self, plan: CollectionPlan, table: Table, item_type: str) -> None:
        last_seen = self.mirror.last_synced_at or self.now
        named = [table.c[c] for c in _NAMED_COLUMNS if c in table.c]
        for chunk in _chunks(sorted(plan.removed)):
            for row in self.db.execute(
                select(table.c.library_id, *named).where(
                    table.c.account_id == self.account_id, table.c.library_id.in_(chunk)
                )
            ):
                self._change(item_type, dict(row._mapping), "removed")
            self.db.execute(
                update(table)
                .where(table.c.account_id == self.account_id, table.c.library_id.in_(chunk))
                .values(removed_at=self.now, last_seen_at=last_seen)
            )

    def _change(
        self,
        item_type: str,
        row: dict[str, Any] | Any,
        change: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        if len(self._change_rows) >= CHUNK:
            self._flush_changes()
        self._change_rows.append(
            {
                "account_id": self.account_id,
                "run_id": self.run_id,
                "item_type": item_type,
                "library_id": row["library_id"],
                "change": change,
                "name": row.get("name"),
                "artist": row.get("artist"),
                "detail": detail or None,
                "recorded_at": self.now,
            }
        )

    def _flush_changes(self) -> None:
        if self._change_rows:
            self.db.execute(insert(_changes), self._change_rows)
        self.result.item_changes += len(self._change_rows)
        self._change_rows = []

    # --- playlist revisions ---------------------------------------------------------------

    def _revisions(self, playlist_ids: Iterable[str]) -> None:
        wanted = sorted(playlist_ids)
        if not wanted:
            return
        current: dict[str, Any] = {}
        for chunk in _chunks(wanted):
            # The name to compare is the current revision's: the playlist row itself was
            # rewritten with the new name by the item step above.
            for row in self.db.execute(
                select(
                    _playlists.c.id,
                    _playlists.c.library_id,
                    _revisions.c.name,
                    _playlists.c.tracks_fingerprint,
                    _playlists.c.current_revision_id,
                    _playlists.c.track_count,
                )
                .outerjoin(_revisions, _revisions.c.id == _playlists.c.current_revision_id)
                .where(
                    _playlists.c.account_id == self.account_id,
                    _playlists.c.library_id.in_(chunk),
                )
            ):
                current[row.library_id] = row
        for library_id in wanted:
            self._revise(library_id, current[library_id])

    def _revise(self, library_id: str, playlist: Any) -> None:
        entries: list[dict[str, Any]] = self.staging.get("tracks", library_id) or []
        tracks = self.snapshot.tracks[library_id]
        name = self.staging.get("playlists", library_id)["name"]
        unchanged = (
            playlist.current_revision_id is not None
            and playlist.tracks_fingerprint == tracks.fingerprint
            and playlist.name == name
        )
        if unchanged:
            return
        if len(entries) != tracks.count:  # the fetch stages every list a revision can need
            raise RuntimeError(f"playlist {library_id}: its staged track list is missing")
        if playlist.current_revision_id is not None:
            self.db.execute(
                update(_revisions)
                .where(_revisions.c.id == playlist.current_revision_id)
                .values(valid_to=self.now)
            )
        inserted = self.db.execute(
            insert(_revisions).values(
                account_id=self.account_id,
                playlist_id=playlist.id,
                run_id=self.run_id,
                name=name,
                track_count=len(entries),
                tracks_fingerprint=tracks.fingerprint,
                valid_from=self.now,
                valid_to=None,
            )
        ).inserted_primary_key
        assert inserted is not None
        revision_id = inserted[0]
        for chunk in _chunks([{**e, "revision_id": revision_id} for e in entries]):
            self.db.execute(insert(_entries), list(chunk))
        self.db.execute(
            update(_playlists)
            .where(_playlists.c.id == playlist.id)
            .values(
                current_revision_id=revision_id,
                track_count=len(entries),
                tracks_fingerprint=tracks.fingerprint,
            )
        )
        if playlist.current_revision_id is not None:
            self._change(
                "playlist",
                {"library_id": library_id, "name": name},
                "revised",
                {"tracks": [playlist.track_count, len(entries)]},
            )
        self.result.revisions += 1

    # --- catalog and favourites -----------------------------------------------------------

    def _catalog(self, plan: SyncPlan) -> None:
        storefront = self.snapshot.storefront
        for kind, catalog_plan in plan.catalog.items():
            table = CATALOG_TABLES[kind]
            fingerprints = self.snapshot.catalog[kind]
            extra = {"storefront": storefront} if "storefront" in table.c else {}
            unavailable_since = (
                {"unavailable_since": None} if "unavailable_since" in table.c else {}
            )
            for batch in _batches(self.staging.rows(kind, catalog_plan.added)):
                fresh = [
                    {
                        **row,
                        **extra,
                        **unavailable_since,
                        "account_id": self.account_id,
                        "fingerprint": fingerprints[key],
                        "fetched_at": self.now,
                        "available": True,
                    }
                    for key, row in batch
                ]
                self.db.execute(insert(table), fresh)
            for keys in _batches(sorted(catalog_plan.changed)):
                self._catalog_rewrite(kind, table, set(keys), extra)
            if catalog_plan.withdrawn:
                self._withdraw(kind, table, catalog_plan.withdrawn)
            self.result.catalog_writes += catalog_plan.writes

    def _catalog_rewrite(
        self, kind: str, table: Table, keys: set[str], extra: dict[str, Any]
    ) -> None:
        fingerprints = self.snapshot.catalog[kind]
        params = [
            {
                **{f"v_{k}": v for k, v in {**row, **extra}.items() if k != "catalog_id"},
                "v_fingerprint": fingerprints[key],
                "v_fetched_at": self.now,
                "v_available": True,
                "b_catalog_id": key,
                "b_account_id": self.account_id,
            }
            for key, row in self.staging.rows(kind, keys)
        ]
        if "unavailable_since" in table.c:
            for p in params:
                p["v_unavailable_since"] = None
        statement = (
            update(table)
            .where(
                table.c.account_id == bindparam("b_account_id"),
                table.c.catalog_id == bindparam("b_catalog_id"),
            )
            .values({k.removeprefix("v_"): bindparam(k) for k in params[0] if k.startswith("v_")})
        )
        self.db.execute(statement, params)

    def _withdraw(self, kind: str, table: Table, ids: Iterable[str]) -> None:
        known = self.mirror.catalog[kind]
        since = {"unavailable_since": self.now} if "unavailable_since" in table.c else {}
        existing = sorted(cid for cid in ids if cid in known)
        for chunk in _chunks(existing):
            self.db.execute(
                update(table)
                .where(table.c.account_id == self.account_id, table.c.catalog_id.in_(chunk))
                .values(available=False, fetched_at=self.now, **since)
            )
        unknown = [
            {
                "account_id": self.account_id,
                "catalog_id": cid,
                "available": False,
                "fingerprint": "",
                "fetched_at": self.now,
                **since,
            }
            for cid in sorted(cid for cid in ids if cid not in known)
        ]
        for chunk in _chunks(unknown):
            self.db.execute(insert(table), list(chunk))

    def _favourites(self) -> None:
        for collection, item_type in (
            ("songs", "song"),
            ("albums", "album"),
            ("playlists", "playlist"),
        ):
            ratings = self.snapshot.ratings.get(item_type)
            if ratings is None:
                continue
            record = record_remote_states(
                self.db,
                self.account_id,
                item_type,
                ratings,
                self.snapshot.items[collection].fingerprints.keys(),
                self.now,
            )
            self.result.favourites_changed += record.changed + record.inserted
            self.result.favourites_pulled += record.pulled
