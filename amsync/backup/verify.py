"""``amsync backup verify``: does a backup folder hold what its manifest says, intact?

Checks, in order: the manifest reads; every file it lists exists with its size and sha256; the
SQLite snapshot opens, passes ``PRAGMA integrity_check`` and ``foreign_key_check``, carries the
manifest's schema revision and the manifest's counts; the JSON export parses as an
``amsync.library`` document with the manifest's counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amsync.backup.document import LibraryDocument, read_library_document
from amsync.backup.manifest import (
    COUNT_KEYS,
    EXPORT_NAME,
    MANIFEST_NAME,
    SNAPSHOT_NAME,
    Manifest,
    read_manifest,
    sha256_of,
)
from amsync.backup.snapshot import integrity_problems, mirror_counts, open_snapshot, schema_revision
from amsync.errors import ConfigError, StoreError


@dataclass(slots=True)
class VerifyReport:
    path: Path
    manifest: Manifest
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "problems": self.problems,
            "checked": self.checked,
            "manifest": self.manifest.as_dict(),
        }


def backup_folder(path: Path) -> Path:
    """The folder of a backup named by its folder or by its ``manifest.json``."""
    if path.is_file() and path.name == MANIFEST_NAME:
        return path.parent
    if not path.exists():
        raise ConfigError(f"no such backup: {path}")
    if not path.is_dir():
        raise ConfigError(f"{path} is not a backup folder")
    return path


def verify_backup(path: Path) -> VerifyReport:
    """Check the backup at ``path``; ``ConfigError`` when it is none, else a report whose
    ``problems`` list what is wrong (empty: the backup is good)."""
    folder = backup_folder(path)
    report = VerifyReport(path=folder, manifest=read_manifest(folder))
    manifest = report.manifest
    if EXPORT_NAME not in manifest.files:
        report.problems.append(f"the manifest lists no {EXPORT_NAME}")
    intact: set[str] = set()
    for name, expected in sorted(manifest.files.items()):
        file = folder / name
        if Path(name).name != name or not file.is_file():
            report.problems.append(f"{name} is missing")
            continue
        actual = sha256_of(file)
        if actual != expected:
            report.problems.append(
                f"{name} does not match its checksum ({actual.bytes} bytes, sha256 "
                f"{actual.sha256[:12]}…; the manifest says {expected.bytes} bytes, "
                f"{expected.sha256[:12]}…)"
            )
            continue
        intact.add(name)
        report.checked.append(f"{name}: sha256 ok")
    if SNAPSHOT_NAME in intact:
        _check_snapshot(folder / SNAPSHOT_NAME, manifest, report)
    if EXPORT_NAME in intact:
        _check_export(folder / EXPORT_NAME, manifest, report)
    return report


def damage_of(report: VerifyReport) -> StoreError | None:
    """The ``StoreError`` (exit 1) naming every problem of a damaged backup, else ``None``."""
    if not report.problems:
        return None
    return StoreError(
        f"the backup {report.path} is damaged: " + "; ".join(report.problems),
        hint="use another backup (`ls` the backups folder) and take a new one",
    )


def require_good(report: VerifyReport) -> VerifyReport:
    """``StoreError`` (exit 1) naming every problem, unless the backup is good."""
    damaged = damage_of(report)
    if damaged is not None:
        raise damaged
    return report


def _check_snapshot(path: Path, manifest: Manifest, report: VerifyReport) -> None:
    try:
        with open_snapshot(path) as connection:
            problems = integrity_problems(connection)
            if problems:
                report.problems.append(
                    f"{SNAPSHOT_NAME} fails the integrity check: " + "; ".join(problems)
                )
                return
            revision = schema_revision(connection)
            counts = mirror_counts(connection, manifest.account)
    except StoreError as exc:
        report.problems.append(str(exc))
        return
    if revision != manifest.schema_revision:
        report.problems.append(
            f"{SNAPSHOT_NAME} has schema revision {revision}, the manifest says "
            f"{manifest.schema_revision}"
        )
    # a backup written before a count existed (e.g. dislikes) has no number to compare
    keys = tuple(key for key in COUNT_KEYS if key in manifest.counts)
    _compare_counts(SNAPSHOT_NAME, counts, manifest, keys, report)
    report.checked.append(f"{SNAPSHOT_NAME}: integrity ok, schema {revision}, counts ok")


def _check_export(path: Path, manifest: Manifest, report: VerifyReport) -> None:
    try:
        document: LibraryDocument = read_library_document(path)
    except ConfigError as exc:
        report.problems.append(f"{EXPORT_NAME}: {exc}")
        return
    _compare_counts(EXPORT_NAME, document.counts(), manifest, tuple(manifest.counts), report)
    report.checked.append(f"{EXPORT_NAME}: parses, counts ok")


def _compare_counts(
    name: str,
    counts: dict[str, int],
    manifest: Manifest,
    keys: tuple[str, ...],
    report: VerifyReport,
) -> None:
    for key in keys:
        if counts.get(key) != manifest.counts.get(key):
            report.problems.append(
                f"{name} holds {counts.get(key)} {key}, the manifest says "
                f"{manifest.counts.get(key)}"
            )
