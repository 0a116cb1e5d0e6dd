"""The cost of refusing a damaged database: ``PRAGMA quick_check`` before the first write.

Run: ``.venv/bin/python -m bench.integrity --songs 100000``

Every command that writes the mirror (sync, favourites, accounts, backup, ``db upgrade``) runs
``quick_check`` on the SQLite file once per process before it writes (``amsync.db.integrity``).
This builds a mirror of ``--songs`` songs (``bench.export_search.build_mirror``: songs with
catalog rows, albums, artists, playlists with tracks, favourites, search tables), then times,
best and median of ``--repeat``: the check alone on a new engine, and opening the store for
writing (header check, engine, the check, schema check) against opening it read-only (no
check). The check's time is set against the no-change sync of the sync benchmark
(``bench/results/sync.json``, 100,000 songs; its wall time and its CPU time): goal under 2 %.
The file is in the page cache, as it is for a sync, which reads the whole mirror state anyway.
Results go to ``bench/results/integrity.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amsync.db import integrity
from amsync.db.engine import create_database_engine, database_url
from amsync.db.store import open_store
from bench.export_search import build_mirror, load_average
from bench.harness import RESULTS, machine, write_results

GOAL_PERCENT = 2.0


def timed(repeat: int, action: Callable[[], object]) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return {
        "best_s": round(min(runs), 4),
        "median_s": round(statistics.median(runs), 4),
        "runs_s": [round(r, 4) for r in runs],
    }


def check_once(db: Path) -> None:
    engine = create_database_engine(database_url(str(db)), create=False, readonly=True)
    try:
        assert integrity.quick_check(engine) == []
    finally:
        engine.dispose()


def open_writing(db: Path) -> None:
    integrity._SOUND.clear()  # as in a new process: the check runs
    open_store(str(db), create=False).close()


def open_reading(db: Path) -> None:
    open_store(str(db), create=False, readonly=True).close()


def no_change_sync() -> dict[str, Any]:
    data = json.loads((RESULTS / "sync.json").read_text(encoding="utf-8"))
    resync = data["amsync_resync"]
    return {
        "songs": data["parameters"]["songs"],
        "wall_s": resync["wall_s"],
        "cpu_s": resync["cpu_s"],
        "measured": data["machine"]["date"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--playlists", type=int, default=500)
    parser.add_argument("--tracks", type=int, default=150, help="tracks per playlist")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "mirror.db"
        build_s = build_mirror(db, args.songs, args.playlists, args.tracks, args.seed)
        size = db.stat().st_size
        check_once(db)  # warm the page cache, as a sync's own reads do
        load_before = load_average()
        check = timed(args.repeat, lambda: check_once(db))
        writing = timed(args.repeat, lambda: open_writing(db))
        reading = timed(args.repeat, lambda: open_reading(db))
        load_after = load_average()
    sync = no_change_sync()
    result = {
        "benchmark": "integrity",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "parameters": {
            "songs": args.songs,
            "playlists": args.playlists,
            "tracks_per_playlist": args.tracks,
            "repeat": args.repeat,
            "seed": args.seed,
        },
        "build_seconds": round(build_s, 2),
        "database_bytes": size,
        "load_average_1_5_15": {"before": load_before, "after": load_after},
        "quick_check": check,
        "open_for_writing": writing,
        "open_read_only": reading,
        "no_change_sync": sync,
        "share_of_no_change_sync_percent": {
            "of_wall": round(100 * check["median_s"] / sync["wall_s"], 3),
            "of_cpu": round(100 * check["median_s"] / sync["cpu_s"], 3),
        },
        "goal_percent_max": GOAL_PERCENT,
    }
    markdown = render_markdown(result)
    write_results("integrity", result, markdown)
    print(markdown)
    return 0


def render_markdown(r: dict[str, Any]) -> str:
    p, m, sync = r["parameters"], r["machine"], r["no_change_sync"]
    share = r["share_of_no_change_sync_percent"]
    load = r["load_average_1_5_15"]
    return "\n".join(
        [
            "# Integrity check before writing",
            "",
            f"Mirror: {p['songs']} songs, {p['playlists']} playlists × {p['tracks_per_playlist']}"
            f" tracks ({r['database_bytes'] / 1e6:.0f} MB); best and median of {p['repeat']}. "
            f"Machine: {m['cpu_model']}, {m['cpu_count']} cores, Python {m['python']}, SQLite "
            f"{m['sqlite']}, {r['measured_at']}; load average {load['before']} → "
            f"{load['after']}.",
            "",
            "| step | best (s) | median (s) |",
            "|---|---|---|",
            f"| `PRAGMA quick_check` | {r['quick_check']['best_s']} | "
            f"{r['quick_check']['median_s']} |",
            f"| open for writing (with the check) | {r['open_for_writing']['best_s']} | "
            f"{r['open_for_writing']['median_s']} |",
            f"| open read-only (no check) | {r['open_read_only']['best_s']} | "
            f"{r['open_read_only']['median_s']} |",
            "",
            f"Against the no-change sync of {sync['songs']} songs (`bench/results/sync.json`, "
            f"{sync['wall_s']} s wall, {sync['cpu_s']} s CPU): the check is "
            f"**{share['of_wall']} %** of its wall time and {share['of_cpu']} % of its CPU "
            f"time (goal: under {r['goal_percent_max']} %).",
            "",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
