"""``amsync backup``: a consistent snapshot of the mirror and a JSON export, with a manifest.

Layout: ``<directory>/<UTC time>/`` holding ``amsync.db`` (SQLite mirrors: the whole database,
copied with SQLite's online backup API), ``library.json`` (the account's library, an
``amsync.library`` document exported *from the snapshot*, so both describe the same state) and
``manifest.json`` (written last). The folder is assembled as ``.<time>.partial`` and renamed
when complete, so a killed backup never looks like a finished one. PostgreSQL mirrors get the
JSON export (read in one ``REPEATABLE READ`` snapshot) and a ``pg_dump`` recipe in the manifest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import URL

from amsync import __version__
from amsync.backup.document import read_library_document
from amsync.backup.manifest import (
    COUNT_KEYS,
    EXPORT_NAME,
    SNAPSHOT_NAME,
    Manifest,
    sha256_of,
    write_manifest,
)
from amsync.backup.rotation import (
    DEFAULT_KEEP,
    RotationReport,
    rotate_backups,
)
from amsync.backup.snapshot import copy_sqlite, integrity_problems, mirror_counts, open_snapshot
from amsync.backup.snapshot import schema_revision as snapshot_revision
from amsync.backup.verify import require_good, verify_backup
from amsync.db.store import Store, open_store
from amsync.domain.critical import critical
from amsync.errors import OutputPathError, StoreError, UsageError
from amsync.export import ExportOptions, export_json

PG_DUMP_NAME: Final = "amsync.pgdump"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BackupOptions:
    """``directory``: the account's backups folder (``<home>/backups/<account>`` by default);
    ``keep``: how many backups rotation keeps (≥ 1)."""

    directory: Path
    keep: int = DEFAULT_KEEP


@dataclass(slots=True)
class BackupReport:
    path: Path
    manifest: Manifest
    rotation: RotationReport = field(default_factory=RotationReport)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "manifest": self.manifest.as_dict(),
            "rotation": self.rotation.as_dict(),
        }


def take_backup(
    store: Store, account: str, options: BackupOptions, *, now: datetime | None = None
) -> BackupReport:
    """Write a backup of ``account``'s mirror, verify it, then rotate the folder."""
    if options.keep < 1:
        raise UsageError("--keep must be at least 1")
    account_id = store.account_id(account, create=False)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    try:
        options.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise OutputPathError(f"cannot create {options.directory}: {exc.strerror or exc}") from None
    partial: Path | None = None
    try:
        with critical():  # a signal cannot fall between claiming the folder and knowing it
            name, partial = _claim_name(options.directory, moment.strftime("%Y%m%dT%H%M%SZ"))
        final = options.directory / name
        manifest = _write_contents(store, account, account_id, partial, final, moment)
        write_manifest(partial, manifest)
        partial.rename(final)
        _fsync_dir(options.directory)
    except BaseException:
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
        raise
    require_good(verify_backup(final))
    rotation = rotate_backups(options.directory, options.keep, known_good=final)
    log.info("backup of %s written to %s", account, final)
    return BackupReport(path=final, manifest=manifest, rotation=rotation)


def _claim_name(directory: Path, stamp: str) -> tuple[str, Path]:
    """A backup name no other backup has, claimed by creating its ``.partial`` folder (an atomic
    ``mkdir``, so two backups in the same second never share a folder)."""
    n = 0
    while True:
        name = stamp if n == 0 else f"{stamp}-{n}"
        n += 1
        if (directory / name).exists():
            continue
        partial = directory / f".{name}.partial"
        try:
            partial.mkdir(mode=0o700)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputPathError(f"cannot create {partial}: {exc.strerror or exc}") from None
        return name, partial


def _write_contents(
    store: Store, account: str, account_id: int, partial: Path, final: Path, moment: datetime
) -> Manifest:
    export_path = partial / EXPORT_NAME
    manifest = Manifest(
        created_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        account=account,
        amsync_version=__version__,
        schema_revision=None,
        database="sqlite" if store.is_sqlite else "postgresql",
        source=store.location,
    )
    snapshot_counts: dict[str, int] | None = None
    try:
        if store.is_sqlite:
            snapshot_path = partial / SNAPSHOT_NAME
            copy_sqlite(Path(str(store.engine.url.database)), snapshot_path)
            manifest.schema_revision, snapshot_counts = _inspect_snapshot(snapshot_path, account)
            _export_from_snapshot(snapshot_path, account, export_path)
        else:
            manifest.schema_revision = store.schema().current
            manifest.pg_dump = pg_dump_recipe(store, final / PG_DUMP_NAME)
            export_json(store, account_id, export_path, ExportOptions())
    except OSError as exc:
        raise OutputPathError(
            f"cannot write the backup in {partial}: {exc.strerror or exc}"
        ) from None
    manifest.counts = read_library_document(export_path).counts()
    if snapshot_counts is not None:
        _same_counts(snapshot_counts, manifest.counts)
    for file in sorted(partial.iterdir()):
        manifest.files[file.name] = sha256_of(file)
    return manifest


def _inspect_snapshot(path: Path, account: str) -> tuple[str | None, dict[str, int]]:
    with open_snapshot(path) as connection:
        problems = integrity_problems(connection)
        if problems:
            raise StoreError(
                "the database fails its integrity check: " + "; ".join(problems),
                hint="no backup was written; run `amsync db check` and restore an older backup",
            )
        return snapshot_revision(connection), mirror_counts(connection, account)


def _export_from_snapshot(snapshot_path: Path, account: str, export_path: Path) -> None:
    snapshot_store = open_store(str(snapshot_path), create=False, readonly=True)
    try:
        account_id = snapshot_store.account_id(account, create=False)
        export_json(snapshot_store, account_id, export_path, ExportOptions())
    finally:
        snapshot_store.close()
    with contextlib.suppress(OSError):  # a read-only open leaves no journal, but be sure
        for leftover in (Path(f"{snapshot_path}-wal"), Path(f"{snapshot_path}-shm")):
            leftover.unlink(missing_ok=True)


def _same_counts(snapshot: dict[str, int], export: dict[str, int]) -> None:
    different = [k for k in COUNT_KEYS if snapshot.get(k) != export.get(k)]
    if different:
        raise StoreError(
            "the snapshot and its JSON export disagree on "
            + ", ".join(f"{k} ({snapshot.get(k)} vs {export.get(k)})" for k in different),
            hint="please report this; the previous backups were left as they were",
        )


def pg_dump_recipe(store: Store, target: Path) -> str:
    """The command that dumps a PostgreSQL mirror completely (no password in it: pg_dump reads
    it from ``~/.pgpass`` or ``PGPASSWORD``)."""
    return shlex.join(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--file={target}",
            url_without_password(store.engine.url),
        ]
    )


def url_without_password(url: URL) -> str:
    """``postgresql://user@host:port/db``: what libpq tools and schedules may show."""
    bare = URL.create(
        drivername=url.get_backend_name(),
        username=url.username,
        password=None,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(hide_password=False)


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (best effort)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
