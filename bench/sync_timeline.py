"""Where a sync's wall time goes: the request timeline of one sync (cold, then warm).

Run: ``.venv/bin/python -m bench.sync_timeline --songs 20000 --albums 2000 --playlists 150
--latency-ms 20 --rate-limit 25`` (``--virtual`` for the schedule alone, see below).

The client is amsync's own (``AppleMusicClient`` and ``run_sync``), given a transport that notes
when each request left and came back and a ``sleep`` that notes every wait for the request rate
(the pacer, and backoff after a 429). Each moment of the fetch is then one of:

- **rate**: a request waits for the request rate (the pacer's next slot, or a backoff after a
  429) — the rate (limit) holds the fetch back;
- **in flight**: nothing waits for the rate and at least one request is out — the server's
  latency, or its answer being read;
- **idle**: neither — local work between requests (parsing, staging) or a chain waiting for
  another: the waits this benchmark is meant to find.

By default the emulator runs in its own process on a real socket, so the figures include the
CPU both sides spend (and the machine's load). ``--virtual`` runs the in-process emulator on an
event loop with virtual time (``bench.virtual_clock``): latency and the rate limit take their
full time, computing takes none, so what the fetch needs beyond the physical limit (minimum
requests ÷ rate, or the latency chain without a limit) is its own structure — the same figures
on any machine, loaded or not.

It prints the shares, the longest idle gaps with the phases they fell in, the requests out on
average, and each phase's span; ``--json FILE`` keeps every request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from amsync.api import AppleMusicClient, ClientConfig, LearnedRate, StaticDeveloperToken
from amsync.api.stats import endpoint_of
from amsync.config.secret import Secret
from amsync.db.store import open_store
from amsync.domain import ProgressEvent
from amsync.emulator import Emulator, FaultConfig, LibrarySpec, generate_library
from amsync.sync.runner import SyncOptions, run_sync
from bench.harness import DEV, USER, start_emulator
from bench.virtual_clock import VirtualClock


@dataclass
class Timeline:
    """What happened when, in seconds from the start of the sync."""

    clock: Callable[[], float] = time.monotonic
    origin: float = 0.0
    requests: list[tuple[float, float, str, int]] = field(default_factory=list)
    waits: list[tuple[float, float]] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)

    def now(self) -> float:
        return self.clock() - self.origin


class RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, timeline: Timeline) -> None:
        self._inner = inner
        self._timeline = timeline

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = self._timeline.now()
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self._timeline.requests.append(
            (sent, self._timeline.now(), endpoint_of(request.url.path), response.status_code)
        )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def recording_sleep(timeline: Timeline) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        started = timeline.now()
        await asyncio.sleep(seconds)
        timeline.waits.append((started, timeline.now()))

    return sleep


async def one_sync(
    base_url: str,
    transport: httpx.AsyncBaseTransport,
    db: str,
    start: LearnedRate | None,
    timeline: Timeline,
) -> tuple[dict[str, Any], LearnedRate | None]:
    """One sync into ``db``; its report and what its rate learned."""
    config = ClientConfig(
        base_url=base_url,
        developer_token=StaticDeveloperToken(Secret(DEV)),
        music_user_token=Secret(USER),
        start_rate=start,
    )

    def progress(event: ProgressEvent) -> None:
        if not (event.phase_requests or event.finished or event.done):
            return  # announced, not started
        span = timeline.phases.setdefault(event.phase, [timeline.now(), timeline.now()])
        if event.finished:
            span[1] = timeline.now()

    store = open_store(db)
    try:
        async with AppleMusicClient(
            config,
            transport=RecordingTransport(transport, timeline),
            clock=timeline.clock,
            sleep=recording_sleep(timeline),
        ) as client:
            timeline.origin = timeline.clock()
            report = await run_sync(client, store, "default", SyncOptions(), progress)
            return report.as_dict(), client.learned_rate()
    finally:
        store.close()


def analyse(timeline: Timeline, *, step: float = 0.002) -> dict[str, Any]:
    """Shares of in flight / rate / idle over the fetch, the idle gaps and slot use."""
    if not timeline.requests:
        return {}
    end = max(done for _, done, _, _ in timeline.requests)
    slots = int(end / step) + 1
    flight = [0] * slots
    waiting = [0] * slots
    for sent, done, _, _ in timeline.requests:
        for i in range(int(sent / step), int(done / step) + 1):
            flight[i] += 1
    for started, done in timeline.waits:
        for i in range(int(started / step), min(slots, int(done / step) + 1)):
            waiting[i] += 1
    state = [
        "rate" if w else "flight" if f else "idle" for f, w in zip(flight, waiting, strict=True)
    ]
    gaps: list[tuple[float, float]] = []
    begin = None
    for i, kind in enumerate([*state, "end"]):
        if kind == "idle" and begin is None:
            begin = i
        elif kind != "idle" and begin is not None:
            gaps.append((begin * step, (i - begin) * step))
            begin = None
    gaps.sort(key=lambda gap: gap[1], reverse=True)

    def phases_at(moment: float) -> list[str]:
        return [n for n, (a, b) in timeline.phases.items() if a <= moment <= b]

    count = len(state)
    return {
        "fetch_s": round(end, 3),
        "requests": len(timeline.requests),
        "throttled": sum(1 for *_, status in timeline.requests if status == 429),
        "in_flight_share": round(state.count("flight") / count, 3),
        "rate_share": round(state.count("rate") / count, 3),
        "idle_share": round(state.count("idle") / count, 3),
        "idle_s": round(state.count("idle") * step, 3),
        "mean_in_flight": round(sum(flight) / count, 2),
        "longest_idle_gaps": [
            {"at_s": round(at, 3), "length_s": round(length, 3), "phases": phases_at(at)}
            for at, length in gaps[:6]
        ],
        "phases": {n: [round(a, 2), round(b, 2)] for n, (a, b) in timeline.phases.items()},
    }


def report_text(name: str, summary: dict[str, Any], result: dict[str, Any]) -> str:
    spans = sorted(summary["phases"].items(), key=lambda item: item[1][0])
    return "\n".join(
        [
            f"## {name}",
            f"sync {result['duration_s']:.2f} s, {result['requests']} requests "
            f"({summary['throttled']} answered 429), fetch {summary['fetch_s']} s",
            f"waiting for the rate {summary['rate_share']:.1%} · in flight "
            f"{summary['in_flight_share']:.1%} · idle {summary['idle_share']:.1%} "
            f"({summary['idle_s']} s) · requests out on average {summary['mean_in_flight']}",
            "longest idle gaps: "
            + "; ".join(
                f"{g['length_s'] * 1000:.0f} ms at {g['at_s']} s ({', '.join(g['phases']) or '—'})"
                for g in summary["longest_idle_gaps"]
            ),
            "phases: " + ", ".join(f"{n} {a}–{b}" for n, (a, b) in spans),
        ]
    )


def virtual_runs(
    spec: LibrarySpec, latency_ms: float, rate_limit: float | None, runs: int, work: Path
) -> list[tuple[dict[str, Any], dict[str, Any], LearnedRate | None, Timeline]]:
    """``runs`` syncs against the in-process emulator on virtual time, each starting from
    the rate the previous one learned (the first cold); the emulator's rate limit runs on the
    same virtual clock."""
    from amsync.emulator import faults

    emulator = Emulator(
        generate_library(spec),
        developer_tokens={DEV},
        music_user_tokens={USER},
        faults=FaultConfig(latency_ms=latency_ms, rate_limit_rps=rate_limit),
    )
    results = []
    start: LearnedRate | None = None
    real_time = faults.time
    clock = VirtualClock()
    try:
        for run in range(runs):
            timeline = Timeline()

            async def go(
                timeline: Timeline = timeline, run: int = run, start: LearnedRate | None = start
            ) -> Any:
                loop = asyncio.get_running_loop()
                timeline.clock = loop.time
                faults.time = SimpleNamespace(monotonic=loop.time)  # type: ignore[assignment]
                return await one_sync(
                    "http://emulator",
                    emulator.async_transport(),
                    str(work / f"virtual-{run}.db"),
                    start,
                    timeline,
                )

            result, learned = clock.run(go(), pause_before=3600.0)  # an hourly run
            results.append((analyse(timeline), result, start, timeline))
            start = learned
    finally:
        faults.time = real_time
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=3000)
    parser.add_argument("--albums", type=int, default=None)
    parser.add_argument("--playlists", type=int, default=None)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--rate-limit", type=float, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--virtual", action="store_true", help="the schedule alone")
    parser.add_argument("--json", type=Path, default=None, help="write every request here")
    args = parser.parse_args()
    dumps: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="amsync-timeline-") as tmp:
        if args.virtual:
            spec = LibrarySpec(
                songs=args.songs, albums=args.albums, playlists=args.playlists, seed=args.seed
            )
            runs = virtual_runs(spec, args.latency_ms, args.rate_limit, 2, Path(tmp))
            for name, (summary, result, start, timeline) in zip(
                ("cold", "warm"), runs, strict=True
            ):
                print(report_text(f"{name}, virtual time (start: {start})", summary, result))
                dumps[name] = {"summary": summary, "requests": timeline.requests}
        else:
            dumps = real_socket_runs(args, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(dumps, indent=1), encoding="utf-8")


def real_socket_runs(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    serve = ["--songs", str(args.songs), "--seed", str(args.seed)]
    serve += ["--latency-ms", str(args.latency_ms)]
    for option, value in (
        ("--albums", args.albums),
        ("--playlists", args.playlists),
        ("--rate-limit", args.rate_limit),
    ):
        if value is not None:
            serve += [option, str(value)]
    emulator = start_emulator(serve)
    dumps: dict[str, Any] = {}
    try:
        start: LearnedRate | None = None
        for name in ("cold", "warm"):
            timeline = Timeline()
            transport = httpx.AsyncHTTPTransport()
            run = one_sync(emulator.url, transport, str(work / f"{name}.db"), start, timeline)
            result, learned = asyncio.run(run)
            summary = analyse(timeline)
            print(report_text(f"{name} (start: {start})", summary, result))
            dumps[name] = {"summary": summary, "requests": timeline.requests}
            start = learned
    finally:
        emulator.stop()
    return dumps


if __name__ == "__main__":
    main()
