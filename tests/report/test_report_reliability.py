"""``amsync report`` as a real process meeting a closed pipe and a signal (the report's rows
of the reliability walkers; the hostile walk has its row in ``tests/reliability``): it stops
quietly into ``head``, and a signal in the middle leaves no file, whole or partial."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.report.conftest import YEAR, Scene
from tests.support.reliability import amsync_env, spawn

BROKEN_PIPE = 141
pytestmark = pytest.mark.slow


def test_report_to_stdout_into_head(scene: Scene, tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    args = ["--db", scene.db, "report", "--year", str(YEAR), "--no-artwork", "-o", "-"]
    process = spawn(args, amsync_env(tmp_path / "home"), stdout=write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb", buffering=0) as reader:
        head = reader.read(60)
    _, err = process.communicate(timeout=120)
    assert head.startswith(b"<!DOCTYPE html>")
    assert process.returncode == BROKEN_PIPE, err
    assert err == "", err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_in_the_middle_leaves_no_file(scene: Scene, tmp_path: Path, signum: int) -> None:
    """The signal comes while the pictures are being fetched: the page is not written, no
    temporary file is left beside it, and the exit code says which signal it was."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report.html"
    db = str(tmp_path / "mirror.db")
    shutil.copyfile(scene.db, db)
    token = f"/image/thumb/signal-{signum}-{os.getpid()}/"  # this run's pictures alone
    with sqlite3.connect(db) as connection:
        for table in ("songs", "albums", "catalog_songs", "catalog_artists"):
            connection.execute(
                f"UPDATE {table} SET artwork_url = replace(artwork_url, '/image/thumb/', ?)",
                (token,),
            )
    connection.close()
    log = scene.emulator.log
    process = spawn(
        ["--db", db, "report", "--all", "-o", str(target)],
        amsync_env(tmp_path / "home"),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 90
    while not any(e.path.startswith(token) for e in log.entries):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the report never fetched a picture"
        time.sleep(0.002)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    name = signal.Signals(signum).name
    assert process.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == f"amsync: error: interrupted by {name}", err
    assert "Traceback" not in err
    assert list(out.iterdir()) == [], "nothing written, not even a temporary file"
