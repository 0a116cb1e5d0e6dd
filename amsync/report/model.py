"""What a report holds: plain values the page and ``--format json`` are both made from.

Listening time is kept in milliseconds and shown in hours; plays are plays not skipped (as in
``amsync top``); days are UTC days, like the period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def hours(play_ms: int | float) -> float:
    return round(float(play_ms) / 3_600_000, 1)


@dataclass(slots=True)
class Headline:
    plays: int = 0
    skips: int = 0
    play_ms: int = 0
    songs: int = 0
    artists: int = 0
    albums: int = 0
    days: int = 0
    longest_streak: int = 0
    streak_start: str | None = None
    streak_end: str | None = None
    busiest_day: str | None = None
    busiest_day_ms: int = 0

    @property
    def hours(self) -> float:
        return hours(self.play_ms)

    @property
    def skip_rate(self) -> float | None:
        heard = self.plays + self.skips
        return round(self.skips / heard, 4) if heard else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hours"] = self.hours
        data["skip_rate"] = self.skip_rate
        data["busiest_day_hours"] = hours(self.busiest_day_ms)
        return data


@dataclass(slots=True)
class Point:
    """One bar of a series: a day, week, month or year."""

    label: str
    plays: int = 0
    skips: int = 0
    play_ms: int = 0

    @property
    def hours(self) -> float:
        return hours(self.play_ms)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hours": self.hours}


@dataclass(slots=True)
class Series:
    unit: str  # day | week | month | year
    points: list[Point] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "points": [p.as_dict() for p in self.points]}


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(slots=True)
class Clock:
    """Plays by weekday (0 = Monday) and hour of the listener's day."""

    plays: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    basis: str = ""  # how local time was found, in words
    from_export: int = 0  # plays placed by the export's own UTC offset
    from_zone: int = 0  # plays placed by a time zone

    @property
    def total(self) -> int:
        return sum(map(sum, self.plays))

    def as_dict(self) -> dict[str, Any]:
        return {
            "weekdays": list(WEEKDAYS),
            "plays": self.plays,
            "basis": self.basis,
            "from_export_offset": self.from_export,
            "from_time_zone": self.from_zone,
        }


@dataclass(slots=True)
class ArtistsOverTime:
    unit: str
    labels: list[str] = field(default_factory=list)
    plays: dict[str, list[int]] = field(default_factory=dict)  # artist → plays per label

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "labels": self.labels,
            "artists": [{"artist": a, "plays": p} for a, p in self.plays.items()],
        }


@dataclass(slots=True)
class Discoveries:
    """Plays of songs first heard in the period (for all time: in the year of the play)
    against songs heard before."""

    unit: str = "month"
    new_songs: int = 0
    new_artists: int = 0
    new_plays: int = 0
    known_plays: int = 0
    by_time: list[tuple[str, int, int]] = field(default_factory=list)  # label, new, known
    top_new: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["by_time"] = [{"label": a, "new": b, "known": c} for a, b, c in self.by_time]
        return data


@dataclass(slots=True)
class Skips:
    unit: str = "month"
    by_time: list[Point] = field(default_factory=list)
    most_skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "by_time": [
                {**p.as_dict(), "skip_rate": round(p.skips / (p.plays + p.skips), 4)}
                for p in self.by_time
                if p.plays + p.skips
            ],
            "most_skipped": self.most_skipped,
        }


@dataclass(slots=True)
class TopList:
    """``amsync top KIND --by BY``'s rows for the period (the same query), as objects."""

    kind: str
    by: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    artwork: list[str | None] = field(default_factory=list)  # Apple's URL template per row

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "artwork_urls": self.artwork}


@dataclass(slots=True)
class Library:
    added_by_month: list[tuple[str, int]] = field(default_factory=list)
    songs_added: int = 0
    playlists_created: list[dict[str, Any]] = field(default_factory=list)
    playlists_changed: int = 0
    playlist_revisions: int = 0
    biggest_changes: list[dict[str, Any]] = field(default_factory=list)
    favourites: dict[str, int] = field(default_factory=dict)
    favourites_played: list[dict[str, Any]] = field(default_factory=list)
    lost: dict[str, Any] | None = None  # only when songs were lost in the period (lost_v)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["added_by_month"] = [{"month": m, "songs": n} for m, n in self.added_by_month]
        return data


@dataclass(slots=True)
class Replay:
    """Apple's own Replay of the year beside amsync's count of the same songs, albums and
    artists."""

    year: int
    kept: bool = False
    first_seen_at: str | None = None
    last_seen_at: str | None = None
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
