"""Listening-history import benchmark: a generated Apple privacy export of ten years of daily
listening imported with ``amsync import apple-data``, imported again, and queried.

Run: ``.venv/bin/python -m bench.history_import`` (``--plays 20000`` for a quick check;
``--postgres URL`` adds the import into PostgreSQL).

The export (``amsync.emulator.privacy_export``, seed 1): 250,000 plays over 3,650 days of a
listener with 20,000 library songs and 4,000 more songs played outside the library (same
titles on other albums, album names shared by two artists, uploads), with the non-play rows,
the daily history and Library Tracks.json, laid out as Apple sends it (outer zip →
``Apple_Media_Services.zip`` → ``Apple Music Activity.zip``). The mirror holds the library
songs. Each step is a real ``amsync`` process, measured with its peak resident memory
(``wait4``):

1. ``amsync import apple-data EXPORT --json`` — target ≤ 30 s, peak RSS ≤ 300 MB;
2. the same again — target ≤ 10 s, 0 rows added;
3. ``amsync top songs --year 2025`` — target ≤ 0.3 s (median of 5; the query alone, in
   process, is reported beside it, and ``amsync query "SELECT 1"`` as the start-up floor every
   command pays).

Links are checked against the generator's truth: the share of plays of mirrored songs that
were linked (target ≥ 98 %) and plays linked to a wrong song (target 0). Reading
Library Tracks.json with amsync's streaming reader is compared with ``json.loads`` of the whole
file (peak memory by ``tracemalloc``). Results: ``bench/results/history_import.{json,md}``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from amsync.db.store import open_store
from amsync.emulator.privacy_export import (
    DAILY_TRACKS,
    LIBRARY_TRACKS,
    PLAY_ACTIVITY,
    PrivacyExportSpec,
    generate_listening,
)
from amsync.history.json_array import json_array_items
from amsync.query.listening import Period, top_played
from bench.harness import Measured, machine, mark, run_measured, write_results
from tests.support.listening import TruePlay, build_listening_mirror, check_truth, truth_of

# Columns left out of the generated Play Activity file (``--columns lean``, the default): the
# issue's goal names ~40 MB for 250,000 plays; with the columns kept here (every column amsync
# reads, and the personal ones it must leave out) rows take ~255 bytes, 64 MB in all. The
# generator's full set (``--columns full``) is ~70 % bigger again.
LEAN_DROPS: Final = (
    "Event Received Timestamp",
    "Container Album Name",
    "Container Type",
    "Container Name",
    "IP Latitude",
    "IP Longitude",
    "IP Country Code",
    "Apple Music Subscription",
    "Metrics Client Id",
    "Build Version",
    "Apple Id Number",
    "Store Country Name",
    "Start Position In Milliseconds",
    "End Position In Milliseconds",
)
TOP_RUNS: Final = 5


def _amsync(db: str, home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "amsync", "--db", db, "--home", str(home), *args]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _measure_import(db: str, home: Path, export: Path) -> tuple[Measured, dict[str, Any]]:
    measured = run_measured(_amsync(db, home, "import", "apple-data", str(export), "--json"))
    if measured.exit_code != 0:
        raise SystemExit(f"import failed: {measured.stderr.strip()}")
    report: dict[str, Any] = json.loads(measured.stdout)
    return measured, report


def _json_memory(data: bytes) -> dict[str, float]:
    """Peak Python memory and time: the streaming reader against ``json.loads``."""
    results: dict[str, float] = {}
    for name, read in (
        ("streaming", lambda: sum(1 for _ in json_array_items(io.BytesIO(data), "x"))),
        ("json.loads", lambda: len(json.loads(data))),
    ):
        tracemalloc.start()
        started = time.perf_counter()
        read()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results[f"{name}_peak_mb"] = round(peak / 1e6, 1)
        results[f"{name}_s"] = round(elapsed, 3)
    return results


def _spec(args: argparse.Namespace) -> PrivacyExportSpec:
    return PrivacyExportSpec(
        seed=args.seed,
        library_songs=args.library_songs,
        other_songs=args.other_songs,
        same_title_twins=args.library_songs // 100,
        album_twins=args.library_songs // 400,
        plays=args.plays,
        days=args.days,
        drop_columns=LEAN_DROPS if args.columns == "lean" else (),
    )


def generate(args: argparse.Namespace, work: Path) -> None:
    """In a process of its own (``--generate-into``), so that the measured ``amsync``
    processes are not forked from one holding the whole export: the export's zip, the mirror,
    the generator's truth and the file sizes, written into ``work``."""
    started = time.perf_counter()
    export = generate_listening(_spec(args))
    generated_s = time.perf_counter() - started
    export.write(work / "Apple_Media_Services.zip", "nested")
    build_listening_mirror(str(work / "mirror.db"), export)
    if args.postgres:
        build_listening_mirror(args.postgres, export)
    truth = [(s.isoformat(), e.isoformat(), i) for s, e, i in truth_of(export)]
    (work / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    (work / LIBRARY_TRACKS).write_bytes(export.files[LIBRARY_TRACKS])
    sizes = {
        "play_activity_mb": round(len(export.files[PLAY_ACTIVITY]) / 1e6, 1),
        "daily_tracks_mb": round(len(export.files[DAILY_TRACKS]) / 1e6, 1),
        "library_tracks_mb": round(len(export.files[LIBRARY_TRACKS]) / 1e6, 1),
        "generated_s": round(generated_s, 1),
    }
    (work / "export.json").write_text(json.dumps(sizes), encoding="utf-8")


def _truth(work: Path) -> list[TruePlay]:
    raw = json.loads((work / "truth.json").read_text(encoding="utf-8"))
    return [(datetime.fromisoformat(s), datetime.fromisoformat(e), i) for s, e, i in raw]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=250_000)
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--library-songs", type=int, default=20_000)
    parser.add_argument("--other-songs", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--columns", choices=("lean", "full"), default="lean")
    parser.add_argument("--year", default="2025")
    parser.add_argument("--postgres", metavar="URL", help="also import into this database")
    parser.add_argument("--generate-into", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        generate(args, Path(args.generate_into))
        return
    with tempfile.TemporaryDirectory(prefix="amsync-bench-history-") as tmp:
        work = Path(tmp)
        own = [
            f"--plays={args.plays}",
            f"--days={args.days}",
            f"--library-songs={args.library_songs}",
            f"--other-songs={args.other_songs}",
            f"--seed={args.seed}",
            f"--columns={args.columns}",
            *([f"--postgres={args.postgres}"] if args.postgres else []),
        ]
        made = run_measured(
            [sys.executable, "-m", "bench.history_import", *own, "--generate-into", tmp]
        )
        if made.exit_code != 0:
            raise SystemExit(f"generating the export failed: {made.stderr.strip()}")
        sizes = json.loads((work / "export.json").read_text(encoding="utf-8"))
        path, db, home = work / "Apple_Media_Services.zip", str(work / "mirror.db"), work / "home"
        load_before = _load()
        first, first_report = _measure_import(db, home, path)
        second, second_report = _measure_import(db, home, path)
        postgres: dict[str, Any] | None = None
        if args.postgres:  # measured before this process reads anything big (forked children)
            pg_first, pg_report = _measure_import(args.postgres, home, path)
            pg_second, _ = _measure_import(args.postgres, home, path)
            postgres = {
                "import_s": round(pg_first.wall_s, 2),
                "import_peak_rss_mb": round(pg_first.peak_rss_mb, 1),
                "reimport_s": round(pg_second.wall_s, 2),
                "new": pg_report["plays"]["new"],
            }
        top_command = [
            run_measured(_amsync(db, home, "top", "songs", "--year", args.year, "--format", "tsv"))
            for _ in range(TOP_RUNS)
        ]
        floor = [
            run_measured(_amsync(db, home, "query", "SELECT 1", "--format", "csv"))
            for _ in range(TOP_RUNS)
        ]
        load_after = _load()
        store = open_store(db, readonly=True)
        try:
            query_s = []
            for _ in range(TOP_RUNS):
                begun = time.perf_counter()
                top_played(store, 1, "songs", Period.of(args.year, None))
                query_s.append(time.perf_counter() - begun)
        finally:
            store.close()
        links = check_truth(db, _truth(work), 1)
        database_mb = sum(p.stat().st_size for p in work.glob("mirror.db*")) / 1e6
        sizes["zip_mb"] = round(path.stat().st_size / 1e6, 1)
        json_figures = _json_memory((work / LIBRARY_TRACKS).read_bytes())
    results: dict[str, Any] = {
        "machine": machine(),
        "parameters": {
            "plays": args.plays,
            "days": args.days,
            "library_songs": args.library_songs,
            "other_songs": args.other_songs,
            "seed": args.seed,
            "columns": args.columns,
            "year": args.year,
        },
        "export": sizes,
        "import": {
            "wall_s": round(first.wall_s, 2),
            "cpu_s": round(first.cpu_s, 2),
            "peak_rss_mb": round(first.peak_rss_mb, 1),
            "plays": first_report["plays"],
            "daily": first_report["daily"],
            "library_tracks": first_report["library_tracks"],
        },
        "reimport": {
            "wall_s": round(second.wall_s, 2),
            "cpu_s": round(second.cpu_s, 2),
            "peak_rss_mb": round(second.peak_rss_mb, 1),
            "rows_added": second_report["plays"]["new"]
            + second_report["daily"]["new"]
            + second_report["library_tracks"]["new"],
        },
        "links": {
            "plays_of_mirrored_songs": links.in_mirror,
            "linked": links.linked,
            "rate": round(links.rate, 4),
            "wrong": links.wrong,
        },
        "top_songs": {
            "command_median_s": round(statistics.median(m.wall_s for m in top_command), 3),
            "query_median_s": round(statistics.median(query_s), 4),
            "startup_floor_median_s": round(statistics.median(m.wall_s for m in floor), 3),
        },
        "database_mb": round(database_mb, 1),
        "library_tracks_json": json_figures,
        "postgres": postgres,
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    write_results("history_import", results, _table(results))
    print(_table(results))


def _table(r: dict[str, Any]) -> str:
    m, p, e = r["machine"], r["parameters"], r["export"]
    imp, again, links, top = r["import"], r["reimport"], r["links"], r["top_songs"]
    lines = [
        "# Listening-history import benchmark",
        "",
        f"Generated privacy export: {p['plays']:,} plays over {p['days']:,} days, "
        f"{p['library_songs']:,} library songs and {p['other_songs']:,} songs played outside "
        f"the library (seed {p['seed']}, {p['columns']} columns): Play Activity "
        f"{e['play_activity_mb']} MB, daily history {e['daily_tracks_mb']} MB, Library "
        f"Tracks.json {e['library_tracks_mb']} MB, nested zip {e['zip_mb']} MB (the goal "
        "assumed ~40 MB of Play Activity; these rows carry every column amsync reads and the "
        "personal ones it leaves out). SQLite "
        f"database afterwards: {r['database_mb']} MB. Machine: {m['cpu_model']}, "
        f"{m['cpu_count']} cores, Python {m['python']}, SQLite {m['sqlite']}, {m['date']}; "
        f"load average (1/5/15 min) before {r['load_average_before']}, after "
        f"{r['load_average_after']} (a shared machine: wall times include waiting for the CPU).",
        "",
        "| step | wall (s) | target (s) | CPU (s) | peak RSS (MB) | target (MB) | result |",
        "|---|---|---|---|---|---|---|",
        f"| `import apple-data` | {imp['wall_s']} | 30 {mark(imp['wall_s'] <= 30)} | "
        f"{imp['cpu_s']} | {imp['peak_rss_mb']} | 300 {mark(imp['peak_rss_mb'] <= 300)} | "
        f"{imp['plays']['new']:,} plays, {imp['daily']['new']:,} daily rows, "
        f"{imp['library_tracks']['new']:,} library tracks |",
        f"| the same again | {again['wall_s']} | 10 {mark(again['wall_s'] <= 10)} | "
        f"{again['cpu_s']} | {again['peak_rss_mb']} | — | {again['rows_added']} rows added |",
        f"| `top songs --year {p['year']}` (median of {TOP_RUNS}) | {top['command_median_s']} | "
        f"0.3 {mark(top['command_median_s'] <= 0.3)} | — | — | — | the query alone: "
        f'{top["query_median_s"]} s; `amsync query "SELECT 1"`: '
        f"{top['startup_floor_median_s']} s |",
        "",
        f"Of `amsync top`'s time, the query takes {top['query_median_s']} s; the rest is what "
        "every command reading the mirror pays to start (the interpreter, click, opening the "
        f'database): `amsync query "SELECT 1"` takes {top["startup_floor_median_s"]} s.',
        "",
        f"Links: {links['linked']:,} of {links['plays_of_mirrored_songs']:,} plays of mirrored "
        f"songs linked (**{links['rate']:.2%}**, target ≥ 98 %), **{links['wrong']}** linked to a "
        "wrong song (target 0). The rest are plays Apple's file cannot tie to one song: no "
        "album and no artist, or two songs of the same name, album and length.",
        "",
    ]
    j = r["library_tracks_json"]
    lines += [
        f"Reading Library Tracks.json ({e['library_tracks_mb']} MB): streaming reader "
        f"{j['streaming_peak_mb']} MB peak in {j['streaming_s']} s, `json.loads` "
        f"{j['json.loads_peak_mb']} MB peak in {j['json.loads_s']} s.",
        "",
    ]
    if r["postgres"]:
        pg = r["postgres"]
        lines += [
            f"PostgreSQL: import {pg['import_s']} s (peak RSS {pg['import_peak_rss_mb']} MB, "
            f"{pg['new']:,} plays), again {pg['reimport_s']} s.",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
