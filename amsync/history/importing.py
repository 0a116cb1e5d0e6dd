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

from datetime import UTC, datetime
from pathlib import Path
from typing import Final

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
    open_export,
)
from amsync.history.day_import import read_days
from amsync.history.import_job import ImportJob, Progress
from amsync.history.linking import load_mirror_index
from amsync.history.play_import import read_plays
from amsync.history.report import ImportReport
from amsync.history.track_import import read_library_tracks

NOT_IMPORTED_REASON: Final = (
    "not imported: amsync mirrors playlists and favourites from Apple Music itself"
)


class _DryRun(Exception):
    pass


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
    job = ImportJob(writer, account_id, import_id, index, report, keep_personal, progress, {})
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


def _read_files(job: ImportJob, found: Discovery) -> None:
    """Library tracks first (the daily history links through them), then the daily history
    (it corroborates the plays linked by name), then the plays."""
    for found_file in found.of_kind(LIBRARY_TRACKS):
        read_library_tracks(job, found_file)
    has_library_tracks = bool(found.of_kind(LIBRARY_TRACKS))
    for found_file in found.of_kind(DAILY_TRACKS):
        read_days(job, found_file, has_library_tracks)
    for found_file in found.of_kind(PLAY_ACTIVITY):
        read_plays(job, found_file)


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
