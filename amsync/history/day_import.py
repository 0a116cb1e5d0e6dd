"""``Apple Music - Play History Daily Tracks.csv``: plays and skips per track and day,
linked through Library Tracks.json; what it tells about each day corroborates the plays
linked by name (``linking.HeardDays``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amsync.db import tables
from amsync.history import writing
from amsync.history.archive import DAILY_TRACKS, FoundFile
from amsync.history.columns import DAILY_TRACKS_COLUMNS, DAILY_TRACKS_REQUIRED, stored_text
from amsync.history.daily_tracks import DayParser, DayRecord, DayRow, parse_hours
from amsync.history.import_job import (
    BATCH,
    ImportJob,
    TrackRef,
    count_link,
    csv_layout,
    keyed_rows,
    reading,
    report_progress,
)
from amsync.history.linking import BY_LIBRARY_TRACK, Link
from amsync.history.report import FileRead


@dataclass
class _DayEntry:
    """A daily row waiting in a batch: its raw values, link and fingerprint; ``more`` holds
    further rows of the same key in this batch (added up when written)."""

    values: DayRow
    personal: dict[str, str] | None
    link: Link | None
    track: TrackRef | None
    fingerprint: str
    more: list[tuple[DayRow, dict[str, str] | None]]


def read_days(job: ImportJob, found: FoundFile, has_library_tracks: bool) -> None:
    report, tally = job.report, job.report.daily
    read = FileRead(found.where, found.kind)
    report.files.append(read)
    batch: dict[str, _DayEntry] = {}
    table = tables.play_days
    with reading(found) as binary:
        layout, rows = csv_layout(binary, found, DAILY_TRACKS_COLUMNS, DAILY_TRACKS_REQUIRED)
        parser = DayParser(layout, job.keep_personal)
        before = job.writer.count(table)
        for _, keyed in keyed_rows(job, found, read, rows, parser.key):
            key, values, personal, day, identifier, description = keyed
            tally.read += 1
            link, track = _day_link(job, identifier, description, has_library_tracks)
            count_link(tally, link)
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
    job: ImportJob,
    day: int,
    link: Link | None,
    track: TrackRef | None,
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
    job: ImportJob, identifier: str, description: str, has_library_tracks: bool
) -> tuple[Link | None, TrackRef | None]:
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


def _day_values(record: DayRecord, link: Link | None, track: TrackRef | None) -> list[Any]:
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
    job: ImportJob, parser: DayParser, batch: dict[str, _DayEntry], read: FileRead
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
    report_progress(job, DAILY_TRACKS, read)
