"""``amsync lost restore``: load the open losses, plan (``restore_plan``), write, read back.

Writes, in order: one add-to-library of the replacements (the client sends 100 ids a request;
a request Apple refuses is retried id by id, so one bad id costs only itself), then per playlist
one append — after reading the playlist first, so that a replacement already in it is never
appended again. Each write that Apple accepted is recorded at once (``attempted_at``), and a
replacement Apple refused (404, 400) is forgotten so that the next sync looks for another.
Then everything is read back like a sync reads it — the library's songs, each playlist written
to — and what Apple shows is recorded ``restored_at``; a second run writes nothing.

A playlist that refuses the append (403: no longer editable) or is gone (404) is a counted
skip. Authorization and lasting network failures (429 storms that outlast the retry budget)
stop the run with their exit codes; what was written before is recorded, nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain import LibrarySong
from amsync.domain.ports import LibraryReader, LibraryWriter
from amsync.errors import (
    AuthorizationError,
    BadRequest,
    DeveloperTokenRejected,
    MalformedResponse,
    NotFound,
    SubscriptionRequired,
    UserTokenRejected,
)
from amsync.lost.restore_plan import OpenLoss, Planned, PlaylistState, RestorePlan, plan_restore

log = logging.getLogger(__name__)
_lost = tables.lost_songs
_entries = tables.lost_entries
_REFUSED = (BadRequest, NotFound, MalformedResponse)
_PERSON_MUST_ACT = (UserTokenRejected, DeveloperTokenRejected, SubscriptionRequired)


@dataclass(slots=True)
class RestoreReport:
    plan: RestorePlan
    status: str = "planned"  # planned | dry-run | nothing-to-do | restored | partial
    added: int = 0
    appended: dict[str, int] = field(default_factory=dict)
    confirmed: int = 0
    unconfirmed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped_while_writing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "plan": self.plan.as_dict(),
            "skip_counts": self.plan.skip_counts(),
            "added_to_library": self.added,
            "appended": dict(self.appended),
            "confirmed": self.confirmed,
            "unconfirmed": list(self.unconfirmed),
            "failed": list(self.failed),
            "skipped_while_writing": list(self.skipped_while_writing),
        }


# --- loading -----------------------------------------------------------------------------------


def load_plan(store: Store, account_id: int, named: Collection[int] | None = None) -> RestorePlan:
    """The restore plan for the account's open losses against the mirror."""
    with store.session() as session:
        db = session.connection()
        losses = [_open_loss(row) for row in db.execute(_losses_query(account_id))]
        wanted = {loss.playlist_id for loss in losses if loss.playlist_id}
        playlists: dict[str, PlaylistState] = {}
        in_playlists: dict[str, set[str]] = {}
        p, e = tables.playlists, tables.playlist_entries
        for library_id, name, removed_at, can_edit, revision in db.execute(
            select(
                p.c.library_id, p.c.name, p.c.removed_at, p.c.can_edit, p.c.current_revision_id
            ).where(p.c.account_id == account_id, p.c.library_id.in_(sorted(wanted) or [""]))
        ):
            playlists[library_id] = PlaylistState(name, removed_at is None, can_edit)
            in_playlists[library_id] = {
                cid
                for cid in db.scalars(
                    select(e.c.track_catalog_id).where(e.c.revision_id == revision)
                )
                if cid
            }
        s = tables.songs
        replacements = sorted({loss.replacement_id for loss in losses if loss.replacement_id})
        in_library = set(
            db.scalars(
                select(s.c.catalog_id).where(
                    s.c.account_id == account_id,
                    s.c.removed_at.is_(None),
                    s.c.catalog_id.in_(replacements or [""]),
                )
            )
        )
    return plan_restore(losses, playlists, in_library, in_playlists, named)


def _losses_query(account_id: int) -> Any:
    return (
        select(
            _entries.c.id,
            _lost.c.id,
            _lost.c.library_id,
            _lost.c.catalog_id,
            _lost.c.name,
            _lost.c.artist,
            _entries.c.kind,
            _entries.c.cause,
            _entries.c.playlist_id,
            _entries.c.playlist_name,
            _entries.c.position,
            _lost.c.replacement_catalog_id,
            _lost.c.replacement,
            _lost.c.lookup_note,
            _lost.c.looked_up_at,
            _lost.c.candidates,
            _entries.c.attempted_at,
            _entries.c.restored_at,
        )
        .join(_lost, _lost.c.id == _entries.c.song_id)
        .where(_entries.c.account_id == account_id, _entries.c.found_back_at.is_(None))
        .order_by(_entries.c.lost_at, _entries.c.id)
    )


def _open_loss(row: Any) -> OpenLoss:
    replacement = row[12] or {}
    candidates = (row[15] or {}).get("ambiguous") or []
    return OpenLoss(
        entry_id=row[0],
        song_id=row[1],
        library_id=row[2],
        catalog_id=row[3],
        name=row[4],
        artist=row[5],
        kind=row[6],
        cause=row[7],
        playlist_id=row[8],
        playlist_name=row[9],
        position=row[10],
        replacement_id=row[11],
        replacement_name=replacement.get("name"),
        lookup_note=row[13],
        looked_up=row[14] is not None,
        ambiguous=len(candidates),
        attempted=row[16] is not None,
        restored=row[17] is not None,
    )


# --- writing -----------------------------------------------------------------------------------


class _Restorer:
    def __init__(
        self,
        writer: LibraryWriter,
        reader: LibraryReader,
        store: Store,
        account_id: int,
        report: RestoreReport,
        now: datetime,
    ) -> None:
        self.account_id = account_id
        self.writer = writer
        self.reader = reader
        self.store = store
        self.report = report
        self.now = now
        self.sent_library: list[Planned] = []
        self.sent_playlists: dict[str, list[Planned]] = {}

    async def run(self) -> None:
        plan = self.report.plan
        self._mark(plan.present, restored=True)
        self.report.confirmed += len(plan.present)
        for waiting in plan.waiting:  # written before: only read back
            if waiting.playlist_id is None:
                self.sent_library.append(waiting)
            else:
                self.sent_playlists.setdefault(waiting.playlist_id, []).append(waiting)
        if plan.library:
            await self._add_to_library(plan.library)
        for playlist_id, planned in plan.playlists.items():
            await self._append(playlist_id, planned)
        await self._read_back()

    async def _add_to_library(self, planned: list[Planned]) -> None:
        try:
            await self.writer.add_to_library({"songs": [p.replacement_id for p in planned]})
        except _REFUSED:
            for one in planned:  # find the one Apple refuses; the others go in
                await self._add_one(one)
            return
        self._sent(planned)
        self.report.added += len(planned)

    async def _add_one(self, planned: Planned) -> None:
        try:
            await self.writer.add_to_library({"songs": [planned.replacement_id]})
        except _REFUSED as exc:
            self.report.failed.append(
                f"Apple refused {planned.label}'s replacement {planned.replacement_id}: {exc}"
            )
            self._forget_replacement(planned.replacement_id)
            return
        self._sent([planned])
        self.report.added += 1

    async def _append(self, playlist_id: str, planned: list[Planned]) -> None:
        try:
            tracks, listing = await self.reader.list_playlist_tracks(playlist_id)
            if not listing.complete:  # what it holds is unknown: appending could duplicate
                self._skip(planned, "the playlist could not be read completely: try again")
                return
            there = {t.catalog_id for t in tracks if t.catalog_id}
            present = [p for p in planned if p.replacement_id in there]
            for p in present:
                self._mark(p.entries, restored=True)
                self.report.confirmed += len(p.entries)
            missing = [p for p in planned if p.replacement_id not in there]
            if len(missing) == 1:
                await self._append_one(playlist_id, missing[0])
            elif missing:
                try:
                    await self.writer.add_playlist_tracks(
                        playlist_id, [p.replacement_id for p in missing]
                    )
                except (BadRequest, MalformedResponse):  # find the one Apple refuses
                    for one in missing:
                        await self._append_one(playlist_id, one)
                else:
                    self._appended(playlist_id, missing)
        except _PERSON_MUST_ACT:
            raise
        except AuthorizationError as exc:  # 403 for this playlist only: not editable
            self._skip(planned, f"Apple refused the append (it cannot be edited): {exc.status}")
        except NotFound:
            self._skip(planned, "the playlist is gone")
        except (BadRequest, MalformedResponse) as exc:
            self._skip(planned, f"Apple refused the append: {exc}")

    async def _append_one(self, playlist_id: str, planned: Planned) -> None:
        try:
            await self.writer.add_playlist_tracks(playlist_id, [planned.replacement_id])
        except (BadRequest, MalformedResponse) as exc:
            self.report.failed.append(
                f"Apple refused {planned.label}'s replacement {planned.replacement_id} for "
                f"playlist {playlist_id}: {exc}"
            )
            self._forget_replacement(planned.replacement_id)
            return
        self._appended(playlist_id, [planned])

    def _appended(self, playlist_id: str, planned: list[Planned]) -> None:
        self._sent(planned)
        self.sent_playlists.setdefault(playlist_id, []).extend(planned)
        self.report.appended[playlist_id] = self.report.appended.get(playlist_id, 0) + len(planned)

    async def _read_back(self) -> None:
        if self.sent_library:
            songs: list[LibrarySong] = []
            listing = await self.reader.list_songs(songs.extend, include_catalog=False)
            present = {s.catalog_id for s in songs if s.catalog_id}
            self._confirm(self.sent_library, present, listing.complete, "the library")
        for playlist_id, planned in self.sent_playlists.items():
            tracks, listing = await self.reader.list_playlist_tracks(playlist_id)
            present = {t.catalog_id for t in tracks if t.catalog_id}
            self._confirm(planned, present, listing.complete, f"playlist {playlist_id}")

    def _confirm(
        self, planned: Sequence[Planned], present: set[str], complete: bool, where: str
    ) -> None:
        shown = [p for p in planned if complete and p.replacement_id in present]
        for p in shown:
            self._mark(p.entries, restored=True)
            self.report.confirmed += len(p.entries)
        for p in planned:
            if p not in shown:
                self.report.unconfirmed.append(
                    f"{p.label}: Apple accepted {p.replacement_id} but {where} does not show it "
                    "yet (Apple may take a while; it will not be sent again unless named)"
                )

    # --- recording -----------------------------------------------------------------------------

    def _sent(self, planned: Sequence[Planned]) -> None:
        if planned and planned[0].playlist_id is None:
            self.sent_library.extend(planned)
        self._mark([e for p in planned for e in p.entries], restored=False)

    def _skip(self, planned: Sequence[Planned], reason: str) -> None:
        for p in planned:
            self.report.skipped_while_writing.append(f"{p.label}: {reason}")
        self._note([e for p in planned for e in p.entries], reason)

    def _mark(self, entry_ids: Sequence[int], *, restored: bool) -> None:
        if not entry_ids:
            return
        values: dict[str, Any] = {"attempted_at": self.now}
        if restored:
            values = {"restored_at": self.now, "restore_note": None}
        with self.store.writing() as session:
            session.connection().execute(
                update(_entries).where(_entries.c.id.in_(list(entry_ids))).values(**values)
            )

    def _note(self, entry_ids: Sequence[int], note: str) -> None:
        with self.store.writing() as session:
            session.connection().execute(
                update(_entries)
                .where(_entries.c.id.in_(list(entry_ids)))
                .values(restore_note=note[:500])
            )

    def _forget_replacement(self, catalog_id: str) -> None:
        """A replacement Apple refuses is no replacement: the next sync looks again."""
        with self.store.writing() as session:
            session.connection().execute(
                update(_lost)
                .where(
                    _lost.c.account_id == self.account_id,
                    _lost.c.replacement_catalog_id == catalog_id,
                )
                .values(
                    replacement_catalog_id=None,
                    replacement_method=None,
                    replacement_score=None,
                    replacement=None,
                    lookup_note=f"Apple refused {catalog_id} when it was added",
                    looked_up_at=None,
                )
            )


async def apply_restore(
    plan: RestorePlan,
    writer: LibraryWriter,
    reader: LibraryReader,
    store: Store,
    account_id: int,
    report: RestoreReport | None = None,
    *,
    now: datetime | None = None,
) -> RestoreReport:
    """Carry out ``plan`` (module docstring); the outcome goes into ``report``."""
    report = report or RestoreReport(plan)
    if plan.empty:
        report.status = "nothing-to-do"
        return report
    moment = now or datetime.now(UTC)
    await _Restorer(writer, reader, store, account_id, report, moment).run()
    troubled = report.failed or report.unconfirmed or report.skipped_while_writing
    report.status = "partial" if troubled else "restored"
    return report
