"""Issue 14 item 16: with ``--json``, ``sync``, ``favourites push``, ``backup`` and ``restore``
print one JSON object on every outcome — success, guard refusal, authorization failure, retries
exhausted, lock held, bad configuration — starting with ``status``, ``error`` and ``exit_code``
(the process's own exit code), with the counts so far. The error line goes to stderr once.

One row per (command, outcome): adding a command or an outcome is adding a row.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amsync.db.models import RunLock
from amsync.db.store import open_store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from tests.backup.conftest import sync_in_process
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import DEV, USER, make_emulator

SPEC = LibrarySpec(songs=80, playlists=3, seed=4, favourite_fraction=0.1, dislike_fraction=0.05)


@dataclass
class World:
    """A synced mirror, a running emulator, and the environment that points amsync at it."""

    tmp: Path
    home: Path
    emulator: Emulator
    url: str
    db: str
    env: dict[str, str] = field(default_factory=dict)

    def run(self, args: list[str], **extra: str) -> CliResult:
        return invoke(["--db", self.db, *args], env=self.env | extra)


@pytest.fixture
def world(tmp_path: Path, home: Path) -> Iterator[World]:
    emulator = make_emulator(SPEC)
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    with emulator.serve() as server:
        env = {
            "AMSYNC_API_URL": server.url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
            "AMSYNC_RETRY_BUDGET": "1",
        }
        yield World(tmp_path, home, emulator, server.url, db, env)


# --- how each outcome is brought about ------------------------------------------------------------


def _nothing(world: World) -> dict[str, str]:
    return {}


def _empty_library(world: World) -> dict[str, str]:
    world.emulator.library.clear_library()
    return {}


def _revoked(world: World) -> dict[str, str]:
    world.emulator.revoke_music_user_token()
    return {}


def _failing_server(world: World) -> dict[str, str]:
    world.emulator.faults = FaultConfig(seed=1, error_rate=1.0)
    return {}


def _bad_setting(world: World) -> dict[str, str]:
    return {"AMSYNC_MAX_DELETE": "500"}


def _lock_held(world: World) -> dict[str, str]:
    store = open_store(world.db)
    try:
        account_id = store.account_id("default")
        now = datetime.now(UTC)
        with store.writing() as session:
            session.add(
                RunLock(
                    account_id=account_id,
                    token="planted",
                    host=socket.gethostname(),
                    pid=os.getpid(),  # alive
                    command="sync",
                    acquired_at=now,
                    heartbeat_at=now,
                )
            )
    finally:
        store.close()
    return {}


def _no_database(world: World) -> dict[str, str]:
    world.db = str(world.tmp / "missing" / "none.db")
    return {}


def _unapplied_favourite(world: World) -> dict[str, str]:
    """A local change Apple never shows: the push stays pending (exit 75)."""
    song = sorted(world.emulator.library.songs)[0]
    result = world.run(["favourites", "add", "song", song, "--disliked"])
    assert result.exit_code == 0, result.output
    world.emulator.faults = FaultConfig(seed=1, ignore_writes=True)
    return {}


def _local_change(world: World) -> None:
    song = sorted(world.emulator.library.songs)[1]
    result = world.run(["favourites", "add", "song", song])
    assert result.exit_code == 0, result.output


def _change_then(then: Callable[[World], dict[str, str]]) -> Callable[[World], dict[str, str]]:
    """A wish to push first, so that the push has to talk to Apple."""

    def both(world: World) -> dict[str, str]:
        _local_change(world)
        return then(world)

    both.__name__ = f"change_then_{then.__name__}"
    return both


def _backup_folder(world: World) -> str:
    result = world.run(["backup"])
    assert result.exit_code == 0, result.output
    folder = world.home / "backups" / "default"
    return str(next(p for p in folder.iterdir() if not p.name.startswith(".")))


SYNC = ["sync", "--json"]
FILL = ["listens", "fill", "--json"]
LISTENS_PUSH = ["listens", "push", "http://127.0.0.1:9/apis/listenbrainz", "--dry-run", "--json"]
PUSH = ["favourites", "push", "--json"]
BACKUP = ["backup", "--json"]


def _restore(world: World) -> list[str]:
    return ["restore", "--from", _backup_folder(world), "--yes", "--json"]


def _restore_from_database(world: World) -> list[str]:
    return ["restore", "--from", world.db, "--json"]


Args = list[str] | Callable[[World], list[str]]
ROWS: list[tuple[str, Args, Callable[[World], dict[str, str]], int, str]] = [
    # (name, arguments, what happens first, exit code, status)
    ("sync-succeeds", SYNC, _nothing, 0, "succeeded"),
    ("sync-guard-refuses", SYNC, _empty_library, 4, "refused"),
    ("sync-authorization", SYNC, _revoked, 3, "failed"),
    ("sync-retries-exhausted", SYNC, _failing_server, 75, "failed"),
    ("sync-lock-held", SYNC, _lock_held, 4, "refused"),
    ("sync-bad-setting", SYNC, _bad_setting, 2, "failed"),
    ("push-succeeds", PUSH, _change_then(_nothing), 0, "succeeded"),
    ("push-authorization", PUSH, _change_then(_revoked), 3, "failed"),
    ("push-retries-exhausted", PUSH, _change_then(_failing_server), 75, "failed"),
    ("push-lock-held", PUSH, _lock_held, 4, "refused"),
    ("push-bad-setting", PUSH, _bad_setting, 2, "failed"),
    ("backup-succeeds", BACKUP, _nothing, 0, "succeeded"),
    ("backup-no-database", BACKUP, _no_database, 2, "failed"),
    ("backup-bad-setting", BACKUP, _bad_setting, 2, "failed"),
    ("restore-succeeds", _restore, _nothing, 0, "nothing-to-do"),
    ("restore-authorization", _restore, _revoked, 3, "failed"),
    ("restore-retries-exhausted", _restore, _failing_server, 75, "failed"),
    ("restore-not-a-backup", _restore_from_database, _nothing, 2, "failed"),
    ("restore-bad-setting", _restore, _bad_setting, 2, "failed"),
    ("listens-fill-succeeds", FILL, _nothing, 0, "succeeded"),
    ("listens-fill-lock-held", FILL, _lock_held, 4, "refused"),
    ("listens-fill-bad-setting", FILL, _bad_setting, 2, "failed"),
    ("listens-push-dry-run", LISTENS_PUSH, _nothing, 0, "dry-run"),
    ("listens-push-bad-setting", LISTENS_PUSH, _bad_setting, 2, "failed"),
]


@pytest.mark.parametrize(
    ("arguments", "before", "code", "status"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_every_outcome_is_one_json_document(
    world: World,
    arguments: Args,
    before: Callable[[World], dict[str, str]],
    code: int,
    status: str,
) -> None:
    args = arguments(world) if callable(arguments) else arguments
    extra = before(world)
    result = world.run(args, **extra)
    assert result.exit_code == code, result.output
    document = json.loads(result.stdout)  # exactly one JSON document, nothing else
    assert isinstance(document, dict)
    assert list(document)[:3] == ["status", "error", "exit_code"]
    assert document["exit_code"] == code
    assert document["status"] == status
    assert "Traceback" not in result.output
    if code == 0:
        assert document["error"] is None
        assert result.stderr.count("amsync: error:") == 0
    else:
        assert isinstance(document["error"], str) and document["error"]
        error_lines = [line for line in result.stderr.splitlines() if "amsync: error:" in line]
        assert len(error_lines) == 1, result.stderr  # shown once
        assert document["error"] in error_lines[0]
    for secret in (DEV, USER):
        assert secret not in result.output


def _document(result: CliResult) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_a_failed_sync_reports_its_counts_so_far(world: World) -> None:
    # The song ratings fail: they are read once the songs are listed (the library's songs fit
    # one ratings batch, read when the listing ends), so the songs are done before the failure
    # whatever the other chains, which run at the same time, have got to.
    failing = "/v1/me/ratings/library-songs"
    world.emulator.faults = FaultConfig(seed=1, error_rate=1.0, paths=(failing,))
    result = world.run(["sync", "--json"])
    assert result.exit_code == 75, result.output
    document = _document(result)
    assert failing in document["error"]
    assert document["requests"] > 1, "the requests made before the failure are counted"
    assert document["run_id"] is not None
    songs = document["progress"]["songs"]  # listed completely before the ratings failed
    assert songs["done"] >= len(world.emulator.library.songs)


def test_a_guard_refusal_has_the_plan_and_the_error(world: World) -> None:
    world.emulator.library.clear_library()
    document = _document(world.run(["sync", "--json"]))
    assert "deletion guard" in document["error"]
    assert document["collections"]["songs"]["listed"] == 0
    assert document["guard"]


def test_a_pending_push_says_75_in_its_document(world: World) -> None:
    _unapplied_favourite(world)
    result = world.run(["favourites", "push", "--json"])
    assert result.exit_code == 75, result.output
    document = _document(result)
    assert document["exit_code"] == 75 and document["status"] == "partial"
    assert document["counts"]["pending"] == 1
