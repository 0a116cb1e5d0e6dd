"""Sync benchmark: a full sync and a no-change re-sync against the emulator on a real socket,
requests against the minimum the API allows, and a baseline client for comparison.

Run: ``.venv/bin/python -m bench.sync --songs 100000 --albums 10000 --artists 5000
--playlists 500 --latency-ms 30 --rate-limit 20`` (the figures of the sync issue), or
``--quick`` for a small check in under a minute.

The emulator runs in its own process (``amsync emulator serve``), amsync as a subprocess
(``amsync sync --json``), so the peak memory is amsync's alone. The minimum number of requests
is computed from the same generated library: the storefront, Apple's Replay summary (one request
per run, issue 26), listing pages of 100, one request for an empty listing, the folder tree,
every playlist's tracks, ratings batches of 200, and catalog batches of 150 for the catalog ids
no listing carries. The baseline client (``bench/baseline_client.py``)
syncs the way the most widely used open-source Apple Music library sync does: sequential pages of
100, a fixed 4 requests/s, catalog batches of 150, ratings batches of 200.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path
from typing import Any

from amsync.emulator import LibrarySpec, generate_library
from bench.harness import (
    DEV,
    USER,
    EmulatorProcess,
    machine,
    run_measured,
    start_emulator,
    write_results,
)

PAGE = 100
RATINGS_BATCH = 200
CATALOG_BATCH = 150


def pages(count: int) -> int:
    return max(1, math.ceil(count / PAGE))


def minimum_requests(spec: LibrarySpec) -> dict[str, int]:
    """The fewest requests that read this library completely (see the module docstring)."""
    library = generate_library(spec)
    children: dict[str | None, int] = {None: 0}
    for folder in library.folders.values():
        children[folder.parent_id] = children.get(folder.parent_id, 0) + 1
        children.setdefault(folder.id, 0)
    for playlist in library.playlists.values():
        children[playlist.parent_id] = children.get(playlist.parent_id, 0) + 1
    listed_catalog = {s.catalog_id for s in library.songs.values() if s.catalog_id}
    withdrawn = {cid for cid in listed_catalog if library.catalog_songs[cid].withdrawn}
    parts = {
        "storefront": 1,
        "replay summary": 1,
        "songs": pages(len(library.songs)),
        "music videos": pages(len(library.music_videos)),
        "albums": pages(len(library.albums)),
        "artists": pages(len(library.artists)),
        "playlists": pages(len(library.playlists)),
        "folder tree": 1 + sum(pages(n) for n in children.values()),
        "playlist tracks": sum(pages(len(p.tracks)) for p in library.playlists.values()),
        "ratings": sum(
            math.ceil(n / RATINGS_BATCH)
            for n in (len(library.songs), len(library.albums), len(library.playlists))
            if n
        ),
        "catalog": math.ceil(len(withdrawn) / CATALOG_BATCH),
    }
    parts["total"] = sum(parts.values())
    return parts


def emulator_args(args: argparse.Namespace, songs: int) -> list[str]:
    values = [
        "--songs",
        str(songs),
        "--seed",
        str(args.seed),
        "--latency-ms",
        str(args.latency_ms),
        "--rate-limit",
        str(args.rate_limit),
    ]
    if args.albums:
        values += [
            "--albums",
            str(args.albums if songs == args.songs else args.albums * songs // args.songs),
        ]
    if args.artists:
        values += [
            "--artists",
            str(args.artists if songs == args.songs else args.artists * songs // args.songs),
        ]
    if args.playlists:
        values += [
            "--playlists",
            str(
                args.playlists
                if songs == args.songs
                else max(10, args.playlists * songs // args.songs)
            ),
        ]
    return values


def spec_for(args: argparse.Namespace, songs: int) -> LibrarySpec:
    raw = emulator_args(args, songs)
    options = dict(zip(raw[::2], raw[1::2], strict=True))
    return LibrarySpec(
        songs=songs,
        albums=int(options["--albums"]) if "--albums" in options else None,
        artists=int(options["--artists"]) if "--artists" in options else None,
        playlists=int(options["--playlists"]) if "--playlists" in options else None,
        seed=args.seed,
    )


def amsync_sync(emulator: EmulatorProcess, work: Path, db: str | None = None) -> dict[str, Any]:
    import sys

    env = {"AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER}
    emulator.reset_log()
    measured = run_measured(
        [
            sys.executable,
            "-m",
            "amsync",
            "--home",
            str(work / "home"),
            "--db",
            db or str(work / "mirror.db"),
            "--api-url",
            emulator.url,
            "-q",
            "sync",
            "--json",
        ],
        env,
    )
    if measured.exit_code != 0:
        raise RuntimeError(f"amsync sync failed ({measured.exit_code}): {measured.stderr}")
    report = json.loads(measured.stdout)
    server = emulator.log()
    return {
        "wall_s": round(measured.wall_s, 2),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "cpu_s": round(measured.cpu_s, 1),
        "requests": report["requests"],
        "retries": report["retries"],
        "throttled": report["throttled"],
        "server_requests": server.get("total"),
        "item_writes": report["item_writes"],
        "collections": report["collections"],
    }


def baseline_sync(emulator: EmulatorProcess) -> dict[str, Any]:
    from bench.baseline_client import BaselineClient

    emulator.reset_log()
    client = BaselineClient(emulator.url, DEV, USER)
    result = client.sync()
    server = emulator.log()
    result["server_requests"] = server.get("total")
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "parameters": {
            k: getattr(args, k)
            for k in (
                "songs",
                "albums",
                "artists",
                "playlists",
                "latency_ms",
                "rate_limit",
                "seed",
                "baseline_songs",
            )
        },
    }
    spec = spec_for(args, args.songs)
    minimum = minimum_requests(spec)
    results["minimum_requests"] = minimum
    emulator = start_emulator(emulator_args(args, args.songs))
    results["emulator_startup_s"] = round(emulator.startup_s, 2)
    try:
        with tempfile.TemporaryDirectory(prefix="amsync-bench-") as tmp:
            work = Path(tmp)
            full = amsync_sync(emulator, work)
            again = amsync_sync(emulator, work)
            if args.postgres:
                results["postgres_full"] = postgres_sync(args.postgres, emulator, work)
    finally:
        emulator.stop()
    budget = minimum["total"] / args.rate_limit
    full["requests_vs_minimum"] = round(full["requests"] / minimum["total"], 3)
    full["wall_target_s"] = round(1.2 * budget + 10, 1)
    full["throttled_share"] = round(full["throttled"] / max(1, full["requests"]), 4)
    again["requests_vs_minimum"] = round(again["requests"] / minimum["total"], 3)
    results["amsync_full"] = full
    results["amsync_resync"] = again
    if args.baseline_songs:
        results["comparison"] = compare(args)
    return results


def postgres_sync(server: str, emulator: EmulatorProcess, work: Path) -> dict[str, Any]:
    """The same full sync into a fresh database on a real PostgreSQL server."""
    from bench.accounts import drop_database, fresh_database

    name, db = fresh_database(server)
    try:
        return amsync_sync(emulator, work, db)
    finally:
        drop_database(server, name)


def compare(args: argparse.Namespace) -> dict[str, Any]:
    """amsync and the baseline client on the same (smaller) library, one after the other."""
    songs = args.baseline_songs
    emulator = start_emulator(emulator_args(args, songs))
    try:
        with tempfile.TemporaryDirectory(prefix="amsync-bench-") as tmp:
            ours = amsync_sync(emulator, Path(tmp))
        theirs = baseline_sync(emulator)
    finally:
        emulator.stop()
    return {
        "songs": songs,
        "minimum_requests": minimum_requests(spec_for(args, songs))["total"],
        "amsync": ours,
        "baseline": theirs,
        "speedup": round(theirs["wall_s"] / ours["wall_s"], 2),
    }


def table(results: dict[str, Any]) -> str:
    p = results["parameters"]
    full, again, minimum = (
        results["amsync_full"],
        results["amsync_resync"],
        results["minimum_requests"],
    )
    lines = [
        "# Sync benchmark",
        "",
        f"Library: {p['songs']} songs, {p['albums']} albums, {p['artists']} artists, "
        f"{p['playlists']} playlists (seed {p['seed']}); emulator on a real socket with "
        f"{p['latency_ms']} ms latency and a {p['rate_limit']} req/s rate limit. "
        f"Machine: {results['machine']['cpu_model']}, {results['machine']['cpu_count']} cores, "
        f"Python {results['machine']['python']}, {results['machine']['date']}.",
        "",
        "| run | wall (s) | target (s) | requests | minimum | ratio | 429s | peak RSS (MB) "
        "| CPU (s) | item writes |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| full sync | {full['wall_s']} | {full['wall_target_s']} | {full['requests']} | "
        f"{minimum['total']} | {full['requests_vs_minimum']} | {full['throttled']} | "
        f"{full['peak_rss_mb']} | {full['cpu_s']} | {full['item_writes']} |",
        f"| no-change re-sync | {again['wall_s']} | — | {again['requests']} | "
        f"{minimum['total']} | {again['requests_vs_minimum']} | {again['throttled']} | "
        f"{again['peak_rss_mb']} | {again['cpu_s']} | {again['item_writes']} |",
        "",
        "Minimum requests by part: "
        + ", ".join(f"{k} {v}" for k, v in minimum.items() if k != "total"),
    ]
    postgres = results.get("postgres_full")
    if postgres:
        lines += [
            "",
            "## The same full sync into PostgreSQL",
            "",
            "| run | wall (s) | requests | 429s | peak RSS (MB) | CPU (s) |",
            "|---|---|---|---|---|---|",
            f"| full sync, PostgreSQL 15 | {postgres['wall_s']} | {postgres['requests']} | "
            f"{postgres['throttled']} | {postgres['peak_rss_mb']} | {postgres['cpu_s']} |",
        ]
    comparison = results.get("comparison")
    if comparison:
        ours, theirs = comparison["amsync"], comparison["baseline"]
        lines += [
            "",
            f"## Against the baseline client ({comparison['songs']} songs, same emulator)",
            "",
            "| client | wall (s) | requests | 429s |",
            "|---|---|---|---|",
            f"| amsync | {ours['wall_s']} | {ours['requests']} | {ours['throttled']} |",
            f"| baseline (sequential, 4 req/s) | {theirs['wall_s']} | {theirs['requests']} | "
            f"{theirs['throttled']} |",
            "",
            f"Speed-up: **{comparison['speedup']} ×**.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--albums", type=int, default=10_000)
    parser.add_argument("--artists", type=int, default=5_000)
    parser.add_argument("--playlists", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--rate-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--baseline-songs",
        type=int,
        default=0,
        help="also compare with the baseline client on a library this big",
    )
    parser.add_argument(
        "--postgres", default=None, help="also sync into a fresh database on this PostgreSQL URL"
    )
    parser.add_argument("--quick", action="store_true", help="a small run (under a minute)")
    parser.add_argument("--name", default=None, help="results file name (default sync/sync-quick)")
    args = parser.parse_args()
    if args.quick:
        args.songs, args.albums, args.artists, args.playlists = 5000, 500, 250, 30
        args.baseline_songs = args.baseline_songs or 2000
    results = run(args)
    text = table(results)
    write_results(args.name or ("sync-quick" if args.quick else "sync"), results, text)
    print(text)


if __name__ == "__main__":
    main()
