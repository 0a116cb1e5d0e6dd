"""``amsync local scan``: local files and their tags into the database, incrementally.

A file whose size and modification time are what the database holds is not read again; a new
or changed file is read and stored; a stored file of the same source (inside the scanned
folders) that the scan did not find is marked gone (``gone_at``), unless it lies below a folder
that could not be listed this time; a gone file that is back is revived. Files are stored by
their real paths, and rows an older scan stored under another name (a folder reached through a
link) are reconciled with them first (``amsync.local.roots``); a scanned folder that no longer
exists is walked as an empty one: its files are marked gone. Rows are written in
batches, each its own transaction, so an interrupted scan keeps what it read (and marks
nothing gone). Every problem — unreadable, corrupt, empty, untagged files, odd encodings,
symlink loops, folders that cannot be listed, names that are not UTF-8 — is counted and listed;
none stops the scan, and nothing is written anywhere but the database.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert, select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.local_files import (
    FOLDERS_SOURCE,
    KEPT_KINDS,
    ProblemKind,
    ScannedFile,
    ScanProblem,
    UnchangedFile,
)
from amsync.domain.ports import LocalFileSource
from amsync.export.row_reading import chunks

BATCH: Final = 2000
PROGRESS_EVERY: Final = 50  # files between progress calls (a display draws 4 times a second)
MAX_LISTED_PROBLEMS: Final = 10_000

files_table = tables.local_files


@dataclass
class ScanReport:
    source: str
    folders: tuple[str, ...] = ()
    found: int = 0  # audio files stored or refreshed by this scan (unchanged ones included)
    read: int = 0  # files whose tags were read (new or changed)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    revived: int = 0
    reconciled: int = 0  # rows stored under another name than their real path, now under it
    missing: tuple[str, ...] = ()  # scanned folders that do not exist (their files: gone)
    problem_counts: Counter[str] = field(default_factory=Counter)
    problems: list[ScanProblem] = field(default_factory=list)
    elapsed_s: float = 0.0

    def add_problem(self, problem: ScanProblem) -> None:
        self.problem_counts[str(problem.kind)] += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "folders": list(self.folders),
            "found": self.found,
            "read": self.read,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "gone": self.gone,
            "revived": self.revived,
            "reconciled": self.reconciled,
            "missing_folders": list(self.missing),
            "problem_counts": dict(sorted(self.problem_counts.items())),
            "problems": [
                {"path": p.path, "kind": str(p.kind), "detail": p.detail} for p in self.problems
            ],
            "problems_listed": len(self.problems),
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclass(slots=True)
class _Known:
    id: int
    source: str
    size: int | None
    mtime_ns: int | None
    gone: bool
    problems: str | None


class KnownFileTable:
    """What the database holds, by path (satisfies ``KnownFiles``)."""

    def __init__(self, connection: Connection) -> None:
        t = files_table
        statement = select(
            t.c.path,
            t.c.id,
            t.c.source,
            t.c.size,
            t.c.mtime_ns,
            t.c.gone_at.is_not(None),
            t.c.problems,
        )
        self.by_path: dict[str, _Known] = {}
        for chunk in chunks(connection, statement, 20_000):  # plain tuples, from the driver
            for row in chunk:
                self.by_path[row[0]] = _Known(row[1], row[2], row[3], row[4], bool(row[5]), row[6])

    def is_unchanged(self, path: str, size: int | None, mtime_ns: int | None, /) -> bool:
        known = self.by_path.get(path)
        return (
            known is not None
            and known.size == size
            and known.mtime_ns == mtime_ns
            and known.mtime_ns is not None
        )


def file_row(item: ScannedFile, source: str, now: datetime) -> dict[str, Any]:
    tags = item.tags
    kinds = sorted({str(p.kind) for p in item.problems if p.kind in KEPT_KINDS})
    return {
        "path": item.path,
        "source": source,
        "size": item.size,
        "mtime_ns": item.mtime_ns,
        "format": item.format[:16] or None,
        "title": tags.title,
        "artist": tags.artist,
        "album": tags.album,
        "album_artist": tags.album_artist,
        "track_number": tags.track_number,
        "disc_number": tags.disc_number,
        "duration_ms": tags.duration_ms,
        "isrc": tags.isrc,
        "mb_recording_id": tags.mb_recording_id,
        "problems": ",".join(kinds)[:100] or None,
        "scanned_at": now,
        "gone_at": None,
    }


def _under(path: str, folders: Sequence[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


class _Writer:
    """Batches of inserts, updates and revivals, each batch one transaction."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.revive_ids: list[int] = []

    def pending(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.revive_ids)

    def flush(self) -> None:
        if not self.pending():
            return
        t = files_table
        with self.store.writing() as session:
            connection = session.connection()
            if self.inserts:
                connection.execute(insert(t), self.inserts)
            if self.updates:
                names = [name for name in self.updates[0] if name != "row_id"]
                statement = (
                    update(t)
                    .where(t.c.id == bindparam("row_id"))
                    .values({name: bindparam(f"new_{name}") for name in names})
                )
                rows = [
                    {"row_id": row["row_id"], **{f"new_{name}": row[name] for name in names}}
                    for row in self.updates
                ]
                connection.execute(statement, rows)
            if self.revive_ids:
                connection.execute(
                    update(t).where(t.c.id.in_(self.revive_ids)).values(gone_at=None)
                )
        self.inserts, self.updates, self.revive_ids = [], [], []


def scan(
    store: Store,
    source: LocalFileSource,
    *,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ScanReport:
    """Scan ``source`` into ``store`` (see the module docstring)."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    report = ScanReport(
        source=source.name, folders=tuple(source.scope()), missing=tuple(source.missing_folders())
    )
    with store.session() as session:
        known = KnownFileTable(session.connection())
    report.reconciled = _reconcile(store, source, known)
    if report.reconciled:
        with store.session() as session:
            known = KnownFileTable(session.connection())
    writer = _Writer(store, now)
    seen: set[str] = set()
    for item in source.items(known):
        if isinstance(item, ScanProblem):
            report.add_problem(item)
            continue
        if item.path in seen:
            continue
        seen.add(item.path)
        report.found += 1
        previous = known.by_path.get(item.path)
        if isinstance(item, UnchangedFile):
            report.unchanged += 1
            assert previous is not None
            if previous.gone:
                writer.revive_ids.append(previous.id)
                report.revived += 1
            for kind in (previous.problems or "").split(","):
                if kind:
                    report.add_problem(
                        ScanProblem(item.path, ProblemKind(kind), "unchanged since the last scan")
                    )
        else:
            report.read += 1
            for problem in item.problems:
                report.add_problem(problem)
            row = file_row(item, source.name, now)
            if previous is None:
                report.new += 1
                writer.inserts.append({**row, "first_seen_at": now})
            else:
                report.changed += 1
                if previous.gone:
                    report.revived += 1
                writer.updates.append({**row, "row_id": previous.id})
        if writer.pending() >= BATCH:
            writer.flush()
        if on_progress is not None and report.found % PROGRESS_EVERY == 0:
            on_progress(report.found)
    writer.flush()
    report.gone = _mark_gone(store, source, known, seen, now)
    report.elapsed_s = time.monotonic() - started
    return report


def _reconcile(store: Store, source: LocalFileSource, known: KnownFileTable) -> int:
    """Rows of this scan's folders stored under another name than their real path, renamed or
    merged (``amsync.local.roots``)."""
    if source.name != FOLDERS_SOURCE:
        return 0
    from amsync.local import roots

    names = (*source.scope(), *source.aliases())
    stored = ((path, entry.source, entry.gone) for path, entry in known.by_path.items())
    pairs = roots.aliases(stored, names)
    if not pairs:
        return 0
    ids = {path: entry.id for path, entry in known.by_path.items()}
    return roots.reconcile(store, ids, pairs)


def _mark_gone(
    store: Store, source: LocalFileSource, known: KnownFileTable, seen: set[str], now: datetime
) -> int:
    scope = source.scope()
    incomplete = source.incomplete_folders()
    gone_ids = [
        entry.id
        for path, entry in known.by_path.items()
        if entry.source == source.name
        and not entry.gone
        and path not in seen
        and (not scope or _under(path, scope))
        and not _under(path, incomplete)
    ]
    if gone_ids:
        t = files_table
        with store.writing() as session:
            for start in range(0, len(gone_ids), 10_000):
                chunk = gone_ids[start : start + 10_000]
                session.connection().execute(update(t).where(t.c.id.in_(chunk)).values(gone_at=now))
    return len(gone_ids)
