"""What every part of an Apple export import shares: the job's state, reading a file's bytes,
checking a CSV header's columns, progress and link tallies."""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final, TypeVar

from amsync.errors import UnusableAppleExport
from amsync.history import writing
from amsync.history.archive import FoundFile
from amsync.history.columns import Layout, layout_for, missing_required
from amsync.history.csv_rows import CsvRow, csv_rows
from amsync.history.linking import HeardDays, Link, MirrorIndex
from amsync.history.play_activity import RowSkip
from amsync.history.report import FileRead, ImportReport

BATCH: Final = 2000
Progress = Callable[[str, int], None]
"""Called with a file's kind and the rows read from it so far, every ``BATCH`` rows."""
Keyed = TypeVar("Keyed")


@dataclass(frozen=True, slots=True)
class TrackRef:
    link: Link | None
    catalog_id: str | None
    title: str | None
    artist: str | None
    album: str | None
    signature: str  # what a daily row takes from the track, for its fingerprint


@dataclass
class ImportJob:
    writer: writing.Writer
    account_id: int
    import_id: int
    index: MirrorIndex
    report: ImportReport
    keep_personal: bool
    progress: Progress | None
    tracks: dict[str, TrackRef]
    heard: HeardDays = field(default_factory=HeardDays)


@contextlib.contextmanager
def reading(found: FoundFile) -> Iterator[IO[bytes]]:
    """The file's bytes; a damaged archive member becomes one clear error."""
    try:
        with found.open() as binary:
            yield binary
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnusableAppleExport(
            f"cannot read {found.where}: {exc}", hint="the download may be damaged; get it again"
        ) from None


def checked_layout(header: list[str], known: Any, required: Any, where: str) -> Layout:
    """The file's layout; ``UnusableAppleExport`` naming every missing column by the headers
    that would give it (README "Listening history" lists them)."""
    layout = layout_for(header, known)
    missing = missing_required(layout, required, known)
    if missing:
        raise UnusableAppleExport(
            f"{where} has no column for {'; nor for '.join(missing)}",
            hint="is it Apple's file? amsync matches Apple's column names",
        )
    return layout


def report_progress(job: ImportJob, kind: str, read: FileRead) -> None:
    if job.progress is not None:
        job.progress(kind, read.rows)


def count_link(tally: Any, link: Link | None) -> None:
    if link is None:
        tally.unlinked += 1
    else:
        tally.linked += 1


def csv_layout(
    binary: IO[bytes], found: FoundFile, known: Any, required: Any
) -> tuple[Layout, Iterator[CsvRow]]:
    """A CSV file's column layout (checked for its required columns) and its rows."""
    header, rows = csv_rows(binary, found.where)
    return checked_layout(header, known, required, found.where), rows


def keyed_rows(
    job: ImportJob,
    found: FoundFile,
    read: FileRead,
    rows: Iterable[CsvRow],
    key: Callable[[list[str]], Keyed],
) -> Iterator[tuple[int, Keyed]]:
    """Each readable row's line and ``key(fields)``; rows cut off or malformed, and rows
    ``key`` skips (``RowSkip``), are counted in the report's skips instead."""
    skipped = job.report.skipped
    for row in rows:
        read.rows += 1
        if row.problem is not None:
            skipped.add(f"{row.problem} row", f"{found.where}:{row.line}")
            continue
        try:
            keyed = key(row.fields)
        except RowSkip as skip:
            skipped.add(skip.reason, f"{found.where}:{row.line}")
            continue
        yield row.line, keyed
