"""A generated Apple Data & Privacy export: the fixture of the listening-history tests and
benchmark (nobody publishes a real one — it is personal).

:func:`generate_listening` makes a listener — library songs (some uploads without a catalog
id), songs played but not in the library, same-titled songs on different albums, the same
album name by two artists — and years of plays, and renders them as Apple's files:

- ``Apple Music Play Activity.csv`` (newer columns: ``Song Name``, no artist; or the 2018
  ones: ``Content Name`` with ``Artist Name``), with non-play rows (``PLAY_START``,
  ``LYRIC_DISPLAY``), personal columns (IP address, device identifier, location, …), the
  variations of :class:`PrivacyExportSpec` (columns shuffled, dropped or added, names spelled
  slightly differently, empty start times, unreadable timestamps, negative durations, the file
  cut mid-row);
- ``Apple Music - Play History Daily Tracks.csv`` (per day and track), ``Apple Music Library
  Tracks.json`` (per library track, with the catalog id), and the playlists, favourites and
  likes files amsync does not import;

and :meth:`ListeningExport.write` lays them out as Apple does: the outer zip holding
``Apple_Media_Services.zip`` holding ``Apple Music Activity.zip`` (``nested``), folders inside
one zip (``zip``), an unpacked folder (``folder``), the inner zip alone (``inner``), or the
2018 layout (``2018``). The generator keeps the truth: every play's song and whether that song
is in the library, so link rates and wrong links can be measured. Stdlib only, like the rest
of the emulator; the same spec always gives the same export.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from amsync.emulator.names import NameMaker

PLAY_ACTIVITY: Final = "Apple Music Play Activity.csv"
DAILY_TRACKS: Final = "Apple Music - Play History Daily Tracks.csv"
LIBRARY_TRACKS: Final = "Apple Music Library Tracks.json"
OTHER_FILES: Final = (
    "Apple Music Library Playlists.json",
    "Apple Music - Favorites.csv",
    "Apple Music Likes and Dislikes.csv",
)
LAYOUTS: Final = ("nested", "zip", "folder", "inner", "2018")

NEW_COLUMNS: Final = (
    "Apple Id Number",
    "Apple Music Subscription",
    "Build Version",
    "Client IP Address",
    "Container Album Name",
    "Container Type",
    "Container Name",
    "Device Identifier",
    "End Position In Milliseconds",
    "End Reason Type",
    "Event End Timestamp",
    "Event Received Timestamp",
    "Event Start Timestamp",
    "Event Type",
    "Feature Name",
    "IP City",
    "IP Country Code",
    "IP Latitude",
    "IP Longitude",
    "Media Duration In Milliseconds",
    "Media Type",
    "Metrics Client Id",
    "Play Duration Milliseconds",
    "Song Name",
    "Album Name",
    "Source Type",
    "Start Position In Milliseconds",
    "Store Country Name",
    "UTC Offset In Seconds",
)
OLD_COLUMNS: Final = (
    "Apple Id Number",
    "Artist Name",
    "Build Version",
    "Client IP Address",
    "Content Name",
    "Album Name",
    "Device Identifier",
    "End Reason Type",
    "Event End Timestamp",
    "Event Start Timestamp",
    "Media Duration In Milliseconds",
    "Play Duration Milliseconds",
    "Store Country Name",
    "UTC Offset In Seconds",
)
PERSONAL_VALUES: Final = ("Client IP Address", "Device Identifier", "Apple Id Number", "IP City")
END_REASONS: Final = (
    ("NATURAL_END_OF_TRACK", 60),
    ("TRACK_SKIPPED_FORWARDS", 18),
    ("MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM", 7),
    ("PLAYBACK_MANUALLY_PAUSED", 8),
    ("TRACK_SKIPPED_BACKWARDS", 2),
    ("FAILED_TO_LOAD", 1),
    ("", 4),
)
FEATURES: Final = (
    "library / album_detail",
    "search / artist_detail / album_detail",
    "for_you / recently_played",
    "library / playlist_detail",
    "browse",
    "radio",
)
DAILY_COLUMNS: Final = (
    "Country",
    "Track Identifier",
    "Media type",
    "Date Played",
    "Hours",
    "Play Duration Milliseconds",
    "Source Type",
    "Play Count",
    "Skip Count",
    "Ignore For Recommendations",
    "Track Reference",
    "Track Description",
    "End Reason Type",
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


@dataclass
class ListeningExport:
    spec: PrivacyExportSpec
    songs: list[ListenedSong]
    plays: list[Play]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def library(self) -> list[ListenedSong]:
        return [s for s in self.songs if s.library_id is not None]

    def write(self, path: Path, layout: str = "nested") -> Path:
        """Write the export at ``path`` (a zip, or a folder for ``folder``); returns ``path``."""
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}")
        activity = {f"Apple Music Activity/{name}": data for name, data in self.files.items()}
        if layout == "folder":
            for name, data in activity.items():
                target = path / "Apple_Media_Services" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            return path
        if layout == "inner":
            path.write_bytes(_zip(activity))
        elif layout == "zip":
            path.write_bytes(_zip({f"Apple_Media_Services/{n}": d for n, d in activity.items()}))
        elif layout == "2018":
            folder = (
                "App Store, iTunes Store, iBooks Store, Apple Music/"
                "App_Store_iTunes_Store_iBooks_Store_Apple_Music/"
            )
            path.write_bytes(_zip({folder + n: d for n, d in activity.items()}))
        else:
            activity_zip = _zip(activity)
            services = _zip(
                {
                    "Apple_Media_Services/Stores Activity/Apple Music Activity.zip": activity_zip,
                    "Apple_Media_Services/Stores Activity/Other Activity.csv": b"Item\nx\n",
                },
                stored=True,
            )
            path.write_bytes(
                _zip({"Apple_Media_Services.zip": services, "Readme.txt": b"Your data.\n"}, True)
            )
        return path


def _zip(members: dict[str, bytes], stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            inner = stored or name.endswith(".zip")
            archive.writestr(name, data, zipfile.ZIP_STORED if inner else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


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


def _build_songs(spec: PrivacyExportSpec, rng: random.Random) -> list[ListenedSong]:
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


def _noisy(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return text.upper() if rng.random() < 0.2 else text.lower()
    if roll < 0.6:
        return text.replace(" ", "  ", 1) + " "
    if roll < 0.8:
        return text.replace("'", "\u2019")
    return text


def _plays(spec: PrivacyExportSpec, songs: list[ListenedSong], rng: random.Random) -> list[Play]:
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


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _ActivityWriter:
    def __init__(self, spec: PrivacyExportSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        columns = list(NEW_COLUMNS if spec.columns == "new" else OLD_COLUMNS)
        columns = [c for c in columns if c not in spec.drop_columns]
        columns += [f"Extra Column {n}" for n in range(1, spec.extra_columns + 1)]
        if spec.shuffle_columns:
            rng.shuffle(columns)
        self.columns = columns
        self.device = "".join(rng.choices("0123456789ABCDEF", k=32))

    def row(self, play: Play, event_type: str) -> list[str]:
        rng, spec, song = self.rng, self.spec, play.song
        name, album = song.name, song.album
        if rng.random() < spec.name_noise:
            name = _noisy(name, rng)
        if rng.random() < spec.name_noise:
            album = _noisy(album, rng) if rng.random() < 0.7 else album + " - Single"
        if rng.random() < spec.no_album_fraction:
            album = ""
        end = play.start + timedelta(milliseconds=play.play_ms)
        start_text = "" if rng.random() < spec.empty_start_fraction else _stamp(play.start)
        values = {
            "Apple Id Number": "12345678901",
            "Apple Music Subscription": "true",
            "Build Version": "Music/1.4 iOS/17.2 model/iPhone15,2",
            "Client IP Address": f"203.0.113.{rng.randrange(1, 255)}",
            "Container Album Name": song.album,
            "Container Type": "ALBUM",
            "Container Name": song.album,
            "Device Identifier": self.device,
            "End Position In Milliseconds": str(play.play_ms),
            "End Reason Type": play.end_reason,
            "Event End Timestamp": _stamp(end),
            "Event Received Timestamp": _stamp(end + timedelta(seconds=2)),
            "Event Start Timestamp": start_text,
            "Event Type": event_type,
            "Feature Name": rng.choice(FEATURES),
            "IP City": "Berlin",
            "IP Country Code": "DE",
            "IP Latitude": "52.52",
            "IP Longitude": "13.40",
            "Media Duration In Milliseconds": str(song.duration_ms),
            "Media Type": "AUDIO",
            "Metrics Client Id": "3z" + "".join(rng.choices("abcdef0123456789", k=12)),
            "Play Duration Milliseconds": str(play.play_ms),
            "Song Name": name,
            "Content Name": name,
            "Artist Name": song.artist,
            "Album Name": album,
            "Source Type": "ORIGINATING_DEVICE",
            "Start Position In Milliseconds": "0",
            "Store Country Name": "Germany",
            "UTC Offset In Seconds": "3600",
        }
        return [values.get(c, f"extra {rng.randrange(100)}") for c in self.columns]


def _activity_csv(spec: PrivacyExportSpec, plays: list[Play], rng: random.Random) -> bytes:
    writer_state = _ActivityWriter(spec, rng)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(writer_state.columns)
    has_type = "Event Type" in writer_state.columns
    bad = set(rng.sample(range(len(plays)), min(spec.bad_timestamps, len(plays))))
    negative = set(rng.sample(range(len(plays)), min(spec.negative_durations, len(plays))))
    for index, play in enumerate(plays):
        if has_type and rng.random() < spec.non_play_fraction:
            other = "PLAY_START" if rng.random() < 0.7 else "LYRIC_DISPLAY"
            writer.writerow(writer_state.row(play, other))
        row = writer_state.row(play, "PLAY_END")
        if index in bad:
            for column in ("Event Start Timestamp", "Event End Timestamp"):
                if column in writer_state.columns:
                    row[writer_state.columns.index(column)] = "yesterday at noon"
        if index in negative and "Play Duration Milliseconds" in writer_state.columns:
            row[writer_state.columns.index("Play Duration Milliseconds")] = "-1234"
        writer.writerow(row)
    data = text.getvalue()
    if spec.cut_mid_row:
        last = data.rstrip("\n").rfind("\n")
        data = data[: last + 1 + (len(data) - last) // 3]
    return (("\ufeff" if spec.bom else "") + data).encode("utf-8")


def _daily_csv(plays: list[Play]) -> bytes:
    days: dict[tuple[date, ListenedSong], list[Play]] = defaultdict(list)
    for play in plays:
        days[(play.start.date(), play.song)].append(play)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(DAILY_COLUMNS)
    for (day, song), day_plays in sorted(
        days.items(), key=lambda kv: (kv[0][0], kv[0][1].track_identifier)
    ):
        skips = sum(1 for p in day_plays if _skipped(p))
        hours = sorted({p.start.hour for p in day_plays})
        writer.writerow(
            [
                "DE",
                str(song.track_identifier),
                "AUDIO",
                day.strftime("%Y%m%d"),
                ", ".join(str(h) for h in hours),
                str(sum(p.play_ms for p in day_plays)),
                "ORIGINATING_DEVICE",
                str(len(day_plays) - skips),
                str(skips),
                "false",
                str(song.track_identifier + 7),
                f"{song.artist} - {song.name}",
                day_plays[-1].end_reason,
            ]
        )
    return text.getvalue().encode("utf-8")


def _skipped(play: Play) -> bool:
    """amsync's skip rule (amsync.history.play_activity), restated for the generator's truth."""
    reason = play.end_reason
    skip_reason = "SKIP" in reason or reason == "MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM"
    return skip_reason and play.play_ms * 2 < play.song.duration_ms


def _library_json(songs: list[ListenedSong], plays: list[Play], rng: random.Random) -> bytes:
    counts = Counter(p.song for p in plays if not _skipped(p))
    skips = Counter(p.song for p in plays if _skipped(p))
    items = []
    for song in songs:
        if song.library_id is None:
            continue
        item: dict[str, object] = {
            "Content Type": "Song",
            "Track Identifier": song.track_identifier,
            "Title": song.name,
            "Sort Name": song.name.lower(),
            "Artist": song.artist,
            "Album": song.album,
            "Album Artist": song.artist,
            "Genre": "Pop",
            "Track Year": 2015,
            "Track Duration": song.duration_ms,
            "Track Play Count": counts[song],
            "Skip Count": skips[song],
            "Date Added To Library": "2016-02-03T04:05:06Z",
            "Last Modified Date": "2024-05-06T07:08:09Z",
            "Release Date": "2015-01-01T00:00:00Z",
            "Track Like Rating": "LIKE" if rng.random() < 0.05 else "",
            "Is Purchased": False,
            "Audio File Extension": "m4p",
            "Playlist Only Track": False,
        }
        if song.catalog_id is not None:
            item["Apple Music Track Identifier"] = int(song.catalog_id)
        items.append(item)
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    return f"[\n{lines}\n]\n".encode()


def generate_listening(spec: PrivacyExportSpec | None = None) -> ListeningExport:
    """A listener's export, and the truth behind it."""
    spec = spec or PrivacyExportSpec()
    rng = random.Random(spec.seed)
    songs = _build_songs(spec, rng)
    plays = _plays(spec, songs, rng)
    return render_export(songs, plays, spec, rng)


def render_export(
    songs: list[ListenedSong],
    plays: list[Play],
    spec: PrivacyExportSpec,
    rng: random.Random | None = None,
) -> ListeningExport:
    """The files of an export holding ``plays`` (of ``songs``), written as ``spec`` says — to
    make an older and a newer export of the same listener, say, with other columns."""
    rng = rng or random.Random(spec.seed)
    export = ListeningExport(spec, songs, plays)
    export.files[PLAY_ACTIVITY] = _activity_csv(spec, plays, rng)
    if spec.daily:
        export.files[DAILY_TRACKS] = _daily_csv(plays)
    if spec.library_tracks:
        export.files[LIBRARY_TRACKS] = _library_json(songs, plays, rng)
    export.files[OTHER_FILES[0]] = b"[]\n"
    export.files[OTHER_FILES[1]] = b"Favorite Type,Item Description,Last Modified\n"
    export.files[OTHER_FILES[2]] = b"Item Description,Preference Type,Created\n"
    return export


def old_export_spec(seed: int = 0) -> PrivacyExportSpec:
    """A 2018-style export: ``Content Name`` and ``Artist Name``, no event types, no daily
    history or Library Tracks.json."""
    return replace(
        PrivacyExportSpec(seed=seed), columns="old", daily=False, library_tracks=False, bom=False
    )
