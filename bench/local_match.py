"""Local files: scan and match speed, memory, and how well songs find their files (issue 16).

Run: ``.venv/bin/python -m bench.local_match --songs 100000``

1. A mirror of ``--songs`` songs of a generated library (the emulator's generator; catalog rows
   with ISRCs) is written straight into a fresh SQLite database. A share of the songs gets
   "feat." artists in the title (in the artist field on the file side, or the other way round).
2. A music folder of real, tiny, tagged audio files (MP3, FLAC, M4A, Opus, written with
   mutagen by ``amsync.audiotags.sample_files``) with the noise real collections have:
   - a file for 85 % of the songs; ISRC in 40 % of them; every length ± 2 s;
   - NFD (macOS) file names and tags; remaster/deluxe suffixes ("- 2011 Remaster",
     "(Remastered 2011)", …); "feat." moved; case and apostrophe changes;
   - second copies of some songs that only share a MusicBrainz recording id with the first;
   - decoys: live and extended versions of songs, and the same title by another artist
     (of songs with a file and of songs without one);
   - files of songs the library does not have.
   The ground truth (which files are each song's) is kept beside it.
3. Measured, as separate ``amsync`` processes (wall time and peak RSS): the first ``local
   scan``, a second one with nothing changed, and ``local match``.
4. Precision (right matches ÷ matches) and recall (right matches ÷ songs that have a file), in
   total, per method and per kind of noise, side by side with a simple exact-tags baseline
   (artist and title equal after lower-casing) on the same files.

Results go to ``bench/results/local_match.{json,md}`` (docs/performance.md via ``bench.readme``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amsync.audiotags.sample_files import SampleTags, write_sample_file
from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator import LibrarySpec, generate_library
from amsync.export.file_names import safe_name
from bench.harness import machine, write_results

FILE_SHARE = 0.85
ISRC_SHARE = 0.40
NFD_SHARE = 0.20
SUFFIX_SHARE = 0.15
CASE_SHARE = 0.10
FEAT_SHARE = 0.08
COPY_SHARE = 0.03
LIVE_DECOY_SHARE = 0.03
OTHER_ARTIST_DECOY_SHARE = 0.03
UNRELATED_SHARE = 0.04
SUFFIXES = (" - 2011 Remaster", " (Remastered 2011)", " (Deluxe Edition)", " - Remastered",
            " [2015 Remaster]")  # fmt: skip
VERSIONS = (" (Live)", " (Live at Wembley)", " - Extended Mix", " (Acoustic)", " - Live")
FORMATS = (".mp3", ".flac", ".m4a", ".mp3", ".flac", ".opus")


def _word(rng: random.Random) -> str:
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(3)).title()


def build_mirror(db: Path, songs: int, seed: int) -> list[dict[str, Any]]:
    """The mirror's songs (with their catalog rows), written with SQLAlchemy Core; returns
    them as dicts for the corpus."""
    rng = random.Random(seed)
    library = generate_library(LibrarySpec(songs=songs, seed=seed, hostile_fraction=0.01))
    artists = sorted({s.artist_name for s in library.songs.values()})
    store = open_store(str(db))
    account_id = store.account_id("default")
    now = datetime.now(UTC)
    records: list[dict[str, Any]] = []
    song_rows, catalog_rows = [], []
    for song in library.songs.values():
        if song.kind != "song":
            continue
        catalog = library.catalog_songs.get(song.catalog_id or "")
        name, artist, feat = song.name, song.artist_name, None
        if rng.random() < FEAT_SHARE:
            feat = rng.choice(artists)
            if rng.random() < 0.5:
                name = f"{name} (feat. {feat})"
            else:
                artist = f"{artist} feat. {feat}"
        record = {
            "library_id": song.id,
            "name": name,
            "artist": artist,
            "base_name": song.name,
            "base_artist": song.artist_name,
            "feat": feat,
            "album": song.album_name,
            "duration_ms": song.duration_ms,
            "isrc": catalog.isrc if catalog else None,
        }
        records.append(record)
        song_rows.append(
            {
                "account_id": account_id,
                "library_id": song.id,
                "catalog_id": song.catalog_id,
                "name": name,
                "artist": artist,
                "album": song.album_name,
                "duration_ms": song.duration_ms,
                "track_number": song.track_number,
                "disc_number": song.disc_number,
                "kind": "song",
                "fingerprint": "x",
                "first_seen_at": now,
                "last_seen_at": now,
            }
        )
        if catalog is not None:
            catalog_rows.append(
                {
                    "account_id": account_id,
                    "catalog_id": catalog.id,
                    "name": catalog.name,
                    "artist": catalog.artist_name,
                    "album": catalog.album_name,
                    "isrc": catalog.isrc,
                    "duration_ms": catalog.duration_ms,
                    "fingerprint": "x",
                    "fetched_at": now,
                }
            )
    with store.writing() as session:
        connection = session.connection()
        for table, rows in ((tables.songs, song_rows), (tables.catalog_songs, catalog_rows)):
            for start in range(0, len(rows), 10_000):
                connection.execute(table.insert(), rows[start : start + 10_000])
    store.close()
    return records


def plan_files(records: list[dict[str, Any]], seed: int) -> tuple[list[dict[str, Any]], dict]:
    """What to write: one dict per file (relative path, tags, length, kinds of noise), and the
    ground truth: library id -> the relative paths that are that song's files."""
    rng = random.Random(seed + 1)
    files: list[dict[str, Any]] = []
    truth: dict[str, list[str]] = {}
    taken: set[str] = set()

    def add(record: dict[str, Any] | None, title: str, artist: str, album: str | None,
            duration: int, noise: list[str], **tags: Any) -> str:  # fmt: skip
        nfd = "nfd" in noise
        folder = f"{safe_name(artist, max_bytes=60)}/{safe_name(album or 'Unknown', max_bytes=60)}"
        stem = safe_name(f"{len(files):06d} {title}", max_bytes=90)
        ext = FORMATS[len(files) % len(FORMATS)]
        relative = f"{folder}/{stem}{ext}"
        if nfd:
            relative = unicodedata.normalize("NFD", relative)
            title, artist = (unicodedata.normalize("NFD", t) for t in (title, artist))
        assert relative not in taken
        taken.add(relative)
        files.append({"path": relative, "title": title, "artist": artist, "album": album,
                      "duration_ms": max(1000, duration), "noise": noise, **tags})  # fmt: skip
        if record is not None:
            truth.setdefault(record["library_id"], []).append(relative)
        return relative

    for record in records:
        truth.setdefault(record["library_id"], [])
        has_file = rng.random() < FILE_SHARE
        if has_file:
            noise: list[str] = []
            title, artist = record["base_name"], record["base_artist"]
            if record["feat"]:  # moved to the other side
                noise.append("feat")
                if "(feat." in record["name"]:
                    artist = f"{artist} feat. {record['feat']}"
                else:
                    title = f"{title} (feat. {record['feat']})"
            if rng.random() < SUFFIX_SHARE:
                noise.append("suffix")
                title += rng.choice(SUFFIXES)
            if rng.random() < CASE_SHARE:
                noise.append("case")
                title = title.upper() if rng.random() < 0.5 else title.lower()
                title = title.replace("'", "’")
            if rng.random() < NFD_SHARE:
                noise.append("nfd")
            isrc = record["isrc"] if rng.random() < ISRC_SHARE else None
            noise.append("isrc" if isrc else "no-isrc")
            duration = record["duration_ms"] + rng.randrange(-2000, 2001)
            mbid = None
            if rng.random() < COPY_SHARE:
                mbid = f"{rng.getrandbits(32):08x}-0000-4000-8000-{rng.getrandbits(48):012x}"
                isrc = record["isrc"]
                noise.append("copy")
            add(record, title, artist, record["album"], duration, noise, isrc=isrc,
                mb_recording_id=mbid)  # fmt: skip
            if mbid:  # a second copy that only shares the recording id
                add(record, f"{record['base_name']} (copy)", "Unknown Artist", None, duration,
                    ["mbid-copy"], mb_recording_id=mbid)  # fmt: skip
        if rng.random() < LIVE_DECOY_SHARE:
            add(None, record["base_name"] + rng.choice(VERSIONS), record["base_artist"],
                f"{record['album']} (Live)", record["duration_ms"] + rng.randrange(-60_000, 60_000),
                ["decoy-version"])  # fmt: skip
        if rng.random() < OTHER_ARTIST_DECOY_SHARE:
            add(None, record["base_name"], f"{_word(rng)} {_word(rng)}", "Covers",
                record["duration_ms"] + rng.randrange(-2000, 2001), ["decoy-artist"])  # fmt: skip
    for _ in range(round(len(records) * UNRELATED_SHARE)):
        add(None, f"{_word(rng)} {_word(rng)}", f"{_word(rng)} {_word(rng)}", _word(rng),
            rng.randrange(90_000, 400_000), ["unrelated"])  # fmt: skip
    return files, truth


def _write_chunk(job: tuple[str, list[dict[str, Any]]]) -> int:
    root, chunk = job
    for spec in chunk:
        path = Path(root) / spec["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        tags = SampleTags(
            title=spec["title"],
            artist=spec["artist"],
            album=spec["album"],
            isrc=spec.get("isrc"),
            mb_recording_id=spec.get("mb_recording_id"),
        )
        write_sample_file(path, tags, spec["duration_ms"])
    return len(chunk)


def write_files(root: Path, files: list[dict[str, Any]], workers: int) -> float:
    started = time.monotonic()
    size = 2000
    jobs = [(str(root), files[i : i + size]) for i in range(0, len(files), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for _ in pool.imap_unordered(_write_chunk, jobs):
            pass
    return time.monotonic() - started


def _peak_rss_mb(pid: int) -> float:
    """The high-water mark of a process's resident memory (``VmHWM``), which starts afresh
    when it runs a new program — unlike ``wait4``'s ``ru_maxrss``, which a child forked from
    this (large) benchmark process inherits."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_with_peak(command: list[str]) -> tuple[int, float, float, str, str]:
    """Exit code, wall seconds, peak RSS (MB, polled every 20 ms), stdout, stderr."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _peak_rss_mb(process.pid))
            done.wait(0.02)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, err = process.communicate()
    wall = time.monotonic() - started
    done.set()
    watcher.join()
    return process.returncode, wall, peak, out, err


def amsync(db: Path, *args: str) -> tuple[dict[str, Any], dict[str, float]]:
    command = [sys.executable, "-m", "amsync", "--db", str(db), *args, "--json"]
    code, wall, peak, out, err = run_with_peak(command)
    if code != 0:
        raise RuntimeError(f"amsync {' '.join(args)} failed: {err[-2000:]}")
    report: dict[str, Any] = json.loads(out)
    return report, {"wall_s": round(wall, 2), "peak_rss_mb": round(peak)}


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def evaluate(
    db: Path, root: Path, truth: dict[str, list[str]], files: list[dict[str, Any]]
) -> dict[str, Any]:
    """Precision and recall of amsync's matches, per method and per kind of noise."""
    rights = {lid: {str(root / p) for p in paths} for lid, paths in truth.items()}
    noise_of = {str(root / f["path"]): f["noise"] for f in files}
    connection = sqlite3.connect(db)
    matched = {
        row[0]: (row[1], row[2])
        for row in connection.execute("SELECT library_id, path, method FROM local_matches_v")
    }
    connection.close()
    with_file = [lid for lid, paths in rights.items() if paths]
    per_method: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_examples: list[dict[str, str]] = []
    for lid, (path, method) in matched.items():
        ok = path in rights.get(lid, set())
        per_method[method]["right" if ok else "wrong"] += 1
        if not ok and len(wrong_examples) < 10:
            wrong_examples.append({"library_id": lid, "path": path, "method": method})
    right = sum(c["right"] for c in per_method.values())
    total = sum(c["right"] + c["wrong"] for c in per_method.values())
    per_noise: dict[str, Counter[str]] = defaultdict(Counter)
    for lid in with_file:
        kinds = {k for p in rights[lid] for k in noise_of[p]}
        found = matched.get(lid)
        hit = found is not None and found[0] in rights[lid]
        for kind in kinds or {"none"}:
            per_noise[kind]["songs"] += 1
            per_noise[kind]["found"] += int(hit)
    return {
        "songs": len(rights),
        "songs_with_file": len(with_file),
        "matched": total,
        "right": right,
        "precision_pct": _rate(right, total),
        "recall_pct": _rate(right, len(with_file)),
        "by_method": {
            method: {
                "matched": c["right"] + c["wrong"],
                "wrong": c["wrong"],
                "precision_pct": _rate(c["right"], c["right"] + c["wrong"]),
                "recall_share_pct": _rate(c["right"], len(with_file)),
            }
            for method, c in sorted(per_method.items())
        },
        "recall_by_noise_pct": {
            kind: _rate(c["found"], c["songs"]) for kind, c in sorted(per_noise.items())
        },
        "wrong_examples": wrong_examples,
    }


def baseline(db: Path, root: Path, truth: dict[str, list[str]]) -> dict[str, Any]:
    """Exact tags: a song takes the first file whose artist and title equal its own after
    lower-casing (no normalisation, no ISRC)."""
    started = time.monotonic()
    connection = sqlite3.connect(db)
    index: dict[tuple[str, str], str] = {}
    for path, title, artist in connection.execute(
        "SELECT path, title, artist FROM local_files WHERE gone_at IS NULL ORDER BY id"
    ):
        index.setdefault(((title or "").lower(), (artist or "").lower()), path)
    matched = {}
    for lid, name, artist in connection.execute(
        "SELECT library_id, name, artist FROM songs WHERE removed_at IS NULL"
    ):
        path = index.get(((name or "").lower(), (artist or "").lower()))
        if path is not None:
            matched[lid] = path
    connection.close()
    elapsed = time.monotonic() - started
    rights = {lid: {str(root / p) for p in paths} for lid, paths in truth.items()}
    right = sum(1 for lid, path in matched.items() if path in rights.get(lid, set()))
    with_file = sum(1 for paths in rights.values() if paths)
    return {
        "matched": len(matched),
        "right": right,
        "precision_pct": _rate(right, len(matched)),
        "recall_pct": _rate(right, with_file),
        "seconds": round(elapsed, 2),
    }


def table(results: dict[str, Any]) -> str:
    p, q = results["parameters"], results["quality"]
    b, t = results["baseline"], results["timings"]
    m = results["machine"]
    lines = [
        "# Local files: scan, match, precision and recall",
        "",
        f"{p['songs']} mirrored songs, {p['files']} generated audio files "
        f"({', '.join(f'{n} {k}' for k, n in p['formats'].items())}) with the noise of issue "
        f"16; {q['songs_with_file']} songs have a file. Machine: {m['cpu_model']}, "
        f"{m['cpu_count']} cores, SQLite {m['sqlite']}, {m['date']}; load average "
        f"{results['load_before']} before, {results['load_after']} after.",
        "",
        "| step | seconds | peak RSS (MB) | goal |",
        "|---|---|---|---|",
        f"| `local scan`, first | {t['scan_first']['wall_s']} | {t['scan_first']['peak_rss_mb']} "
        "| ≤ 60 s, ≤ 500 MB |",
        f"| `local scan`, nothing changed | {t['scan_again']['wall_s']} | "
        f"{t['scan_again']['peak_rss_mb']} | ≤ 5 s |",
        f"| `local match` | {t['match']['wall_s']} | {t['match']['peak_rss_mb']} | ≤ 20 s |",
        "",
        "| matcher | matched | precision | recall |",
        "|---|---|---|---|",
        f"| amsync (all rules) | {q['matched']} | {q['precision_pct']} % | {q['recall_pct']} % |",
    ]
    for method, figures in q["by_method"].items():
        lines.append(
            f"| — by {method} | {figures['matched']} | {figures['precision_pct']} % | "
            f"{figures['recall_share_pct']} % of the songs with a file |"
        )
    lines += [
        f"| exact-tags baseline (artist + title equal after lower-casing) | {b['matched']} | "
        f"{b['precision_pct']} % | {b['recall_pct']} % |",
        "",
        "Goals: precision ≥ 99.5 %, recall ≥ 97 %. Recall by kind of noise (songs whose file "
        "has it): "
        + ", ".join(f"{k} {v} %" for k, v in q["recall_by_noise_pct"].items() if v is not None)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="processes writing the files")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="amsync-local-bench-") as scratch:
        work = Path(args.keep or scratch)
        work.mkdir(parents=True, exist_ok=True)
        db, root = work / "mirror.db", work / "Music"
        for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            stale.unlink(missing_ok=True)
        records = build_mirror(db, args.songs, args.seed)
        files, truth = plan_files(records, args.seed)
        marker = work / "corpus.json"
        wanted = {"songs": args.songs, "seed": args.seed, "files": len(files)}
        write_seconds = 0.0
        if not (root.exists() and marker.exists() and json.loads(marker.read_text()) == wanted):
            shutil.rmtree(root, ignore_errors=True)
            write_seconds = write_files(root, files, args.workers)
            marker.write_text(json.dumps(wanted))
        print(f"corpus: {len(records)} songs, {len(files)} files", file=sys.stderr)
        load_before = [round(x, 2) for x in os.getloadavg()]
        scan_first, t_first = amsync(db, "local", "scan", str(root))
        scan_again, t_again = amsync(db, "local", "scan", str(root))
        match, t_match = amsync(db, "local", "match")
        load_after = [round(x, 2) for x in os.getloadavg()]
        quality = evaluate(db, root, truth, files)
        base = baseline(db, root, truth)
    results: dict[str, Any] = {
        "machine": machine(),
        "parameters": {
            "songs": len(records),
            "files": len(files),
            "seed": args.seed,
            "formats": dict(Counter(Path(f["path"]).suffix for f in files)),
            "write_files_s": round(write_seconds, 1),
        },
        "load_before": load_before,
        "load_after": load_after,
        "timings": {"scan_first": t_first, "scan_again": t_again, "match": t_match},
        "scan_first": {k: v for k, v in scan_first.items() if k != "problems"},
        "scan_again": {k: v for k, v in scan_again.items() if k != "problems"},
        "match": match,
        "quality": quality,
        "baseline": base,
    }
    text = table(results)
    print(text)
    if not args.no_write:
        write_results("local_match", results, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
