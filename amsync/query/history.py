"""``amsync history``: what changed in the library, and what vanished from playlists.

Two sources: the change log the sync writes (``item_changes``: added, changed, removed,
revived, each with the item's name and artist) and the playlists' revisions (each revision
compared with the one before it: tracks added, tracks removed, renamed). ``since`` is a date
(``2026-03-01``), a time in the spelling amsync prints and the views show
(``2026-03-01T12:00:00Z``; a fraction or an offset is accepted too) or a run id (``12``: from
that run's start on).

Plain SQL on a ``Reader`` (both backends; the CLI reads an SQLite mirror without loading
SQLAlchemy, see ``amsync.db.reading``). This module imports no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from amsync.db.reading import Reader, first, iso_sql, moment_parameter, placeholders
from amsync.domain.changes import HISTORY_KINDS
from amsync.domain.timestamps import iso_utc, parse_moment
from amsync.errors import UsageError
from amsync.query.playlist_lookup import find_playlist

CHANGES: Final = HISTORY_KINDS
_RUN_ID: Final = re.compile(r"^\d{1,12}$")


@dataclass(frozen=True, slots=True)
class Since:
    """Where a report starts: ``value`` compares with stored moments on the reader's backend,
    ``shown`` is its ISO 8601 UTC spelling."""

    value: Any
    shown: str | None


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


def parse_since(reader: Reader, account_id: int, value: str) -> Since:
    """A date, a time (UTC unless it says otherwise) or a run id → where to start."""
    text = value.strip()
    if _RUN_ID.match(text):
        started = first(
            reader,
            f"SELECT started_at, {iso_sql(reader, 'started_at')} FROM sync_runs "
            "WHERE account_id = :account AND id = :run",
            {"account": account_id, "run": int(text)},
        )
        if started is None:
            raise UsageError(f"no run {text} for this account", hint="`amsync stats` lists runs")
        return Since(started[0], started[1])
    try:
        moment = parse_moment(text)
    except ValueError:
        raise UsageError(
            f"--since {value[:60]!r} is neither a date (2026-03-01), a UTC time as amsync "
            "prints it (2026-03-01T12:00:00Z) nor a run id"
        ) from None
    return Since(moment_parameter(reader, moment), iso_utc(moment))


def _item_changes(
    reader: Reader,
    account_id: int,
    since: Since | None,
    changes: Sequence[str],
    library_id: str | None,
) -> list[ItemChangeRow]:
    kinds, params = placeholders("change", list(changes))
    params = {**params, "account": account_id}
    sql = (
        f"SELECT {iso_sql(reader, 'recorded_at')}, run_id, item_type, library_id, change, name, "
        f"artist FROM item_changes WHERE account_id = :account AND change IN ({kinds})"
    )
    if since is not None:
        sql += " AND recorded_at >= :since"
        params["since"] = since.value
    if library_id is not None:
        sql += " AND item_type = 'playlist' AND library_id = :library_id"
        params["library_id"] = library_id
    sql += " ORDER BY recorded_at, id"
    return [ItemChangeRow(*row) for row in reader.rows(sql, params)]


def _entries(reader: Reader, revision_id: int) -> list[tuple[str, str, str | None]]:
    rows = reader.rows(
        "SELECT track_library_id, name, artist FROM playlist_entries "
        "WHERE revision_id = :revision ORDER BY position",
        {"revision": revision_id},
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
    reader: Reader,
    account_id: int,
    since: Since | None,
    playlist_id: int | None,
    *,
    new_playlists: bool = False,
) -> list[PlaylistChange]:
    """Each playlist revision compared with the one before. A first revision (a new playlist)
    is listed for one playlist, or with ``new_playlists``; otherwise the change log's "added"
    says it."""
    sql = (
        f"SELECT r.id, r.playlist_id, r.name, r.valid_from, {iso_sql(reader, 'r.valid_from')}, "
        "r.run_id, r.track_count, p.library_id FROM playlist_revisions r "
        "JOIN playlists p ON p.id = r.playlist_id WHERE r.account_id = :account"
    )
    params: dict[str, Any] = {"account": account_id}
    if since is not None:
        sql += " AND r.valid_from >= :since"
        params["since"] = since.value
    if playlist_id is not None:
        sql += " AND r.playlist_id = :playlist"
        params["playlist"] = playlist_id
    sql += " ORDER BY r.valid_from, r.id"
    found: list[PlaylistChange] = []
    for rev_id, pl_id, name, valid_from, shown, run_id, track_count, library_id in reader.rows(
        sql, params
    ):
        previous = first(
            reader,
            "SELECT id, name FROM playlist_revisions WHERE playlist_id = :playlist "
            "AND valid_from <= :valid_from AND id <> :revision "
            "ORDER BY valid_from DESC, id DESC LIMIT 1",
            {"playlist": pl_id, "valid_from": valid_from, "revision": rev_id},
        )
        change = PlaylistChange(library_id, name, shown, run_id)
        change.track_count = track_count
        if previous is None:
            change.first_revision = True
            if playlist_id is None and not new_playlists:
                continue  # a new playlist: the change log says it was added
        else:
            if previous[1] != name:
                change.renamed_from = previous[1]
            change.added, change.removed = _difference(
                _entries(reader, previous[0]), _entries(reader, rev_id)
            )
        found.append(change)
    return found


def history(
    reader: Reader,
    account_id: int,
    *,
    since: str | None = None,
    playlist: str | None = None,
    changes: Sequence[str] = CHANGES,
) -> HistoryReport:
    """What changed since ``since`` (everything when None), for one ``playlist`` or all."""
    start = parse_since(reader, account_id, since) if since else None
    playlist_id = library_id = None
    if playlist is not None:
        ref = find_playlist(reader, account_id, playlist, include_removed=True)
        playlist_id, library_id = ref.id, ref.library_id
    return HistoryReport(
        since=start.shown if start else None,
        changes=_item_changes(reader, account_id, start, changes, library_id),
        playlists=_only(
            _playlist_changes(
                reader,
                account_id,
                start,
                playlist_id,
                new_playlists="created" in changes and "added" not in changes,
            ),
            changes,
        ),
    )


def _only(found: list[PlaylistChange], changes: Sequence[str]) -> list[PlaylistChange]:
    """Playlist changes of the asked kinds: tracks that ``left`` (also asked by ``removed``),
    that ``joined`` (also ``added``), ``renamed`` (also ``changed``), ``created`` playlists
    (also ``added``); a revision with nothing left is dropped."""
    asked = set(changes)
    kept: list[PlaylistChange] = []
    for change in found:
        if not asked & {"joined", "added"}:
            change.added = []
        if not asked & {"left", "removed"}:
            change.removed = []
        if not asked & {"renamed", "changed"}:
            change.renamed_from = None
        if not asked & {"created", "added"}:
            change.first_revision = False
        if change.added or change.removed or change.renamed_from or change.first_revision:
            kept.append(change)
    return kept
