"""Rows of ``Apple Music Play Activity.csv`` → play records.

**What counts as a play.** Rows whose ``Event Type`` is ``PLAY_END``, or that have no event
type (older exports). Other types (``PLAY_START``, ``LYRIC_DISPLAY``, …) describe the same plays
from another angle or are not plays; they are counted and not stored. (A Rust parser of the
export counts ``PLAY_END`` rows only, for the same reason.)

**When.** ``played_at`` is ``Event Start Timestamp``, or ``Event End Timestamp`` when the start
is empty (as acoullandreau/apple_music_analyser does). ISO 8601, with or without milliseconds;
``Z``, an offset, or none (taken as UTC); epoch seconds or milliseconds are read too. A row
with neither, an unreadable one or one before 2001 is skipped and listed.

**Skipped.** A play is ``skipped`` when the listener moved on early: ``End Reason Type`` is
``TRACK_SKIPPED_FORWARDS``, ``TRACK_SKIPPED_BACKWARDS`` (any reason naming a skip) or
``MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM``, *and* less than half of the media's duration
was played (when both durations are known). A natural end, a pause, a failed load or a play
past the middle is not a skip. (acoullandreau calls a play complete at
``NATURAL_END_OF_TRACK`` or a play at least the media's length; another parser calls less
than 10 % a skip; ours follows what the listener did, bounded by how much they heard.)

**Natural key.** ``event_key`` is a 128-bit BLAKE2b hash of the moment played (UTC, to the
millisecond, spelled ``YYYY-MM-DDTHH:MM:SS.mmmZ``, and whether it is the start or the end
time), the normalised song name and the normalised album name. The same event in an older
and a newer export has the same key even when the files' columns differ in order, names
(``Content Name`` / ``Song Name``) or number, so importing overlapping exports adds each play
once. No one starts the same song twice in the same millisecond.

Durations that are empty, not numbers or negative are stored as unknown (NULL).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from amsync.history.columns import Layout, stored_text
from amsync.history.linking import normalise, normalise_album

PLAY_TYPES: Final = frozenset({"PLAY_END", ""})
SKIP_REASONS: Final = frozenset(
    {
        "TRACK_SKIPPED_FORWARDS",
        "TRACK_SKIPPED_BACKWARDS",
        "MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM",
    }
)
EARLIEST: Final = datetime(2001, 1, 1, tzinfo=UTC)


class RowSkip(Exception):
    """A row that is not stored, and why (a short phrase shown grouped in the report)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class PlayRecord:
    event_key: str
    played_at: datetime
    ended_at: datetime | None
    name: str
    artist: str | None
    album: str | None
    catalog_id: str | None
    event_type: str | None
    play_ms: int | None
    media_ms: int | None
    start_position_ms: int | None
    end_position_ms: int | None
    end_reason: str | None
    skipped: bool
    feature: str | None
    source_type: str | None
    media_type: str | None
    container_type: str | None
    container_name: str | None
    personal: dict[str, str] | None


def parse_time(text: str) -> datetime | None:
    """A timestamp of Apple's files as an aware UTC datetime; None when empty; ValueError when
    it cannot be read."""
    value = text.strip()
    if not value:
        return None
    if value.isdigit():
        if len(value) not in (10, 13):
            raise ValueError(value)
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_ms(text: str) -> int | None:
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        try:
            number = int(float(text))
        except (ValueError, OverflowError):
            return None
    return number if 0 <= number < 1 << 62 else None


def is_skip(end_reason: str | None, play_ms: int | None, media_ms: int | None) -> bool:
    if not end_reason:
        return False
    reason = end_reason.upper()
    if reason not in SKIP_REASONS and "SKIP" not in reason:
        return False
    if play_ms is not None and media_ms:
        return play_ms * 2 < media_ms
    return True


def canonical_stamp(text: str) -> str:
    """A timestamp as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (UTC, milliseconds): the spelling of the
    natural key. Apple's own spelling is this already and is taken as it is."""
    if len(text) == 24 and text[19] == "." and text[10] == "T" and text[23] == "Z":
        return text
    try:
        moment = parse_time(text)
    except (ValueError, OverflowError, OSError):
        raise RowSkip("unreadable timestamp") from None
    assert moment is not None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event_key(which: str, stamp: str, name: str, album: str | None) -> str:
    """The natural key of a play: ``which`` time (start or end) as ``canonical_stamp``, the
    normalised song name and album name."""
    text = f"{which}\x1f{stamp}\x1f{normalise(name)}\x1f{normalise_album(album)}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_FIELDS: Final = (
    "event_type",
    "name",
    "start",
    "end",
    "album",
    "artist",
    "catalog_id",
    "play_ms",
    "media_ms",
    "start_position",
    "end_position",
    "end_reason",
    "feature",
    "source_type",
    "media_type",
    "container_type",
    "container_name",
)


def _times(start_text: str, end_text: str) -> tuple[datetime, datetime | None]:
    try:
        start = parse_time(start_text)
        end = parse_time(end_text)
    except (ValueError, OverflowError, OSError):
        raise RowSkip("unreadable timestamp") from None
    played = start if start is not None else end
    if played is None:
        raise RowSkip("no timestamp")
    if played < EARLIEST:
        raise RowSkip("timestamp before 2001")
    return played, end


_SHORT: dict[tuple[str, int], str | None] = {}


def _cut(value: str, limit: int) -> str | None:
    """A short, repetitive value (a reason, a type) as stored; each spelling worked out once."""
    try:
        return _SHORT[(value, limit)]
    except KeyError:
        pass
    stripped = value.strip()
    found = stored_text(stripped[:limit]) if stripped else None
    if len(_SHORT) < 10_000:
        _SHORT[(value, limit)] = found
    return found


def _text(value: str) -> str | None:
    value = value.strip()
    return stored_text(value) if value else None


PlayRow = tuple[str, ...]


class PlayParser:
    """Turns a Play Activity file's rows into play records, in two steps: ``key`` (cheap: what
    a re-import needs to tell a known event) and ``record`` (the whole row, for new events).
    Both raise ``RowSkip`` for a row that is not a play or cannot be read."""

    def __init__(self, layout: Layout, keep_personal: bool) -> None:
        self._values = layout.getter(_FIELDS)
        self._layout = layout
        self._personal = keep_personal and bool(layout.personal)

    def key(self, row: list[str]) -> tuple[str, PlayRow, dict[str, str] | None]:
        """The event key, the row's values and its personal columns (when kept)."""
        personal = self._layout.personal_values(row) if self._personal else None
        values = self._values(row)
        event_type = values[0].strip().upper()
        if event_type not in PLAY_TYPES:
            raise RowSkip(f"not a play: event type {event_type[:40]}")
        name = values[1].strip()
        if not name:
            raise RowSkip("no song name")
        start = values[2].strip()
        which, stamp = ("start", start) if start else ("end", values[3].strip())
        if not stamp:
            raise RowSkip("no timestamp")
        canonical = canonical_stamp(stamp)
        if canonical < "2001":
            raise RowSkip("timestamp before 2001")
        return event_key(which, canonical, stored_text(name), values[4].strip()), values, personal

    def record(self, key: str, values: PlayRow, personal: dict[str, str] | None) -> PlayRecord:
        (
            event_type,
            name,
            start,
            end,
            album,
            artist,
            catalog_id,
            play_text,
            media_text,
            start_position,
            end_position,
            end_reason,
            feature,
            source_type,
            media_type,
            container_type,
            container_name,
        ) = values
        played_at, ended_at = _times(start, end)
        play_ms = parse_ms(play_text)
        media_ms = parse_ms(media_text)
        reason = _cut(end_reason, 64)
        event_type = event_type.strip().upper()
        return PlayRecord(
            event_key=key,
            played_at=played_at,
            ended_at=ended_at,
            name=stored_text(name.strip()),
            artist=_text(artist),
            album=_text(album),
            catalog_id=_cut(catalog_id, 64),
            event_type=event_type[:64] or None,
            play_ms=play_ms,
            media_ms=media_ms,
            start_position_ms=parse_ms(start_position),
            end_position_ms=parse_ms(end_position),
            end_reason=reason,
            skipped=is_skip(reason, play_ms, media_ms),
            feature=_cut(feature, 1000),
            source_type=_cut(source_type, 64),
            media_type=_cut(media_type, 32),
            container_type=_cut(container_type, 64),
            container_name=_text(container_name),
            personal=personal,
        )
