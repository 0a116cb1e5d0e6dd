"""Files only their owner may read (credentials): written atomically with mode 0600.

A new file is created 0600 beside the old one (``mkstemp``), written, synced and renamed over
it, so a reader sees the old content or the new, and never a file anyone else could read.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from amsync.errors import ConfigError


def write_private_file(path: Path, text: str, *, what: str) -> None:
    """Write ``text`` to ``path`` (mode 0600; its folder created 0700); ``ConfigError`` naming
    ``what`` when it cannot be written."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}-", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"cannot write the {what} in {folder}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, 0o600)  # mkstemp already uses 0600; be explicit about it
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"cannot write the {what} {path}: {exc.strerror or exc}") from None
