"""The look of the progress display, checked on recorded terminal runs (issue 15 item 3): a
20,000-song sync against the emulator with 30 ms latency and a 20 requests/s limit, in tmux at
120×30 and 80×24, captured every two seconds by ``fixtures/record_progress.sh``.

What the issue found wrong, and what each recording must show instead: totals known early (not
``N/?`` with a full bar), the songs total as 20,000 with music videos apart (not 20,040/20,000),
finished collections shown done while others run, per-collection request counts, columns that
do not move, an overall ETA, and a visible throttled state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from amsync.sync.fetch import PHASES

FIXTURES = Path(__file__).parent / "fixtures"
RECORDINGS = sorted(FIXTURES.glob("progress-*x*.txt"))
ROW = re.compile(
    r"^(?P<name>[a-z ]+?) +[█░]+ +(?P<done>[\d,…]+) / (?P<total>[\d,…]+) +(?P<req>[\d,]+) req"
    r"  (?P<state>.+)$"
)


def _frames(path: Path) -> list[list[str]]:
    frames: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("----- t="):
            frames.append([])
        elif frames:
            frames[-1].append(line)
    return frames


def _rows(frame: list[str]) -> dict[str, re.Match[str]]:
    return {m["name"]: m for line in frame if (m := ROW.match(line))}


def test_there_are_recordings_at_two_sizes() -> None:
    assert {p.name for p in RECORDINGS} >= {"progress-120x30.txt", "progress-80x24.txt"}


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_the_recorded_display_tells_the_truth(path: Path) -> None:
    width = int(path.stem.split("-")[1].split("x")[0])
    frames = [frame for frame in _frames(path) if _rows(frame)]
    assert len(frames) >= 5, "several frames of a running sync"
    positions: set[int] = set()
    seen_early_total = seen_done_while_running = seen_throttled = seen_eta = False
    for frame in frames:
        rows = _rows(frame)
        assert all(cell_len(line) <= width for line in frame)
        assert [n for n in rows if n in PHASES] == [n for n in PHASES if n in rows], "fixed order"
        positions |= {line.index(" / ") for line in frame if ROW.match(line)}
        songs = rows.get("songs")
        if songs and songs["done"] not in ("0", "…") and songs["total"] == "20,000":
            seen_early_total = seen_early_total or songs["done"] != "20,000"
        running = [r for r in rows.values() if not r["state"].startswith(("done", "waiting"))]
        finished = [r for r in rows.values() if r["state"].startswith("done")]
        seen_done_while_running = seen_done_while_running or bool(running and finished)
        footer = frame[-1] if not ROW.match(frame[-1]) else ""
        seen_throttled = seen_throttled or "throttled — slowing down" in footer
        eta = r"(at least [\d,]+ more · about |≥[\d,]+ to go · ~)\d+:\d\d left"
        seen_eta = seen_eta or bool(re.search(eta, footer))
    assert len(positions) == 1, "the columns never move"
    assert seen_early_total, "the songs total is known while the songs are still listed"
    assert seen_done_while_running, "a finished collection says done while others run"
    assert seen_throttled, "429s show as throttled"
    assert seen_eta, "an overall ETA from the requests still to go"
    last = _rows(frames[-1])
    assert last["songs"]["done"] == last["songs"]["total"] == "20,000"
    assert last["music videos"]["total"] == "40", "music videos apart from songs"
    assert all(int(r["req"].replace(",", "")) > 0 for n, r in last.items() if n != "catalog")
    assert int(last["songs"]["req"].replace(",", "")) >= 200, "the songs' own requests"
    text = path.read_text(encoding="utf-8")
    assert "\nEXIT=0" in text and "songs        20040 listed" in text
