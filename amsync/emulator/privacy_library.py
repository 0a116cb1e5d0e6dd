"""A privacy export of the listener whose library an emulator serves: the plays of
``privacy_export`` made from the emulator's own library songs (so an import links them to the
mirror a sync made) and a few songs played outside the library (songs of the emulator's
catalog, so that a catalog search finds them) — with the rhythm of a day
(evenings, a commute, weekends) and tastes that change (songs are discovered over the
years), for ``amsync demo`` and the report's tests and benchmark.

``replay_of`` is Apple's Replay of a year of those plays: the top songs, albums and artists
by listening time (Apple does not say how it ranks; amsync ranks by plays, so the two lists
differ a little, as they do for real listeners).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from amsync.emulator.library import Library
from amsync.emulator.names import NameMaker
from amsync.emulator.privacy_export import ListeningExport, render_export
from amsync.emulator.privacy_listener import END_REASONS, ListenedSong, Play, PrivacyExportSpec
from amsync.emulator.resources import ReplayData

UTC_OFFSET_S: Final = 3600  # what the generated files record ("UTC Offset In Seconds")
# The share of plays starting at each local hour: quiet nights, a morning commute, evenings.
HOUR_WEIGHTS: Final = (
    1,
    0.6,
    0.3,
    0.2,
    0.2,
    0.3,
    1,
    3,
    5,
    4,
    3,
    3,
    4,
    3,
    3,
    3,
    4,
    6,
    7,
    7,
    8,
    8,
    6,
    3,
)
DAY_WEIGHTS: Final = (1.0, 0.9, 1.0, 1.0, 1.2, 1.6, 1.4)  # Monday … Sunday


@dataclass(frozen=True)
class LibraryListening:
    plays: int = 3000
    years: int = 3
    end: date = date(2026, 1, 1)  # the day after the last play
    other_songs: int = 40
    seed: int = 0


def _listened(library: Library, spec: LibraryListening, rng: random.Random) -> list[ListenedSong]:
    track = 1_000_000_000 + rng.randrange(1_000_000)
    songs = []
    for song in sorted(library.songs.values(), key=lambda s: s.id):
        if song.kind != "song":
            continue
        track += rng.randrange(1, 50)
        songs.append(
            ListenedSong(
                song.name,
                song.artist_name,
                song.album_name,
                song.duration_ms,
                song.catalog_id,
                song.id,
                track,
            )
        )
    # the songs played outside the library: the catalog's own (so that a catalog search, as
    # `amsync listens fill` makes, finds them), else invented ones
    in_library = {song.catalog_id for song in library.songs.values() if song.catalog_id}
    elsewhere = sorted(
        catalog_id
        for catalog_id, found in library.catalog_songs.items()
        if catalog_id not in in_library and not found.withdrawn and found.kind == "song"
    )
    picked = rng.sample(elsewhere, min(spec.other_songs, len(elsewhere)))
    for catalog_id in sorted(picked):
        found = library.catalog_songs[catalog_id]
        track += rng.randrange(1, 50)
        songs.append(
            ListenedSong(
                found.name,
                found.artist_name,
                found.album_name,
                found.duration_ms,
                catalog_id,
                None,
                track,
            )
        )
    names = NameMaker(rng, 0.0)
    for _ in range(spec.other_songs - len(picked)):
        track += rng.randrange(1, 50)
        songs.append(
            ListenedSong(
                names.title(),
                names.artist(),
                names.title(),
                rng.randrange(120_000, 300_000),
                str(1_500_000_000 + rng.randrange(10**8)),
                None,
                track,
            )
        )
    return songs


def _moment(rng: random.Random, first: date, days: int) -> datetime:
    """A local moment with the day's and the week's rhythm, as UTC."""
    while True:
        day = first + timedelta(days=rng.randrange(days))
        if rng.random() * max(DAY_WEIGHTS) <= DAY_WEIGHTS[day.weekday()]:
            break
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    local = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(3600), milliseconds=rng.randrange(1000)
    )
    return local - timedelta(seconds=UTC_OFFSET_S)


def _play(rng: random.Random, song: ListenedSong, start: datetime) -> Play:
    reasons = [r for r, _ in END_REASONS]
    reason = rng.choices(reasons, weights=[w for _, w in END_REASONS])[0]
    if reason == "NATURAL_END_OF_TRACK":
        played = song.duration_ms
    elif reason.startswith(("TRACK_SKIPPED", "MANUALLY")):
        played = rng.randrange(500, max(501, song.duration_ms // 3))
    elif reason == "FAILED_TO_LOAD":
        played = 0
    else:
        played = rng.randrange(1_000, song.duration_ms)
    return Play(song, start, played, reason)


def listening_for_library(library: Library, spec: LibraryListening) -> ListeningExport:
    """Years of plays of ``library``'s songs (and a few others), as Apple's export."""
    rng = random.Random(f"listening-{spec.seed}")
    songs = _listened(library, spec, rng)
    days = spec.years * 365
    first = spec.end - timedelta(days=days)
    # Each song is discovered at some moment and then played with a weight that fades:
    # favourites change over the years, and every year has its discoveries.
    debut = {id(s): rng.random() * days for s in songs}
    appeal = {
        id(s): 1.0 / (rank + 1) ** 0.7 for rank, s in enumerate(rng.sample(songs, len(songs)))
    }
    moments = sorted(_moment(rng, first, days) for _ in range(spec.plays))
    by_debut = sorted(songs, key=lambda s: debut[id(s)])
    plays = []
    month: tuple[int, int] | None = None
    heard: list[ListenedSong] = []
    weights: list[float] = []
    for moment in moments:
        if (moment.year, moment.month) != month:  # tastes move month by month
            month = (moment.year, moment.month)
            age = (moment.date() - first).days
            heard = [s for s in by_debut if debut[id(s)] <= age + 30] or by_debut[:10]
            weights = [appeal[id(s)] / (1 + max(0.0, age - debut[id(s)]) / 365) for s in heard]
        song = rng.choices(heard, weights=weights)[0]
        plays.append(_play(rng, song, moment))
    export_spec = PrivacyExportSpec(
        seed=spec.seed,
        plays=spec.plays,
        start=first,
        days=days,
        non_play_fraction=0.05,
        name_noise=0.0,
        no_album_fraction=0.0,
        empty_start_fraction=0.0,
    )
    return render_export(songs, plays, export_spec, rng)


def replay_of(library: Library, export: ListeningExport, year: int, size: int = 10) -> ReplayData:
    """Apple's Replay of ``year``: the ``size`` songs, albums and artists of the library with
    the most listening time that year."""
    songs: Counter[str] = Counter()
    albums: Counter[str] = Counter()
    artists: Counter[str] = Counter()
    for play in export.plays:
        catalog_id = play.song.catalog_id
        if play.start.year != year or play.song.library_id is None or catalog_id is None:
            continue
        catalog = library.catalog_songs.get(catalog_id)
        if catalog is None:
            continue
        songs[catalog_id] += play.play_ms
        albums[catalog.album_id] += play.play_ms
        artists[catalog.artist_id] += play.play_ms

    def top(counts: Counter[str], pool: dict[str, object]) -> list[str]:
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [key for key, _ in ranked if key in pool][:size]

    return ReplayData(
        year=year,
        songs=top(songs, library.catalog_songs),  # type: ignore[arg-type]
        albums=top(albums, library.catalog_albums),  # type: ignore[arg-type]
        artists=top(artists, library.catalog_artists),  # type: ignore[arg-type]
    )
