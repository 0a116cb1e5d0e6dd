"""SIGINT, SIGTERM and SIGHUP stop a run cleanly (issue 14, item 8).

Table-driven: each row of ``CASES`` is a command that runs for a while (sync, favourites push,
backup, restore) with what makes it have work to do and how to tell that it is in its middle.
For every row and every signal a real ``amsync`` process talks to the emulator over HTTP, is
sent the signal in the middle of its run, and then:

- it exits 128 + the signal number (130, 143, 129) with one line on stderr and no traceback;
- its staging (``$TMPDIR/amsync-sync-*``) and partial backup folders are gone;
- the account's run lock is released, and runs that keep a record (sync, push) are recorded
  ``interrupted``;
- the log file has the run's start line and an end line naming the signal and the exit code;
- the mirror is the state before the run or after it (sync), no favourite wish is lost (push);
- the next run of the same command succeeds.

A new long-running command is covered by adding one row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from amsync.backup import BackupOptions, take_backup, verify_backup
from amsync.db.store import Store, open_store
from amsync.domain import FavouriteState, ItemType
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from amsync.emulator.privacy_export import generate_listening, old_export_spec
from amsync.favourites.edits import set_favourite
from tests.backup.conftest import sync_in_process
from tests.favourites.fakes import stored_states
from tests.support.listen_server import ListenServer
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.support.reliability import (
    amsync_env,
    copy_sqlite,
    emulator_for,
    mutate,
    run_amsync,
    spawn,
)
from tests.support.subsonic_standin import StandinState, serving, songs_of

pytestmark = pytest.mark.slow

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
READY_LIMIT_S = 90.0


@dataclass
class Scene:
    """One emulator, one mirror, one home: what a row needs."""

    emulator: Emulator
    db: str
    home: Path
    tmp: Path
    env: dict[str, str]
    expected: list[Any] = field(default_factory=list)  # states the mirror may be in afterwards
    wishes: dict[tuple[str, str], FavouriteState] = field(default_factory=dict)
    backup: Path | None = None
    listen_server: ListenServer | None = None
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    subsonic: tuple[StandinState, str] | None = None  # a Subsonic server and its URL

    def requests(self) -> int:
        return len(self.emulator.log.entries)

    def writes(self) -> int:
        return len(self.emulator.log.writes())


@dataclass(frozen=True)
class Case:
    args: Callable[[Scene], list[str]]
    prepare: Callable[[Scene], None]
    ready: Callable[[Scene, int], bool]  # (scene, requests before the run) -> in its middle
    run_kind: str | None  # the run's kind in sync_runs, when it keeps a record
    log_name: str  # its name in the log file's run lines
    check: Callable[[Scene, Store], None] = lambda scene, store: None


# --- sync ------------------------------------------------------------------------------------


def _prepare_sync(scene: Scene) -> None:
    scene.expected.append(expected_mirror(scene.emulator.library))
    mutate(scene.emulator.library, random.Random(7), steps=8)
    scene.expected.append(expected_mirror(scene.emulator.library))


def _check_sync(scene: Scene, store: Store) -> None:
    assert actual_mirror(store) in scene.expected, "an interrupted sync left a mixed mirror"


# --- favourites push -------------------------------------------------------------------------


def _prepare_push(scene: Scene) -> None:
    library = scene.emulator.library
    rng = random.Random(11)
    pools = {
        ItemType.SONG: sorted(library.songs),
        ItemType.ALBUM: sorted(library.albums),
        ItemType.PLAYLIST: sorted(library.playlists),
    }
    store = open_store(scene.db)
    try:
        for kind, ids in pools.items():
            for item_id in rng.sample(ids, min(len(ids), 15)):
                wish = rng.choice([FavouriteState.FAVOURITE, FavouriteState.DISLIKED])
                set_favourite(store, "default", kind, item_id, wish)
                scene.wishes[(kind.value, item_id)] = wish
    finally:
        store.close()


def _check_push(scene: Scene, store: Store) -> None:
    states = stored_states(store)
    for key, wish in scene.wishes.items():
        assert states[key][2] == wish.value, f"the wish for {key} was lost"


# --- backup ----------------------------------------------------------------------------------


def _partial_backup(scene: Scene) -> bool:
    folder = scene.home / "backups" / "default"
    return folder.is_dir() and any(p.name.endswith(".partial") for p in folder.iterdir())


def _check_backup(scene: Scene, store: Store) -> None:
    """No partial folder is left; what is left is a complete backup (the signal came after
    the rename that finishes it) or nothing."""
    folder = scene.home / "backups" / "default"
    left = sorted(folder.iterdir()) if folder.exists() else []
    assert not any(p.name.endswith(".partial") for p in left), left
    for backup in left:
        assert verify_backup(backup).ok, f"an interrupted backup left {backup.name}"


# --- restore ---------------------------------------------------------------------------------


def _prepare_restore(scene: Scene) -> None:
    store = open_store(scene.db)
    try:
        report = take_backup(store, "default", BackupOptions(scene.tmp / "backups"))
    finally:
        store.close()
    scene.backup = report.path
    library = scene.emulator.library
    with scene.emulator.lock:
        for playlist_id in sorted(library.playlists)[:20]:
            library.remove_playlist(playlist_id)


# --- listens push ----------------------------------------------------------------------------


def _prepare_listens(scene: Scene) -> None:
    """An older export (it names the artists) imported, and a ListenBrainz-protocol server that
    takes its time over each batch."""
    spec = replace(old_export_spec(seed=6), library_songs=300, other_songs=50, plays=6000)
    path = generate_listening(spec).write(scene.tmp / "older-export.zip")
    done = run_amsync(["--db", scene.db, "import", "apple-data", str(path)], scene.env)
    assert done.returncode == 0, done.stderr
    server = ListenServer({"signal-token"}).__enter__()
    server.faults.delay_s = 0.3
    scene.listen_server = server
    scene.env["AMSYNC_LISTENBRAINZ_TOKEN"] = "signal-token"


def _listens_sent(scene: Scene) -> int:
    assert scene.listen_server is not None
    return scene.listen_server.submit_requests()


def _check_listens(scene: Scene, store: Store) -> None:
    """What the server took is recorded — all of it, but for the batch whose answer the signal
    cut off (the next push sends it again; the server keeps one of each)."""
    assert scene.listen_server is not None
    with store.engine.connect() as connection:
        recorded = connection.exec_driver_sql(
            "SELECT count(*) FROM listen_submissions WHERE status = 'accepted'"
        ).scalar()
    taken = len(scene.listen_server.seen.listens)
    assert recorded is not None and recorded <= taken <= recorded + 1000


# --- server push ---------------------------------------------------------------------------


def _prepare_server_push(scene: Scene) -> None:
    state = StandinState(songs_of(scene.emulator.library), {"walker": "walker-password"},
                         latency_s=0.01)  # fmt: skip
    scene.subsonic = state, scene.stack.enter_context(serving(state))
    scene.env["AMSYNC_SUBSONIC_PASSWORD"] = "walker-password"


def _server_push_args(scene: Scene) -> list[str]:
    assert scene.subsonic is not None
    return ["server", "push", scene.subsonic[1], "--user", "walker"]


def _check_server_push(scene: Scene, store: Store) -> None:
    """The next push finishes the work, and duplicates no playlist."""
    assert scene.subsonic is not None
    state, url = scene.subsonic
    elsewhere = scene.env | {"AMSYNC_HOME": str(scene.tmp / "next-home")}  # the log is checked
    done = run_amsync(["--db", scene.db, *_server_push_args(scene), "--json"], elsewhere)
    assert done.returncode == 0, done.stderr
    wanted = sorted(p["server_name"] for p in json.loads(done.stdout)["playlists"])
    assert sorted(p.name for p in state.playlists.values()) == wanted
    assert url in done.stdout
    assert store.find_account_id("default") is not None


CASES: dict[str, Case] = {
    "sync": Case(
        args=lambda scene: ["sync"],
        prepare=_prepare_sync,
        ready=lambda scene, base: scene.requests() >= base + 6,
        run_kind="sync",
        log_name="sync",
        check=_check_sync,
    ),
    "favourites push": Case(
        args=lambda scene: ["favourites", "push"],
        prepare=_prepare_push,
        ready=lambda scene, base: len(scene.emulator.log.writes()) >= 3,
        run_kind="push",
        log_name="favourites push",
        check=_check_push,
    ),
    "backup": Case(
        args=lambda scene: ["backup"],
        prepare=lambda scene: None,
        ready=lambda scene, base: _partial_backup(scene),
        run_kind=None,
        log_name="backup",
        check=_check_backup,
    ),
    "listens push": Case(
        args=lambda scene: [
            "listens",
            "push",
            scene.listen_server.url if scene.listen_server else "",
            "--min-listen",
            "0",
        ],
        prepare=_prepare_listens,
        ready=lambda scene, base: _listens_sent(scene) >= 2,
        run_kind=None,
        log_name="listens push",
        check=_check_listens,
    ),
    "server push": Case(
        args=_server_push_args,
        prepare=_prepare_server_push,
        ready=lambda scene, base: scene.subsonic is not None and scene.subsonic[0].writes >= 3,
        run_kind=None,
        log_name="server push",
        check=_check_server_push,
    ),
    "restore": Case(
        args=lambda scene: ["restore", "--from", str(scene.backup), "--yes"],
        prepare=_prepare_restore,
        ready=lambda scene, base: len(scene.emulator.log.writes()) >= 2,
        run_kind=None,
        log_name="restore",
    ),
}


SCENE = LibrarySpec(songs=3000, playlists=40, folders=3, seed=5)


@pytest.fixture(scope="module")
def synced_scene(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The mirror of ``SCENE``'s library, synced once per module (per worker) and copied for
    each test: the library is generated again, the same, for each."""
    db = str(tmp_path_factory.mktemp("signals") / "synced.db")
    sync_in_process(emulator_for(SCENE), db)
    return db


@pytest.fixture
def scene(tmp_path: Path, synced_scene: str) -> Iterator[Scene]:
    emulator = emulator_for(SCENE)
    db = copy_sqlite(synced_scene, tmp_path / "mirror.db")
    emulator.faults = FaultConfig(latency_ms=15.0)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with emulator.serve() as server, contextlib.ExitStack() as stack:
        env = amsync_env(tmp_path / "home", server.url, TMPDIR=str(tmp))
        scene = Scene(emulator, db, tmp_path / "home", tmp, env, stack=stack)
        yield scene
        if scene.listen_server is not None:
            scene.listen_server.__exit__(None, None, None)


def _default_int() -> None:
    """A child started from a shell's background job may inherit SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_in_the_middle(
    process: subprocess.Popen[str], ready: Callable[[], bool], signum: int
) -> None:
    deadline = time.monotonic() + READY_LIMIT_S
    while not ready():
        if process.poll() is not None:
            _out, err = process.communicate()
            raise AssertionError(f"the run ended before the signal: {err[-1500:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the run never reached its middle")
        time.sleep(0.001)
    process.send_signal(signal.SIGSTOP)  # the signal lands exactly here, whatever is slow
    process.send_signal(signum)
    process.send_signal(signal.SIGCONT)


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_signal_stops_the_run_cleanly(name: str, signum: int, scene: Scene) -> None:
    case = CASES[name]
    case.prepare(scene)
    base = scene.requests()
    args = ["--db", scene.db, "-q", *case.args(scene)]
    process = spawn(args, scene.env, fast=True, preexec_fn=_default_int)
    _signal_in_the_middle(process, lambda: case.ready(scene, base), signum)
    _, err = process.communicate(timeout=60)
    signame = signal.Signals(signum).name

    assert process.returncode == 128 + signum, (process.returncode, err)
    assert "Traceback" not in err, err
    assert err.strip().splitlines() == [f"amsync: error: interrupted by {signame}"], err
    assert not list(scene.tmp.glob("amsync-sync-*")), "the sync's staging was left behind"
    store = open_store(scene.db)
    try:
        with store.engine.connect() as connection:
            locks = connection.exec_driver_sql("SELECT count(*) FROM run_locks").scalar()
            runs = connection.exec_driver_sql(
                "SELECT kind, status, error FROM sync_runs ORDER BY id"
            ).all()
        assert locks == 0, "the run lock was not released"
        if case.run_kind is not None:
            kind, status, error = runs[-1]
            assert (kind, status) == (case.run_kind, "interrupted"), runs[-1]
            assert error == f"interrupted by {signame}"
        case.check(scene, store)
    finally:
        store.close()
    log = (scene.home / "logs" / "amsync.log").read_text(encoding="utf-8")
    assert f"{case.log_name} started (account default)" in log
    ended = [line for line in log.splitlines() if f"{case.log_name} ended" in line]
    assert len(ended) == 1, log
    assert f"interrupted by {signame}" in ended[0] and f"exit {128 + signum}" in ended[0]

    again = run_amsync(args, scene.env, fast=True)  # the next run is not hindered
    assert again.returncode in (0, 75), again.stderr


def test_sync_runs_status_column_holds_interrupted(db_url: str) -> None:
    """``sync_runs.status`` takes ``interrupted`` on every backend (no constraint refuses it)."""
    from amsync.db.runs import start_run

    store = open_store(db_url)
    try:
        account = store.account_id("default")
        from datetime import UTC, datetime

        run = start_run(store, account, "sync", datetime.now(UTC))
        with store.writing() as session:
            session.connection().exec_driver_sql(
                f"UPDATE sync_runs SET status = 'interrupted' WHERE id = {int(run)}"
            )
        with store.engine.connect() as connection:
            status = connection.exec_driver_sql(
                f"SELECT status FROM sync_runs WHERE id = {int(run)}"
            ).scalar()
        assert status == "interrupted"
    finally:
        store.close()


def test_a_cancelled_sync_records_interrupted_and_removes_staging(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library's side of it, on SQLite and PostgreSQL: a sync whose task is cancelled (as
    the CLI cancels it on a signal) records ``interrupted``, releases its lock and removes its
    staging."""
    from amsync.api import AppleMusicClient
    from amsync.sync.runner import run_sync
    from tests.sync.conftest import client_config

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    emulator = emulator_for(LibrarySpec(songs=400, playlists=6, seed=3))
    emulator.faults = FaultConfig(latency_ms=20.0)
    store = open_store(db_url)

    async def go(url: str) -> None:
        async with AppleMusicClient(client_config(url)) as client:
            task = asyncio.create_task(run_sync(client, store, "default"))
            while len(emulator.log.entries) < 4:
                await asyncio.sleep(0.005)
            task.cancel(msg="SIGTERM")
            with pytest.raises(asyncio.CancelledError):
                await task

    try:
        with emulator.serve() as server:
            asyncio.run(go(server.url))
        with store.engine.connect() as connection:
            status, error = connection.exec_driver_sql(
                "SELECT status, error FROM sync_runs ORDER BY id DESC LIMIT 1"
            ).one()
            locks = connection.exec_driver_sql("SELECT count(*) FROM run_locks").scalar()
        assert (status, error) == ("interrupted", "interrupted by SIGTERM")
        assert locks == 0
        assert not list(tmp_path.glob("amsync-sync-*"))
    finally:
        store.close()


def test_sync_json_reports_the_interruption(scene: Scene) -> None:
    """With --json an interrupted sync still prints its one document: status interrupted,
    the signal in the error, the exit code it exits with."""
    import json

    _prepare_sync(scene)
    base = scene.requests()
    process = spawn(["--db", scene.db, "sync", "--json"], scene.env, fast=True)
    _signal_in_the_middle(process, lambda: scene.requests() >= base + 6, signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    document = json.loads(out)
    assert (document["status"], document["error"], document["exit_code"]) == (
        "interrupted",
        "interrupted by SIGTERM",
        143,
    )
    assert err.strip().splitlines() == ["amsync: error: interrupted by SIGTERM"], err
