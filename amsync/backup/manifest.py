"""A backup's manifest (``manifest.json``): what the folder holds and how to check it.

::

    {"format": "amsync.backup", "version": 1, "created_at": "2026-11-21T22:00:00Z",
     "account": "default", "amsync_version": "0.1.0", "schema_revision": "0001",
     "database": "sqlite" | "postgresql", "source": "/home/me/.local/share/amsync/amsync.db",
     "files": {"amsync.db": {"sha256": "…", "bytes": 123}, "library.json": {…}},
     "counts": {"songs": 1, "albums": 1, "artists": 1, "playlists": 1, "tracks": 1,
                "favourites": 1, "dislikes": 1},
     "pg_dump": "pg_dump … (PostgreSQL only: the recipe for a full dump)"}

The manifest is written last, so a folder with a manifest is a finished backup. ``favourites``
and ``dislikes`` count the user's current wishes for items in the library, as ``amsync stats``
does (``dislikes`` is missing from backups of earlier amsync versions; verification then skips
it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from amsync.errors import ConfigError

FORMAT: Final = "amsync.backup"
VERSION: Final = 1
MANIFEST_NAME: Final = "manifest.json"
SNAPSHOT_NAME: Final = "amsync.db"
EXPORT_NAME: Final = "library.json"
COUNT_KEYS: Final = (
    "songs",
    "albums",
    "artists",
    "playlists",
    "tracks",
    "favourites",
    "dislikes",
)
_CHUNK: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class FileEntry:
    sha256: str
    bytes: int


@dataclass(slots=True)
class Manifest:
    created_at: str
    account: str
    amsync_version: str
    schema_revision: str | None
    database: str
    source: str
    files: dict[str, FileEntry] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    pg_dump: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "account": self.account,
            "amsync_version": self.amsync_version,
            "schema_revision": self.schema_revision,
            "database": self.database,
            "source": self.source,
            "files": {
                name: {"sha256": entry.sha256, "bytes": entry.bytes}
                for name, entry in sorted(self.files.items())
            },
            "counts": dict(self.counts),
        }
        if self.pg_dump is not None:
            data["pg_dump"] = self.pg_dump
        return data


def sha256_of(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(sha256=digest.hexdigest(), bytes=size)


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` (flushed to disk) into ``folder``."""
    from amsync.export.atomic_files import atomic_text_file  # (the export package is heavy)

    path = folder / MANIFEST_NAME
    text = json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2) + "\n"
    with atomic_text_file(path) as handle:  # the output-path policy; flushed to disk
        handle.write(text)
    return path


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the backup in ``folder``; ``ConfigError`` when there is none or it is
    not an amsync backup manifest."""
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{folder} is not an amsync backup (no {MANIFEST_NAME})",
            hint="pass a folder written by `amsync backup`",
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{path} is not an amsync backup manifest")
    if data.get("version") != VERSION:
        raise ConfigError(
            f"{path} has backup format version {data.get('version')!r}; this amsync reads "
            f"version {VERSION}",
            hint="use the amsync version that wrote it",
        )
    return _parse(data, path)


def _parse(data: Mapping[str, Any], path: Path) -> Manifest:
    try:
        files = {
            str(name): FileEntry(sha256=str(entry["sha256"]), bytes=int(entry["bytes"]))
            for name, entry in dict(data["files"]).items()
        }
        counts = {str(key): int(value) for key, value in dict(data.get("counts") or {}).items()}
        return Manifest(
            created_at=str(data["created_at"]),
            account=str(data["account"]),
            amsync_version=str(data.get("amsync_version") or ""),
            schema_revision=_optional(data.get("schema_revision")),
            database=str(data.get("database") or "sqlite"),
            source=str(data.get("source") or ""),
            files=files,
            counts=counts,
            pg_dump=_optional(data.get("pg_dump")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path} is a damaged backup manifest ({exc!r})") from None


def _optional(value: object) -> str | None:
    return None if value is None else str(value)
