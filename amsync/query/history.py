"""``amsync history``: what changed in the library, and what vanished from playlists.

Two sources: the change log the sync writes (``item_changes``: added, changed, removed,
revived, each with the item's name and artist) and the playlists' revisions (each revision
compared with the one before it: tracks added, tracks removed, renamed). ``since`` is a date
(``2026-03-01``), a time in the spelling amsync prints and the views show
(``2026-03-01T12:00:00Z``; a fraction or an offset is accepted too) or a run id (``12``: from
that run's start on).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select

from amsync.db.models import ItemChange, Playlist, PlaylistEntry, PlaylistRevision, SyncRun
from amsync.db.store import Store
from amsync.domain.changes import CHANGE_KINDS
from amsync.domain.timestamps import iso_utc, parse_moment
from amsync.errors import UsageError
from amsync.query.playlist_lookup import find_playlist
from amsync.query.snapshot import snapshot

CHANGES: Final = CHANGE_KINDS
_RUN_ID: Final = re.compile(r"^\d{1,12}$")


def _stamp(value: datetime | None) -> str | None:
    return iso_utc(value)


@dataclass(frozen=True, slots=True)
class ItemChangeRow:
    recorded_at: str | None
    run_id: int | None
    type: str
    library_id: str
    change: str
    name: str | None
    artist: str | None


@dataclass(frozen=True, slots=True)
class TrackRef:
    library_id: str
    name: str
    artist: str | None
    count: int = 1


@dataclass
class PlaylistChange:
    library_id: str
    name: str
    valid_from: str | None
    run_id: int | None
    renamed_from: str | None = None
    first_revision: bool = False
    track_count: int = 0
    added: list[TrackRef] = field(default_factory=list)
    removed: list[TrackRef] = field(default_factory=list)


@dataclass
class HistoryReport:
    since: str | None
    changes: list[ItemChangeRow]
    playlists: list[PlaylistChange]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_since(connection: Connection, account_id: int, value: str) -> datetime:
    """A date, a time (UTC unless it says otherwise) or a run id → the UTC moment to start."""
    text = value.strip()
    if _RUN_ID.match(text):
        started = connection.execute(
            select(SyncRun.started_at).where(
                SyncRun.account_id == account_id, SyncRun.id == int(text)
            )
        ).scalar()
        if started is None:
            raise UsageError(f"no run {text} for this account", hint="`amsync stats` lists runs")
        return started
    try:
        return parse_moment(text)
    except ValueError:
        raise UsageError(
            f"--since {value[:60]!r} is neither a date (2026-03-01), a UTC time as amsync "
            "prints it (2026-03-01T12:00:00Z) nor a run id"
        ) from None


def _item_changes(
    connection: Connection,
    account_id: int,
    since: datetime | None,
    changes: Sequence[str],
    library_id: str | None,
) -> list[ItemChangeRow]:
    statement = select(
        ItemChange.recorded_at,
        ItemChange.run_id,
        ItemChange.item_type,
        ItemChange.library_id,
        ItemChange.change,
        ItemChange.name,
        ItemChange.artist,
    ).where(ItemChange.account_id == account_id, ItemChange.change.in_(changes))
    if since is not None:
        statement = statement.where(ItemChange.recorded_at >= since)
    if library_id is not None:
        statement = statement.where(
            ItemChange.item_type == "playlist", ItemChange.library_id == library_id
        )
    statement = statement.order_by(ItemChange.recorded_at, ItemChange.id)
    return [
        ItemChangeRow(_stamp(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
        for r in connection.execute(statement)
    ]


def _entries(connection: Connection, revision_id: int) -> list[tuple[str, str, str | None]]:
    rows = connection.execute(
        select(PlaylistEntry.track_library_id, PlaylistEntry.name, PlaylistEntry.artist)
        .where(PlaylistEntry.revision_id == revision_id)
        .order_by(PlaylistEntry.position)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def _difference(
    old: list[tuple[str, str, str | None]], new: list[tuple[str, str, str | None]]
) -> tuple[list[TrackRef], list[TrackRef]]:
    """Tracks added and removed (as a multiset: a duplicate that left counts)."""
    before, after = Counter(t[0] for t in old), Counter(t[0] for t in new)
    names = {t[0]: t for t in (*old, *new)}
    added = [TrackRef(i, names[i][1], names[i][2], n) for i, n in (after - before).items()]
    removed = [TrackRef(i, names[i][1], names[i][2], n) for i, n in (before - after).items()]
    return added, removed


def _playlist_changes(
    connection: Connection, account_id: int, since: datetime | None, playlist_id: int | None
) -> list[PlaylistChange]:
    statement = (
        select(
            PlaylistRevision.id,
            PlaylistRevision.playlist_id,
            PlaylistRevision.name,
            PlaylistRevision.valid_from,
            PlaylistRevision.run_id,
            PlaylistRevision.track_count,
            Playlist.library_id,
        )
        .join(Playlist, Playlist.id == PlaylistRevision.playlist_id)
        .where(PlaylistRevision.account_id == account_id)
        .order_by(PlaylistRevision.valid_from, PlaylistRevision.id)
    )
    if since is not None:
        statement = statement.where(PlaylistRevision.valid_from >= since)
    if playlist_id is not None:
        statement = statement.where(PlaylistRevision.playlist_id == playlist_id)
    found: list[PlaylistChange] = []
    for rev_id, pl_id, name, valid_from, run_id, track_count, library_id in connection.execute(
        statement
    ).all():
        previous = connection.execute(
            select(PlaylistRevision.id, PlaylistRevision.name)
            .where(
                PlaylistRevision.playlist_id == pl_id,
                PlaylistRevision.valid_from <= valid_from,
                PlaylistRevision.id != rev_id,
            )
            .order_by(PlaylistRevision.valid_from.desc(), PlaylistRevision.id.desc())
            .limit(1)
        ).first()
        change = PlaylistChange(library_id, name, _stamp(valid_from), run_id)
        change.track_count = track_count
        if previous is None:
            change.first_revision = True
            if playlist_id is None:
                continue  # a new playlist: the change log says it was added
        else:
            if previous[1] != name:
                change.renamed_from = previous[1]
            change.added, change.removed = _difference(
                _entries(connection, previous[0]), _entries(connection, rev_id)
            )
        found.append(change)
    return found


def history(
    store: Store,
    account_id: int,
    *,
    since: str | None = None,
    playlist: str | None = None,
    changes: Sequence[str] = CHANGES,
) -> HistoryReport:
    """What changed since ``since`` (everything when None), for one ``playlist`` or all."""
    with snapshot(store) as connection:
        moment = parse_since(connection, account_id, since) if since else None
        playlist_id = library_id = None
        if playlist is not None:
            ref = find_playlist(connection, account_id, playlist, include_removed=True)
            playlist_id, library_id = ref.id, ref.library_id
        return HistoryReport(
            since=_stamp(moment),
            changes=_item_changes(connection, account_id, moment, changes, library_id),
            playlists=_only(
                _playlist_changes(connection, account_id, moment, playlist_id), changes
            ),
        )


def _only(found: list[PlaylistChange], changes: Sequence[str]) -> list[PlaylistChange]:
    """Playlist changes of the asked kinds: ``removed`` keeps tracks that left, ``added``
    tracks that joined, ``changed`` renames; a revision with nothing left is dropped."""
    kept: list[PlaylistChange] = []
    for change in found:
        if "added" not in changes:
            change.added = []
        if "removed" not in changes:
            change.removed = []
        if "changed" not in changes:
            change.renamed_from = None
        if change.added or change.removed or change.renamed_from or change.first_revision:
            kept.append(change)
    return kept
