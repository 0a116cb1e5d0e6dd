"""Subsonic JSON objects → amsync's plain data (``amsync.domain.media_server``).

Lenient by design: servers differ (a missing field is ``None``; a single object where a list
is expected is taken as a list of one; ``isrc`` is a list in OpenSubsonic and a string in some
servers). An object without an id is skipped: nothing can be written about it.
"""

from __future__ import annotations

from typing import Any

from amsync.domain.media_server import ServerPlaylist, ServerSong, ServerStars


def items(container: Any, key: str) -> list[dict[str, Any]]:
    """``container[key]`` as a list of objects (absent: empty; one object: a list of one)."""
    if not isinstance(container, dict):
        return []
    value = container.get(key)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _id(value: Any) -> str | None:
    text = _text(value)
    return text if text else None


def _isrcs(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in values:
        text = _text(item)
        if text:
            code = text.replace("-", "").strip().upper()
            if code and code not in found:
                found.append(code)
    return tuple(found)


def song(raw: dict[str, Any]) -> ServerSong | None:
    """A song (a ``child`` that is not a folder, not a video)."""
    song_id = _id(raw.get("id"))
    if song_id is None or raw.get("isDir") is True or raw.get("isVideo") is True:
        return None
    duration = raw.get("duration")
    seconds = duration if isinstance(duration, int | float) and duration >= 0 else None
    return ServerSong(
        id=song_id,
        title=_text(raw.get("title")) or "",
        artist=_text(raw.get("artist")),
        album=_text(raw.get("album")),
        album_id=_id(raw.get("albumId")),
        artist_id=_id(raw.get("artistId")),
        album_artist=_text(raw.get("displayAlbumArtist")),
        duration_ms=round(seconds * 1000) if seconds is not None else None,
        path=_text(raw.get("path")),
        isrcs=_isrcs(raw.get("isrc")),
        mb_recording_id=_text(raw.get("musicBrainzId")) or None,
    )


def songs(raws: list[dict[str, Any]]) -> list[ServerSong]:
    return [found for raw in raws if (found := song(raw)) is not None]


def playlist(raw: dict[str, Any]) -> ServerPlaylist | None:
    playlist_id = _id(raw.get("id"))
    if playlist_id is None:
        return None
    count = raw.get("songCount")
    return ServerPlaylist(
        id=playlist_id,
        name=_text(raw.get("name")) or "",
        owner=_text(raw.get("owner")),
        song_count=count if isinstance(count, int) and count >= 0 else 0,
        comment=_text(raw.get("comment")),
        created=_text(raw.get("created")),
    )


def playlists(raws: list[dict[str, Any]]) -> list[ServerPlaylist]:
    return [found for raw in raws if (found := playlist(raw)) is not None]


def stars(body: dict[str, Any]) -> ServerStars:
    """``getStarred2``'s ``starred2``."""
    starred = body.get("starred2")

    def ids(key: str) -> frozenset[str]:
        return frozenset(i for raw in items(starred, key) if (i := _id(raw.get("id"))))

    return ServerStars(songs=ids("song"), albums=ids("album"), artists=ids("artist"))


def rating(raw: Any) -> int | None:
    value = raw.get("userRating") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and 1 <= value <= 5 else None
