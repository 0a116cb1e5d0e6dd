"""``Apple Music Library Tracks.json``: per-track counts, and the map from the daily
history's track identifiers to catalog ids and names."""

from __future__ import annotations

from typing import Any

from amsync.db import tables
from amsync.history import writing
from amsync.history.archive import LIBRARY_TRACKS, FoundFile
from amsync.history.import_job import (
    BATCH,
    ImportJob,
    TrackRef,
    count_link,
    reading,
    report_progress,
)
from amsync.history.json_array import json_array_items
from amsync.history.library_tracks import library_track
from amsync.history.play_activity import RowSkip
from amsync.history.report import FileRead


def read_library_tracks(job: ImportJob, found: FoundFile) -> None:
    report, tally = job.report, job.report.library_tracks
    read = FileRead(found.where, found.kind)
    report.files.append(read)
    batch: dict[str, tuple[Any, ...]] = {}
    table = tables.library_track_counts
    with reading(found) as binary:
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
            count_link(tally, link)
            job.tracks[track.track_identifier] = TrackRef(
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


def _write_tracks(job: ImportJob, batch: dict[str, tuple[Any, ...]], read: FileRead) -> None:
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
    report_progress(job, LIBRARY_TRACKS, read)
