"""A SIGKILLed sync's staging folder is removed by a later run (issue 22, item 10).

A killed sync cannot clean up: ``$TMPDIR/amsync-sync-*`` stayed for ever (a large library's
staging file is hundreds of MB). Each staging folder now names its owner, and a later sync
removes those whose process on this host is gone, as it clears a stale lock.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from amsync.emulator import FaultConfig, LibrarySpec
from amsync.sync.staging import OWNER_FILE, PREFIX, remove_orphans
from tests.backup.conftest import sync_in_process
from tests.support.reliability import amsync_env, emulator_for, spawn

HANG_S = 60.0


def _dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def _folder(base: Path, name: str, owner: str | None) -> Path:
    folder = base / f"{PREFIX}{name}"
    folder.mkdir()
    (folder / "staging.db").write_bytes(b"x" * 1000)
    if owner is not None:
        (folder / OWNER_FILE).write_text(owner, encoding="utf-8")
    return folder


def test_only_folders_of_gone_processes_on_this_host_are_removed(tmp_path: Path) -> None:
    host = socket.gethostname()
    gone = _folder(tmp_path, "gone", f"{host}\n{_dead_pid()}\n")
    live = _folder(tmp_path, "live", f"{host}\n{os.getpid()}\n")
    elsewhere = _folder(tmp_path, "elsewhere", f"another-{host}\n{_dead_pid()}\n")
    older = _folder(tmp_path, "older", None)  # an older amsync's, or one being made
    assert remove_orphans(tmp_path) == [gone]
    assert not gone.exists()
    assert live.exists() and elsewhere.exists() and older.exists()


@pytest.mark.slow
def test_a_killed_syncs_staging_is_removed_by_the_next_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = FaultConfig(latency_ms=50)  # the listing takes a while: time to kill it in
    emulator = emulator_for(LibrarySpec(songs=300, playlists=4, seed=5), faults)
    db = str(tmp_path / "mirror.db")
    staging = tmp_path / "tmp"
    staging.mkdir()
    with emulator.serve() as server:
        env = amsync_env(tmp_path / "home", server.url, TMPDIR=str(staging))
        process = spawn(["--db", db, "sync"], env)
        deadline = time.monotonic() + HANG_S
        while not list(staging.glob(f"{PREFIX}*/{OWNER_FILE}")):  # the folder is made
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the sync never made its staging folder"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.communicate()
    left = list(staging.glob(f"{PREFIX}*"))
    assert len(left) == 1, "SIGKILL leaves the staging folder behind"
    monkeypatch.setenv("TMPDIR", str(staging))
    faults.latency_ms = 0
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    sync_in_process(emulator, db)
    assert list(staging.glob(f"{PREFIX}*")) == [], "the next sync removed the orphan"
