"""Questions to the listening history (imported from Apple's privacy export by
``amsync import apple-data``): the most played songs, artists and albums of a period, the
listening section of ``amsync stats`` and a song's plays for ``amsync show song``.

Plain SQL on a ``Reader`` (both backends; the CLI reads an SQLite mirror without loading
SQLAlchemy, see ``amsync.db.reading``). This module imports no SQLAlchemy.

A *play* counts when it was not skipped (``play_events.skipped``, see
``amsync.history.play_activity``); skips are counted apart; listening time adds up every
play's milliseconds, skipped ones too (that music was heard). Plays linked to a mirrored song
are counted per song and shown with the song's name, artist and album; plays that were not
linked are counted by the name and album Apple's file gave, and the artist it gave or, for
Apple's newer files without one, the artist ``amsync listens fill`` found (``play_fills``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import Reader, first, iso_sql, moment_parameter, scalar
from amsync.domain.timestamps import iso_utc, parse_moment
from amsync.errors import UsageError
from amsync.query.snapshot import reading

if TYPE_CHECKING:
    from amsync.db.store import Store

KINDS: Final = ("songs", "artists", "albums")
ORDERS: Final = ("plays", "time")
_YEAR: Final = re.compile(r"^\d{4}$")
_PLAYED: Final = "SUM(CASE WHEN {t}.skipped THEN 0 ELSE 1 END)"
_SKIPPED: Final = "SUM(CASE WHEN {t}.skipped THEN 1 ELSE 0 END)"


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
            if not _YEAR.match(year.strip()) or int(year) < 1:
                raise UsageError(f"--year {year!r} is not a year like 2025")
            number = int(year)
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
        return f"since {iso_utc(self.start)}"

    def condition(self, reader: Reader, alias: str) -> tuple[str, dict[str, Any]]:
        """SQL (``AND …``) keeping the plays of the period, and its parameters."""
        sql, params = "", {}
        if self.start is not None:
            sql += f" AND {alias}.played_at >= :start"
            params["start"] = moment_parameter(reader, self.start)
        if self.end is not None:
            sql += f" AND {alias}.played_at < :end"
            params["end"] = moment_parameter(reader, self.end)
        return sql, params


def has_history(reader: Reader, account_id: int) -> bool:
    found = first(
        reader,
        "SELECT 1 FROM play_events WHERE account_id = :account LIMIT 1",
        {"account": account_id},
    )
    return found is not None


def _hours(play_ms: Any) -> float:
    return round(int(play_ms or 0) / 3_600_000, 1)


_RANKS: Final = "r_plays, r_time"


def _ranked(sql: str, orders: dict[str, str], by: str | None) -> str:
    """``sql`` (a select whose rows are ranked) with each order's row number as ``r_plays`` and
    ``r_time``, kept to the first ``:limit`` of ``by`` (None: of either order)."""
    numbers = ", ".join(f"ROW_NUMBER() OVER (ORDER BY {orders[o]}) AS r_{o}" for o in ORDERS)
    keep = f"r_{by} <= :limit" if by else "r_plays <= :limit OR r_time <= :limit"
    return f"SELECT * FROM (SELECT x.*, {numbers} FROM ({sql}) x) y WHERE {keep}"


def _top_songs(
    reader: Reader, account_id: int, period: Period, by: str | None, limit: int
) -> list[Any]:
    during, params = period.condition(reader, "e")
    ties = "name, artist, album, library_id"
    orders = {"plays": f"plays DESC, play_ms DESC, {ties}", "time": f"play_ms DESC, {ties}"}
    sql = f"""
SELECT g.plays, g.skips, g.play_ms, COALESCE(s.name, g.u_name) AS name,
       COALESCE(s.artist, g.u_artist) AS artist, COALESCE(s.album, g.u_album) AS album,
       g.library_id, {iso_sql(reader, "g.last_played_at")} AS last_played_at
FROM (
    SELECT e.library_id,
           CASE WHEN e.library_id IS NULL THEN e.name END AS u_name,
           CASE WHEN e.library_id IS NULL THEN COALESCE(e.artist, f.artist) END AS u_artist,
           CASE WHEN e.library_id IS NULL THEN e.album END AS u_album,
           {_PLAYED.format(t="e")} AS plays, {_SKIPPED.format(t="e")} AS skips,
           COALESCE(SUM(e.play_ms), 0) AS play_ms, MAX(e.played_at) AS last_played_at
    FROM play_events e
    LEFT JOIN play_fills f ON f.play_event_id = e.id
    WHERE e.account_id = :account{during}
    GROUP BY 1, 2, 3, 4
) g
LEFT JOIN songs s ON s.account_id = :account AND s.library_id = g.library_id"""
    return reader.rows(_ranked(sql, orders, by), {"account": account_id, "limit": limit, **params})


def _top_groups(
    reader: Reader, account_id: int, period: Period, by: str | None, limit: int, kind: str
) -> list[Any]:
    during, params = period.condition(reader, "e")
    keys = "j.artist" if kind == "artists" else "j.album, j.artist"
    first_key = keys.split(",")[0]
    names = "artist" if kind == "artists" else "album, artist"
    orders = {"plays": f"plays DESC, play_ms DESC, {names}", "time": f"play_ms DESC, {names}"}
    sql = f"""
SELECT {_PLAYED.format(t="j")} AS plays, {_SKIPPED.format(t="j")} AS skips,
       COALESCE(SUM(j.play_ms), 0) AS play_ms, {keys},
       COUNT(DISTINCT COALESCE(j.library_id, j.name)) AS songs
FROM (
    SELECT e.skipped, e.play_ms, e.library_id, e.name,
           COALESCE(s.artist, e.artist, f.artist) AS artist, COALESCE(s.album, e.album) AS album
    FROM play_events e
    LEFT JOIN songs s ON s.account_id = e.account_id AND s.library_id = e.library_id
    LEFT JOIN play_fills f ON f.play_event_id = e.id
    WHERE e.account_id = :account{during}
) j
WHERE {first_key} IS NOT NULL AND {first_key} <> ''
GROUP BY {keys}"""
    return reader.rows(_ranked(sql, orders, by), {"account": account_id, "limit": limit, **params})


def _listing(kind: str, found: list[Any], rank_at: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows as ``amsync top`` shows them, ranked by the row number at ``rank_at``."""
    ordered = sorted(found, key=lambda row: row[rank_at])
    if kind == "songs":
        columns = ["rank", "plays", "skips", "hours", "name", "artist", "album"]
        columns += ["library_id", "last_played_at"]
        return columns, [
            (row[rank_at], plays, skips, _hours(ms), name, artist, album, library_id, last)
            for row in ordered
            for plays, skips, ms, name, artist, album, library_id, last in [row[:8]]
        ]
    if kind == "artists":
        columns = ["rank", "plays", "skips", "hours", "artist", "songs"]
        return columns, [
            (row[rank_at], plays, skips, _hours(ms), artist, songs)
            for row in ordered
            for plays, skips, ms, artist, songs in [row[:5]]
        ]
    columns = ["rank", "plays", "skips", "hours", "album", "artist", "songs"]
    return columns, [
        (row[rank_at], plays, skips, _hours(ms), album, artist, songs)
        for row in ordered
        for plays, skips, ms, album, artist, songs in [row[:6]]
    ]


def _found(
    reader: Reader, account_id: int, kind: str, period: Period, by: str | None, limit: int
) -> list[Any]:
    if kind not in KINDS:
        raise UsageError(f"amsync top {kind}: choose songs, artists or albums")
    if kind == "songs":
        return _top_songs(reader, account_id, period, by, limit)
    return _top_groups(reader, account_id, period, by, limit, kind)


def top_rankings(
    source: Store | Reader, account_id: int, kind: str, period: Period, *, limit: int = 20
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """``top_played`` by plays and by time at once (one pass over the plays): ``{"plays":
    (columns, rows), "time": (columns, rows)}``, each exactly what ``top_played`` gives."""
    with reading(source) as reader:
        found = _found(reader, account_id, kind, period, None, limit)
    width = len(found[0]) - 2 if found else 0
    return {
        by: _listing(kind, [r for r in found if r[width + i] <= limit], width + i)
        for i, by in enumerate(ORDERS)
    }


def top_played(
    source: Store | Reader,
    account_id: int,
    kind: str,
    period: Period,
    *,
    by: str = "plays",
    limit: int = 20,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The most played ``kind`` (songs, artists, albums) of ``period``: columns and rows,
    ranked from 1; ``hours`` is listening time. Ties keep a fixed order (by name, then the
    other names)."""
    if by not in ORDERS:
        raise UsageError(f"rank by plays or time, not {by!r}")
    with reading(source) as reader:
        found = _found(reader, account_id, kind, period, by, limit)
    width = len(found[0]) - 2 if found else 0
    return _listing(kind, found, width + ORDERS.index(by))


def listening_summary(reader: Reader, account_id: int) -> dict[str, Any] | None:
    """The listening section of ``amsync stats``; None when nothing was imported."""
    params = {"account": account_id}
    made = first(
        reader,
        f"SELECT count(*), {iso_sql(reader, 'MAX(finished_at)')} FROM listening_imports "
        "WHERE account_id = :account AND finished_at IS NOT NULL",
        params,
    )
    if made is None or not made[0]:
        return None
    row = first(
        reader,
        f"SELECT count(*), {_PLAYED.format(t='e')}, {_SKIPPED.format(t='e')}, "
        f"count(e.library_id), COALESCE(SUM(e.play_ms), 0), "
        f"{iso_sql(reader, 'MIN(e.played_at)')}, {iso_sql(reader, 'MAX(e.played_at)')} "
        "FROM play_events e WHERE e.account_id = :account",
        params,
    )
    assert row is not None
    days = scalar(reader, "SELECT count(*) FROM play_days WHERE account_id = :account", params)
    tracks = scalar(
        reader, "SELECT count(*) FROM library_track_counts WHERE account_id = :account", params
    )
    events, linked = int(row[0] or 0), int(row[3] or 0)
    return {
        "play_events": events,
        "plays": int(row[1] or 0),
        "skips": int(row[2] or 0),
        "linked": linked,
        "linked_share": round(linked / events, 4) if events else None,
        "hours": _hours(row[4]),
        "first_played_at": row[5],
        "last_played_at": row[6],
        "daily_rows": int(days or 0),
        "library_tracks": int(tracks or 0),
        "imports": int(made[0]),
        "last_import_at": made[1],
    }


def song_listening(reader: Reader, account_id: int, library_id: str) -> dict[str, Any]:
    """A mirrored song's plays, skips, first and last play and listening time; Apple's own
    counters (Library Tracks.json) when the export linked a library track to it."""
    params = {"account": account_id, "song": library_id}
    row = first(
        reader,
        f"SELECT {_PLAYED.format(t='e')}, {_SKIPPED.format(t='e')}, "
        f"COALESCE(SUM(e.play_ms), 0), {iso_sql(reader, 'MIN(e.played_at)')}, "
        f"{iso_sql(reader, 'MAX(e.played_at)')} "
        "FROM play_events e WHERE e.account_id = :account AND e.library_id = :song",
        params,
    )
    assert row is not None
    apple = first(
        reader,
        "SELECT play_count, skip_count FROM library_track_counts "
        "WHERE account_id = :account AND library_id = :song "
        "ORDER BY play_count IS NULL, play_count DESC LIMIT 1",
        params,
    )
    return {
        "plays": int(row[0] or 0),
        "skips": int(row[1] or 0),
        "hours": _hours(row[2]),
        "first_played_at": row[3],
        "last_played_at": row[4],
        "apple_play_count": None if apple is None else apple[0],
        "apple_skip_count": None if apple is None else apple[1],
    }
