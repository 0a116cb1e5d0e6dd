"""``amsync backup list``: the backups of an account, newest first, as their manifests describe
them (no checksums are computed: ``amsync backup verify`` does that)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from amsync.backup.manifest import COUNT_KEYS, read_manifest
from amsync.backup.rotation import list_backups
from amsync.errors import ConfigError

COLUMNS: Final = (
    "name",
    "created_at",
    "account",
    "schema_revision",
    *COUNT_KEYS,
    "bytes",
    "path",
    "problem",
)


@dataclass(frozen=True, slots=True)
class BackupEntry:
    name: str
    path: Path
    created_at: str | None = None
    account: str | None = None
    schema_revision: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    bytes: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at,
            "account": self.account,
            "schema_revision": self.schema_revision,
            **{key: self.counts.get(key) for key in COUNT_KEYS},
            "bytes": self.bytes,
            "path": str(self.path),
            "problem": self.problem,
        }


def describe_backups(directory: Path) -> list[BackupEntry]:
    """Each backup folder in ``directory`` (newest first) with what its manifest says; a folder
    whose manifest cannot be read is listed with the problem."""
    entries: list[BackupEntry] = []
    for path in list_backups(directory):
        try:
            manifest = read_manifest(path)
        except ConfigError as exc:
            entries.append(BackupEntry(path.name, path, problem=str(exc)))
            continue
        entries.append(
            BackupEntry(
                name=path.name,
                path=path,
                created_at=manifest.created_at,
                account=manifest.account,
                schema_revision=manifest.schema_revision,
                counts=dict(manifest.counts),
                bytes=sum(entry.bytes for entry in manifest.files.values()),
            )
        )
    return entries
