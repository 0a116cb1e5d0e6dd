"""Finding Apple's files in what the user gives: the zip Apple sends, the folder it unpacks
to, a zip nested in either, or one of the files itself — without extracting anything.

Apple's download is a zip; inside it ``Apple_Media_Services.zip`` (or a folder of that name),
inside which ``Apple Music Activity/`` — sometimes a zip of its own — holds the files
(dmatica/fitlist ``Step1/Readme.md``); exports from 2018 put them under ``App Store, iTunes
Store, iBooks Store, Apple Music/…/Apple Music Activity/`` (CypressXt/AppleMusic-Elastic
``README``). Folder names vary between years, so files are found by name anywhere in the tree,
descending into nested zips (``MAX_DEPTH`` levels).

Members are streamed straight from the archive (a nested zip is read through its parent's
stream), so nothing is ever written to disk. What amsync refuses, with one line (exit 2):

- a zip whose central directory cannot be read (not a zip, cut off);
- an encrypted member it needs (Apple's export is not encrypted);
- a **zip bomb**: a member declaring more than ``MAX_RATIO`` times its compressed size
  (above ``RATIO_FLOOR`` bytes), or members together declaring more than ``MAX_RATIO`` times
  the archive's own size. Reading never goes past a member's declared size (``zipfile`` stops
  there and checks the CRC), so declared sizes bound the work.

Skipped and listed: members whose names are absolute or climb out with ``..`` (never opened),
zips nested deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Final

from amsync.errors import UnusableAppleExport

PLAY_ACTIVITY: Final = "play activity"
DAILY_TRACKS: Final = "daily tracks"
LIBRARY_TRACKS: Final = "library tracks"
NOT_IMPORTED: Final = "not imported"

KNOWN_FILES: Final[dict[str, str]] = {
    "apple music play activity.csv": PLAY_ACTIVITY,
    "apple music - play history daily tracks.csv": DAILY_TRACKS,
    "apple music library tracks.json": LIBRARY_TRACKS,
    "apple music library playlists.json": NOT_IMPORTED,
    "apple music - favorites.csv": NOT_IMPORTED,
    "apple music likes and dislikes.csv": NOT_IMPORTED,
}
READ_ORDER: Final = (LIBRARY_TRACKS, PLAY_ACTIVITY, DAILY_TRACKS)
MAX_DEPTH: Final = 3
MAX_RATIO: Final = 200
RATIO_FLOOR: Final = 1 << 20
MAX_FOLDER_FILES: Final = 200_000
_SPACE: Final = re.compile(r"\s+")
_DRIVE: Final = re.compile(r"^[A-Za-z]:")


def file_kind(name: str) -> str | None:
    """Which of Apple's files ``name`` (a path or a base name) is, if any."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    key = _SPACE.sub(" ", base.replace("_", " ")).strip().casefold()
    return KNOWN_FILES.get(key)


def unsafe_entry(name: str) -> bool:
    """A member name that is absolute or climbs out of the archive (``../x``)."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or _DRIVE.match(normalised):
        return True
    return ".." in PurePosixPath(normalised).parts


@dataclass(frozen=True)
class FoundFile:
    kind: str
    where: str  # for people: "export.zip › Apple_Media_Services.zip › …/file.csv"
    size: int | None
    open: Callable[[], IO[bytes]]


@dataclass
class Discovery:
    files: list[FoundFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (reason, where)
    backup_like: bool = False

    def of_kind(self, kind: str) -> list[FoundFile]:
        return [f for f in self.files if f.kind == kind]


@contextlib.contextmanager
def open_export(path: Path) -> Iterator[Discovery]:
    """Everything of Apple's export under ``path``; member streams stay readable while the
    context is open."""
    with ExitStack() as stack:
        discovery = Discovery()
        _discover_path(path, discovery, stack)
        yield discovery


def _discover_path(path: Path, discovery: Discovery, stack: ExitStack) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnusableAppleExport(f"{path} does not exist") from None
    except OSError as exc:
        raise UnusableAppleExport(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        _discover_folder(path, discovery, stack)
        return
    if not stat.S_ISREG(info.st_mode):
        raise UnusableAppleExport(f"{path} is neither a file nor a folder")
    kind = file_kind(path.name)
    if kind is not None and not path.name.casefold().endswith(".zip"):
        discovery.files.append(FoundFile(kind, path.name, info.st_size, _file_opener(path)))
        return
    if not zipfile.is_zipfile(path):
        raise UnusableAppleExport(
            f"{path} is not a zip file, a folder or one of Apple Music's activity files",
            hint="give the zip Apple sent (privacy.apple.com), or the folder it unpacks to",
        )
    archive = _open_zip(_kept_open(stack, path), path.name)
    stack.enter_context(archive)
    _discover_zip(archive, info.st_size, path.name, 0, discovery, stack)


def _kept_open(stack: ExitStack, path: Path) -> Callable[[], IO[bytes]]:
    def opened() -> IO[bytes]:
        return stack.enter_context(path.open("rb"))

    return opened


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    def opened() -> IO[bytes]:
        try:
            return path.open("rb")
        except OSError as exc:
            raise UnusableAppleExport(f"cannot read {path}: {exc.strerror or exc}") from None

    return opened


def _discover_folder(root: Path, discovery: Discovery, stack: ExitStack) -> None:
    seen = 0
    for folder, folders, files in os.walk(root, onerror=None):
        folders.sort()
        for name in sorted(files):
            seen += 1
            if seen > MAX_FOLDER_FILES:
                raise UnusableAppleExport(
                    f"{root} holds more than {MAX_FOLDER_FILES} files; give the export's own "
                    "folder or zip"
                )
            path = Path(folder) / name
            shown = str(path.relative_to(root))
            if name in ("manifest.json", "amsync.db") and folder == str(root):
                discovery.backup_like = discovery.backup_like or _is_amsync_backup(root)
            kind = file_kind(name)
            if name.casefold().endswith(".zip"):
                if not zipfile.is_zipfile(path):
                    discovery.skipped.append(("not a readable zip", shown))
                    continue
                size = path.stat().st_size
                archive = _open_zip(_kept_open(stack, path), shown)
                stack.enter_context(archive)
                _discover_zip(archive, size, shown, 1, discovery, stack)
            elif kind is not None:
                size = path.stat().st_size
                discovery.files.append(FoundFile(kind, shown, size, _file_opener(path)))


def _is_amsync_backup(folder: Path) -> bool:
    manifest = folder / "manifest.json"
    if (folder / "amsync.db").exists() or (folder / "library.json").exists():
        return True
    try:
        with manifest.open("rb") as handle:
            data = json.loads(handle.read(1 << 20))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "amsync" in json.dumps(data)[:4096]


def _open_zip(opener: Callable[[], IO[bytes]], where: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(opener())
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise UnusableAppleExport(
            f"{where} is not a readable zip archive ({exc}); it may be cut off",
            hint="download the export again",
        ) from None
    except OSError as exc:
        raise UnusableAppleExport(f"cannot read {where}: {exc.strerror or exc}") from None


def _discover_zip(
    archive: zipfile.ZipFile,
    archive_size: int,
    where: str,
    depth: int,
    discovery: Discovery,
    stack: ExitStack,
) -> None:
    wanted: list[tuple[zipfile.ZipInfo, str | None]] = []
    for info in archive.infolist():
        name = info.filename
        if name.endswith("/"):
            continue
        shown = f"{where} › {name}"
        if unsafe_entry(name):
            discovery.skipped.append(("unsafe entry name (absolute or with ..)", shown))
            continue
        kind = file_kind(name)
        nested = name.casefold().endswith(".zip")
        if kind is None and not nested:
            continue
        if PurePosixPath(name.replace("\\", "/")).name in ("manifest.json", "amsync.db"):
            discovery.backup_like = True
        wanted.append((info, kind))
    _check_sizes(wanted, archive_size, where)
    for info, kind in wanted:
        shown = f"{where} › {info.filename}"
        if info.flag_bits & 0x1:
            raise UnusableAppleExport(
                f"{shown} is encrypted (password-protected); amsync reads Apple's export as "
                "Apple sends it, which is not encrypted"
            )
        if kind is not None and not info.filename.casefold().endswith(".zip"):
            discovery.files.append(
                FoundFile(kind, shown, info.file_size, _member_opener(archive, info, shown))
            )
            continue
        if depth + 1 > MAX_DEPTH:
            discovery.skipped.append((f"zip nested more than {MAX_DEPTH} deep", shown))
            continue
        inner = _open_zip(_member_opener(archive, info, shown), shown)
        stack.enter_context(inner)
        _discover_zip(inner, info.file_size, shown, depth + 1, discovery, stack)


def _check_sizes(
    wanted: list[tuple[zipfile.ZipInfo, str | None]], archive_size: int, where: str
) -> None:
    declared = 0
    for info, _ in wanted:
        declared += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnusableAppleExport(
                f"{where} › {info.filename} looks like a zip bomb: it declares "
                f"{info.file_size} bytes from {info.compress_size} compressed (more than "
                f"{MAX_RATIO} to 1); amsync does not read it"
            )
    if declared > RATIO_FLOOR and declared > MAX_RATIO * max(archive_size, 1):
        raise UnusableAppleExport(
            f"{where} looks like a zip bomb: its members declare {declared} bytes, more than "
            f"{MAX_RATIO} times the archive's {archive_size}; amsync does not read it"
        )


def _member_opener(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str
) -> Callable[[], IO[bytes]]:
    def opened() -> IO[bytes]:
        try:
            return archive.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
            raise UnusableAppleExport(f"cannot read {where}: {exc}") from None

    return opened
