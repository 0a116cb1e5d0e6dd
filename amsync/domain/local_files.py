"""Local music files as plain data: the tags a file (or a beets library) gives, and what a scan
finds on the way — a file read, a file unchanged since the last scan, or a problem.

Paths are absolute, as text. A file name that is not valid UTF-8 cannot be written into a UTF-8
playlist (M3U8, XSPF), so sources report it as a problem instead of yielding it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class AudioTags:
    """What a file's tags say. Unknown values are ``None``; ``artists`` holds every value of
    a multi-valued artist tag (``artist`` is them joined for display)."""

    title: str | None = None
    artist: str | None = None
    artists: tuple[str, ...] = ()
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    duration_ms: int | None = None
    isrc: str | None = None
    mb_recording_id: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.title or self.artist or self.album or self.isrc or self.mb_recording_id)


class ProblemKind(StrEnum):
    """Why a file or folder was not (fully) read. Every kind is counted and listed."""

    EMPTY = "empty"  # a 0-byte file
    UNREADABLE = "unreadable"  # cannot be opened (permission, vanished, broken link)
    CORRUPT = "corrupt"  # truncated or not the audio format its name says
    NO_TAGS = "no_tags"  # read, but no title, artist, album or ids (kept; links still work)
    ODD_ENCODING = "odd_encoding"  # tag text repaired (mojibake, NUL, unpaired surrogates)
    NON_UTF8_NAME = "non_utf8_name"  # a file or folder name that is not UTF-8 (skipped)
    PERMISSION_DENIED = "permission_denied"  # a folder that cannot be listed (its files kept)
    SYMLINK_LOOP = "symlink_loop"  # a folder link that leads back into its own tree
    MISSING = "missing"  # a beets library entry whose file is not on this disk


FOLDERS_SOURCE = "folders"
"""The ``source`` of every file found by a folder scan (or named by ``amsync local link``)."""

KEPT_KINDS = frozenset({ProblemKind.NO_TAGS, ProblemKind.ODD_ENCODING, ProblemKind.MISSING})
"""Problems of files that are still stored (the others are not)."""


@dataclass(frozen=True, slots=True)
class ScanProblem:
    path: str  # printable: a non-UTF-8 name shows its bytes as \\xNN escapes
    kind: ProblemKind
    detail: str


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A file whose tags were read (again): new, or changed in size or modification time."""

    path: str
    size: int | None
    mtime_ns: int | None
    format: str  # mp3, mp4, flac, ogg, opus, … (lower case)
    tags: AudioTags
    problems: tuple[ScanProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class UnchangedFile:
    """A file the database already knows with the same size and modification time."""

    path: str


ScanItem = ScannedFile | UnchangedFile | ScanProblem


def nothing_at(path: str) -> bool:
    """Nothing at ``path`` (a file or folder that was removed, or never was) — not one that
    cannot be looked at for want of permission, which is not taken for gone."""
    try:
        os.stat(path)  # noqa: PTH116
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False
