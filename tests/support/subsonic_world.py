"""A small world for the Subsonic tests (issue 27): an emulated Apple Music library, a music
folder of tagged files for its songs (``amsync.audiotags.sample_files``, as the demo makes
them), amsync's mirror of the library with those files scanned and matched, and — built on
it by the tests — a server that scanned the same folder.

The files, by the song's place in the library (sorted by id), tell the truth the tests check
against:

- most songs have an *early* file: amsync's ``local scan`` knows it, so a push finds the song
  on the server by its path;
- every 10th song (index % 10 == 8) has a *late* file, written after amsync's scan: only the
  server knows it, so a push must find it by its tags;
- every 10th song (index % 10 == 9) has no file: missing on the server; for one of them that a
  playlist holds, two unrelated albums each have a song of its title and artist (an ambiguous
  match, never used);
- a few songs by other artists, which no Apple song is.

Playlists added to the generated library: one named with a ``/`` and emoji (in a folder
whose name holds control characters), and two named alike.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from amsync.audiotags import FolderSource
from amsync.audiotags.sample_files import SampleTags, write_sample_file
from amsync.db.store import open_store
from amsync.emulator import Emulator, LibrarySpec
from amsync.emulator.generator import generate_library
from amsync.emulator.library import Library
from amsync.export.file_names import safe_name
from amsync.local.match_run import run_match
from amsync.local.scan import scan
from tests.backup.conftest import sync_in_process
from tests.sync.conftest import DEV, USER

SPEC: Final = LibrarySpec(
    songs=150,
    playlists=6,
    folders=2,
    seed=27,
    favourite_fraction=0.2,
    dislike_fraction=0.08,
    hostile_fraction=0.05,
    max_playlist_tracks=40,
    music_videos=1,
    upload_fraction=0.03,
    withdrawn_fraction=0.0,
)
SLASH_EMOJI: Final = "Road/Trip 🚗🎶 ½"
TWIN_NAME: Final = "Duplicate Name"
FORMATS: Final = (".mp3", ".flac", ".m4a", ".opus")
NOISE: Final = 12


@dataclass
class Truth:
    """Where each library song's file is, relative to the music folder (``None``: none)."""

    early: dict[str, str] = field(default_factory=dict)  # library id -> path
    late: dict[str, str] = field(default_factory=dict)
    ambiguous: str | None = None  # the library id of the song with two look-alikes

    def path_of(self, library_id: str) -> str | None:
        return self.early.get(library_id) or self.late.get(library_id)


def build_library() -> Library:
    """The generated library with the playlists the tests need (the same every time)."""
    library = generate_library(SPEC)
    songs = sorted(library.songs)
    rng = random.Random(5)
    folder = sorted(library.folders)[-1]  # the one named with control characters
    odd = library.add_playlist(SLASH_EMOJI, tracks=rng.sample(songs, 12))
    library.move_playlist(odd.id, folder)
    library.add_playlist(TWIN_NAME, tracks=songs[:5])
    library.add_playlist(TWIN_NAME, tracks=[songs[7], songs[7], songs[3]])
    return library


def emulator(library: Library | None = None) -> Emulator:
    return Emulator(library or build_library(), developer_tokens={DEV}, music_user_tokens={USER})


def _tags(library: Library, library_id: str, index: int) -> SampleTags:
    song = library.songs[library_id]
    title, artist = song.name, song.artist_name
    if index % 5 == 1:
        title = f"{title} - 2011 Remaster"
    if index % 7 == 2:
        artist = f"{artist} feat. Guest Star"
    catalog = library.catalog_songs.get(song.catalog_id or "")
    isrc = getattr(catalog, "isrc", None) if index % 2 == 0 else None
    return SampleTags(
        title=title, artist=artist, album=song.album_name, isrc=isrc, track_number=song.track_number
    )


def _file_name(library: Library, library_id: str, index: int) -> str:
    song = library.songs[library_id]
    folder = f"{safe_name(song.artist_name)}/{safe_name(song.album_name or 'Unknown')}"
    name = safe_name(f"{index:03d} {song.name}", max_bytes=90) + FORMATS[index % 4]
    return f"{folder}/{name}"


def write_music(library: Library, music: Path, *, late: bool) -> Truth:
    """The early files (``late=False``) or the late ones and the look-alikes (``late=True``)."""
    truth = Truth()
    rng = random.Random(11)
    in_playlists = {t for p in library.playlists.values() for t in p.tracks}
    for index, library_id in enumerate(sorted(library.songs)):
        song = library.songs[library_id]
        kind = index % 10
        path = _file_name(library, library_id, index)
        if kind == 9:
            if truth.ambiguous is None and library_id in in_playlists and late:
                truth.ambiguous = library_id
                for album in ("Greatest Hits Collection", "Live Anthology Vol 2"):
                    twin = SampleTags(title=song.name, artist=song.artist_name, album=album)
                    target = music / "Look-alikes" / safe_name(album) / f"{index:03d}.mp3"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    write_sample_file(target, twin, song.duration_ms)
            continue
        if (kind == 8) != late:
            continue
        tags = (
            _tags(library, library_id, index)
            if not late
            else SampleTags(title=song.name, artist=song.artist_name, album=song.album_name)
        )
        duration = song.duration_ms + rng.randrange(-900, 900)
        target = music / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_sample_file(target, tags, max(1000, duration))
        (truth.late if late else truth.early)[library_id] = path
    if late:
        for n in range(NOISE):
            noise = SampleTags(
                title=f"Unrelated Tune {n}", artist=f"Other Band {n % 3}", album="Elsewhere"
            )
            target = music / "Other Band" / f"{n:02d} Unrelated Tune {n}.mp3"
            target.parent.mkdir(parents=True, exist_ok=True)
            write_sample_file(target, noise, 180_000 + n * 1000)
    return truth


@dataclass
class World:
    root: Path
    music: Path
    template_db: Path
    truth: Truth
    library_factory: Callable[[], Library] = build_library

    def database(self, folder: Path, name: str = "mirror.db") -> Path:
        """A copy of the synced, scanned and matched mirror."""
        target = folder / name
        shutil.copyfile(self.template_db, target)
        return target


def build_world(root: Path) -> World:
    """The library, the mirror (synced, early files scanned and matched) and the music
    folder with every file (early, late, look-alikes, noise)."""
    library = build_library()
    music = root / "music"
    early = write_music(library, music, late=False)
    db = root / "template.db"
    sync_in_process(emulator(library), str(db))
    store = open_store(str(db))
    try:
        scan(store, FolderSource([str(music)]))
        run_match(store, store.account_id("default"))
    finally:
        store.close()
    late = write_music(library, music, late=True)
    truth = Truth(early.early, late.late, late.ambiguous)
    return World(root, music, db, truth)
