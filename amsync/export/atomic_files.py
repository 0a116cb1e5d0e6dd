"""Writing export files so that an interrupted export never leaves a half-written file in place
of a good one: each file is written to a temporary file in the target folder, flushed to disk
(fsync), then renamed over the target. Folders are checked to stay inside the output root.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from amsync.errors import OutputPathError

STDOUT = "-"


def describe_os_error(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


@contextmanager
def atomic_text_file(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text handle whose content replaces ``path`` only when the block ends without error."""
    folder = path.parent
    temporary = folder / f".{path.name[:60]}.{secrets.token_hex(4)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {describe_os_error(exc)}") from None
    handle = os.fdopen(descriptor, "w", encoding="utf-8", newline=newline)
    done = False
    try:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        temporary.replace(path)
        done = True
        _fsync_folder(folder)
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {describe_os_error(exc)}") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                temporary.unlink()


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened there
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def prepare_output_dir(directory: Path) -> Path:
    """Create ``directory`` if needed and return it resolved; refuse what is not a folder."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputPathError(f"cannot write to {directory}: it is not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"cannot create {directory}: {describe_os_error(exc)}") from None
    if not directory.is_dir():
        raise OutputPathError(f"cannot write to {directory}: it is not a folder")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write to {directory}: permission denied")
    return directory.resolve()


def subfolder(root: Path, parent: Path, name: str) -> Path:
    """``parent/name`` created inside ``root``; a folder that resolves outside (a symbolic
    link, say) is refused."""
    folder = parent / name
    try:
        folder.mkdir(exist_ok=True)
    except FileExistsError:
        raise OutputPathError(f"cannot create folder {folder}: a file is in the way") from None
    except OSError as exc:
        raise OutputPathError(f"cannot create folder {folder}: {describe_os_error(exc)}") from None
    inside(root, folder)
    return folder


def inside(root: Path, path: Path) -> Path:
    """``path`` if it resolves inside ``root`` (resolved), else an ``OutputPathError``."""
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise OutputPathError(f"refusing to write {path}: it lies outside {root}")
    return path
