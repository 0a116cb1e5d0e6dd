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

import io
import random
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from amsync.emulator.privacy_files import activity_csv, daily_csv, library_json
from amsync.emulator.privacy_listener import (
    ListenedSong,
    Play,
    PrivacyExportSpec,
    build_songs,
    make_plays,
)

__all__ = [
    "DAILY_TRACKS",
    "LAYOUTS",
    "LIBRARY_TRACKS",
    "PLAY_ACTIVITY",
    "ListenedSong",
    "ListeningExport",
    "Play",
    "PrivacyExportSpec",
    "generate_listening",
    "old_export_spec",
    "render_export",
]

PLAY_ACTIVITY: Final = "Apple Music Play Activity.csv"
DAILY_TRACKS: Final = "Apple Music - Play History Daily Tracks.csv"
LIBRARY_TRACKS: Final = "Apple Music Library Tracks.json"
OTHER_FILES: Final = (
    "Apple Music Library Playlists.json",
    "Apple Music - Favorites.csv",
    "Apple Music Likes and Dislikes.csv",
)
LAYOUTS: Final = ("nested", "zip", "folder", "inner", "2018")


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


def generate_listening(spec: PrivacyExportSpec | None = None) -> ListeningExport:
    """A listener's export, and the truth behind it."""
    spec = spec or PrivacyExportSpec()
    rng = random.Random(spec.seed)
    songs = build_songs(spec, rng)
    plays = make_plays(spec, songs, rng)
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
    export.files[PLAY_ACTIVITY] = activity_csv(spec, plays, rng)
    if spec.daily:
        export.files[DAILY_TRACKS] = daily_csv(plays)
    if spec.library_tracks:
        export.files[LIBRARY_TRACKS] = library_json(songs, plays, rng)
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
