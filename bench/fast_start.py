"""Fast from the first request (issue 23): cold and warm syncs side by side with the physical
limit, in one run.

Run: ``.venv/bin/python -m bench.fast_start`` (all three libraries, about ten minutes on a
quiet 2-core machine), ``--only small,medium`` to choose, ``--quick`` for a check in a couple
of minutes. Each library is served by the emulator in its own process on a real socket;
amsync runs as a subprocess (``amsync sync --json -v``), so wall time, CPU time and peak memory
are amsync's alone, start-up included (its modules byte-compiled beforehand, as an installed
package is).

- **small** — 3,000 songs, 30 ms latency, no rate limit: the first sync cold (a new home: no
  rate memory), a no-change re-sync (warm: the memory the first left), a first sync into a
  new database with the memory warm (a second account or database on the same token), then
  two more no-change re-syncs (without a limit, each run starts where the last one ended and
  keeps probing upwards).
- **medium** — 20,000 songs, 2,000 albums, 150 playlists, 20 ms latency, a 25 requests/s token
  bucket (burst 25): a full sync cold, the same full sync warm (a new database, the memory the
  first left), and a no-change re-sync. The limit is the minimum number of requests ÷ 25 (the
  bucket's initial burst lets a client beat it by about one second).
- **large** — 100,000 songs, 10,000 albums, 5,000 artists, 500 playlists, 30 ms latency, 20
  requests/s: the CPU time of a no-change re-sync against its wall time, and peak memory.

``--schedule`` adds, for small and medium, the same syncs on virtual time
(``bench.sync_timeline``): the fetch's schedule alone (latency and rate limit, no CPU), which
does not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amsync.emulator import LibrarySpec
from bench.harness import DEV, ROOT, USER, EmulatorProcess, machine, run_measured, start_emulator
from bench.harness import write_results as write_files
from bench.sync import minimum_requests

STARTING = re.compile(r"request rate: (starting at [\d.]+|cold start at [\d.]+) requests/s")
LEARNED = re.compile(r"request rate: ([\d.]+) requests/s went through \((met the limit|no limit)")


@dataclass(frozen=True)
class Library:
    name: str
    songs: int
    albums: int | None
    artists: int | None
    playlists: int | None
    latency_ms: float
    rate_limit: float | None

    def spec(self, seed: int) -> LibrarySpec:
        return LibrarySpec(
            songs=self.songs,
            albums=self.albums,
            artists=self.artists,
            playlists=self.playlists,
            seed=seed,
        )

    def serve_args(self, seed: int) -> list[str]:
        args = ["--songs", str(self.songs), "--seed", str(seed)]
        args += ["--latency-ms", str(self.latency_ms)]
        for option, value in (
            ("--albums", self.albums),
            ("--artists", self.artists),
            ("--playlists", self.playlists),
            ("--rate-limit", self.rate_limit),
        ):
            if value is not None:
                args += [option, f"{value:g}"]
        return args

    def describe(self) -> str:
        parts = [f"{self.songs:,} songs"]
        parts += [
            f"{v:,} {k}"
            for k, v in (
                ("albums", self.albums),
                ("artists", self.artists),
                ("playlists", self.playlists),
            )
            if v
        ]
        limit = f"{self.rate_limit:g} requests/s bucket" if self.rate_limit else "no rate limit"
        return f"{', '.join(parts)}; {self.latency_ms:g} ms latency, {limit}"


LIBRARIES = {
    "small": Library("small", 3000, None, None, None, 30.0, None),
    "medium": Library("medium", 20_000, 2000, None, 150, 20.0, 25.0),
    "large": Library("large", 100_000, 10_000, 5000, 500, 30.0, 20.0),
}
QUICK = {
    "small": Library("small", 1500, None, None, None, 30.0, None),
    "medium": Library("medium", 4000, 400, None, 40, 20.0, 25.0),
    "large": Library("large", 10_000, 1000, 500, 60, 30.0, 20.0),
}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def compile_sources() -> None:
    """Byte-compile amsync once, as ``pip install`` does: the runs then measure an installed
    amsync's start-up, not the compilation of its sources."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "amsync")],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


def amsync_sync(emulator: EmulatorProcess, home: Path, db: Path) -> dict[str, Any]:
    env = {
        "AMSYNC_DEVELOPER_TOKEN": DEV,
        "AMSYNC_MUSIC_USER_TOKEN": USER,
        "PYTHONDONTWRITEBYTECODE": "",
    }
    emulator.reset_log()
    command = [sys.executable, "-m", "amsync", "--home", str(home), "--db", str(db)]
    command += ["--api-url", emulator.url, "-v", "sync", "--json"]
    measured = run_measured(command, env)
    if measured.exit_code != 0:
        raise RuntimeError(f"amsync sync failed ({measured.exit_code}): {measured.stderr[-2000:]}")

    report = json.loads(measured.stdout)
    started = STARTING.search(measured.stderr)
    learned = LEARNED.search(measured.stderr)
    return {
        "wall_s": round(measured.wall_s, 2),
        "sync_s": round(report["duration_s"], 2),
        "cpu_s": round(measured.cpu_s, 2),
        "cpu_share": round(measured.cpu_s / measured.wall_s, 3),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "requests": report["requests"],
        "throttled": report["throttled"],
        "server_requests": emulator.log().get("total"),
        "item_writes": report["item_writes"],
        "rate_start": started[1] if started else None,
        "rate_learned": f"{learned[1]} ({learned[2]})" if learned else None,
    }


def with_ratios(run: dict[str, Any], minimum: int, limit_s: float | None) -> dict[str, Any]:
    run["requests_vs_minimum"] = round(run["requests"] / minimum, 3)
    if limit_s:
        run["wall_vs_limit"] = round(run["wall_s"] / limit_s, 3)
        run["sync_vs_limit"] = round(run["sync_s"] / limit_s, 3)
    return run


def measure(library: Library, seed: int, work: Path) -> dict[str, Any]:
    minimum = minimum_requests(library.spec(seed))["total"]
    limit_s = minimum / library.rate_limit if library.rate_limit else None
    emulator = start_emulator(library.serve_args(seed))
    home, other = work / f"{library.name}-home", work / f"{library.name}-other.db"
    db = work / f"{library.name}.db"
    runs: dict[str, Any] = {}
    load_before = load_average()
    try:
        if library.name == "large":
            runs["first sync (cold)"] = amsync_sync(emulator, home, db)
            runs["no-change re-sync (warm)"] = amsync_sync(emulator, home, db)
        elif library.name == "small":
            runs["first sync (cold)"] = amsync_sync(emulator, home, db)
            runs["no-change re-sync (warm)"] = amsync_sync(emulator, home, db)
            runs["first sync of a new database (warm)"] = amsync_sync(emulator, home, other)
            for n in (2, 3):  # an hourly user's next runs: the memory keeps climbing
                runs[f"no-change re-sync (warm, run {n + 2})"] = amsync_sync(emulator, home, db)
        else:
            runs["full sync (cold)"] = amsync_sync(emulator, home, db)
            runs["full sync of a new database (warm)"] = amsync_sync(emulator, home, other)
            runs["no-change re-sync (warm)"] = amsync_sync(emulator, home, db)
    finally:
        emulator.stop()
    for run in runs.values():
        with_ratios(run, minimum, limit_s)
    return {
        "library": library.describe(),
        "parameters": library.__dict__ | {"seed": seed},
        "minimum_requests": minimum,
        "limit_s": round(limit_s, 2) if limit_s else None,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "runs": runs,
    }


def schedule(library: Library, seed: int, work: Path) -> dict[str, Any]:
    """The fetch's schedule on virtual time (no CPU counted): cold, then warm."""
    from bench.sync_timeline import virtual_runs

    minimum = minimum_requests(library.spec(seed))["total"]
    limit_s = minimum / library.rate_limit if library.rate_limit else None
    found = virtual_runs(library.spec(seed), library.latency_ms, library.rate_limit, 2, work)
    out: dict[str, Any] = {}
    for name, (summary, result, _start, _timeline) in zip(("cold", "warm"), found, strict=True):
        out[name] = {
            "fetch_s": summary["fetch_s"],
            "requests": result["requests"],
            "throttled": summary["throttled"],
            "fetch_vs_limit": round(summary["fetch_s"] / limit_s, 3) if limit_s else None,
            "requests_vs_minimum": round(result["requests"] / minimum, 3),
        }
    return out


def _after(run: dict[str, Any]) -> int | str:
    """Requests the emulator answered beyond the sync's own: the look-ups after it."""
    served = run.get("server_requests")
    return "—" if served is None else served - run["requests"]


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Fast start: cold and warm syncs against the limit",
        "",
        f"Machine: {m['cpu_model']}, {m['cpu_count']} cores, Python {m['python']}, {m['date']}. "
        "Wall and CPU time of the whole `amsync sync` process (start-up, fetch, apply); "
        "*sync* is the run's own duration (from its report). Cold: no rate memory; warm: the "
        "rate the previous run left in the home. *After*: requests the emulator answered "
        "beyond the sync's own, chiefly once it had succeeded: looking up replacements for songs "
        "Apple withdrew (lost songs, issue 24; on a first sync, every withdrawn song once). They "
        "are in *wall*, not in *sync*, *requests* or the ratios.",
    ]
    for name, lib in results["libraries"].items():
        limit = lib["limit_s"]
        lines += [
            "",
            f"## {name}: {lib['library']}",
            "",
            f"Minimum requests {lib['minimum_requests']}"
            + (f"; limit (minimum ÷ rate) {limit} s" if limit else "")
            + f". Load average before {lib['load_average_before']}, after "
            f"{lib['load_average_after']}.",
            "",
            "| run | wall (s) | sync (s) | × limit | requests | × minimum | 429s | after "
            "| CPU (s) | CPU share | peak RSS (MB) | rate started |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for run_name, run in lib["runs"].items():
            ratio = f"{run['wall_vs_limit']} ({run['sync_vs_limit']})" if limit else "—"
            lines.append(
                f"| {run_name} | {run['wall_s']} | {run['sync_s']} | {ratio} | {run['requests']} "
                f"| {run['requests_vs_minimum']} | {run['throttled']} | {_after(run)} "
                f"| {run['cpu_s']} | "
                f"{run['cpu_share']:.0%} | {run['peak_rss_mb']} | {run['rate_start']} |"
            )
        sched = results.get("schedule", {}).get(name)
        if sched:
            lines += [
                "",
                "On virtual time (the fetch's schedule alone, no CPU): "
                + "; ".join(
                    f"{k} {v['fetch_s']} s"
                    + (f" = {v['fetch_vs_limit']} × limit" if v["fetch_vs_limit"] else "")
                    + f", {v['requests']} requests ({v['requests_vs_minimum']} × minimum)"
                    for k, v in sched.items()
                )
                + ".",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="small,medium,large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="smaller libraries, a quick check")
    parser.add_argument("--schedule", action="store_true", help="also the virtual-time schedule")
    parser.add_argument("--name", default=None, help="results file name (default fast_start)")
    parser.add_argument("--render", action="store_true", help="only rewrite the .md from the .json")
    args = parser.parse_args()
    name = args.name or ("fast_start-quick" if args.quick else "fast_start")
    if args.render:
        recorded = json.loads((ROOT / "bench" / "results" / f"{name}.json").read_text())
        write_files(name, recorded, table(recorded))
        return
    chosen = QUICK if args.quick else LIBRARIES
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    compile_sources()
    results: dict[str, Any] = {"machine": machine(), "libraries": {}, "schedule": {}}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="amsync-fast-start-") as tmp:
        work = Path(tmp)
        for name in names:
            results["libraries"][name] = measure(chosen[name], args.seed, work)
            if args.schedule and chosen[name].name != "large":
                results["schedule"][name] = schedule(chosen[name], args.seed, work)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(exist_ok=True)
    results["bench_s"] = round(time.monotonic() - started, 1)
    text = table(results)
    write_files(name, results, text)
    print(text)


if __name__ == "__main__":
    main()
