"""Finding losses in what a sync just applied, inside the sync's own transaction.

Incremental: only what the sync's plan names is looked at — songs removed, changed or revived,
songs whose catalog entry was withdrawn or changed, and playlists that got a new revision (the
previous revision is compared with the new one, ``departures``). A sync that changed nothing
costs nothing here. The first sync of an account also records the songs that were already
greyed out or withdrawn (``first_sight``).

Each new loss is classified at once (``causes.classify``) with what the sync saw; a loss whose
catalog state this sync did not see — a song that left the library, a greyed-out song whose
catalog id Apple stopped telling — waits (``settled`` false) for ``settle.confirm_losses`` (at
the end of the sync) to ask the catalog. Losses that come back are closed (``found_back_at``):
a revived song, a song playable again, a track back in the playlist it left, the same catalog
song added again. The queries are in ``mirror_reads``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, insert, select, update

from amsync.db import tables
from amsync.lost.causes import Cause, LossEvidence, LossKind, classify
from amsync.lost.departures import Track, departures
from amsync.lost.mirror_reads import MirrorReads, MirrorSong, as_tracks, chunks

if TYPE_CHECKING:
    from amsync.sync.mirror_state import MirrorState
    from amsync.sync.plan import SyncPlan

log = logging.getLogger(__name__)
LIBRARY_KINDS: Final = (LossKind.LIBRARY.value, LossKind.UNPLAYABLE.value)
_songs = tables.songs
_catalog = tables.catalog_songs
_lost = tables.lost_songs
_entries = tables.lost_entries


@dataclass(frozen=True, slots=True)
class SyncChanges:
    """What a sync changed, as far as losses go."""

    run_id: int | None
    at: datetime
    initial: bool = False
    removed: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    revived: frozenset[str] = frozenset()
    added: frozenset[str] = frozenset()
    revised: Mapping[str, int] = field(default_factory=dict)
    """Playlist library id → the revision in force before the sync."""
    catalog_touched: frozenset[str] = frozenset()
    """Catalog song ids the sync withdrew or rewrote (their state was seen this sync)."""

    @property
    def empty(self) -> bool:
        return not (
            self.initial
            or self.removed
            or self.changed
            or self.revived
            or self.added
            or self.revised
            or self.catalog_touched
        )


@dataclass(slots=True)
class LossCounts:
    new: int = 0
    new_songs: int = 0
    pending: int = 0
    found_back: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def changes_of(
    plan: SyncPlan, mirror: MirrorState, run_id: int | None, at: datetime
) -> SyncChanges:
    songs = plan.collections["songs"]
    catalog = plan.catalog["catalog_songs"]
    revised = {
        pid: known.current_revision_id
        for pid in plan.revisions
        if (known := mirror.playlists.get(pid)) is not None
        and known.current_revision_id is not None
    }
    return SyncChanges(
        run_id=run_id,
        at=at,
        initial=not mirror.items["songs"],
        removed=songs.removed,
        changed=songs.changed,
        revived=songs.revived,
        added=songs.added,
        revised=revised,
        catalog_touched=catalog.withdrawn | catalog.changed,
    )


def record_losses(connection: Connection, account_id: int, changes: SyncChanges) -> LossCounts:
    """Record the losses ``changes`` show (see the module docstring)."""
    counts = LossCounts()
    if changes.empty:
        return counts
    _Detector(connection, account_id, changes, counts).run()
    return counts


def find_losses(
    connection: Connection, account_id: int, changes: SyncChanges
) -> tuple[dict[str, int], str | None]:
    """``record_losses`` for the sync runner, in a savepoint of its transaction: a failure
    here costs the losses of this sync (one warning), never the sync itself."""
    try:
        with connection.begin_nested():
            return record_losses(connection, account_id, changes).as_dict(), None
    except Exception as exc:
        log.warning("finding lost songs failed", exc_info=True)
        return {}, f"lost songs: this sync's changes were not checked ({type(exc).__name__})"


@dataclass(slots=True)
class _NewLoss:
    library_id: str
    song: dict[str, Any]
    entry: dict[str, Any]


class _Detector(MirrorReads):
    def __init__(
        self, db: Connection, account_id: int, changes: SyncChanges, counts: LossCounts
    ) -> None:
        self.db = db
        self.account_id = account_id
        self.run_id = changes.run_id
        self.changes = changes
        self.counts = counts
        self.new: list[_NewLoss] = []
        self.closed: set[int] = set()

    def run(self) -> None:
        self._revived()
        self._left_library()
        self._state_changes()
        self._added_again()
        for playlist_id, old_revision in sorted(self.changes.revised.items()):
            self._playlist(playlist_id, old_revision)
        self._close()
        self._insert()

    # --- songs -----------------------------------------------------------------------------

    def _revived(self) -> None:
        """A song back in the library is no longer lost, wherever it was lost from."""
        self.closed.update(entry[0] for entry in self._open(self.changes.revived))

    def _left_library(self) -> None:
        removed = self._songs(self.changes.removed)
        if not removed:
            return
        has_open = {
            library_id
            for _id, library_id, kind, _pid, _cid in self._open(removed)
            if kind in LIBRARY_KINDS
        }
        for song in removed.values():
            if song.library_id not in has_open:
                self._lose(song, LossKind.LIBRARY, checked=self._seen(song.catalog_id))

    def _state_changes(self) -> None:
        """Songs still in the library that became unplayable, or playable again."""
        changes = self.changes
        if changes.initial:
            songs = self._songs(unplayable_only=True)
        else:
            wanted = set(changes.changed) | set(changes.revived)
            songs = self._songs(wanted | self._songs_of_catalog(changes.catalog_touched))
        songs = {lid: s for lid, s in songs.items() if s.live}
        former = self._former_catalog_ids(
            lid for lid, s in songs.items() if s.catalog_id is None and not s.playable
        )
        self._restore_former(songs, former)
        open_by_song: dict[str, list[tuple[int, str]]] = {}
        for entry_id, library_id, kind, _pid, _cid in self._open(songs):
            if entry_id not in self.closed:
                open_by_song.setdefault(library_id, []).append((entry_id, kind))
        for song in songs.values():
            entries = open_by_song.get(song.library_id, [])
            if song.unplayable:
                if not any(kind in LIBRARY_KINDS for _id, kind in entries):
                    checked = song.library_id not in former
                    self._lose(song, LossKind.UNPLAYABLE, checked=checked, first=changes.initial)
            else:
                self.closed.update(i for i, kind in entries if kind == LossKind.UNPLAYABLE)

    def _restore_former(self, songs: dict[str, MirrorSong], former: dict[str, str]) -> None:
        """Give greyed-out songs back the catalog id (and its entry) they had before."""
        entries = self._catalog_entries(former.values())
        for library_id, catalog_id in former.items():
            song = songs[library_id]
            song.catalog_id = catalog_id
            found = entries.get(catalog_id)
            if found is not None:
                song.isrc, song.available, song.catalog_playable = found[0], None, None

    def _added_again(self) -> None:
        """The same catalog song added to the library again: its loss from the library ends."""
        if self.changes.initial or not self.changes.added:
            return
        added = {s.catalog_id for s in self._songs(self.changes.added).values() if s.catalog_id}
        if not added:
            return
        for chunk in chunks(sorted(added)):
            self.closed.update(
                self.db.scalars(
                    select(_entries.c.id)
                    .join(_lost, _lost.c.id == _entries.c.song_id)
                    .where(
                        _entries.c.account_id == self.account_id,
                        _entries.c.found_back_at.is_(None),
                        _entries.c.kind == LossKind.LIBRARY.value,
                        _lost.c.catalog_id.in_(chunk),
                    )
                )
            )

    def _seen(self, catalog_id: str | None) -> bool:
        """Whether this sync saw the catalog's answer for a song no longer in the library."""
        return catalog_id is not None and catalog_id in self.changes.catalog_touched

    # --- playlists -------------------------------------------------------------------------

    def _playlist(self, playlist_id: str, old_revision: int) -> None:
        playlists, revisions = tables.playlists, tables.playlist_revisions
        current = self.db.execute(
            select(playlists.c.current_revision_id, playlists.c.can_edit).where(
                playlists.c.account_id == self.account_id, playlists.c.library_id == playlist_id
            )
        ).first()
        if current is None or current[0] is None or current[0] == old_revision:
            return
        name = self.db.scalar(select(revisions.c.name).where(revisions.c.id == old_revision))
        old = self._tracks(old_revision)
        gone, came = departures(as_tracks(old), as_tracks(self._tracks(current[0])))
        self._back_in_playlist(playlist_id, came)
        if not gone:
            return
        entries = {t.position: old[t.position] for t in gone}
        songs = self._songs({t.library_id for t in gone})
        former = self._former_catalog_ids(
            lid for lid, s in songs.items() if s.catalog_id is None and not s.playable
        )
        self._restore_former(songs, former)
        for track in gone:
            row = entries[track.position]
            song = songs.get(track.library_id) or MirrorSong(
                track.library_id,
                False,
                row.name,
                row.artist,
                row.album,
                row.duration_ms,
                True,
                track.catalog_id,
            )
            if song.catalog_id is None:
                song.catalog_id = track.catalog_id
            checked = (song.live and track.library_id not in former) or self._seen(song.catalog_id)
            self._lose(
                song,
                LossKind.PLAYLIST,
                checked=checked,
                playlist=(playlist_id, name, track.position, current[1]),
                names=(row.name, row.artist, row.album, row.duration_ms),
            )

    def _back_in_playlist(self, playlist_id: str, came: list[Track]) -> None:
        if not came:
            return
        waiting = [e for e in self._open(playlist_id=playlist_id) if e[0] not in self.closed]
        for track in came:
            for entry in waiting:
                entry_id, library_id, _kind, _pid, catalog_id = entry
                if track.library_id == library_id or (
                    track.catalog_id is not None and track.catalog_id == catalog_id
                ):
                    self.closed.add(entry_id)
                    waiting.remove(entry)
                    break

    # --- writing ---------------------------------------------------------------------------

    def _lose(
        self,
        song: MirrorSong,
        kind: LossKind,
        *,
        checked: bool,
        first: bool = False,
        playlist: tuple[str, str | None, int, bool | None] | None = None,
        names: tuple[str, str | None, str | None, int | None] | None = None,
    ) -> None:
        facts = LossEvidence(
            kind=kind,
            catalog_id=song.catalog_id,
            catalog_checked=checked,
            catalog_available=song.available if checked else None,
            catalog_playable=song.catalog_playable if checked else None,
            library_playable=song.playable,
            playlist_editable=playlist[3] if playlist else None,
            first_sight=first,
        )
        verdict = classify(facts)
        name, artist, album, duration = names or (
            song.name,
            song.artist,
            song.album,
            song.duration_ms,
        )
        self.new.append(
            _NewLoss(
                song.library_id,
                {
                    "catalog_id": song.catalog_id,
                    "isrc": song.isrc,
                    "name": song.name or name,
                    "artist": song.artist if song.artist is not None else artist,
                    "album": song.album if song.album is not None else album,
                    "duration_ms": song.duration_ms if song.duration_ms else duration,
                    "catalog_available": facts.catalog_available,
                    "catalog_playable": facts.catalog_playable,
                    "catalog_checked_at": self.changes.at if checked else None,
                },
                {
                    "kind": kind.value,
                    "playlist_id": playlist[0] if playlist else None,
                    "playlist_name": playlist[1] if playlist else None,
                    "position": playlist[2] if playlist else None,
                    "cause": verdict.cause.value,
                    "evidence": verdict.evidence,
                    "facts": {
                        "library_playable": facts.library_playable,
                        "playlist_editable": facts.playlist_editable,
                        "first_sight": facts.first_sight,
                    },
                    "settled": verdict.settled,
                },
            )
        )

    def _close(self) -> None:
        closed = sorted(self.closed)
        for chunk in chunks(closed):
            self.db.execute(
                update(_entries)
                .where(_entries.c.id.in_(chunk), _entries.c.found_back_at.is_(None))
                .values(found_back_at=self.changes.at)
            )
        self.counts.found_back += len(closed)

    def _insert(self) -> None:
        if not self.new:
            return
        ids = self._song_ids()
        rows = [
            {
                **loss.entry,
                "account_id": self.account_id,
                "song_id": ids[loss.library_id],
                "lost_at": self.changes.at,
                "run_id": self.changes.run_id,
            }
            for loss in self.new
        ]
        for chunk in chunks(rows):
            self.db.execute(insert(_entries), list(chunk))
        self.counts.new += len(rows)
        self.counts.new_songs += len({loss.library_id for loss in self.new})
        self.counts.pending += sum(1 for row in rows if not row["settled"])

    def _song_ids(self) -> dict[str, int]:
        """The ``lost_songs`` row of every newly lost song: made, or brought up to date."""
        facts: dict[str, dict[str, Any]] = {}
        for loss in self.new:
            merged = facts.setdefault(loss.library_id, dict(loss.song))
            for key, value in loss.song.items():
                if merged.get(key) is None and value is not None:
                    merged[key] = value
        known: dict[str, int] = {}
        for chunk in chunks(sorted(facts)):
            known.update(
                (lid, sid)
                for sid, lid in self.db.execute(
                    select(_lost.c.id, _lost.c.library_id).where(
                        _lost.c.account_id == self.account_id, _lost.c.library_id.in_(chunk)
                    )
                )
            )
        for library_id, values in facts.items():
            if library_id in known:
                kept = {k: v for k, v in values.items() if v is not None}
                if kept:
                    self.db.execute(
                        update(_lost).where(_lost.c.id == known[library_id]).values(**kept)
                    )
        fresh = [
            {**values, "account_id": self.account_id, "library_id": library_id}
            for library_id, values in facts.items()
            if library_id not in known
        ]
        for chunk in chunks(fresh):
            self.db.execute(insert(_lost), list(chunk))
        for chunk in chunks(sorted(lid for lid in facts if lid not in known)):
            known.update(
                (lid, sid)
                for sid, lid in self.db.execute(
                    select(_lost.c.id, _lost.c.library_id).where(
                        _lost.c.account_id == self.account_id, _lost.c.library_id.in_(chunk)
                    )
                )
            )
        return known


__all__ = ["Cause", "LossCounts", "SyncChanges", "changes_of", "find_losses", "record_losses"]
