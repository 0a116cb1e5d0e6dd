"""Rows of ``Apple Music - Play History Daily Tracks.csv`` → one record per day and track.

Columns (matched by name, see ``columns``): ``Track Identifier`` (a library track's id, the
key of ``Apple Music Library Tracks.json``), ``Track Description`` (``"Artist - Title"``),
``Date Played`` (``YYYYMMDD``), ``Hours`` (the hours of the day it was played, ``"9, 10"``),
``Play Duration Milliseconds``, ``Play Count``, ``Skip Count``, ``End Reason Type``,
``Source Type``, ``Media type``, ``Ignore For Recommendations``; ``Country`` is personal.

**Natural key.** ``day_key`` hashes the day, the track (its identifier, else its normalised
description), the source type and the media type. Apple's file may hold several rows for one
key (the same track from two sources in a day): they are added up. A newer export's row for a
key replaces the older one's counts, so a day exported half-way and again later ends with the
later counts, never twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from amsync.history.columns import Layout, stored_text
from amsync.history.linking import normalise
from amsync.history.play_activity import RowSkip, parse_ms


@dataclass(slots=True)
class DayRecord:
    day_key: str
    played_on: date
    track_identifier: str | None
    description: str | None
    name: str | None
    artist: str | None
    hours: str | None
    plays: int
    skips: int
    play_ms: int | None
    end_reason: str | None
    source_type: str | None
    media_type: str | None
    ignore_for_recommendations: bool | None
    personal: dict[str, str] | None


def parse_day(text: str) -> date:
    value = text.strip()
    if len(value) == 8 and value.isdigit():
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    return datetime.fromisoformat(value[:10]).date()


def parse_hours(text: str) -> str | None:
    """``"9, 10"`` → ``"9,10"`` (hours 0–23, sorted, once each); None when there are none."""
    hours: set[int] = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit() and int(part) < 24:
            hours.add(int(part))
    return ",".join(str(h) for h in sorted(hours)) or None


def _hours(text: str) -> str | None:
    hours = parse_hours(text) if text else None
    return hours[:128] if hours else None


def _count(text: str) -> int:
    value = parse_ms(text)
    return 0 if value is None or value >= 1 << 31 else value


def _flag(text: str) -> bool | None:
    value = text.strip().casefold()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    return None


def split_description(description: str | None) -> tuple[str | None, str | None]:
    """``(artist, title)`` split at the first ``" - "`` — a guess, used only for display when
    Library Tracks.json does not name the track."""
    if not description:
        return None, None
    if " - " not in description:
        return None, description
    artist, title = description.split(" - ", 1)
    return artist or None, title or None


def day_key(played_on: date, track: str, source_type: str | None, media_type: str | None) -> str:
    text = f"{played_on.isoformat()}\x1f{track}\x1f{source_type or ''}\x1f{media_type or ''}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_FIELDS: Final = (
    "track_identifier",
    "description",
    "date",
    "source_type",
    "media_type",
    "hours",
    "plays",
    "skips",
    "play_ms",
    "end_reason",
    "ignore",
)


DayRow = tuple[str, ...]
DayKey = tuple[str, DayRow, dict[str, str] | None, int, str, str]


class DayParser:
    """Turns a daily history file's rows into day records in two steps, like
    ``play_activity.PlayParser``: ``key`` and ``record`` (``RowSkip`` when unreadable)."""

    def __init__(self, layout: Layout, keep_personal: bool) -> None:
        self._values = layout.getter(_FIELDS)
        self._layout = layout
        self._personal = keep_personal and bool(layout.personal)
        # dates and hour lists repeat row after row: parse each once (bounded)
        self._days: dict[str, date] = {}
        self._hours: dict[str, str | None] = {}

    def day(self, text: str) -> date:
        found = self._days.get(text)
        if found is None:
            if len(self._days) > 100_000:
                self._days.clear()
            found = self._days[text] = parse_day(text)
        return found

    def _hour_list(self, text: str) -> str | None:
        try:
            return self._hours[text]
        except KeyError:
            if len(self._hours) > 100_000:
                self._hours.clear()
            found = self._hours[text] = _hours(text)
            return found

    def key(self, row: list[str]) -> DayKey:
        """The row's natural key, its values, its personal columns (when kept), its day (an
        ordinal), track identifier and description: cheap, what a re-import needs to tell a
        known row."""
        personal = self._layout.personal_values(row) if self._personal else None
        values = self._values(row)
        identifier = values[0].strip()[:64]
        description = values[1].strip()
        if not identifier and not description:
            raise RowSkip("no track identifier or description")
        try:
            played_on = self.day(values[2])
        except (ValueError, OverflowError):
            raise RowSkip("unreadable date") from None
        if played_on.year < 2001:
            raise RowSkip("date before 2001")
        track = f"id:{identifier}" if identifier else f"text:{normalise(description)}"
        source_type = values[3].strip()[:64]
        media_type = values[4].strip()[:32]
        key = day_key(played_on, track, source_type, media_type)
        return key, values, personal, played_on.toordinal(), identifier, description

    def record(self, key: str, values: DayRow, personal: dict[str, str] | None) -> DayRecord:
        (
            identifier_text,
            description_text,
            date_text,
            source_text,
            media_text,
            hours,
            plays,
            skips,
            play_ms,
            end_reason,
            ignore,
        ) = values
        description = stored_text(description_text.strip()) or None
        artist, name = split_description(description)
        return DayRecord(
            day_key=key,
            played_on=self.day(date_text),
            track_identifier=identifier_text.strip()[:64] or None,
            description=description,
            name=name,
            artist=artist,
            hours=self._hour_list(hours),
            plays=_count(plays),
            skips=_count(skips),
            play_ms=parse_ms(play_ms),
            end_reason=stored_text(end_reason.strip()[:64]) or None,
            source_type=stored_text(source_text.strip()[:64]) or None,
            media_type=stored_text(media_text.strip()[:32]) or None,
            ignore_for_recommendations=_flag(ignore),
            personal=personal,
        )
