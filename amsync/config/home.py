"""The amsync home folder (``--home``, ``AMSYNC_HOME``): config, credentials, the default
database, logs and backups. ``ensure_home`` creates it on first use, or says in one line why it
cannot be used and what to do (``ConfigError``, exit 2)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from amsync.errors import ConfigError

HOME_HINT: Final = "pass --home DIR (or set AMSYNC_HOME) naming a folder you can write to"


def ensure_home(home: Path, *, writable: bool = True) -> Path:
    """Create ``home`` (mode 0700) if it is missing; with ``writable``, also require that it can
    be written (a read-only mount, a folder of another user are refused)."""
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(f"the amsync home {home} is not a folder", hint=HOME_HINT) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot create the amsync home {home}: {exc.strerror or exc}", hint=HOME_HINT
        ) from None
    if writable and not os.access(home, os.W_OK | os.X_OK):
        raise ConfigError(
            f"cannot write to the amsync home {home}: {why_unwritable(home)}", hint=HOME_HINT
        )
    return home


def why_unwritable(folder: Path) -> str:
    """``read-only file system`` or ``permission denied``, for a folder ``os.access`` refuses."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    return "permission denied"
