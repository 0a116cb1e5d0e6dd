"""Emulator throughput benchmark: startup time of ``amsync emulator serve`` and library page
requests per second over loopback with concurrent keep-alive clients.

Run: ``.venv/bin/python -m bench.emulator_throughput --songs 100000``

The load generator runs in separate processes (``--processes``, each with ``--threads``
keep-alive ``http.client`` connections) so it does not share the server's GIL. To show the
load generator is not the bottleneck, the server process's CPU time is sampled from
``/proc/<pid>/stat`` during the measured window: a server near 100 % of one core is saturated,
so the measured rate is the server's capacity rather than the client's.
``generate_library`` time for the same spec is measured in this process first.
Results go to ``bench/results/emulator_throughput.{json,md}`` and are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEV, USER = "bench-dev-token", "bench-user-token"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / ticks, sum(values) / ticks


def worker(
    port: int, threads: int, pages: int, limit: int, start_at: float, stop_at: float, out: Any
) -> None:
    """One load process: ``threads`` keep-alive connections requesting library pages."""
    import threading

    headers = {"Authorization": f"Bearer {DEV}", "Music-User-Token": USER}
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0, "bytes": 0}
    latencies: list[float] = []

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        page = (index * 37) % pages
        count = errors = size = 0
        mine: list[float] = []
        while time.time() < start_at:
            time.sleep(0.001)
        while (now := time.time()) < stop_at:
            conn.request(
                "GET", f"/v1/me/library/songs?limit={limit}&offset={page * limit}", headers=headers
            )
            response = conn.getresponse()
            body = response.read()
            mine.append(time.time() - now)
            count += 1
            size += len(body)
            errors += response.status != 200
            page = (page + 1) % pages
        conn.close()
        with lock:
            totals["requests"] += count
            totals["errors"] += errors
            totals["bytes"] += size
            latencies.extend(mine)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put({**totals, "latencies": latencies, "cpu": cpu_seconds(os.getpid())})


def start_server(songs: int, seed: int) -> tuple[subprocess.Popen[str], int, float]:
    command = [
        sys.executable, "-m", "amsync.cli.emulator_commands", "serve", "--songs", str(songs),
        "--seed", str(seed), "--developer-token", DEV, "--music-user-token", USER,
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    ready = time.perf_counter() - started
    if not url.startswith("http://"):
        process.kill()
        raise SystemExit(f"server did not start: {url!r}")
    return process, int(url.rsplit(":", 1)[1]), ready


def measure(args: argparse.Namespace) -> dict[str, Any]:
    process, port, startup = start_server(args.songs, args.seed)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": f"Bearer {DEV}", "Music-User-Token": USER}
        t0 = time.perf_counter()
        conn.request("GET", f"/v1/me/library/songs?limit={args.limit}", headers=headers)
        first = conn.getresponse()
        total = json.loads(first.read())["meta"]["total"]
        first_request = time.perf_counter() - t0
        conn.close()
        pages = max(1, -(-total // args.limit))
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        start_at = time.time() + 1.0 + args.warmup
        stop_at = start_at + args.duration
        procs = [
            ctx.Process(
                target=worker,
                args=(
                    port,
                    args.threads,
                    pages,
                    args.limit,
                    start_at - args.warmup,
                    stop_at,
                    queue,
                ),
            )
            for _ in range(args.processes)
        ]
        for p in procs:
            p.start()
        while time.time() < start_at:
            time.sleep(0.001)
        cpu_before, wall_before = cpu_seconds(process.pid), time.perf_counter()
        busy_before, all_before = machine_busy_seconds()
        while time.time() < stop_at:
            time.sleep(0.01)
        server_cpu = (cpu_seconds(process.pid) - cpu_before) / (time.perf_counter() - wall_before)
        busy_after, all_after = machine_busy_seconds()
        machine_busy = (busy_after - busy_before) / max(1e-9, all_after - all_before)
        parts = [queue.get(timeout=60) for _ in procs]
        for p in procs:
            p.join()
    finally:
        process.terminate()
        process.wait(timeout=10)
    # The warm-up window's requests are counted by the workers too; rescale by duration.
    requests = sum(p["requests"] for p in parts)
    window = args.duration + args.warmup
    latencies = sorted(x for p in parts for x in p["latencies"])
    return {
        "machine": machine(),
        "parameters": {
            "songs": args.songs,
            "seed": args.seed,
            "page_limit": args.limit,
            "processes": args.processes,
            "threads_per_process": args.threads,
            "connections": args.processes * args.threads,
            "warmup_seconds": args.warmup,
            "duration_seconds": args.duration,
        },
        "startup_seconds": round(startup, 3),
        "first_page_seconds": round(first_request, 4),
        "requests": requests,
        "errors": sum(p["errors"] for p in parts),
        "requests_per_second": round(requests / window, 1),
        "megabytes_per_second": round(sum(p["bytes"] for p in parts) / window / 1e6, 2),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 2)
        if latencies
        else None,
        "server_cpu_fraction_of_one_core": round(server_cpu, 3),
        "load_generator_cpu_seconds": round(sum(p["cpu"] for p in parts), 2),
        "machine_busy_fraction": round(machine_busy, 3),
    }


def markdown(result: dict[str, Any]) -> str:
    params = result["parameters"]
    rows = [
        ("songs", result["parameters"]["songs"]),
        ("page size (limit)", result["parameters"]["page_limit"]),
        ("keep-alive connections", f"{params['connections']} ({params['processes']} processes"
         f" x {params['threads_per_process']} threads)"),
        ("generate_library (in process)", f"{result.get('generation_seconds')} s"),
        ("serve startup (to URL line)", f"{result['startup_seconds']} s"),
        ("first page (cold render)", f"{result['first_page_seconds']} s"),
        ("requests", result["requests"]),
        ("errors", result["errors"]),
        ("**page requests/s**", f"**{result['requests_per_second']}**"),
        ("throughput", f"{result['megabytes_per_second']} MB/s"),
        ("latency p50 / p99", f"{result['latency_ms_p50']} / {result['latency_ms_p99']} ms"),
        ("server CPU (share of one core)", result["server_cpu_fraction_of_one_core"]),
        ("load generator CPU", f"{result['load_generator_cpu_seconds']} s over the window"),
        ("whole machine busy", result["machine_busy_fraction"]),
        ("machine", f"{result['machine']['cpu_model']}, {result['machine']['cpu_count']} CPUs, "
         f"Python {result['machine']['python']}, {result['machine']['platform']}"),
    ]  # fmt: skip
    lines = ["# Emulator throughput", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=0.0)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    from amsync.emulator import LibrarySpec, generate_library

    started = time.perf_counter()
    generate_library(LibrarySpec(songs=args.songs, seed=args.seed))
    generation = time.perf_counter() - started
    result = measure(args)
    result["generation_seconds"] = round(generation, 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "emulator_throughput.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (RESULTS / "emulator_throughput.md").write_text(table)
    summary = {k: v for k, v in result.items() if k != "machine"}
    print(json.dumps(summary, indent=2))
    print(table)


if __name__ == "__main__":
    main()
