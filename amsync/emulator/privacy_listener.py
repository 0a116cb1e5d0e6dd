"""The listener behind a generated privacy export (``privacy_export``): which songs they have
and have only played, and every play — the truth the history tests measure links against."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from amsync.emulator.names import NameMaker

END_REASONS: Final = (
    ("NATURAL_END_OF_TRACK", 60),
    ("TRACK_SKIPPED_FORWARDS", 18),
    ("MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM", 7),
    ("PLAYBACK_MANUALLY_PAUSED", 8),
    ("TRACK_SKIPPED_BACKWARDS", 2),
    ("FAILED_TO_LOAD", 1),
    ("", 4),
)


@dataclass(frozen=True)
class ListenedSong:
    """A song the listener played. ``library_id`` is the mirror's id when the song is in the
    library (the truth a link is checked against); ``track_identifier`` Apple's library track
    id in Library Tracks.json and the daily history."""

    name: str
    artist: str
    album: str
    duration_ms: int
    catalog_id: str | None
    library_id: str | None
    track_identifier: int


@dataclass(frozen=True)
class Play:
    """One play event, as generated (the truth)."""

    song: ListenedSong
    start: datetime
    play_ms: int
    end_reason: str


@dataclass
class PrivacyExportSpec:
    seed: int = 0
    library_songs: int = 300
    other_songs: int = 60
    same_title_twins: int = 12
    album_twins: int = 4
    upload_fraction: float = 0.05
    plays: int = 3000
    start: date = date(2016, 1, 1)
    days: int = 3650
    columns: str = "new"  # "new" (Song Name, no artist) or "old" (Content Name, Artist Name)
    shuffle_columns: bool = False
    drop_columns: tuple[str, ...] = ()
    extra_columns: int = 0
    non_play_fraction: float = 0.08
    name_noise: float = 0.05
    no_album_fraction: float = 0.003
    empty_start_fraction: float = 0.01
    bad_timestamps: int = 0
    negative_durations: int = 0
    cut_mid_row: bool = False
    bom: bool = True
    daily: bool = True
    library_tracks: bool = True
    hostile_fraction: float = 0.01


class _Songs:
    def __init__(self, spec: PrivacyExportSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.names = NameMaker(rng, spec.hostile_fraction)
        self.next_track = 1_000_000_000 + rng.randrange(1_000_000)
        self.next_catalog = 1_400_000_000 + rng.randrange(1_000_000)
        self.songs: list[ListenedSong] = []

    def song(
        self, name: str, artist: str, album: str, in_library: bool, upload: bool = False
    ) -> ListenedSong:
        self.next_track += self.rng.randrange(1, 50)
        self.next_catalog += self.rng.randrange(1, 500)
        library_id = None
        if in_library:
            library_id = "i." + "".join(
                self.rng.choices(
                    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", k=14
                )
            )
        made = ListenedSong(
            name=name,
            artist=artist,
            album=album,
            duration_ms=self.rng.randrange(95_000, 400_000),
            catalog_id=None if upload else str(self.next_catalog),
            library_id=library_id,
            track_identifier=self.next_track,
        )
        self.songs.append(made)
        return made

    def albums(self, count: int, in_library: bool) -> None:
        made = 0
        while made < count:
            artist, album = self.names.artist(), self.names.title()
            upload = in_library and self.rng.random() < self.spec.upload_fraction
            size = self.rng.randrange(1, 14)
            titles: set[str] = set()
            for _ in range(min(size, count - made)):
                title = self.names.title()
                if title in titles:
                    continue
                titles.add(title)
                self.song(title, artist, album, in_library, upload)
                made += 1


def build_songs(spec: PrivacyExportSpec, rng: random.Random) -> list[ListenedSong]:
    songs = _Songs(spec, rng)
    songs.albums(spec.library_songs, in_library=True)
    songs.albums(spec.other_songs, in_library=False)
    library = [s for s in songs.songs if s.library_id is not None]
    for index in range(spec.same_title_twins):
        # the same title on another album (by the same artist: a live version, say); half of
        # them in the library, half only played
        base = rng.choice(library)
        songs.song(base.name, base.artist, songs.names.title(), in_library=index % 2 == 0)
    for _ in range(spec.album_twins):
        # the same title on an album of the same name by another artist
        base = rng.choice(library)
        songs.song(base.name, songs.names.artist(), base.album, in_library=True)
    return songs.songs


def make_plays(
    spec: PrivacyExportSpec, songs: list[ListenedSong], rng: random.Random
) -> list[Play]:
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(songs))]
    order = songs[:]
    rng.shuffle(order)
    chosen = rng.choices(order, weights=weights, k=spec.plays)
    start = datetime(spec.start.year, spec.start.month, spec.start.day, tzinfo=UTC)
    span_ms = spec.days * 86_400_000
    moments = sorted(rng.sample(range(span_ms), spec.plays))
    reasons = [r for r, _ in END_REASONS]
    reason_weights = [w for _, w in END_REASONS]
    plays = []
    for song, offset in zip(chosen, moments, strict=True):
        reason = rng.choices(reasons, weights=reason_weights)[0]
        if reason == "NATURAL_END_OF_TRACK":
            played = song.duration_ms
        elif reason.startswith(("TRACK_SKIPPED", "MANUALLY")):
            played = rng.randrange(500, song.duration_ms // 3)
        elif reason == "FAILED_TO_LOAD":
            played = 0
        else:
            played = rng.randrange(1_000, song.duration_ms)
        plays.append(Play(song, start + timedelta(milliseconds=offset), played, reason))
    return plays


def skipped(play: Play) -> bool:
    """amsync's skip rule (amsync.history.play_activity), restated for the generator's truth."""
    reason = play.end_reason
    skip_reason = "SKIP" in reason or reason == "MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM"
    return skip_reason and play.play_ms * 2 < play.song.duration_ms
