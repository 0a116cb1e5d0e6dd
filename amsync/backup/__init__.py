"""Backups of the mirror and restores to Apple Music (the backup use-case).

- ``take_backup``: a consistent snapshot + JSON export + manifest in a timestamped folder,
  verified, then rotated (``rotate_backups``).
- ``verify_backup``: checksums, integrity check, schema revision and counts.
- ``read_restore_source`` → ``make_restore_plan`` (reads the live library, then the pure
  ``plan_restore``) →
  ``apply_restore``: recreate on Apple Music what the backup has and the live library lacks,
  never deleting or rewriting anything there.
- ``render_schedule``: crontab line, systemd units or launchd plist for unattended runs.

Errors: a path that is not a backup or export is a ``ConfigError`` (exit 2); a backup that
cannot be written or does not verify is a ``StoreError`` (exit 1).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from amsync.backup.manifest import Manifest, read_manifest
from amsync.backup.rotation import (
    DEFAULT_KEEP,
    RotationReport,
    default_backup_dir,
    list_backups,
    rotate_backups,
)
from amsync.backup.verify import VerifyReport, damage_of, require_good, verify_backup

if TYPE_CHECKING:
    from amsync.backup.take import BackupOptions, BackupReport, take_backup

_TAKE = frozenset({"BackupOptions", "BackupReport", "take_backup"})


def __getattr__(name: str) -> Any:
    """Taking a backup needs the database and the exporter (SQLAlchemy): loaded on first use,
    so that ``amsync backup --help`` and ``backup list`` stay quick."""
    if name in _TAKE:
        return getattr(importlib.import_module("amsync.backup.take"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_KEEP",
    "BackupOptions",
    "BackupReport",
    "Manifest",
    "RotationReport",
    "VerifyReport",
    "damage_of",
    "default_backup_dir",
    "list_backups",
    "read_manifest",
    "require_good",
    "rotate_backups",
    "take_backup",
    "verify_backup",
]
