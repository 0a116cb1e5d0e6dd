"""The rate memory (issue 23 item 1): a sync starts where the last run with the same API host and
developer-token issuer ended, unless that was more than seven days ago; a 429 before the
remembered rate has gone through halves it at once; a dry run never writes it; the file holds no
token and is 0600. The controller's side is in ``tests/api/test_rate_start.py``."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from amsync.config.rate_memory import RATE_MEMORY_FILE_NAME, RateMemory, api_host
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from tests.support.cli import invoke
from tests.sync.conftest import DEV, USER, make_emulator

Env = Callable[[str], dict[str, str]]
SPEC = LibrarySpec(songs=450, albums=40, artists=20, playlists=4, seed=23)
# many requests in flight: on a loaded machine the pacer, not the emulator, must be what
# holds requests back, or a run has nothing to learn
WIDE = {"AMSYNC_CONCURRENCY": "32"}
STARTING = re.compile(r"^amsync: request rate: starting at ([\d.]+) requests/s", re.M)
COLD = re.compile(r"^amsync: request rate: cold start at 8 requests/s \((.+)\)$", re.M)


def _token(issuer: str) -> str:
    """A well-formed developer token (JWT) of ``issuer``; the emulator accepts it as is."""
    return jwt.encode({"iss": issuer, "iat": 0, "exp": 4_000_000_000}, "k" * 32, "HS256")


def _sync(home: Path, url: str, env: dict[str, str], *extra: str) -> str:
    result = invoke(["--home", str(home), "-v", "sync", *extra], env={**env, **WIDE})
    assert result.exit_code == 0, result.output
    return result.stderr


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return make_emulator(SPEC)


@pytest.fixture(autouse=True)
def memory_in_the_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the memory itself: the default place, nothing remembered."""
    monkeypatch.delenv("AMSYNC_RATE_MEMORY", raising=False)


def test_the_next_sync_starts_where_the_last_one_ended(
    emulator: Emulator, home: Path, cli_env: Env
) -> None:
    with emulator.serve() as server:
        first = _sync(home, server.url, cli_env(server.url))
        assert COLD.search(first), first
        memory = home / RATE_MEMORY_FILE_NAME
        stored = json.loads(memory.read_text(encoding="utf-8"))["rates"]
        assert [(e["api"], e["issuer"]) for e in stored] == [(api_host(server.url), "-")]
        second = _sync(home, server.url, cli_env(server.url))
    started = STARTING.search(second)
    assert started, second
    assert float(started[1]) == pytest.approx(stored[0]["rate"], abs=0.05)
    assert float(started[1]) > 8.0, "a sync that probed upwards left a higher rate"
    assert stat.S_IMODE(memory.stat().st_mode) == 0o600
    text = memory.read_text(encoding="utf-8")
    assert DEV not in text and USER not in text


def test_homes_that_share_a_token_may_share_one_memory_elsewhere(
    emulator: Emulator, tmp_path: Path, cli_env: Env
) -> None:
    """``AMSYNC_RATE_MEMORY``: two homes (two accounts of a family, say), one memory file."""
    shared = tmp_path / "shared" / "rates.json"
    shared.parent.mkdir()
    first, second = tmp_path / "alice", tmp_path / "bob"
    with emulator.serve() as server:
        env = {**cli_env(server.url), "AMSYNC_RATE_MEMORY": str(shared)}
        assert COLD.search(_sync(first, server.url, env))
        warm = _sync(second, server.url, env)
    assert STARTING.search(warm), warm
    assert shared.exists()
    assert not (first / RATE_MEMORY_FILE_NAME).exists()
    assert not (second / RATE_MEMORY_FILE_NAME).exists()


def test_another_api_host_starts_cold_and_both_are_kept(
    emulator: Emulator, home: Path, cli_env: Env
) -> None:
    home.mkdir(parents=True)
    RateMemory(home / RATE_MEMORY_FILE_NAME).remember(
        "https://api.music.apple.com", None, 40.0, limited=True
    )
    with emulator.serve() as server:
        stderr = _sync(home, server.url, cli_env(server.url))
        assert COLD.search(stderr) and "nothing remembered for http://127.0.0.1" in stderr
        memory = RateMemory(home / RATE_MEMORY_FILE_NAME)
        assert memory.recall("https://api.music.apple.com", None) is not None
        assert memory.recall(api_host(server.url), None) is not None


def test_the_memory_is_per_developer_token_issuer(home: Path, cli_env: Env) -> None:
    team_a, team_b = _token("TEAMAAAAAA"), _token("TEAMBBBBBB")
    emulator = Emulator(
        make_emulator(SPEC).library, developer_tokens={team_a, team_b}, music_user_tokens={USER}
    )
    with emulator.serve() as server:
        env = cli_env(server.url)
        home.mkdir(parents=True)
        RateMemory(home / RATE_MEMORY_FILE_NAME).remember(
            api_host(server.url), "TEAMAAAAAA", 33.0, limited=True
        )
        as_a = _sync(home, server.url, {**env, "AMSYNC_DEVELOPER_TOKEN": team_a})
        as_b = _sync(home, server.url, {**env, "AMSYNC_DEVELOPER_TOKEN": team_b})
    started = STARTING.search(as_a)
    assert started and float(started[1]) == 33.0, as_a
    assert "issuer TEAMAAAAAA" in as_a
    cold = COLD.search(as_b)
    assert cold and "nothing remembered" in cold[1] and "issuer TEAMBBBBBB" in cold[1], as_b
    text = (home / RATE_MEMORY_FILE_NAME).read_text(encoding="utf-8")
    assert "TEAMBBBBBB" in text and team_a not in text and team_b not in text


@pytest.mark.parametrize(("days", "warm"), [(6, True), (8, False)])
def test_a_memory_older_than_seven_days_is_not_trusted(
    emulator: Emulator, home: Path, cli_env: Env, days: int, warm: bool
) -> None:
    with emulator.serve() as server:
        home.mkdir(parents=True)
        then = datetime.now(UTC) - timedelta(days=days)
        RateMemory(home / RATE_MEMORY_FILE_NAME).remember(
            api_host(server.url), None, 30.0, limited=True, now=then
        )
        stderr = _sync(home, server.url, cli_env(server.url))
    if warm:
        started = STARTING.search(stderr)
        assert started and float(started[1]) == 30.0, stderr
    else:
        cold = COLD.search(stderr)
        assert cold and "from 8 days ago" in cold[1] and "older than 7 days" in cold[1], stderr


def test_a_429_before_the_remembered_rate_went_through_halves_it_at_once(
    home: Path, cli_env: Env
) -> None:
    """Another client now shares the token: the remembered 60/s meets a 6/s limit."""
    emulator = make_emulator(
        LibrarySpec(songs=300, playlists=2, seed=5),
        FaultConfig(rate_limit_rps=6.0, rate_limit_burst=2),
    )
    with emulator.serve() as server:
        home.mkdir(parents=True)
        RateMemory(home / RATE_MEMORY_FILE_NAME).remember(
            api_host(server.url), None, 60.0, limited=False
        )
        stderr = _sync(home, server.url, cli_env(server.url))
        after = RateMemory(home / RATE_MEMORY_FILE_NAME).recall(api_host(server.url), None)
    assert STARTING.search(stderr), stderr
    slowed = re.findall(
        r"^amsync: throttled \(429\): slowing down to ([\d.]+) requests/s$", stderr, re.M
    )
    assert slowed and float(slowed[0]) == 30.0, stderr
    assert after is not None and after.limited and after.rate < 30.0


def test_a_damaged_memory_is_a_cold_start_and_is_written_anew(
    emulator: Emulator, home: Path, cli_env: Env
) -> None:
    home.mkdir(parents=True)
    memory = home / RATE_MEMORY_FILE_NAME
    memory.write_text('{"format": "amsync.rate-memory", "rates": [{"api": 3', encoding="utf-8")
    with emulator.serve() as server:
        stderr = _sync(home, server.url, cli_env(server.url))
        assert COLD.search(stderr), stderr
        assert (
            RateMemory(home / RATE_MEMORY_FILE_NAME).recall(api_host(server.url), None) is not None
        )


def test_a_dry_run_reads_the_memory_but_never_writes_it(
    emulator: Emulator, home: Path, cli_env: Env
) -> None:
    with emulator.serve() as server:
        home.mkdir(parents=True)
        RateMemory(home / RATE_MEMORY_FILE_NAME).remember(
            api_host(server.url), None, 20.0, limited=True
        )
        before = (home / RATE_MEMORY_FILE_NAME).read_bytes()
        stderr = _sync(home, server.url, cli_env(server.url), "--dry-run")
    started = STARTING.search(stderr)
    assert started and float(started[1]) == 20.0, stderr
    assert (home / RATE_MEMORY_FILE_NAME).read_bytes() == before
