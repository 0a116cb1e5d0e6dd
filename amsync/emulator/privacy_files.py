"""Apple's privacy-export files rendered from a generated listener (``privacy_listener``):
Play Activity in the newer and the 2018 columns with the spec's variations, the daily
history, and Library Tracks.json."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Final

from amsync.emulator.privacy_listener import ListenedSong, Play, PrivacyExportSpec, skipped

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


def _noisy(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return text.upper() if rng.random() < 0.2 else text.lower()
    if roll < 0.6:
        return text.replace(" ", "  ", 1) + " "
    if roll < 0.8:
        return text.replace("'", "\u2019")
    return text


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


def activity_csv(spec: PrivacyExportSpec, plays: list[Play], rng: random.Random) -> bytes:
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


def daily_csv(plays: list[Play]) -> bytes:
    days: dict[tuple[date, ListenedSong], list[Play]] = defaultdict(list)
    for play in plays:
        days[(play.start.date(), play.song)].append(play)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(DAILY_COLUMNS)
    for (day, song), day_plays in sorted(
        days.items(), key=lambda kv: (kv[0][0], kv[0][1].track_identifier)
    ):
        skips = sum(1 for p in day_plays if skipped(p))
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


def library_json(songs: list[ListenedSong], plays: list[Play], rng: random.Random) -> bytes:
    counts = Counter(p.song for p in plays if not skipped(p))
    skips = Counter(p.song for p in plays if skipped(p))
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
