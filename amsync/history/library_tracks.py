"""Objects of ``Apple Music Library Tracks.json`` → library tracks with Apple's counters.

Keys (meghpatel/MusicFlow ``docs/Library/LIBRARY_TRACKS.md``, acoullandreau): ``Track
Identifier`` (the library track's id, also in the daily history), ``Apple Music Track
Identifier`` (its catalog id), ``Title``, ``Artist``, ``Album``, ``Content Type``, ``Track
Play Count``, ``Skip Count``, ``Date Added To Library``, ``Last Played Date``, ``Last Modified
Date``, ``Track Like Rating``, ``Track Duration`` (ms). Other keys are ignored. Dates stay
text, as Apple wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amsync.history.columns import LIBRARY_TRACK_KEYS, key_lookup, stored_text
from amsync.history.play_activity import RowSkip, parse_ms


@dataclass(slots=True)
class LibraryTrack:
    track_identifier: str
    catalog_id: str | None
    title: str | None
    artist: str | None
    album: str | None
    content_type: str | None
    play_count: int | None
    skip_count: int | None
    date_added: str | None
    last_played: str | None
    last_modified: str | None
    like_rating: str | None
    duration_ms: int | None


def _scalar(value: Any, limit: int | None = None) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    return stored_text(text, limit) or None


def library_track(item: Any) -> LibraryTrack:
    if not isinstance(item, Mapping):
        raise RowSkip("not an object")
    keys = key_lookup(item)

    def value(field: str, limit: int | None = None) -> str | None:
        for alias in LIBRARY_TRACK_KEYS[field]:
            if alias in keys:
                return _scalar(item[keys[alias]], limit)
        return None

    identifier = value("track_identifier", 64)
    if identifier is None:
        raise RowSkip("no track identifier")

    def number(field: str) -> int | None:
        text = value(field)
        found = parse_ms(text) if text else None
        return None if found is None or found >= 1 << 31 else found

    return LibraryTrack(
        track_identifier=identifier,
        catalog_id=value("catalog_id", 64),
        title=value("title"),
        artist=value("artist"),
        album=value("album"),
        content_type=value("content_type", 32),
        play_count=number("play_count"),
        skip_count=number("skip_count"),
        date_added=value("date_added", 32),
        last_played=value("last_played", 32),
        last_modified=value("last_modified", 32),
        like_rating=value("like_rating", 32),
        duration_ms=parse_ms(value("duration_ms") or ""),
    )
