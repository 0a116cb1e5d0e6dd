"""The demo's local-files step (issue 16): a small generated music folder for the songs of the
smallest playlists, scanned, matched, and written out as M3U8 playlists that point at the files.

The folder holds tiny valid MP3, FLAC, M4A and Opus files tagged the way real collections are:
some with the ISRC, some with "feat." moved or a remaster suffix, some lengths a second or two
off, one live recording that must not be taken for the studio one, and songs with no file.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Final

from sqlalchemy import select

from amsync.audiotags import FolderSource
from amsync.audiotags.sample_files import SampleTags, write_sample_file
from amsync.db import tables
from amsync.db.store import Store
from amsync.export.export_options import ExportOptions
from amsync.export.file_names import safe_name
from amsync.export.m3u_export import export_m3u
from amsync.local.match_rows import song_records
from amsync.local.match_run import run_match
from amsync.local.scan import scan

DEMO_FILES: Final = 60
_FORMATS: Final = (".mp3", ".flac", ".m4a", ".opus")


def _write_music(store: Store, account_id: int, music: Path, seed: int) -> int:
    rng = random.Random(seed)
    with store.session() as session:
        connection = session.connection()
        by_id = {s.library_id: s for s in song_records(connection, account_id)}
        in_playlists = connection.execute(
            select(tables.playlist_entries.c.track_library_id)
            .join(
                tables.playlists,
                tables.playlists.c.current_revision_id == tables.playlist_entries.c.revision_id,
            )
            .where(tables.playlists.c.account_id == account_id)
            .order_by(tables.playlists.c.track_count, tables.playlists.c.id)
        ).scalars()
        chosen = list(dict.fromkeys(i for i in in_playlists if i in by_id))[:DEMO_FILES]
    songs = [by_id[library_id] for library_id in chosen]
    written = 0
    for index, song in enumerate(songs):
        if index % 8 == 7:  # some songs have no file
            continue
        title, artist = song.name, song.artist or "Unknown Artist"
        if index % 5 == 1:
            title = f"{title} - 2011 Remaster"
        if index % 7 == 2:
            artist = f"{artist} feat. Guest Star"
        duration = (song.duration_ms or 200_000) + rng.randrange(-1500, 1500)
        tags = SampleTags(
            title=title,
            artist=artist,
            album=song.album,
            isrc=song.isrc if index % 2 == 0 else None,
        )
        folder = music / safe_name(song.artist or "Unknown Artist") / safe_name(song.album or "")
        folder.mkdir(parents=True, exist_ok=True)
        name = safe_name(f"{index:02d} {song.name}", max_bytes=100) + _FORMATS[index % 4]
        write_sample_file(folder / name, tags, duration)
        written += 1
        if index == 0:  # a live recording of the same song: never the studio one's file
            live = SampleTags(title=f"{song.name} (Live)", artist=song.artist, album="Live")
            write_sample_file(folder / f"{name}.live.mp3", live, duration + 30_000)
            written += 1
    return written


def local_files_demo(store: Store, account_id: int, folder: Path, seed: int) -> list[str]:
    """Music folder, scan, match and ``--local`` M3U8 export inside ``folder``; a line per
    step for the demo's summary."""
    music = folder / "music"
    _write_music(store, account_id, music, seed)
    scanned = scan(store, FolderSource([str(music)]))
    matched = run_match(store, account_id)
    playlists = folder / "exports" / "m3u-local"
    exported = export_m3u(store, account_id, playlists, ExportOptions(local=True, relative=True))
    return [
        f"{music}: {scanned.found} tagged audio files (scanned with `amsync local scan`)",
        f"matched {matched.matched} of {matched.songs} songs to them "
        f"({', '.join(f'{m} {n}' for m, n in sorted(matched.by_method.items()))})",
        f"{playlists}: {len(exported.files)} M3U8 playlists with relative paths to those files "
        f"({exported.tracks_without_location} tracks without a file, as comments)",
    ]
