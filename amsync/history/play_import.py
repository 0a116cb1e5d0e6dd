"""``Apple Music Play Activity.csv``: one play event per row, keyed so a re-import adds
nothing; only new rows are parsed whole, linked and written."""

from __future__ import annotations

from amsync.db import tables
from amsync.history.archive import PLAY_ACTIVITY, FoundFile
from amsync.history.columns import PLAY_ACTIVITY_COLUMNS, PLAY_ACTIVITY_REQUIRED
from amsync.history.import_job import (
    BATCH,
    ImportJob,
    csv_layout,
    keyed_rows,
    reading,
    report_progress,
)
from amsync.history.linking import BY_CATALOG
from amsync.history.play_activity import PlayParser, PlayRow, RowSkip
from amsync.history.report import FileRead


def read_plays(job: ImportJob, found: FoundFile) -> None:
    report, tally = job.report, job.report.plays
    read = FileRead(found.where, found.kind)
    report.files.append(read)
    batch: dict[str, tuple[PlayRow, dict[str, str] | None, int]] = {}
    table = tables.play_events
    with reading(found) as binary:
        layout, rows = csv_layout(binary, found, PLAY_ACTIVITY_COLUMNS, PLAY_ACTIVITY_REQUIRED)
        parser = PlayParser(layout, job.keep_personal)
        before = job.writer.count(table)
        for line, (key, values, personal) in keyed_rows(job, found, read, rows, parser.key):
            tally.read += 1
            batch[key] = (values, personal, line)
            if len(batch) >= BATCH:
                _write_plays(job, parser, found, batch, read)
        _write_plays(job, parser, found, batch, read)
        after = job.writer.count(table)
    tally.new += after - before


def _write_plays(
    job: ImportJob,
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
    report_progress(job, PLAY_ACTIVITY, read)
