"""The listening questions of a report, answered in SQL on a ``Reader`` (both backends; an
SQLite mirror through the standard library's ``sqlite3``, like ``amsync top``): headline
numbers, listening over time, the listening clock, top artists over time, discoveries and
skips. Top lists come from ``amsync.query.listening.top_played`` itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final

from amsync.db.reading import Reader, moment_parameter, placeholders
from amsync.report.buckets import COARSE, OVER_TIME, label_of, labels_for, longest_streak
from amsync.report.model import (
    ArtistsOverTime,
    Clock,
    Discoveries,
    Headline,
    Point,
    Series,
    Skips,
)
from amsync.report.period import ReportPeriod
from amsync.report.sql_parts import (
    PLAYED,
    SKIPPED,
    day_sql,
    during,
    hour_sql,
    offset_sql,
    song_key_sql,
)

JOIN_SONGS: Final = (
    "LEFT JOIN songs s ON s.account_id = e.account_id AND s.library_id = e.library_id"
)
ARTIST: Final = "COALESCE(s.artist, e.artist)"
ALBUM: Final = "COALESCE(s.album, e.album)"
NAME: Final = "COALESCE(s.name, e.name)"
MAX_OFFSET_S: Final = 18 * 3600


@dataclass(slots=True)
class DayRow:
    day: str
    plays: int
    skips: int
    play_ms: int


def day_rows(reader: Reader, account_id: int, period: ReportPeriod | None) -> list[DayRow]:
    """Plays, skips and milliseconds of each UTC day with music in ``period``."""
    when, params = during(reader, period)
    rows = reader.rows(
        f"SELECT {day_sql(reader, 'e.played_at')} AS d, SUM({PLAYED.format(t='e')}), "
        f"SUM({SKIPPED.format(t='e')}), COALESCE(SUM(e.play_ms), 0) "
        f"FROM play_events e WHERE e.account_id = :account{when} GROUP BY 1 ORDER BY 1",
        {"account": account_id, **params},
    )
    return [DayRow(str(d), int(p or 0), int(s or 0), int(ms or 0)) for d, p, s, ms in rows]


def headline(
    reader: Reader, account_id: int, period: ReportPeriod | None, days: list[DayRow]
) -> Headline:
    when, params = during(reader, period)
    row = reader.rows(
        f"SELECT SUM({PLAYED.format(t='e')}), SUM({SKIPPED.format(t='e')}), "
        "COALESCE(SUM(e.play_ms), 0), "
        f"COUNT(DISTINCT {song_key_sql('e')}), "
        f"COUNT(DISTINCT CASE WHEN {ARTIST} <> '' THEN {ARTIST} END), "
        f"COUNT(DISTINCT CASE WHEN {ALBUM} <> '' AND {ARTIST} <> '' "
        f"THEN {ALBUM} || '|' || {ARTIST} END) "
        f"FROM play_events e {JOIN_SONGS} WHERE e.account_id = :account{when}",
        {"account": account_id, **params},
    )[0]
    streak, streak_start, streak_end = longest_streak([d.day for d in days])
    busiest = max(days, key=lambda d: (d.play_ms, d.day), default=None)
    return Headline(
        plays=int(row[0] or 0),
        skips=int(row[1] or 0),
        play_ms=int(row[2] or 0),
        songs=int(row[3] or 0),
        artists=int(row[4] or 0),
        albums=int(row[5] or 0),
        days=len(days),
        longest_streak=streak,
        streak_start=streak_start,
        streak_end=streak_end,
        busiest_day=busiest.day if busiest else None,
        busiest_day_ms=busiest.play_ms if busiest else 0,
    )


def series(period: ReportPeriod, days: list[DayRow], unit: str | None = None) -> Series:
    """Listening per day, week, month or year: every bar of the period, empty ones too."""
    unit = unit or OVER_TIME[period.kind]
    points = {label: Point(label) for label in labels_for(period, unit, [d.day for d in days])}
    for row in days:
        point = points.setdefault(label_of(row.day, unit), Point(label_of(row.day, unit)))
        point.plays += row.plays
        point.skips += row.skips
        point.play_ms += row.play_ms
    return Series(unit, list(points.values()))


def skips(reader: Reader, account_id: int, period: ReportPeriod, days: list[DayRow]) -> Skips:
    when, params = during(reader, period)
    key = song_key_sql("e")
    rows = reader.rows(
        f"SELECT {NAME}, {ARTIST}, SUM({SKIPPED.format(t='e')}) AS sk, "
        f"SUM({PLAYED.format(t='e')}) AS pl "
        f"FROM play_events e {JOIN_SONGS} WHERE e.account_id = :account{when} "
        f"GROUP BY {key}, {NAME}, {ARTIST} HAVING SUM({SKIPPED.format(t='e')}) > 0 "
        "ORDER BY sk DESC, pl ASC, 1 LIMIT 10",
        {"account": account_id, **params},
    )
    return Skips(
        unit=COARSE[period.kind],
        by_time=series(period, days, COARSE[period.kind]).points,
        most_skipped=[
            {"name": n, "artist": a, "skips": int(s or 0), "plays": int(p or 0)}
            for n, a, s, p in rows
        ],
    )


def clock(
    reader: Reader, account_id: int, period: ReportPeriod, zone: tzinfo | None, zone_name: str
) -> Clock:
    """Plays by weekday and hour in the listener's local time: by the UTC offset Apple's
    export recorded for the play where the import kept it (``--keep-personal``), else in
    ``zone`` (``None``: this computer's time zone). Plays are counted per UTC hour in SQL and
    moved to local time here, hour by hour (a half-hour offset places a play by the hour it
    started in)."""
    when, params = during(reader, period)
    kept = reader.rows(
        "SELECT 1 FROM play_events e WHERE e.account_id = :account AND e.personal IS NOT NULL"
        f"{when} LIMIT 1",
        {"account": account_id, **params},
    )
    offsets = offset_sql(reader, "e.personal") if kept else "NULL"
    rows = reader.rows(
        f"SELECT {hour_sql(reader, 'e.played_at')}, {offsets}, "
        f"SUM({PLAYED.format(t='e')}) FROM play_events e "
        f"WHERE e.account_id = :account{when} GROUP BY 1, 2",
        {"account": account_id, **params},
    )
    found = Clock()
    for hour_text, offset_text, plays in rows:
        count = int(plays or 0)
        if not count:
            continue
        moment = datetime.strptime(str(hour_text), "%Y-%m-%d %H").replace(tzinfo=UTC)
        offset = _offset(offset_text)
        if offset is not None:
            local = moment + timedelta(seconds=offset)
            found.from_export += count
        else:
            local = moment.astimezone(zone)
            found.from_zone += count
        found.plays[local.weekday()][local.hour] += count
    found.basis = _basis(found, zone_name)
    return found


def _offset(text: Any) -> int | None:
    try:
        value = int(float(str(text)))
    except (TypeError, ValueError, OverflowError):
        return None
    return value if text is not None and abs(value) <= MAX_OFFSET_S else None


def _basis(found: Clock, zone_name: str) -> str:
    export = "the UTC offset Apple's export recorded for each play"
    zone = f"{zone_name} (the export's UTC offset was not kept: see --keep-personal)"
    if found.from_export and found.from_zone:
        return f"local time: {export}, else {zone}"
    if found.from_export:
        return f"local time from {export}"
    return f"local time in {zone}"


def artists_over_time(
    reader: Reader, account_id: int, period: ReportPeriod, artists: list[str]
) -> ArtistsOverTime:
    unit = COARSE[period.kind]
    result = ArtistsOverTime(unit)
    if not artists:
        return result
    when, params = during(reader, period)
    names, name_params = placeholders("artist", artists)
    rows = reader.rows(
        f"SELECT {day_sql(reader, 'e.played_at')}, {ARTIST}, SUM({PLAYED.format(t='e')}) "
        f"FROM play_events e {JOIN_SONGS} WHERE e.account_id = :account{when} "
        f"AND {ARTIST} IN ({names}) GROUP BY 1, 2",
        {"account": account_id, **params, **name_params},
    )
    labels = labels_for(period, unit, [str(r[0]) for r in rows])
    index = {label: i for i, label in enumerate(labels)}
    plays = {artist: [0] * len(labels) for artist in artists}
    for day, artist, count in rows:
        label = label_of(str(day), unit)
        if artist in plays and label in index:
            plays[artist][index[label]] += int(count or 0)
    result.labels, result.plays = labels, plays
    return result


def _firsts(reader: Reader, account_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """When each song and each artist was first played, as ``YYYY-MM-DD HH`` text (UTC), over
    the whole history: one pass, grouped by song (an artist's first play is its songs')."""
    key = song_key_sql("e")
    rows = reader.rows(
        f"SELECT {key}, MIN({ARTIST}), {hour_sql(reader, 'MIN(e.played_at)')} "
        f"FROM play_events e {JOIN_SONGS} WHERE e.account_id = :account GROUP BY {key}",
        {"account": account_id},
    )
    songs: dict[str, str] = {}
    artists: dict[str, str] = {}
    for song, artist, first in rows:
        songs[str(song)] = str(first)
        if artist:
            name = str(artist)
            if name not in artists or str(first) < artists[name]:
                artists[name] = str(first)
    return songs, artists


def _known_before(
    reader: Reader, account_id: int, period: ReportPeriod
) -> tuple[set[str], set[str]]:
    """The songs (as ``song_key_sql`` spells them) and the artists played before the period:
    one pass over the earlier plays, without joining the songs (a linked song's artist is
    looked up here, as ``COALESCE(s.artist, e.artist)`` would)."""
    assert period.start is not None
    artist_of = {
        str(song): artist
        for song, artist in reader.rows(
            "SELECT library_id, artist FROM songs WHERE account_id = :account",
            {"account": account_id},
        )
    }
    rows = reader.rows(
        "SELECT DISTINCT e.library_id, CASE WHEN e.library_id IS NULL THEN e.name END, "
        "e.artist, CASE WHEN e.library_id IS NULL THEN e.album END FROM play_events e "
        "WHERE e.account_id = :account AND e.played_at < :start",
        {"account": account_id, "start": moment_parameter(reader, period.start)},
    )
    songs: set[str] = set()
    artists: set[str] = set()
    for library_id, name, artist, album in rows:
        if library_id is not None:
            songs.add(str(library_id))
            artist = artist_of.get(str(library_id)) or artist
        else:
            songs.add(f"~{name}|{artist or ''}|{album or ''}")
        if artist:
            artists.add(str(artist))
    return songs, artists


def discoveries(reader: Reader, account_id: int, period: ReportPeriod) -> Discoveries:
    """Songs and artists first heard in the period (for all time: first heard in the year of
    the play), the plays they had against songs known before, and the most played of them.

    Two passes: the plays before the period (which songs and artists were known; for all
    time, when each song was first played), and the period's plays grouped by day and song."""
    unit = COARSE[period.kind]
    key = song_key_sql("e")
    when, params = during(reader, period)
    day = day_sql(reader, "e.played_at")
    if period.kind == "all":  # counted by year: fewer groups over the whole history
        day = f"substr({day}, 1, 4) || '-01-01'"
    rows = reader.rows(
        f"SELECT {day}, {key}, SUM({PLAYED.format(t='e')}), "
        f"MIN({NAME}), MIN({ARTIST}) FROM play_events e {JOIN_SONGS} "
        f"WHERE e.account_id = :account{when} GROUP BY 1, 2",
        {"account": account_id, **params},
    )
    firsts: dict[str, str] = {}
    if period.start is not None:
        known, known_artists = _known_before(reader, account_id, period)

        def is_new(song: str, day: str) -> bool:
            return song not in known

    else:
        firsts, _ = _firsts(reader, account_id)
        known_artists = set()

        def is_new(song: str, day: str) -> bool:
            return firsts.get(song, day)[:4] == day[:4]

    found = Discoveries(unit=unit)
    by_label = {label: [0, 0] for label in labels_for(period, unit, [str(r[0]) for r in rows])}
    new_songs: dict[str, list[Any]] = {}
    new_artists: set[str] = set()
    for when_played, song, plays, name, artist in rows:
        day, song, count = str(when_played), str(song), int(plays or 0)
        slot = by_label.setdefault(label_of(day, unit), [0, 0])
        if is_new(song, day):
            slot[0] += count
            entry = new_songs.setdefault(song, [name, artist, 0, firsts.get(song, day)])
            entry[2] += count
            entry[3] = min(entry[3], firsts.get(song, day))
        else:
            slot[1] += count
        if artist and str(artist) not in known_artists:
            new_artists.add(str(artist))
    found.by_time = [(label, new_, known) for label, (new_, known) in by_label.items()]
    found.new_plays = sum(n for _, n, _ in found.by_time)
    found.known_plays = sum(k for _, _, k in found.by_time)
    found.new_songs = len(new_songs)
    found.new_artists = len(new_artists)
    ranked = sorted(new_songs.values(), key=lambda e: (-e[2], str(e[0])))
    found.top_new = [
        {"name": n, "artist": a, "plays": p, "first_played": str(first)[:10]}
        for n, a, p, first in ranked[:10]
        if p > 0
    ]
    return found
