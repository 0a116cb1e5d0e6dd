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
from typing import Any, Final

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


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    return stored_text(text) or None


_FIELDS: Final = tuple(LIBRARY_TRACK_KEYS)
_KEYS_OF: dict[tuple[str, ...], tuple[str | None, ...]] = {}


def _keys_of(item: Mapping[str, Any]) -> tuple[str | None, ...]:
    """For each field, the key an object holds it under (None: absent). Objects of one file
    have the same keys, so this is worked out once per set of keys."""
    shape = tuple(item)
    found = _KEYS_OF.get(shape)
    if found is None:
        keys = key_lookup(item)
        found = tuple(
            next((keys[a] for a in LIBRARY_TRACK_KEYS[f] if a in keys), None) for f in _FIELDS
        )
        if len(_KEYS_OF) < 1000:
            _KEYS_OF[shape] = found
    return found


def _number(text: str | None) -> int | None:
    found = parse_ms(text) if text else None
    return None if found is None or found >= 1 << 31 else found


def library_track(item: Any) -> LibraryTrack:
    if not isinstance(item, Mapping):
        raise RowSkip("not an object")
    values = {
        field: _scalar(item[key])
        for field, key in zip(_FIELDS, _keys_of(item), strict=True)
        if key is not None
    }
    identifier = values.get("track_identifier")
    if identifier is None:
        raise RowSkip("no track identifier")

    def cut(field: str, limit: int) -> str | None:
        text = values.get(field)
        return text[:limit] if text else None

    return LibraryTrack(
        track_identifier=identifier[:64],
        catalog_id=cut("catalog_id", 64),
        title=values.get("title"),
        artist=values.get("artist"),
        album=values.get("album"),
        content_type=cut("content_type", 32),
        play_count=_number(values.get("play_count")),
        skip_count=_number(values.get("skip_count")),
        date_added=cut("date_added", 32),
        last_played=cut("last_played", 32),
        last_modified=cut("last_modified", 32),
        like_rating=cut("like_rating", 32),
        duration_ms=parse_ms(values.get("duration_ms") or ""),
    )
