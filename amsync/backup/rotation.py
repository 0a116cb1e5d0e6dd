"""Keeping the newest N backups of an account — and never the last good one away.

A backup folder is named by its UTC time (``20261121T220000Z``, ``…Z-1`` when two fall in the
same second); other entries of the folder (the ``.….partial`` folder of a backup being written,
files of the user) are never touched. Rotation keeps the newest ``keep`` backups; when none of
those verifies, the newest older backup that does is kept as well, so a run of damaged backups
can never push out the only good one.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from amsync.backup.verify import verify_backup
from amsync.errors import ConfigError

BACKUP_NAME: Final = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")
DEFAULT_KEEP: Final = 7

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RotationReport:
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    spared: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kept": self.kept,
            "removed": self.removed,
            "spared": self.spared,
            "failed": self.failed,
        }


def default_backup_dir(home: Path, account: str) -> Path:
    return home / "backups" / account


def list_backups(directory: Path) -> list[Path]:
    """The account's backup folders, newest first."""
    if not directory.is_dir():
        return []
    found: list[tuple[str, int, Path]] = []
    for entry in directory.iterdir():
        match = BACKUP_NAME.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            found.append((match.group(1), int(match.group(2) or 0), entry))
    found.sort(reverse=True)
    return [path for _, _, path in found]


def is_good(path: Path) -> bool:
    try:
        return verify_backup(path).ok
    except ConfigError:
        return False


def rotate_backups(directory: Path, keep: int, *, known_good: Path | None = None) -> RotationReport:
    """Remove all but the newest ``keep`` backups (``keep`` ≥ 1), sparing the newest good one
    when none of the kept ones is good. ``known_good``: a backup just verified."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    backups = list_backups(directory)
    kept, older = backups[:keep], backups[keep:]
    report = RotationReport(kept=[p.name for p in kept])
    if not older:
        return report
    good_kept = (known_good is not None and known_good in kept) or any(is_good(p) for p in kept)
    for path in older:
        if not good_kept and is_good(path):
            good_kept = True
            report.spared.append(path.name)
            log.warning("kept backup %s beyond --keep: the newer ones do not verify", path)
            continue
        try:
            shutil.rmtree(path)
        except OSError as exc:
            report.failed.append(f"{path.name}: {exc.strerror or exc}")
            continue
        report.removed.append(path.name)
    return report
