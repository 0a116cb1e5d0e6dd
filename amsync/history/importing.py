"""``amsync import apple-data PATH``: Apple's privacy export into the listening history.

One transaction per import: the files are streamed (``archive``, ``csv_rows``,
``json_array``) and written in batches inside it, so memory stays bounded whatever their size
and an import that fails half-way — a damaged member, a file without its required columns,
the database going away — leaves the history exactly as it was. ``dry_run`` does all of it and
rolls back, so its report is the real one.

Order: ``Apple Music Library Tracks.json`` first (it maps the daily history's track
identifiers to catalog ids and names), then the daily history (it corroborates plays linked
by name, ``linking.HeardDays``), then the Play Activity; last, when the mirror changed since
the previous import, play events of earlier imports that were not linked are linked again.

Only what a re-import needs is done for every row — its natural key — and only new rows are
parsed whole, linked and written (``PlayParser.key`` / ``record``); a re-import of the same
export reads it and writes nothing.
"""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy import Connection, insert, select

from amsync.db import tables
from amsync.db.locks import acquire_run_lock
from amsync.db.store import Store
from amsync.errors import UnusableAppleExport
from amsync.history import writing
from amsync.history.archive import (
    DAILY_TRACKS,
    LIBRARY_TRACKS,
    NOT_IMPORTED,
    PLAY_ACTIVITY,
    Discovery,
    FoundFile,
    open_export,
)
from amsync.history.columns import (
    DAILY_TRACKS_COLUMNS,
    DAILY_TRACKS_REQUIRED,
    PLAY_ACTIVITY_COLUMNS,
    PLAY_ACTIVITY_REQUIRED,
    Layout,
    layout_for,
    missing_required,
    stored_text,
)
from amsync.history.csv_rows import csv_rows
from amsync.history.daily_tracks import DayParser, DayRecord, DayRow, parse_hours
from amsync.history.json_array import json_array_items
from amsync.history.library_tracks import library_track
from amsync.history.linking import (
    BY_CATALOG,
    BY_LIBRARY_TRACK,
    HeardDays,
    Link,
    MirrorIndex,
    load_mirror_index,
)
from amsync.history.play_activity import PlayParser, PlayRow, RowSkip
from amsync.history.report import FileRead, ImportReport

BATCH: Final = 2000
Progress = Callable[[str, int], None]
"""Called with a file's kind and the rows read from it so far, every ``BATCH`` rows."""

NOT_IMPORTED_REASON: Final = (
    "not imported: amsync mirrors playlists and favourites from Apple Music itself"
)


class _DryRun(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _TrackRef:
    link: Link | None
    catalog_id: str | None
    title: str | None
    artist: str | None
    album: str | None
    signature: str  # what a daily row takes from the track, for its fingerprint


@dataclass
class _Import:
    writer: writing.Writer
    account_id: int
    import_id: int
    index: MirrorIndex
    report: ImportReport
    keep_personal: bool
    progress: Progress | None
    tracks: dict[str, _TrackRef]
    heard: HeardDays = field(default_factory=HeardDays)


def import_apple_data(
    store: Store,
    account: str,
    path: Path,
    *,
    dry_run: bool = False,
    keep_personal: bool = False,
    progress: Progress | None = None,
    wait_s: float = 0.0,
) -> ImportReport:
    """Import the export at ``path`` (the zip, the folder, a nested zip or one of the files)
    for ``account``; the report says what was read, stored, linked and skipped. A real import
    holds the account's run lock (``LockHeld``, exit 4, while a sync or another import runs,
    unless it ends within ``wait_s``); a dry run takes none."""
    report = ImportReport(
        source=path.name or str(path),
        account=account,
        dry_run=dry_run,
        keep_personal=keep_personal,
    )
    with open_export(path) as found:
        _check_found(found, path)
        for reason, where in found.skipped:
            report.skipped.add(reason, where)
        for other in found.of_kind(NOT_IMPORTED):
            report.not_imported.append({"file": other.where, "reason": NOT_IMPORTED_REASON})
        lock = None
        if not dry_run:
            account_id = store.account_id(account)
            lock = acquire_run_lock(
                store, account_id, account, command="import apple-data", wait_s=wait_s
            )
        try:
            with store.writing() as session:
                _import(session.connection(), found, report, keep_personal, progress)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            report.import_id = None
        finally:
            if lock is not None:
                lock.release()
    return report


def _check_found(found: Discovery, path: Path) -> None:
    if any(f.kind != NOT_IMPORTED for f in found.files):
        return
    if found.backup_like:
        raise UnusableAppleExport(
            f"{path} is an amsync backup, not Apple's privacy export",
            hint="`amsync restore --from` reads backups; `amsync import apple-data` reads the "
            "zip from privacy.apple.com",
        )
    skipped = (
        f" ({len(found.skipped)} entries skipped: {found.skipped[0][0]})" if found.skipped else ""
    )
    raise UnusableAppleExport(
        f"found none of Apple Music's activity files in {path}{skipped}",
        hint="give the zip from privacy.apple.com (Apple Media Services information) or the "
        "folder it unpacks to; it holds Apple Music Play Activity.csv",
    )


def _import(
    connection: Connection,
    found: Discovery,
    report: ImportReport,
    keep_personal: bool,
    progress: Progress | None,
) -> None:
    now = datetime.now(UTC)
    account_id = _account_id(connection, report.account, now)
    index = load_mirror_index(connection, account_id)
    report.mirror_songs = index.songs
    import_id = writing.start_import(connection, account_id, report.source, keep_personal, now)
    report.import_id = import_id
    writer = writing.Writer(connection, account_id)
    job = _Import(writer, account_id, import_id, index, report, keep_personal, progress, {})
    with writer.working_cache():
        _read_files(job, found)
    report.plays.known = report.plays.read - report.plays.new
    mirror = writing.mirror_signature(connection, account_id)
    if mirror != writing.last_mirror_signature(connection, account_id, import_id):
        report.plays.relinked = writing.relink_plays(
            connection, account_id, import_id, index, job.heard
        )
    counts = {**report.counts(), "mirror": mirror}
    writing.finish_import(connection, import_id, counts, datetime.now(UTC))


def _read_files(job: _Import, found: Discovery) -> None:
    """Library tracks first (the daily history links through them), then the daily history
    (it corroborates the plays linked by name), then the plays."""
    for found_file in found.of_kind(LIBRARY_TRACKS):
        _read_library_tracks(job, found_file)
    has_library_tracks = bool(found.of_kind(LIBRARY_TRACKS))
    for found_file in found.of_kind(DAILY_TRACKS):
        _read_days(job, found_file, has_library_tracks)
    for found_file in found.of_kind(PLAY_ACTIVITY):
        _read_plays(job, found_file)


def _account_id(connection: Connection, name: str, now: datetime) -> int:
    accounts = tables.accounts
    found = connection.execute(select(accounts.c.id).where(accounts.c.name == name)).scalar()
    if found is not None:
        return int(found)
    key = connection.execute(
        insert(accounts).values(name=name, created_at=now)
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


@contextlib.contextmanager
def _reading(found: FoundFile) -> Iterator[IO[bytes]]:
    """The file's bytes; a damaged archive member becomes one clear error."""
    try:
        with found.open() as binary:
            yield binary
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnusableAppleExport(
            f"cannot read {found.where}: {exc}", hint="the download may be damaged; get it again"
        ) from None


def _layout(header: list[str], known: Any, required: Any, where: str, example: str) -> Layout:
    layout = layout_for(header, known)
    missing = missing_required(layout, required)
    if missing:
        raise UnusableAppleExport(
            f"{where} has no {missing[0].replace('_', ' ')} column (expected e.g. {example!r})",
            hint="is it Apple's file? amsync matches Apple's column names",
        )
    return layout


# --- Library Tracks.json ------------------------------------------------------------------------


def _read_library_tracks(job: _Import, found: FoundFile) -> None:
    report, tally = job.report, job.report.library_tracks
    read = FileRead(found.where, found.kind)
    report.files.append(read)
    batch: dict[str, tuple[Any, ...]] = {}
    table = tables.library_track_counts
    with _reading(found) as binary:
        before = job.writer.count(table)
        for item in json_array_items(binary, found.where):
            read.rows += 1
            try:
                track = library_track(item)
            except RowSkip as skip:
                report.skipped.add(f"library track: {skip.reason}", f"{found.where}#{read.rows}")
                continue
            tally.read += 1
            link = job.index.link(
                track.title, track.album, track.artist, track.catalog_id, track.duration_ms
            )
            _count_link(tally, link)
            job.tracks[track.track_identifier] = _TrackRef(
                link,
                track.catalog_id,
                track.title,
                track.artist,
                track.album,
                repr(
                    (
                        link and (link.library_id, link.by),
                        track.catalog_id,
                        track.title,
                        track.artist,
                        track.album,
                    )
                ),
            )
            batch[track.track_identifier] = (
                track.catalog_id,
                link.library_id if link else None,
                link.by if link else None,
                track.content_type,
                track.title,
                track.artist,
                track.album,
                track.play_count,
                track.skip_count,
                track.date_added,
                track.last_played,
                track.last_modified,
                track.like_rating,
            )
            if len(batch) >= BATCH:
                _write_tracks(job, batch, read)
        _write_tracks(job, batch, read)
        after = job.writer.count(table)
    tally.new += after - before
    tally.known += read.written - (after - before)


def _write_tracks(job: _Import, batch: dict[str, tuple[Any, ...]], read: FileRead) -> None:
    if not batch:
        return
    stored = job.writer.stored_tracks(list(batch))
    inserts, updates = [], []
    for key, values in batch.items():
        print_ = writing.fingerprint(values)
        old = stored.get(key)
        if old is None:
            inserts.append((key, print_, values))
        elif old[2] != print_:
            updates.append((old[1], print_, values))
    job.writer.insert_tracks(job.import_id, inserts)
    job.writer.update_tracks(job.import_id, updates)
    read.written += len(batch)
    batch.clear()
    _progress(job, LIBRARY_TRACKS, read)


def _progress(job: _Import, kind: str, read: FileRead) -> None:
    if job.progress is not None:
        job.progress(kind, read.rows)


def _count_link(tally: Any, link: Link | None) -> None:
    if link is None:
        tally.unlinked += 1
    else:
        tally.linked += 1


# --- Play Activity --------------------------------------------------------------------------


def _read_plays(job: _Import, found: FoundFile) -> None:
    report, tally = job.report, job.report.plays
    read = FileRead(found.where, found.kind)
    report.files.append(read)
    batch: dict[str, tuple[PlayRow, dict[str, str] | None, int]] = {}
    table = tables.play_events
    with _reading(found) as binary:
        header, rows = csv_rows(binary, found.where)
        layout = _layout(
            header, PLAY_ACTIVITY_COLUMNS, PLAY_ACTIVITY_REQUIRED, found.where, "Song Name"
        )
        parser = PlayParser(layout, job.keep_personal)
        before = job.writer.count(table)
        for row in rows:
            read.rows += 1
            if row.problem is not None:
                report.skipped.add(f"{row.problem} row", f"{found.where}:{row.line}")
                continue
            try:
                key, values, personal = parser.key(row.fields)
            except RowSkip as skip:
                report.skipped.add(skip.reason, f"{found.where}:{row.line}")
                continue
            tally.read += 1
            batch[key] = (values, personal, row.line)
            if len(batch) >= BATCH:
                _write_plays(job, parser, found, batch, read)
        _write_plays(job, parser, found, batch, read)
        after = job.writer.count(table)
    tally.new += after - before


def _write_plays(
    job: _Import,
    parser: PlayParser,
    found: FoundFile,
    batch: dict[str, tuple[PlayRow, dict[str, str] | None, int]],
    read: FileRead,
) -> None:
    """Insert the batch's new events: only they are parsed whole and linked."""
    if not batch:
        return
    writer, report, tally = job.writer, job.report, job.report.plays
    known = writer.known_events(list(batch))
    account_id, import_id = job.account_id, job.import_id
    moment, as_json, link_of = writer.moment, writer.json, job.index.link
    rows = []
    for key, (values, personal, line) in batch.items():
        if key in known:
            continue
        try:
            r = parser.record(key, values, personal)
        except RowSkip as skip:
            report.skipped.add(skip.reason, f"{found.where}:{line}")
            tally.read -= 1
            continue
        link = link_of(r.name, r.album, r.artist, r.catalog_id, r.media_ms)
        if (
            link is not None
            and job.heard
            and link.by != BY_CATALOG
            and job.heard.contradicts(r.played_at.toordinal(), link.library_id, r.name)
        ):
            link = None
            tally.contradicted += 1
        if link is None:
            tally.unlinked += 1
            report.unlinked_songs[(r.name, r.artist, r.album)] += 1
        else:
            tally.linked += 1
        rows.append(
            (
                account_id,
                import_id,
                key,
                moment(r.played_at),
                moment(r.ended_at),
                r.name,
                r.artist,
                r.album,
                r.catalog_id,
                link.library_id if link else None,
                link.by if link else None,
                r.event_type,
                r.play_ms,
                r.media_ms,
                r.start_position_ms,
                r.end_position_ms,
                r.end_reason,
                r.skipped,
                r.feature,
                r.source_type,
                r.media_type,
                r.container_type,
                r.container_name,
                as_json(r.personal),
            )
        )
    writer.insert_events(rows)
    read.written += len(batch)
    batch.clear()
    _progress(job, PLAY_ACTIVITY, read)


# --- daily history ----------------------------------------------------------------------------


@dataclass
class _DayEntry:
    """A daily row waiting in a batch: its raw values, link and fingerprint; ``more`` holds
    further rows of the same key in this batch (added up when written)."""

    values: DayRow
    personal: dict[str, str] | None
    link: Link | None
    track: _TrackRef | None
    fingerprint: str
    more: list[tuple[DayRow, dict[str, str] | None]]


def _read_days(job: _Import, found: FoundFile, has_library_tracks: bool) -> None:
    report, tally = job.report, job.report.daily
    read = FileRead(found.where, found.kind)
    report.files.append(read)
    batch: dict[str, _DayEntry] = {}
    table = tables.play_days
    with _reading(found) as binary:
        header, rows = csv_rows(binary, found.where)
        layout = _layout(
            header, DAILY_TRACKS_COLUMNS, DAILY_TRACKS_REQUIRED, found.where, "Date Played"
        )
        parser = DayParser(layout, job.keep_personal)
        before = job.writer.count(table)
        for row in rows:
            read.rows += 1
            if row.problem is not None:
                report.skipped.add(f"{row.problem} row", f"{found.where}:{row.line}")
                continue
            try:
                key, values, personal, day, identifier, description = parser.key(row.fields)
            except RowSkip as skip:
                report.skipped.add(skip.reason, f"{found.where}:{row.line}")
                continue
            tally.read += 1
            link, track = _day_link(job, identifier, description, has_library_tracks)
            _count_link(tally, link)
            _hear(job, day, link, track, description, has_library_tracks)
            linked_to = f"{link.library_id}\x1f{link.by}" if link else ""
            print_ = writing.text_fingerprint(
                "\x1f".join(values) + f"\x1e{linked_to}\x1e{track.signature if track else ''}"
            )
            entry = batch.get(key)
            if entry is not None:
                entry.more.append((values, personal))
                entry.fingerprint = writing.text_fingerprint(entry.fingerprint + print_)
                continue
            batch[key] = _DayEntry(values, personal, link, track, print_, [])
            if len(batch) >= BATCH:
                _write_days(job, parser, batch, read)
        _write_days(job, parser, batch, read)
        after = job.writer.count(table)
    tally.new += after - before
    tally.known += read.written - (after - before)


def _hear(
    job: _Import,
    day: int,
    link: Link | None,
    track: _TrackRef | None,
    description: str,
    has_library_tracks: bool,
) -> None:
    """What this daily row tells about the day (``HeardDays``): the song it is linked to; or,
    unlinked, the titles it may be — unless Library Tracks.json says it is no library track."""
    if link is not None:
        job.heard.add(day, link.library_id)
    elif track is not None and track.title:
        job.heard.unsure(day, track.title)
    elif not has_library_tracks and " - " in description:
        parts = description.split(" - ")
        for cut in range(1, len(parts)):
            job.heard.unsure(day, " - ".join(parts[cut:]))
    else:
        job.heard.cover(day)


def _day_link(
    job: _Import, identifier: str, description: str, has_library_tracks: bool
) -> tuple[Link | None, _TrackRef | None]:
    """Through Library Tracks.json when it names the track; by ``"Artist - Title"`` only when
    the export has no Library Tracks.json (a track missing from it is not in the library)."""
    if identifier:
        track = job.tracks.get(identifier)
        if track is not None:
            link = Link(track.link.library_id, BY_LIBRARY_TRACK) if track.link else None
            return link, track
    if has_library_tracks:
        return None, None
    return job.index.link_description(stored_text(description)), None


def _day_values(record: DayRecord, link: Link | None, track: _TrackRef | None) -> list[Any]:
    """The values of ``writing.DAY_COLUMNS``."""
    return [
        record.played_on,
        record.track_identifier,
        record.description,
        track.title if track else record.name,
        track.artist if track else record.artist,
        track.album if track else None,
        track.catalog_id if track else None,
        link.library_id if link else None,
        link.by if link else None,
        record.hours,
        record.plays,
        record.skips,
        record.play_ms,
        record.end_reason,
        record.source_type,
        record.media_type,
        record.ignore_for_recommendations,
        record.personal,
    ]


def _add_day(
    into: list[Any], plays: int | None, skips: int | None, play_ms: int | None, hours: str | None
) -> None:
    """Add counts of the same day and track into ``into`` (``DAY_COLUMNS`` values)."""
    into[writing.DAY_PLAYS] += plays or 0
    into[writing.DAY_SKIPS] += skips or 0
    if play_ms is not None:
        into[writing.DAY_PLAY_MS] = (into[writing.DAY_PLAY_MS] or 0) + play_ms
    joined = ",".join(filter(None, (into[writing.DAY_HOURS], hours)))
    into[writing.DAY_HOURS] = parse_hours(joined) if joined else None


def _write_days(
    job: _Import, parser: DayParser, batch: dict[str, _DayEntry], read: FileRead
) -> None:
    """Insert the batch's new rows, replace changed ones; rows met before in this same import
    are added up. Only rows that are written are parsed whole."""
    if not batch:
        return
    writer, import_id = job.writer, job.import_id
    stored = writer.stored_days(list(batch))
    again = [key for key, old in stored.items() if old[2] == import_id]
    counts = writer.stored_day_counts(again) if again else {}
    inserts, updates = [], []
    for key, entry in batch.items():
        old = stored.get(key)
        if old is not None and old[2] != import_id and old[3] == entry.fingerprint:
            continue  # as stored
        record = parser.record(key, entry.values, entry.personal)
        values = _day_values(record, entry.link, entry.track)
        for more, personal in entry.more:
            extra = parser.record(key, more, personal)
            _add_day(values, extra.plays, extra.skips, extra.play_ms, extra.hours)
        if old is None:
            inserts.append((key, entry.fingerprint, tuple(values)))
        elif old[2] == import_id:
            _add_day(values, *counts[key][1:])
            print_ = writing.text_fingerprint(old[3] + entry.fingerprint)
            updates.append((old[1], print_, tuple(values)))
        else:
            updates.append((old[1], entry.fingerprint, tuple(values)))
    writer.insert_days(import_id, inserts)
    writer.update_days(import_id, updates)
    read.written += len(batch)
    batch.clear()
    _progress(job, DAILY_TRACKS, read)
