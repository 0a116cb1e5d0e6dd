"""``<home>/rate-memory.json`` as a file: keyed by API origin and token issuer, 0600, atomic,
tolerant of damage and of runs writing it at the same time (issue 23 item 1)."""

from __future__ import annotations

import json
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from amsync.config.rate_memory import (
    MAX_AGE,
    MAX_ENTRIES,
    RATE_MEMORY_FILE_NAME,
    RateMemory,
    api_host,
)

APPLE = "https://api.music.apple.com"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://api.music.apple.com", APPLE),
        ("HTTPS://API.Music.Apple.com/", APPLE),
        ("https://user:secret@api.music.apple.com:443/v1", APPLE),
        ("http://127.0.0.1:8080", "http://127.0.0.1"),
        ("http://[::1]:9000/x", "http://[::1]"),
    ],
)
def test_the_key_is_the_api_host_without_credentials_port_or_path(url: str, host: str) -> None:
    assert api_host(url) == host


def test_entries_are_kept_per_origin_and_issuer(tmp_path: Path) -> None:
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert memory.remember(APPLE, "TEAMA", 24.5, limited=True, now=now)
    assert memory.remember(APPLE, "TEAMB", 60.0, limited=False, now=now)
    assert memory.remember("http://127.0.0.1", None, 100.0, limited=False, now=now)
    a = memory.recall(APPLE, "TEAMA")
    assert a is not None and (a.rate, a.limited, a.at) == (24.5, True, now)
    b = memory.recall(APPLE, "TEAMB")
    assert b is not None and (b.rate, b.limited) == (60.0, False)
    assert memory.recall(APPLE, None) is None
    assert memory.recall("http://127.0.0.1", None) is not None
    assert memory.remember(APPLE, "TEAMA", 20.0, limited=True, now=now + timedelta(hours=1))
    again = memory.recall(APPLE, "TEAMA")
    assert again is not None and again.rate == 20.0, "a later run replaces its entry"


def test_age_decides_freshness() -> None:
    memory_at = datetime(2026, 12, 1, tzinfo=UTC)
    from amsync.config.rate_memory import RememberedRate

    entry = RememberedRate(APPLE, "T", 10.0, True, memory_at)
    assert entry.fresh(memory_at + MAX_AGE)
    assert not entry.fresh(memory_at + MAX_AGE + timedelta(seconds=1))
    assert not entry.fresh(memory_at - timedelta(minutes=5)), "a date in the future"


def test_the_file_is_0600_and_written_atomically(tmp_path: Path) -> None:
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    assert memory.remember(APPLE, "T", 10.0, limited=True)
    path = tmp_path / RATE_MEMORY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [RATE_MEMORY_FILE_NAME], "no temporary left"


def test_no_home_means_nothing_written(tmp_path: Path) -> None:
    memory = RateMemory(tmp_path / "missing" / RATE_MEMORY_FILE_NAME)
    assert not memory.remember(APPLE, "T", 10.0, limited=True)
    assert not (tmp_path / "missing").exists()


def test_a_write_that_fails_is_skipped_quietly(tmp_path: Path) -> None:
    """Something that is not a file where the memory goes (root can write anywhere else)."""
    (tmp_path / RATE_MEMORY_FILE_NAME).mkdir()
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    assert not memory.remember(APPLE, "T", 10.0, limited=True)
    assert memory.recall(APPLE, "T") is None
    assert [p.name for p in tmp_path.iterdir()] == [RATE_MEMORY_FILE_NAME], "no temporary left"


@pytest.mark.parametrize(
    "damage",
    [
        "",
        "not json",
        "[]",
        '{"format": "something else", "rates": []}',
        '{"format": "amsync.rate-memory", "rates": "x"}',
        b"\xff\xfe\x00garbage",
    ],
)
def test_a_damaged_file_reads_as_empty_and_is_replaced(tmp_path: Path, damage: str | bytes) -> None:
    path = tmp_path / RATE_MEMORY_FILE_NAME
    path.write_bytes(damage if isinstance(damage, bytes) else damage.encode())
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    assert memory.recall(APPLE, "T") is None
    assert memory.remember(APPLE, "T", 12.0, limited=True)
    entry = memory.recall(APPLE, "T")
    assert entry is not None and entry.rate == 12.0


def test_a_damaged_entry_does_not_spoil_the_others(tmp_path: Path) -> None:
    good = {"api": APPLE, "issuer": "T", "rate": 9.5, "limited": True, "at": "2026-12-01T00:00:00Z"}
    bad = [
        {**good, "issuer": "A", "rate": -1},
        {**good, "issuer": "B", "rate": "fast"},
        {**good, "issuer": "C", "rate": float("inf")},
        {**good, "issuer": "D", "at": "yesterday"},
        {**good, "issuer": "E", "at": "2026-12-01T00:00:00"},  # no zone
        {**good, "issuer": "F", "limited": "yes"},
        {**good, "issuer": "G", "rate": True},
        "not an object",
    ]
    path = tmp_path / RATE_MEMORY_FILE_NAME
    document = {"format": "amsync.rate-memory", "version": 1, "rates": [*bad, good]}
    path.write_text(json.dumps(document), encoding="utf-8")
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    entry = memory.recall(APPLE, "T")
    assert entry is not None and entry.rate == 9.5
    for issuer in "ABCDEFG":
        assert memory.recall(APPLE, issuer) is None


def test_only_the_most_recent_entries_are_kept(tmp_path: Path) -> None:
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(MAX_ENTRIES + 5):
        memory.remember(
            f"http://host{1000 + n}",
            None,
            10.0,
            limited=True,
            now=start + timedelta(minutes=n),
        )
    rates = json.loads((tmp_path / RATE_MEMORY_FILE_NAME).read_text())["rates"]
    assert len(rates) == MAX_ENTRIES
    assert memory.recall("http://host1000", None) is None, "the oldest went"
    assert memory.recall(f"http://host{1000 + MAX_ENTRIES + 4}", None) is not None


def test_runs_writing_at_once_never_leave_a_damaged_file(tmp_path: Path) -> None:
    """Eight runs finishing together, many times: every read sees a whole file."""
    memory = RateMemory(tmp_path / RATE_MEMORY_FILE_NAME)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            for i in range(40):
                assert memory.remember(f"http://host{n}", None, 10.0 + i, limited=True)
                json.loads((tmp_path / RATE_MEMORY_FILE_NAME).read_text(encoding="utf-8"))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:1]
    entries = json.loads((tmp_path / RATE_MEMORY_FILE_NAME).read_text(encoding="utf-8"))["rates"]
    assert 1 <= len(entries) <= 8
    assert all(e["rate"] >= 10.0 for e in entries)
    assert [p.name for p in tmp_path.iterdir()] == [RATE_MEMORY_FILE_NAME]
