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

from amsync.backup.manifest import Manifest, read_manifest
from amsync.backup.rotation import RotationReport, list_backups, rotate_backups
from amsync.backup.take import (
    DEFAULT_KEEP,
    BackupOptions,
    BackupReport,
    default_backup_dir,
    take_backup,
)
from amsync.backup.verify import VerifyReport, damage_of, require_good, verify_backup

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
