"""Shared pieces of the benchmarks: machine facts, the emulator in its own process, running
amsync as a subprocess with its peak memory, and writing results files."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEV, USER = "bench-developer-token", "bench-music-user-token"


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().splitlines()[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    import sqlalchemy

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": model,
        "cpu_count": os.cpu_count(),
        "memory": memory,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": __import__("sqlite3").sqlite_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


@dataclass
class EmulatorProcess:
    process: subprocess.Popen[str]
    url: str
    startup_s: float

    def log(self) -> dict[str, Any]:
        import urllib.request

        url = f"{self.url}/_emulator/log"  # our own emulator on 127.0.0.1
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310
            data: dict[str, Any] = json.loads(answer.read())
            return data

    def reset_log(self) -> None:
        import urllib.request

        request = urllib.request.Request(f"{self.url}/_emulator/log/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_emulator(args: Sequence[str]) -> EmulatorProcess:
    """``amsync emulator serve ARGS`` in its own process; waits for its URL line."""
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "amsync",
        "emulator",
        "serve",
        "--developer-token",
        DEV,
        "--music-user-token",
        USER,
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise RuntimeError(f"the emulator did not start: {url!r}")
    return EmulatorProcess(process, url, time.monotonic() - started)


@dataclass
class Measured:
    exit_code: int
    wall_s: float
    peak_rss_mb: float
    cpu_s: float
    stdout: str
    stderr: str


def run_measured(command: Sequence[str], env: dict[str, str] | None = None) -> Measured:
    """Run a command; its wall time and its own peak resident memory (``wait4``)."""
    import threading

    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    chunks: dict[str, list[str]] = {"out": [], "err": []}

    def drain(stream: Any, into: list[str]) -> None:
        into.append(stream.read())

    readers = [
        threading.Thread(target=drain, args=(process.stdout, chunks["out"])),
        threading.Thread(target=drain, args=(process.stderr, chunks["err"])),
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    return Measured(
        process.returncode,
        wall,
        usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
        "".join(chunks["out"]),
        "".join(chunks["err"]),
    )


def mark(ok: bool) -> str:
    """A results table's verdict on a goal: ✓ met, ✗ not."""
    return "✓" if ok else "✗"


def write_results(name: str, data: dict[str, Any], table: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(table, encoding="utf-8")
