"""Progress that tells the truth (issue 15 item 3) and verbosity that means something (item 4).

- the sync's events: every phase announced up front in a fixed order; totals from Apple's
  ``meta.total`` with the first page (music videos apart from songs); each phase's own request
  count; a last event that says finished; the fewest requests still to go;
- the board's text: a bar fills only against a known total, ``done`` for a finished phase,
  columns that do not move, an ETA from the requests to go and the measured rate, and
  ``throttled — slowing down`` while 429s arrive;
- without a terminal: no bars; ``-v`` one line per finished phase (and retries, throttling);
  ``-vv`` every request, without tokens.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable

from amsync.cli.progress import ProgressBoard
from amsync.db.store import open_store
from amsync.domain import ProgressEvent
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from amsync.sync.fetch import PHASES
from amsync.sync.runner import run_sync
from tests.support.cli import invoke
from tests.sync.conftest import DEV, USER, in_process_client, make_emulator

Env = Callable[[str], dict[str, str]]


SPEC = LibrarySpec(songs=450, albums=60, artists=30, playlists=6, music_videos=3, seed=4)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counts:
    def __init__(self) -> None:
        self.requests = 0
        self.throttled = 0


class FakeClient:
    def __init__(self) -> None:
        self.stats = Counts()


def _events_of_a_sync(emulator: Emulator, db: str) -> list[ProgressEvent]:
    events: list[ProgressEvent] = []
    store = open_store(db)

    async def go() -> None:
        async with in_process_client(emulator) as client:
            report = await run_sync(client, store, "default", progress=events.append)
            assert report.status == "succeeded"

    try:
        asyncio.run(go())
    finally:
        store.close()
    return events


def test_the_sync_tells_totals_early_and_each_phase_its_own_requests(sqlite_path: str) -> None:
    emulator = make_emulator(SPEC)
    library = emulator.library
    events = _events_of_a_sync(emulator, sqlite_path)
    assert [e.phase for e in events[: len(PHASES)]] == list(PHASES), "announced up front"
    by_phase: dict[str, list[ProgressEvent]] = {}
    for event in events:
        by_phase.setdefault(event.phase, []).append(event)
    songs = [e for e in by_phase["songs"] if e.done]
    assert songs[0].total == len(library.songs), "meta.total with the first page"
    assert songs[0].done < len(library.songs)
    assert songs[-1].finished and songs[-1].done == songs[-1].total == len(library.songs)
    videos = by_phase["music videos"][-1]
    assert videos.finished and videos.done == videos.total == len(library.music_videos)
    assert by_phase["albums"][-1].total == len(library.albums)
    assert by_phase["playlist tracks"][-1].total == len(library.playlists)
    assert by_phase["songs"][-1].phase_requests == math.ceil(len(library.songs) / 100)
    assert by_phase["albums"][-1].phase_requests == math.ceil(len(library.albums) / 100)
    assert by_phase["song ratings"][-1].phase_requests == math.ceil(len(library.songs) / 200)
    for name in PHASES:
        last = by_phase[name][-1]
        assert last.finished, name
        assert last.remaining_requests == 0, name
    assert sum(e.phase_requests or 0 for e in (by_phase[n][-1] for n in PHASES)) + 2 == (
        events[-1].requests
    ), "every request but the storefront's and Apple's Replay summary's belongs to a phase"


def test_the_minimum_still_to_go_is_known_once_the_first_pages_arrive(sqlite_path: str) -> None:
    emulator = make_emulator(SPEC)
    events = _events_of_a_sync(emulator, sqlite_path)
    first_song_page = next(e for e in events if e.phase == "songs" and e.done)
    assert first_song_page.remaining_requests == math.ceil(SPEC.songs / 100) - 1
    before = next(e for e in events if e.phase == "song ratings" and not e.finished)
    assert before.remaining_requests is not None and before.remaining_requests >= 1


def _board() -> tuple[ProgressBoard, FakeClock]:
    clock = FakeClock()
    return ProgressBoard(clock), clock


def test_rows_show_known_totals_done_and_stable_columns() -> None:
    board, clock = _board()
    for phase in ("songs", "music videos", "albums", "playlist ratings"):
        board.update(ProgressEvent(phase, 0, None, remaining_requests=1))
    frames: list[list[str]] = [board.lines(100)]
    clock.now += 1
    board.update(ProgressEvent("songs", 2_000, 20_000, phase_requests=20, remaining_requests=180))
    board.update(ProgressEvent("albums", 2_000, 2_000, phase_requests=20, finished=True))
    frames.append(board.lines(100))
    clock.now += 7
    board.update(ProgressEvent("songs", 12_345, 20_000, phase_requests=124, remaining_requests=76))
    frames.append(board.lines(100))
    first, second, third = frames
    assert re.search(r"songs +░+ +0 / …", first[0]), "unknown total: empty bar, no guess"
    assert "waiting" in first[0]
    assert re.search(r"songs +█{4}░{36} +2,000 / 20,000 +20 req", second[0])
    assert re.search(r"albums +█+ +2,000 / 2,000 +20 req +done", second[2])
    assert re.search(r"12,345 / 20,000 +124 req +0:07", third[0])
    rows = [line for frame in frames for line in frame[:-1]]
    assert len({line.index(" / ") for line in rows}) == 1, "the counts never move"
    assert len({len(line.split(" req")[0]) for line in rows if " req" in line}) == 1


def test_the_last_line_has_the_rate_the_minimum_to_go_and_an_eta() -> None:
    board, clock = _board()
    client = FakeClient()
    board.update(ProgressEvent("songs", 0, 20_000, remaining_requests=400))
    board.poll(client)  # type: ignore[arg-type]
    clock.now += 5
    client.stats.requests = 100
    board.poll(client)  # type: ignore[arg-type]
    footer = board.lines(100)[-1]
    assert footer == "100 requests · 20.0/s · at least 400 more · about 0:20 left"


def test_throttling_is_shown_while_429s_arrive() -> None:
    board, clock = _board()
    client = FakeClient()
    board.update(ProgressEvent("songs", 0, 100, remaining_requests=1))
    board.poll(client)  # type: ignore[arg-type]
    clock.now += 1
    client.stats.requests, client.stats.throttled = 10, 3
    board.poll(client)  # type: ignore[arg-type]
    assert board.lines(100)[-1].endswith("throttled — slowing down")
    clock.now += 4
    client.stats.requests = 20
    board.poll(client)  # type: ignore[arg-type]
    assert "throttled" not in board.lines(100)[-1], "gone once the 429s stop"


def test_lines_never_exceed_the_width() -> None:
    board, _ = _board()
    board.update(ProgressEvent("a very long phase name indeed", 5, 10, phase_requests=3))
    for width in (40, 60, 80, 200):
        assert all(len(line) <= width for line in board.lines(width))


def test_without_a_terminal_there_are_no_bars_and_v_lists_finished_phases(
    cli_env: Env, sqlite_path: str
) -> None:
    emulator = make_emulator(SPEC)
    with emulator.serve() as server:
        plain = invoke(["--db", sqlite_path, "sync"], env=cli_env(server.url))
        assert plain.exit_code == 0, plain.output
        assert plain.stderr == "", "no progress bars, nothing but warnings without -v"
        verbose = invoke(["--db", sqlite_path, "sync", "-v"], env=cli_env(server.url))
        quiet = invoke(["--db", sqlite_path, "sync", "-q"], env=cli_env(server.url))
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == "", "-q after sync"
    assert verbose.exit_code == 0, verbose.output
    assert "█" not in verbose.stderr and "\r" not in verbose.stderr
    finished = re.findall(
        r"^amsync: ([a-z ]+): (\d+) of (\d+) in (\d+) request", verbose.stderr, re.M
    )
    assert sorted(name for name, *_ in finished) == sorted(PHASES), "one line per phase"
    songs = next(f for f in finished if f[0] == "songs")
    assert songs[1] == songs[2] == str(SPEC.songs)
    assert "GET /v1" not in verbose.stderr, "-v does not list every request"


def test_vv_lists_every_request_without_tokens(cli_env: Env, sqlite_path: str) -> None:
    emulator = make_emulator(LibrarySpec(songs=120, playlists=2, seed=2))
    with emulator.serve() as server:
        result = invoke(["--db", sqlite_path, "-vv", "sync"], env=cli_env(server.url))
    assert result.exit_code == 0, result.output
    requests = re.findall(
        r"^amsync: (GET|PUT|POST|DELETE) (/v1/\S+) -> (\d{3}) in \d+ ms$", result.stderr, re.M
    )
    assert len(requests) == len(emulator.log.entries)
    assert ("GET", "/v1/me/library/songs", "200") in requests
    assert DEV not in result.stderr and USER not in result.stderr


def test_v_shows_retries_and_throttling_as_they_happen(cli_env: Env, sqlite_path: str) -> None:
    emulator = make_emulator(
        LibrarySpec(songs=300, playlists=3, seed=3),
        FaultConfig(rate_limit_rps=4.0, rate_limit_burst=1),
    )
    with emulator.serve() as server:
        result = invoke(["--db", sqlite_path, "sync", "-v"], env=cli_env(server.url))
    assert result.exit_code == 0, result.output
    assert re.search(r"^amsync: retrying GET /v1/\S+ after HTTP 429", result.stderr, re.M)
    throttled = r"^amsync: throttled \(429\): slowing down to [\d.]+ requests/s$"
    assert re.search(throttled, result.stderr, re.M)


def test_the_last_line_says_it_shorter_on_a_narrow_terminal() -> None:
    board, clock = _board()
    client = FakeClient()
    board.update(ProgressEvent("songs", 0, 20_000, remaining_requests=1_234))
    board.poll(client)  # type: ignore[arg-type]
    clock.now += 5
    client.stats.requests, client.stats.throttled = 12_345, 7
    board.poll(client)  # type: ignore[arg-type]
    wide, narrow = board.lines(120)[-1], board.lines(80)[-1]
    assert wide.startswith("12,345 requests · ") and wide.endswith("throttled — slowing down")
    assert "at least 1,234 more · about" in wide
    assert narrow == "12,345 req · 2469.0/s · ≥1,234 to go · ~0:00 left · throttled — slowing down"
