"""The one output-path policy: how every file amsync writes for the user reaches the disk.

Exports of every format, backups (manifest and JSON export), the demo and the log file all write
through here (``output_target`` says what a path is, ``atomic_text_file`` writes it), so that
the same path means the same thing everywhere:

- a regular file, or a name that does not exist yet, is replaced atomically: the text is
  written to a temporary file in the same folder, flushed to disk (fsync), then renamed over
  the target, so an interrupted write leaves the previous file in place;
- a symbolic link is followed: the file it points to is replaced, in *that* file's folder, and
  the link stays a link (a dangling link creates the file it names);
- a FIFO or a character device (``/dev/null``, a named pipe, a terminal) is written into
  directly and never replaced; so are ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N``
  (the descriptor itself is written, whatever it is open on), and a Unix socket (connected to);
- a folder where a file is expected, a block device, or a file the process has open as its
  database is refused with one line (``OutputPathError``, exit 2) before anything is written.

Folders are created on demand and checked to stay inside the output root; a folder that is a
symbolic link pointing out of the output root is refused (file links are followed, as above).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Final, TextIO

from amsync.errors import OutputPathError

STDOUT = "-"
_FD_ALIASES: Final = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_FD_PATH: Final = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/(\d+)/fd)/(\d+)$")
_DATABASE_SUFFIXES: Final = ("", "-wal", "-shm", "-journal")


def describe_os_error(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


class OutputKind(Enum):
    FILE = "file"  # a regular file or a new name: replaced atomically
    STREAM = "stream"  # a FIFO or character device: written into directly
    DESCRIPTOR = "descriptor"  # /dev/stdout, /dev/fd/N: that descriptor, duplicated
    SOCKET = "socket"  # a Unix socket: connected to, then written into


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """Where writing ``requested`` goes. ``path``: the file replaced (``FILE``: the end of any
    symbolic links) or the node opened; ``descriptor``: the descriptor written (``DESCRIPTOR``)."""

    requested: Path
    kind: OutputKind
    path: Path
    descriptor: int | None = None

    @property
    def replaced(self) -> bool:
        return self.kind is OutputKind.FILE


def output_target(path: Path) -> OutputTarget:
    """What writing ``path`` means under the policy (module docstring); ``OutputPathError``
    for a path that must not be written."""
    descriptor = _descriptor_alias(path)
    if descriptor is not None:
        return OutputTarget(path, OutputKind.DESCRIPTOR, path, descriptor)
    try:
        status = path.stat()  # follows symbolic links
    except FileNotFoundError:
        real = Path(os.path.realpath(path))  # a new name, or the file a dangling link names
        if not real.parent.is_dir():
            raise OutputPathError(
                f"cannot write {path}: the folder {real.parent} does not exist",
                hint="create it first or choose another path",
            ) from None
        return OutputTarget(path, OutputKind.FILE, real)
    except NotADirectoryError:
        raise OutputPathError(f"cannot write {path}: a part of the path is not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {describe_os_error(exc)}") from None
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise OutputPathError(
            f"cannot write {path}: it is a folder", hint="give the name of a file to write"
        )
    if stat.S_ISBLK(mode):
        raise OutputPathError(
            f"refusing to write {path}: it is a block device (a disk)",
            hint="give the name of a file to write",
        )
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return OutputTarget(path, OutputKind.STREAM, path)
    if stat.S_ISSOCK(mode):
        return OutputTarget(path, OutputKind.SOCKET, path)
    real = Path(os.path.realpath(path))
    _refuse_database(path, status)
    return OutputTarget(path, OutputKind.FILE, real)


def _descriptor_alias(path: Path) -> int | None:
    """The descriptor ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` or ``/proc/self/fd/N``
    stands for (these name a descriptor of this process, not a file to replace)."""
    text = os.path.normpath(path.absolute())
    if text in _FD_ALIASES:
        return _FD_ALIASES[text]
    match = _FD_PATH.match(text)
    if match is None:
        return None
    pid, number = match.groups()
    if pid is not None and int(pid) != os.getpid():
        return None
    return int(number)


def _refuse_database(path: Path, status: os.stat_result) -> None:
    """A file this process opened as its SQLite database (or its journal) is never replaced."""
    from amsync.db.engine import opened_sqlite_files

    for database in opened_sqlite_files():
        for suffix in _DATABASE_SUFFIXES:
            try:
                other = Path(f"{database}{suffix}").stat()
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino):
                raise OutputPathError(
                    f"refusing to write {path}: it is the database amsync is using",
                    hint="choose another output path",
                )


@contextmanager
def atomic_text_file(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text handle on ``path`` under the output-path policy: a file is replaced only when
    the block ends without error; a FIFO, device, descriptor or socket is written into."""
    target = output_target(path)
    if target.replaced:
        with _replacing(target.path, path, newline=newline) as handle:
            yield handle
        return
    with _direct(target, newline=newline) as handle:
        yield handle


@contextmanager
def _replacing(real: Path, shown: Path, *, newline: str | None) -> Iterator[TextIO]:
    folder = real.parent
    temporary = folder / f".{real.name[:60]}.{secrets.token_hex(4)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputPathError(f"cannot write {shown}: {describe_os_error(exc)}") from None
    handle = os.fdopen(descriptor, "w", encoding="utf-8", newline=newline)
    done = False
    try:
        _keep_mode(real, descriptor)
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        temporary.replace(real)
        done = True
        _fsync_folder(folder)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputPathError(f"cannot write {shown}: {describe_os_error(exc)}") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                temporary.unlink()


def _keep_mode(real: Path, descriptor: int) -> None:
    """A replaced file keeps its permission bits (a file shared read-only stays so)."""
    with contextlib.suppress(FileNotFoundError):
        os.fchmod(descriptor, stat.S_IMODE(real.stat().st_mode))


@contextmanager
def _direct(target: OutputTarget, *, newline: str | None) -> Iterator[TextIO]:
    shown = target.requested
    try:
        if target.kind is OutputKind.DESCRIPTOR:
            assert target.descriptor is not None
            descriptor = os.dup(target.descriptor)
        elif target.kind is OutputKind.SOCKET:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(str(target.path))
                descriptor = os.dup(connection.fileno())
        else:  # a FIFO blocks here until a reader opens it, as a shell's redirection does
            descriptor = os.open(target.path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise OutputPathError(f"cannot write {shown}: {describe_os_error(exc)}") from None
    handle = os.fdopen(descriptor, "w", encoding="utf-8", newline=newline)
    try:
        yield handle
        handle.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputPathError(f"cannot write {shown}: {describe_os_error(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            handle.close()


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
    except NotADirectoryError:
        raise OutputPathError(
            f"cannot create {directory}: a part of the path is not a folder"
        ) from None
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
