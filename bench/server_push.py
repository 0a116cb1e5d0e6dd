"""Pushing playlists to a Subsonic-compatible server: time, writes and match quality (issue 27).

Run: ``.venv/bin/python -m bench.server_push`` (50 playlists × 200 tracks, 10,000-song server)

1. A generated library (the emulator's generator) of ``--songs`` songs and ``--playlists``
   playlists of ``--tracks`` tracks each (a few duplicates in each), synced into a fresh SQLite
   mirror. 60 % of the songs have a local file that ``amsync local match`` found (written
   straight into ``local_files`` / ``local_matches``: the scan has its own benchmark).
2. The server: the controllable stand-in (``tests.support.subsonic_standin``: the Subsonic
   API over real HTTP on 127.0.0.1, in a thread of this process, each answer delayed by
   ``--latency-ms``) holding 95 % of the library's songs — paths as a container sees them
   (``/music/…``), tags with the noise real servers show (remaster suffixes, "feat." moved,
   case, durations in whole seconds ± 2 s, ISRCs for 30 % of those without a local file) —
   plus 5 % decoys: live versions, the same title by another artist, and second copies on
   compilation albums. The ground truth (which server song is each Apple song) is kept.
3. Measured, as separate ``amsync server push`` processes: the first push (sign-in, catalogue
   read, matching, every playlist created) and a second with nothing changed (it must write
   nothing). Server time is included: the stand-in answers from this process.
4. Quality, per track written: right ÷ written, for tracks whose song has a known local file
   (found by path) and for the others (found by ISRC or by tags), from what the server holds
   afterwards.

Why the stand-in rather than Supysonic: Supysonic would have to scan 10,000 files first and
answers ``getPlaylist`` at a few hundred entries a second (it opens every file), so the figure
would be Supysonic's, not amsync's; the stand-in speaks the same wire protocol (the tests run
the same pushes against both) and its latency is set explicitly.

Results go to ``bench/results/server_push.{json,md}`` (and README via ``bench.readme``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amsync.emulator import LibrarySpec, generate_library
from amsync.emulator.library import Library
from amsync.export.file_names import safe_name
from bench.harness import machine, run_measured, write_results
from tests.backup.conftest import sync_in_process
from tests.support.subsonic_standin import Song, StandinState, serving
from tests.sync.conftest import DEV, USER

PATH_SHARE = 0.60
ON_SERVER_SHARE = 0.95
ISRC_SHARE = 0.30
SUFFIXES = (" - 2011 Remaster", " (Remastered 2011)", " [2015 Remaster]")
BENCH_USER, BENCH_PASSWORD = "bench", "bench-password"
LOCAL_ROOT, SERVER_ROOT = "/home/bench/Music", "/music"


def build_library(songs: int, playlists: int, tracks: int, seed: int) -> Library:
    library = generate_library(
        LibrarySpec(
            songs=songs,
            playlists=0,
            folders=0,
            seed=seed,
            hostile_fraction=0.01,
            upload_fraction=0.0,
            withdrawn_fraction=0.0,
            music_videos=0,
        )
    )
    rng = random.Random(seed)
    ids = sorted(library.songs)
    for n in range(playlists):
        chosen = rng.sample(ids, tracks - 3)
        chosen += rng.sample(chosen, 3)  # duplicates, kept in order
        rng.shuffle(chosen)
        library.add_playlist(f"Bench Playlist {n:02d}", tracks=chosen)
    return library


def _relative(library: Library, library_id: str, n: int) -> str:
    song = library.songs[library_id]
    artist, album = safe_name(song.artist_name), safe_name(song.album_name or "Unknown")
    return f"{artist}/{album}/{n:05d} {safe_name(song.name, max_bytes=80)}.flac"


def plan_server(
    library: Library, seed: int
) -> tuple[list[Song], dict[str, str | None], dict[str, str], set[str]]:
    """The server's songs; the truth (library id → server id); the local files amsync knows
    (library id → path); the songs found on the server only by ISRC or tags."""
    rng = random.Random(seed + 1)
    songs: list[Song] = []
    truth: dict[str, str | None] = {}
    local: dict[str, str] = {}
    others: set[str] = set()
    artists = sorted({s.artist_name for s in library.songs.values()})
    for n, library_id in enumerate(sorted(library.songs)):
        song = library.songs[library_id]
        if rng.random() > ON_SERVER_SHARE:
            truth[library_id] = None
            continue
        relative = _relative(library, library_id, n)
        title, artist = song.name, song.artist_name
        known = rng.random() < PATH_SHARE
        catalog = library.catalog_songs.get(song.catalog_id or "")
        isrc: tuple[str, ...] = ()
        if known:
            local[library_id] = f"{LOCAL_ROOT}/{relative}"
        else:
            others.add(library_id)
            roll = rng.random()
            if roll < 0.15:
                title += rng.choice(SUFFIXES)
            elif roll < 0.23:
                artist = f"{artist} feat. {rng.choice(artists)}"
            elif roll < 0.33:
                title = title.upper()
            if catalog is not None and catalog.isrc and rng.random() < ISRC_SHARE:
                isrc = (catalog.isrc,)
        seconds = max(1, (song.duration_ms + rng.randrange(-2000, 2000)) // 1000)
        server_id = f"s{n}"
        songs.append(
            Song(
                server_id,
                title,
                artist,
                song.album_name or "",
                f"al-{n // 12}",
                f"ar-{artist}",
                seconds,
                f"{SERVER_ROOT}/{relative}",
                isrc,
            )
        )
        truth[library_id] = server_id
        decoy = rng.random()
        if decoy < 0.02:  # a live version
            songs.append(
                Song(
                    f"d{n}",
                    f"{song.name} (Live)",
                    song.artist_name,
                    "Live",
                    f"al-live-{n}",
                    f"ar-{song.artist_name}",
                    seconds + 40,
                    f"{SERVER_ROOT}/Live/{n:05d}.flac",
                )
            )
        elif decoy < 0.04:  # the same title by another artist
            other = rng.choice(artists)
            songs.append(
                Song(
                    f"d{n}",
                    song.name,
                    other,
                    "Elsewhere",
                    f"al-else-{n}",
                    f"ar-{other}",
                    seconds,
                    f"{SERVER_ROOT}/Else/{n:05d}.flac",
                )
            )
        elif decoy < 0.05:  # a second copy on a compilation
            songs.append(
                Song(
                    f"d{n}",
                    song.name,
                    song.artist_name,
                    "Greatest Hits",
                    f"al-hits-{n}",
                    f"ar-{song.artist_name}",
                    seconds,
                    f"{SERVER_ROOT}/Hits/{n:05d}.flac",
                )
            )
    n = 0
    while len(songs) < len(library.songs):  # unrelated songs up to the library's size
        songs.append(
            Song(
                f"u{n}",
                f"Unrelated Tune {n}",
                f"Other Band {n % 40}",
                "Elsewhere",
                f"al-u{n // 10}",
                f"ar-u{n % 40}",
                180 + n % 120,
                f"{SERVER_ROOT}/Other/{n:05d}.flac",
            )
        )
        n += 1
    return songs, truth, local, others


def write_local_matches(db: Path, library: Library, local: dict[str, str]) -> None:
    """What ``amsync local scan`` and ``local match`` would have stored for the known files."""
    now = datetime.now(UTC).isoformat(sep=" ")
    with sqlite3.connect(db) as connection:
        account = connection.execute("SELECT id FROM accounts WHERE name = 'default'").fetchone()[0]
        keys = dict(connection.execute("SELECT library_id, id FROM songs"))
        for library_id, path in local.items():
            song = library.songs[library_id]
            cursor = connection.execute(
                "INSERT INTO local_files (path, source, format, title, artist, album, "
                "duration_ms, first_seen_at, scanned_at) VALUES (?, 'folders', 'flac', ?, ?, ?, "
                "?, ?, ?)",
                (path, song.name, song.artist_name, song.album_name, song.duration_ms, now, now),
            )
            connection.execute(
                "INSERT INTO local_matches (account_id, song_id, file_id, accepted, method, "
                "score, matched_at) VALUES (?, ?, ?, 1, 'tags', 100.0, ?)",
                (account, keys[library_id], cursor.lastrowid, now),
            )
    connection.close()


def push(db: Path, url: str) -> tuple[dict[str, Any], dict[str, float]]:
    command = [
        sys.executable,
        "-m",
        "amsync",
        "--db",
        str(db),
        "server",
        "push",
        url,
        "--user",
        BENCH_USER,
        "--json",
    ]
    measured = run_measured(
        command,
        {"AMSYNC_SUBSONIC_PASSWORD": BENCH_PASSWORD, "AMSYNC_HOME": str(db.parent / "home")},
    )
    if measured.exit_code != 0:
        raise RuntimeError(f"push failed ({measured.exit_code}): {measured.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(measured.stdout)
    return report, {
        "wall_s": round(measured.wall_s, 2),
        "cpu_s": round(measured.cpu_s, 2),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
    }


def evaluate(
    db: Path,
    report: dict[str, Any],
    state: StandinState,
    truth: dict[str, str | None],
    local: dict[str, str],
) -> dict[str, Any]:
    """Right ÷ written, by whether the song's local file was known; what was missed."""
    with sqlite3.connect(db) as connection:
        tracks: dict[str, list[str]] = {}
        for playlist, library_id in connection.execute(
            "SELECT playlist_id, library_id FROM playlist_tracks_v ORDER BY playlist_id, position"
        ):
            tracks.setdefault(playlist, []).append(library_id)
    connection.close()
    names = (
        "path_tracks",
        "path_right",
        "other_tracks",
        "other_written",
        "other_right",
        "missing_on_server",
        "not_found",
    )
    counts = dict.fromkeys(names, 0)
    for line in report["playlists"]:
        skipped = {m["position"] for m in line["not_written"]}
        wanted = tracks[line["library_id"]]
        written = iter(state.playlists[line["server_playlist_id"]].songs)
        for position, library_id in enumerate(wanted):
            got = None if position in skipped else next(written)
            expected = truth.get(library_id)
            if library_id in local:
                counts["path_tracks"] += 1
                counts["path_right"] += got == expected
            elif expected is None:
                counts["missing_on_server"] += 1
                counts["other_written"] += got is not None  # a wrong one
            else:
                counts["other_tracks"] += 1
                counts["other_written"] += got is not None
                counts["other_right"] += got == expected
                counts["not_found"] += got is None
    return counts | {
        "path_share_right": round(counts["path_right"] / max(1, counts["path_tracks"]), 4),
        "other_precision": round(counts["other_right"] / max(1, counts["other_written"]), 4),
        "other_recall": round(counts["other_right"] / max(1, counts["other_tracks"]), 4),
    }


def table(results: dict[str, Any]) -> str:
    p, first, again, q = (
        results[k] for k in ("parameters", "first_push", "second_push", "quality")
    )
    return "\n".join(
        [
            "### Pushing playlists to a Subsonic server (issue 27)",
            "",
            f"{p['playlists']} playlists × {p['tracks']} tracks over a {p['server_songs']:,}-song "
            f"server (the stand-in, {p['latency_ms']} ms a request); load before "
            f"{results['load_before']}.",
            "",
            "| | first push | no-change push | goal |",
            "|---|---:|---:|---|",
            f"| wall time (server time included) | {first['wall_s']} s | {again['wall_s']} s | "
            "≤ 60 s / ≤ 10 s |",
            f"| writes | {first['writes']} | {again['writes']} | 0 on the second |",
            f"| requests | {first['requests']} | {again['requests']} | |",
            f"| peak RSS | {first['peak_rss_mb']} MB | {again['peak_rss_mb']} MB | |",
            "",
            f"- by path (local file known): {q['path_right']:,} of {q['path_tracks']:,} tracks "
            f"right ({q['path_share_right']:.2%}; goal 100 %)",
            f"- by ISRC or tags: precision {q['other_precision']:.2%} (goal ≥ 99.5 %), recall "
            f"{q['other_recall']:.2%} ({q['other_right']:,} right of {q['other_written']:,} "
            f"written; {q['other_tracks']:,} such tracks)",
            f"- tracks the server does not have: {q['missing_on_server']:,} (skipped, reported)",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--songs", type=int, default=10_000)
    parser.add_argument("--playlists", type=int, default=50)
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args(argv)
    library = build_library(args.songs, args.playlists, args.tracks, args.seed)
    songs, truth, local, others = plan_server(library, args.seed)
    with tempfile.TemporaryDirectory(prefix="amsync-server-bench-") as scratch:
        db = Path(scratch) / "mirror.db"
        from amsync.emulator import Emulator

        sync_in_process(
            Emulator(library, developer_tokens={DEV}, music_user_tokens={USER}), str(db)
        )
        write_local_matches(db, library, local)
        state = StandinState(songs, {BENCH_USER: BENCH_PASSWORD}, latency_s=args.latency_ms / 1000)
        load_before = [round(x, 2) for x in os.getloadavg()]
        with serving(state) as url:
            first, t_first = push(db, url)
            again, t_again = push(db, url)
        load_after = [round(x, 2) for x in os.getloadavg()]
        quality = evaluate(db, first, state, truth, local)
    results: dict[str, Any] = {
        "machine": machine(),
        "parameters": {
            "songs": args.songs,
            "playlists": args.playlists,
            "tracks": args.tracks,
            "server_songs": len(songs),
            "latency_ms": args.latency_ms,
            "seed": args.seed,
            "local_files_known": len(local),
            "songs_by_isrc_or_tags": len(others),
        },
        "load_before": load_before,
        "load_after": load_after,
        "first_push": t_first
        | {"writes": first["writes"], "requests": first["requests"], "counts": first["counts"]},
        "second_push": t_again | {"writes": again["writes"], "requests": again["requests"]},
        "quality": quality,
    }
    text = table(results)
    print(text)
    if not args.no_write:
        write_results("server_push", results, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
