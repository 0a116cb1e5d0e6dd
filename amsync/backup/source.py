"""Where a restore reads the library from: a backup folder (checked first) or a JSON export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amsync.backup.document import LibraryDocument, read_library_document
from amsync.backup.manifest import EXPORT_NAME, MANIFEST_NAME, Manifest
from amsync.backup.verify import backup_folder, require_good, verify_backup


@dataclass(slots=True)
class RestoreSource:
    path: Path
    document: LibraryDocument
    manifest: Manifest | None = None

    @property
    def account(self) -> str | None:
        return self.manifest.account if self.manifest else self.document.account

    def describe(self) -> str:
        if self.manifest is not None:
            return f"backup {self.path} ({self.manifest.created_at})"
        return f"export {self.path} ({self.document.exported_at or 'undated'})"


def read_restore_source(path: Path) -> RestoreSource:
    """A backup folder (or its ``manifest.json``) is verified before it is used — a damaged one
    is refused (exit 1); any other path must be an ``amsync.library`` JSON document (exit 2)."""
    if path.is_dir() or path.name == MANIFEST_NAME:
        folder = backup_folder(path)
        report = require_good(verify_backup(folder))
        return RestoreSource(
            path=folder,
            document=read_library_document(folder / EXPORT_NAME),
            manifest=report.manifest,
        )
    return RestoreSource(path=path, document=read_library_document(path))
