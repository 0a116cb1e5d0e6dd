"""What every part of an Apple export import shares: the job's state, reading a file's bytes,
checking a CSV header's columns, progress and link tallies."""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final

from amsync.errors import UnusableAppleExport
from amsync.history import writing
from amsync.history.archive import FoundFile
from amsync.history.columns import Layout, layout_for, missing_required
from amsync.history.linking import HeardDays, Link, MirrorIndex
from amsync.history.report import FileRead, ImportReport

BATCH: Final = 2000
Progress = Callable[[str, int], None]
"""Called with a file's kind and the rows read from it so far, every ``BATCH`` rows."""


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


def checked_layout(
    header: list[str], known: Any, required: Any, where: str, example: str
) -> Layout:
    layout = layout_for(header, known)
    missing = missing_required(layout, required)
    if missing:
        raise UnusableAppleExport(
            f"{where} has no {missing[0].replace('_', ' ')} column (expected e.g. {example!r})",
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
