"""Where each track of a playlist file is: the one location mechanism of the M3U8 and XSPF
exports (issue 16, and issue 14 item 15).

A track's *target* is one of:

- its Apple Music URL (the default; ``playlist_files.apple_music_url``);
- a file path built by ``--path-template``, below a music root: ``--music-root`` when given,
  else the export's folder (``-o DIR``), the output file's folder (``--playlist X -o FILE``) or
  the current folder (stdout);
- the local file ``amsync local match`` (or ``link``) found for it (``--local``).

A file path is then written for the playlist file it goes into:

- **absolute** (the default for ``--local`` and with ``--music-root``), after ``--path-prefix
  OLD=NEW`` rewrote its root (for a server that mounts the music elsewhere);
- **relative** to the folder of that playlist file (the default for ``--path-template``
  without ``--music-root``; ``--relative`` for the others), with as many ``..`` as the file's
  folder depth needs — so playlists in sub-folders (``Parent/Child/Name.m3u8``) point at the
  same files as top-level ones. Both sides are resolved (links followed) first, so a music
  folder reached through a link still gets the shortest correct path. Separators are ``/``.

``--unicode nfc|nfd`` writes paths in that normalisation form (macOS keeps names NFD; most
Linux servers want what the disk holds, often NFC); by default, as stored.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol

from amsync.errors import UsageError
from amsync.export import playlist_rows
from amsync.export.path_template import PathTemplate

LocationKind = Literal["url", "absolute", "relative"]
UNICODE_FORMS: Final = ("nfc", "nfd")


@dataclass(frozen=True, slots=True)
class Location:
    text: str
    kind: LocationKind


class Targets(Protocol):
    """Where a track is: a URL, or an absolute file path (``None``: nowhere)."""

    kind: str  # "apple-music", "path-template" or "local": the report names it

    def target(
        self, head: playlist_rows.PlaylistHead, track: playlist_rows.Track
    ) -> tuple[LocationKind, str] | None: ...


def parse_prefixes(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``--path-prefix OLD=NEW`` values, longest ``OLD`` first; a ``UsageError`` for a bad
    one."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old or not new:
            raise UsageError(
                f"--path-prefix {value!r}: write it as OLD=NEW, e.g. /home/me/Music=/music"
            )
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise UsageError("--path-prefix may not contain control characters")
        if not old.startswith("/"):
            raise UsageError(f"--path-prefix {value!r}: OLD must be an absolute path")
        pairs.append((old.rstrip("/") or "/", new.rstrip("/") or "/"))
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def rewrite_prefix(path: str, prefixes: Sequence[tuple[str, str]]) -> str | None:
    """``path`` with the first matching ``OLD`` root replaced (whole components only), or
    ``None`` when no prefix applies."""
    for old, new in prefixes:
        if old == "/":
            return new.rstrip("/") + path
        if path == old or path.startswith(old + "/"):
            rest = path[len(old) :]
            return (new + rest) if new != "/" else (rest or "/")
    return None


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def real_path(path: str) -> str:
    """``path`` with its folder resolved (links followed), its own name kept."""
    folder, name = os.path.split(path)
    return os.path.join(_real_folder(folder), name)  # noqa: PTH118


@dataclass(frozen=True)
class PathWriting:
    """How file paths are written: ``relative`` to the playlist file's folder or absolute
    (after ``prefixes``), in Unicode form ``unicode_form`` (``None``: as stored)."""

    relative: bool
    prefixes: tuple[tuple[str, str], ...] = ()
    unicode_form: str | None = None

    def write(self, path: str, playlist_folder: str) -> Location:
        if self.relative:
            text = os.path.relpath(real_path(path), _real_folder(playlist_folder))
            text = text.replace(os.sep, "/")
            if text.startswith("#"):  # would read as an M3U comment line
                text = "./" + text
            kind: LocationKind = "relative"
        else:
            text = rewrite_prefix(path, self.prefixes) or path
            kind = "absolute"
        if self.unicode_form == "nfc":
            text = unicodedata.normalize("NFC", text)
        elif self.unicode_form == "nfd":
            text = unicodedata.normalize("NFD", text)
        return Location(text, kind)


class Locations:
    """Each track's location in the playlist file being written (``enter`` names its
    folder)."""

    def __init__(self, targets: Targets, writing: PathWriting, folder: str) -> None:
        self.targets = targets
        self.writing = writing
        self.folder = folder
        self.rewritten_misses = 0  # absolute paths no --path-prefix applied to

    @property
    def kind(self) -> str:
        return self.targets.kind

    def enter(self, playlist_file: Path) -> None:
        self.folder = os.path.dirname(os.path.abspath(playlist_file))  # noqa: PTH100, PTH120

    def of(self, head: playlist_rows.PlaylistHead, track: playlist_rows.Track) -> Location | None:
        found = self.targets.target(head, track)
        if found is None:
            return None
        kind, text = found
        if kind == "url":
            return Location(text, "url")
        location = self.writing.write(text, self.folder)
        if (
            self.writing.prefixes
            and location.kind == "absolute"
            and rewrite_prefix(text, self.writing.prefixes) is None
        ):
            self.rewritten_misses += 1
        return location


class TemplateTargets:
    """``--path-template`` paths below ``music_root``."""

    kind = "path-template"

    def __init__(self, template: PathTemplate, music_root: str) -> None:
        self.template = template
        self.music_root = music_root

    def target(
        self, head: playlist_rows.PlaylistHead, track: playlist_rows.Track
    ) -> tuple[LocationKind, str] | None:
        rendered = self.template.render(
            {
                "artist": track.artist,
                "album": track.album,
                "name": track.name,
                "library_id": track.library_id,
                "catalog_id": track.catalog_id,
                "isrc": track.isrc,
                "playlist": head.name,
                "disc": track.disc_number,
                "track": track.track_number,
                "position": track.position,
            }
        )
        return "absolute", os.path.normpath(os.path.join(self.music_root, rendered))  # noqa: PTH118
