"""Questions to the listening history (imported from Apple's privacy export by
``amsync import apple-data``): the most played songs, artists and albums of a period, the
listening section of ``amsync stats``, a song's plays for ``amsync show song``, and the
``plays`` / ``last_played_at`` columns of the exports.

A *play* counts when it was not skipped (``play_events.skipped``, see
``amsync.history.play_activity``); skips are counted apart; listening time adds up every
play's milliseconds, skipped ones too (that music was heard). Plays linked to a mirrored song
are counted per song and shown with the song's name, artist and album; plays that were not
linked are counted by the name, artist and album Apple's file gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.timestamps import iso_utc, parse_moment
from amsync.errors import UsageError
from amsync.query.snapshot import snapshot

KINDS: Final = ("songs", "artists", "albums")
ORDERS: Final = ("plays", "time")
_YEAR: Final = re.compile(r"^\d{4}$")


class iso_utc_text(FunctionElement[str]):
    """A UTC timestamp column as ISO 8601 text ``YYYY-MM-DDTHH:MM:SSZ`` (the spelling of the
    documented views), computed by the database."""

    type = String()
    name = "iso_utc_text"
    inherit_cache = True


@compiles(iso_utc_text, "sqlite")
def _iso_utc_sqlite(element: iso_utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(element.clauses, **kw)})"


@compiles(iso_utc_text)
def _iso_utc_postgres(element: iso_utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def _stamp(value: datetime | None) -> str | None:
    return iso_utc(value)


def _moment(value: str, option: str) -> datetime:
    """A date (``2025-03-01``) or a time (UTC unless it says otherwise)."""
    try:
        return parse_moment(value)
    except ValueError:
        raise UsageError(
            f"{option} {value!r} is neither a date (2025-03-01) nor a time (2025-03-01T12:00:00Z)"
        ) from None


@dataclass(frozen=True)
class Period:
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, year: str | None, since: str | None) -> Period:
        if year is not None and since is not None:
            raise UsageError("give --year or --since, not both")
        if year is not None:
            if not _YEAR.match(year.strip()):
                raise UsageError(f"--year {year!r} is not a year like 2025")
            number = int(year)
            if number < 1:
                raise UsageError(f"--year {year!r} is not a year like 2025")
            end = datetime(number + 1, 1, 1, tzinfo=UTC) if number < 9999 else None
            return cls(datetime(number, 1, 1, tzinfo=UTC), end)
        if since is not None:
            return cls(_moment(since, "--since"), None)
        return cls()

    def describe(self) -> str:
        if self.start is None:
            return "all time"
        if self.end is not None and self.start.month == 1 and self.start.day == 1:
            return str(self.start.year)
        return f"since {_stamp(self.start)}"


def has_history(connection: Connection, account_id: int) -> bool:
    events = tables.play_events
    found = connection.execute(select(exists().where(events.c.account_id == account_id))).scalar()
    return bool(found)


def _played() -> Any:
    return func.sum(case((tables.play_events.c.skipped, 0), else_=1))


def _skipped() -> Any:
    return func.sum(case((tables.play_events.c.skipped, 1), else_=0))


def _events_in(account_id: int, period: Period) -> list[Any]:
    e = tables.play_events
    conditions = [e.c.account_id == account_id]
    if period.start is not None:
        conditions.append(e.c.played_at >= period.start)
    if period.end is not None:
        conditions.append(e.c.played_at < period.end)
    return conditions


def _top_songs(account_id: int, period: Period, by: str, limit: int) -> Select[Any]:
    e, s = tables.play_events, tables.songs
    unlinked = e.c.library_id.is_(None)
    grouped = (
        select(
            e.c.library_id,
            case((unlinked, e.c.name)).label("u_name"),
            case((unlinked, e.c.artist)).label("u_artist"),
            case((unlinked, e.c.album)).label("u_album"),
            _played().label("plays"),
            _skipped().label("skips"),
            func.coalesce(func.sum(e.c.play_ms), 0).label("play_ms"),
            func.max(e.c.played_at).label("last_played_at"),
        )
        .where(*_events_in(account_id, period))
        .group_by(e.c.library_id, "u_name", "u_artist", "u_album")
        .subquery("grouped")
    )
    g = grouped.c
    order = [g.plays.desc(), g.play_ms.desc()] if by == "plays" else [g.play_ms.desc()]
    return (
        select(
            g.plays,
            g.skips,
            g.play_ms,
            func.coalesce(s.c.name, g.u_name).label("name"),
            func.coalesce(s.c.artist, g.u_artist).label("artist"),
            func.coalesce(s.c.album, g.u_album).label("album"),
            g.library_id,
            iso_utc_text(g.last_played_at).label("last_played_at"),
        )
        .select_from(grouped)
        .outerjoin(s, and_(s.c.account_id == account_id, s.c.library_id == g.library_id))
        .order_by(*order, "name")
        .limit(limit)
    )


def _joined(account_id: int, period: Period) -> Any:
    e, s = tables.play_events, tables.songs
    return (
        select(
            e.c.skipped,
            e.c.play_ms,
            e.c.library_id,
            e.c.name,
            func.coalesce(s.c.artist, e.c.artist).label("artist"),
            func.coalesce(s.c.album, e.c.album).label("album"),
        )
        .select_from(e)
        .outerjoin(s, and_(s.c.account_id == e.c.account_id, s.c.library_id == e.c.library_id))
        .where(*_events_in(account_id, period))
        .subquery("joined")
    )


def _top_groups(account_id: int, period: Period, by: str, limit: int, kind: str) -> Select[Any]:
    j = _joined(account_id, period)
    plays = func.sum(case((j.c.skipped, 0), else_=1)).label("plays")
    skips = func.sum(case((j.c.skipped, 1), else_=0)).label("skips")
    play_ms = func.coalesce(func.sum(j.c.play_ms), 0).label("play_ms")
    songs = func.count(distinct(func.coalesce(j.c.library_id, j.c.name))).label("songs")
    keys: list[Any] = [j.c.artist] if kind == "artists" else [j.c.album, j.c.artist]
    first = keys[0]
    order = [plays.desc(), play_ms.desc()] if by == "plays" else [play_ms.desc()]
    return (
        select(plays, skips, play_ms, *keys, songs)
        .where(first.is_not(None), first != "")
        .group_by(*keys)
        .order_by(*order, *keys)
        .limit(limit)
    )


def top_played(
    store: Store,
    account_id: int,
    kind: str,
    period: Period,
    *,
    by: str = "plays",
    limit: int = 20,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The most played ``kind`` (songs, artists, albums) of ``period``: columns and rows,
    ranked from 1; ``hours`` is listening time."""
    if kind not in KINDS:
        raise UsageError(f"amsync top {kind}: choose songs, artists or albums")
    with snapshot(store) as connection:
        if kind == "songs":
            rows = connection.execute(_top_songs(account_id, period, by, limit)).all()
            columns = ["rank", "plays", "skips", "hours", "name", "artist", "album"]
            columns += ["library_id", "last_played_at"]
            return columns, [
                (
                    rank,
                    r.plays,
                    r.skips,
                    _hours(r.play_ms),
                    r.name,
                    r.artist,
                    r.album,
                    r.library_id,
                    r.last_played_at,
                )
                for rank, r in enumerate(rows, 1)
            ]
        rows = connection.execute(_top_groups(account_id, period, by, limit, kind)).all()
        if kind == "artists":
            columns = ["rank", "plays", "skips", "hours", "artist", "songs"]
            return columns, [
                (rank, r.plays, r.skips, _hours(r.play_ms), r.artist, r.songs)
                for rank, r in enumerate(rows, 1)
            ]
        columns = ["rank", "plays", "skips", "hours", "album", "artist", "songs"]
        return columns, [
            (rank, r.plays, r.skips, _hours(r.play_ms), r.album, r.artist, r.songs)
            for rank, r in enumerate(rows, 1)
        ]


def _hours(play_ms: Any) -> float:
    return round(int(play_ms or 0) / 3_600_000, 1)


def listening_summary(connection: Connection, account_id: int) -> dict[str, Any] | None:
    """The listening section of ``amsync stats``; None when nothing was imported."""
    e = tables.play_events
    imports = tables.listening_imports
    row = connection.execute(
        select(
            func.count(),
            _played(),
            _skipped(),
            func.count(e.c.library_id),
            func.coalesce(func.sum(e.c.play_ms), 0),
            func.min(e.c.played_at),
            func.max(e.c.played_at),
        ).where(e.c.account_id == account_id)
    ).one()
    made = connection.execute(
        select(func.count(), func.max(imports.c.finished_at)).where(
            imports.c.account_id == account_id, imports.c.finished_at.is_not(None)
        )
    ).one()
    if not made[0]:
        return None
    days = connection.execute(
        select(func.count()).where(tables.play_days.c.account_id == account_id)
    ).scalar()
    tracks = connection.execute(
        select(func.count()).where(tables.library_track_counts.c.account_id == account_id)
    ).scalar()
    events = int(row[0] or 0)
    return {
        "play_events": events,
        "plays": int(row[1] or 0),
        "skips": int(row[2] or 0),
        "linked": int(row[3] or 0),
        "linked_share": round(int(row[3] or 0) / events, 4) if events else None,
        "hours": _hours(row[4]),
        "first_played_at": _stamp(row[5]),
        "last_played_at": _stamp(row[6]),
        "daily_rows": int(days or 0),
        "library_tracks": int(tracks or 0),
        "imports": int(made[0]),
        "last_import_at": _stamp(made[1]),
    }


def song_listening(connection: Connection, account_id: int, library_id: str) -> dict[str, Any]:
    """A mirrored song's plays, skips, first and last play and listening time; Apple's own
    counters (Library Tracks.json) when the export linked a library track to it."""
    e, t = tables.play_events, tables.library_track_counts
    row = connection.execute(
        select(
            _played(),
            _skipped(),
            func.coalesce(func.sum(e.c.play_ms), 0),
            func.min(e.c.played_at),
            func.max(e.c.played_at),
        ).where(e.c.account_id == account_id, e.c.library_id == library_id)
    ).one()
    apple = connection.execute(
        select(t.c.play_count, t.c.skip_count)
        .where(t.c.account_id == account_id, t.c.library_id == library_id)
        .order_by(t.c.play_count.desc())
        .limit(1)
    ).first()
    return {
        "plays": int(row[0] or 0),
        "skips": int(row[1] or 0),
        "hours": _hours(row[2]),
        "first_played_at": _stamp(row[3]),
        "last_played_at": _stamp(row[4]),
        "apple_play_count": None if apple is None else apple.play_count,
        "apple_skip_count": None if apple is None else apple.skip_count,
    }


def song_plays(account_id: int) -> Any:
    """Per linked song: ``plays`` and ``last_played_at`` (a subquery the exports join)."""
    e = tables.play_events
    return (
        select(
            e.c.library_id,
            _played().label("plays"),
            func.max(e.c.played_at).label("last_played_at"),
        )
        .where(e.c.account_id == account_id, e.c.library_id.is_not(None))
        .group_by(e.c.library_id)
        .subquery("song_plays")
    )


__all__ = [
    "KINDS",
    "ORDERS",
    "Period",
    "has_history",
    "iso_utc_text",
    "listening_summary",
    "song_listening",
    "song_plays",
    "top_played",
]
