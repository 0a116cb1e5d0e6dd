"""Reading an ``amsync.library`` JSON document (DESIGN §4) back into plain data.

Restore works from this document, whether it sits in a backup folder (``library.json``) or was
written by ``amsync export json``. Only what a restore and a verification need is kept; missing
optional keys read as ``None``; a document of another format, or malformed items, are refused
with a message that names the problem.

An item's ``rating`` (1 favourite, -1 disliked) is read from ``"rating"``; documents written
before that key existed carry only ``"favourite"``, read as rating 1. ``catalog_available`` is
read under its older name ``available`` too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from amsync import DOCS_URL
from amsync.errors import ConfigError

LIBRARY_FORMAT: Final = "amsync.library"
LIBRARY_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class DocSong:
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None = None
    album: str | None = None
    kind: str = "song"
    rating: int | None = None
    available: bool | None = None

    @property
    def favourite(self) -> bool:
        return self.rating == 1


@dataclass(frozen=True, slots=True)
class DocAlbum:
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None = None
    rating: int | None = None

    @property
    def favourite(self) -> bool:
        return self.rating == 1


@dataclass(frozen=True, slots=True)
class DocArtist:
    library_id: str
    catalog_id: str | None
    name: str
    rating: int | None = None

    @property
    def favourite(self) -> bool:
        return self.rating == 1


@dataclass(frozen=True, slots=True)
class DocTrack:
    position: int
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None = None
    kind: str = "song"


@dataclass(frozen=True, slots=True)
class DocPlaylist:
    library_id: str
    catalog_id: str | None
    name: str
    description: str | None = None
    can_edit: bool | None = None
    rating: int | None = None
    folder: str | None = None
    tracks: tuple[DocTrack, ...] = ()

    @property
    def favourite(self) -> bool:
        return self.rating == 1


@dataclass(slots=True)
class LibraryDocument:
    account: str | None
    exported_at: str | None
    songs: list[DocSong] = field(default_factory=list)
    albums: list[DocAlbum] = field(default_factory=list)
    artists: list[DocArtist] = field(default_factory=list)
    playlists: list[DocPlaylist] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        ratings = [
            item.rating
            for items in (self.songs, self.albums, self.artists, self.playlists)
            for item in items
        ]
        return {
            "songs": len(self.songs),
            "albums": len(self.albums),
            "artists": len(self.artists),
            "playlists": len(self.playlists),
            "tracks": sum(len(p.tracks) for p in self.playlists),
            "favourites": ratings.count(1),
            "dislikes": ratings.count(-1),
        }


_SQLITE_HEADER: Final = b"SQLite format 3\x00"
_USE: Final = "use a backup folder or a file written by `amsync export json`"


def read_library_document(path: Path) -> LibraryDocument:
    """The document in ``path``; ``ConfigError`` (exit 2) for anything else."""
    try:
        with path.open("rb") as handle:
            start = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        raise ConfigError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder without an amsync backup in it", hint=_USE) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if start == _SQLITE_HEADER:
        raise ConfigError(
            f"{path} is an SQLite database (a mirror or a backup's snapshot), not a backup "
            "folder or a JSON export",
            hint="pass the backup folder that holds it, or a file written by `amsync export "
            "json`; to put a mirror back, copy the snapshot into place "
            f"({DOCS_URL}how-to/backups/#restoring)",
        )
    try:
        with path.open("r", encoding="utf-8") as handle:
            data = json.load(handle)
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path} is not a JSON export (it is not UTF-8 text)", hint=_USE
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(
            f"{path} is not valid JSON ({exc}); it may be truncated",
            hint=_USE,
        ) from None
    if not isinstance(data, dict) or data.get("format") != LIBRARY_FORMAT:
        raise ConfigError(
            f"{path} is not an amsync library export (format {LIBRARY_FORMAT!r})",
            hint=_USE,
        )
    if data.get("version") != LIBRARY_VERSION:
        raise ConfigError(
            f"{path} has library format version {data.get('version')!r}; this amsync reads "
            f"version {LIBRARY_VERSION}"
        )
    try:
        return _document(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path} holds a malformed item: {exc}") from None


def _document(data: Mapping[str, Any]) -> LibraryDocument:
    return LibraryDocument(
        account=_text(data.get("account")),
        exported_at=_text(data.get("exported_at")),
        songs=[_song(item) for item in _list(data, "songs")],
        albums=[_album(item) for item in _list(data, "albums")],
        artists=[_artist(item) for item in _list(data, "artists")],
        playlists=[_playlist(item) for item in _list(data, "playlists")],
    )


def _list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"{key!r} is not a list of objects")
    return value


def _required(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key!r} missing in {json.dumps(item, ensure_ascii=False)[:120]}")
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _rating(item: Mapping[str, Any]) -> int | None:
    """``"rating"`` (1 or -1), else the older documents' ``"favourite": true`` (1)."""
    rating = item.get("rating")
    if isinstance(rating, int) and not isinstance(rating, bool) and rating in (1, -1):
        return rating
    if "rating" not in item and item.get("favourite") is True:
        return 1
    return None


def _song(item: Mapping[str, Any]) -> DocSong:
    available = item.get("catalog_available", item.get("available"))
    return DocSong(
        library_id=_required(item, "library_id"),
        catalog_id=_text(item.get("catalog_id")),
        name=str(item.get("name") or ""),
        artist=_text(item.get("artist")),
        album=_text(item.get("album")),
        kind=_text(item.get("kind")) or "song",
        rating=_rating(item),
        available=available if isinstance(available, bool) else None,
    )


def _album(item: Mapping[str, Any]) -> DocAlbum:
    return DocAlbum(
        library_id=_required(item, "library_id"),
        catalog_id=_text(item.get("catalog_id")),
        name=str(item.get("name") or ""),
        artist=_text(item.get("artist")),
        rating=_rating(item),
    )


def _artist(item: Mapping[str, Any]) -> DocArtist:
    return DocArtist(
        library_id=_required(item, "library_id"),
        catalog_id=_text(item.get("catalog_id")),
        name=str(item.get("name") or ""),
        rating=_rating(item),
    )


def _track(item: Mapping[str, Any], index: int) -> DocTrack:
    position = item.get("position")
    return DocTrack(
        position=position if isinstance(position, int) else index,
        library_id=_required(item, "library_id"),
        catalog_id=_text(item.get("catalog_id")),
        name=str(item.get("name") or ""),
        artist=_text(item.get("artist")),
        kind=_text(item.get("kind")) or "song",
    )


def _playlist(item: Mapping[str, Any]) -> DocPlaylist:
    tracks = item.get("tracks") or []
    if not isinstance(tracks, list) or not all(isinstance(t, dict) for t in tracks):
        raise TypeError("a playlist's 'tracks' is not a list of objects")
    can_edit = item.get("can_edit")
    parsed = sorted((_track(t, i) for i, t in enumerate(tracks)), key=lambda t: t.position)
    return DocPlaylist(
        library_id=_required(item, "library_id"),
        catalog_id=_text(item.get("catalog_id")),
        name=_required(item, "name"),
        description=_text(item.get("description")),
        can_edit=can_edit if isinstance(can_edit, bool) else None,
        rating=_rating(item),
        folder=_text(item.get("folder")),
        tracks=tuple(parsed),
    )
