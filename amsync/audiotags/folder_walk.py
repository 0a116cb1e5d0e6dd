"""Finding the audio files below a folder, without ever stopping on what the disk holds.

- Every path is a real one (no link in it, as ``os.path.realpath`` gives): the root is given
  resolved, a folder below it is its parent's real path and its name, and a link — to a folder
  or a file — is resolved where it is met (one ``realpath`` per link). So one file has one path,
  whichever name a scan reached it by.
- Links to folders are followed (music folders are often links), once: a link that leads back
  into a folder above it is a ``symlink_loop``; a folder reached a second time another way — a
  link, a second mount of the same folder, another root of the same scan (``visited`` may be
  shared) — is not walked again (its files would be listed twice). The real paths of the
  linked folders walked are kept (``followed``): they belong to the scan's scope.
- A folder that cannot be listed is ``permission_denied`` and remembered, so that its files are
  not taken for gone.
- A file or folder name that is not UTF-8 is ``non_utf8_name`` and skipped: its path could not
  be written into a UTF-8 playlist.
- Names starting with a dot are skipped: hidden files, and macOS's ``._name.mp3`` resource
  forks that copies to other file systems leave beside every song.
- A link to nothing is ``unreadable``.

Entries are visited in name order, so scans are repeatable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from amsync.audiotags.tag_reading import AUDIO_EXTENSIONS, printable_path
from amsync.domain.local_files import ProblemKind, ScanProblem

_MAX_DEPTH: Final = 64


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_audio_name(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in AUDIO_EXTENSIONS


@dataclass
class FolderWalk:
    """Walks ``root`` (a real path: absolute, no link in it); ``incomplete`` collects folders
    it could not list, ``followed`` the real paths of the linked folders it walked."""

    root: str
    incomplete: list[str] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)
    visited: set[tuple[int, int]] = field(default_factory=set)

    def files(self) -> Iterator[FoundFile | ScanProblem]:
        try:
            info = os.stat(self.root)  # noqa: PTH116 - os.DirEntry-level speed in the walk
        except OSError as exc:
            self.incomplete.append(self.root)
            yield ScanProblem(
                printable_path(self.root), ProblemKind.UNREADABLE, exc.strerror or "cannot read"
            )
            return
        # depth-first, in name order, without recursion: (path, identity, ancestors, depth)
        stack: list[tuple[str, tuple[int, int], tuple[tuple[int, int], ...], int]] = [
            (self.root, (info.st_dev, info.st_ino), (), 0)
        ]
        while stack:
            path, identity, ancestors, depth = stack.pop()
            if identity in self.visited or depth > _MAX_DEPTH:
                continue
            self.visited.add(identity)
            try:
                with os.scandir(path) as listing:
                    entries = sorted(listing, key=_name)
            except OSError as exc:
                self.incomplete.append(path)
                kind = (
                    ProblemKind.PERMISSION_DENIED
                    if isinstance(exc, PermissionError)
                    else ProblemKind.UNREADABLE
                )
                yield ScanProblem(printable_path(path), kind, exc.strerror or "cannot list")
                continue
            inner = (*ancestors, identity)
            folders: list[tuple[str, tuple[int, int], tuple[tuple[int, int], ...], int]] = []
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    is_folder = entry.is_dir()
                except OSError:
                    is_folder = False
                if is_folder:
                    found = self._folder_entry(entry, identity[0])
                    if isinstance(found, ScanProblem):
                        yield found
                    elif found[0] in inner:
                        yield ScanProblem(
                            printable_path(entry.path),
                            ProblemKind.SYMLINK_LOOP,
                            "a link to a folder above it; not followed",
                        )
                    else:
                        folders.append((found[1], found[0], inner, depth + 1))
                elif is_audio_name(name):
                    yield self._file_entry(entry)
            stack.extend(reversed(folders))

    def _folder_entry(
        self, entry: os.DirEntry[str], device: int
    ) -> tuple[tuple[int, int], str] | ScanProblem:
        """The identity and real path of a sub-folder: from the listing itself for a plain
        folder (on its parent's device), from ``stat`` and ``realpath`` for a link, which may
        lead anywhere."""
        if not _is_utf8(entry.name):
            self.incomplete.append(entry.path)
            return ScanProblem(
                printable_path(entry.path),
                ProblemKind.NON_UTF8_NAME,
                "folder name is not UTF-8; its files were skipped",
            )
        try:
            if not entry.is_symlink():
                return (device, entry.inode()), entry.path
            info = entry.stat()
        except OSError as exc:
            self.incomplete.append(entry.path)
            return ScanProblem(entry.path, ProblemKind.UNREADABLE, exc.strerror or "cannot read")
        real = os.path.realpath(entry.path)
        if (info.st_dev, info.st_ino) not in self.visited:
            self.followed.append(real)
        return (info.st_dev, info.st_ino), real

    @staticmethod
    def _file_entry(entry: os.DirEntry[str]) -> FoundFile | ScanProblem:
        if not _is_utf8(entry.name):
            return ScanProblem(
                printable_path(entry.path),
                ProblemKind.NON_UTF8_NAME,
                "file name is not UTF-8; skipped (a UTF-8 playlist cannot name it)",
            )
        try:
            info = entry.stat()
        except OSError as exc:
            detail = "a link to nothing" if entry.is_symlink() else exc.strerror or "cannot read"
            return ScanProblem(entry.path, ProblemKind.UNREADABLE, detail)
        if not stat.S_ISREG(info.st_mode):
            return ScanProblem(entry.path, ProblemKind.UNREADABLE, "not a regular file")
        path = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
        return FoundFile(path, info.st_size, info.st_mtime_ns)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name
