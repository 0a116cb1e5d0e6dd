"""Output closed early, and no traceback after a one-line error (issue 14, item 2).

Real processes, because a broken pipe is a property of the process's stdout: the reader of
``amsync export json | head -c 300`` goes away after 300 bytes, and amsync must stop quietly
(no message; exit 141, as ``yes | head`` reports) with the database closed cleanly — not print
a 12-line traceback about a closed database. Every other command meets a closed stdout in the
walker (``test_hostile_walk.py``, in-process).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from amsync.emulator import LibrarySpec
from tests.backup.conftest import sync_in_process
from tests.support.reliability import amsync_env, emulator_for, run_amsync, spawn, sqlite_integrity

BROKEN_PIPE = 141


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], str]]:
    """A mirror whose exports overflow a pipe's buffer, and its biggest playlist's name."""
    folder = tmp_path_factory.mktemp("pipes")
    emulator = emulator_for(
        LibrarySpec(songs=3000, playlists=12, folders=3, seed=9, big_playlists=2)
    )
    db = str(folder / "mirror.db")
    sync_in_process(emulator, db)
    with sqlite3.connect(db) as connection:
        name = connection.execute(
            "SELECT playlist_name FROM playlist_tracks_v GROUP BY playlist_id "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    connection.close()
    yield db, amsync_env(folder / "home"), name


def _read_then_close(args: list[str], env: dict[str, str], take: int) -> tuple[int, str, bytes]:
    """``amsync ARGS | head -c TAKE``: read ``take`` bytes, then close the pipe. The pipe's
    buffer is made as small as Linux allows (one page), so that any output bigger than that
    meets the closed pipe whatever the timing."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    process = spawn(args, env, stdout=write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        head = reader.read(take)
    _, err = process.communicate(timeout=60)
    return process.returncode, err, head


def test_export_json_into_head(mirror: tuple[str, dict[str, str], str]) -> None:
    db, env, _ = mirror
    code, err, head = _read_then_close(["--db", db, "export", "json"], env, 300)
    assert head.startswith(b'{"format": "amsync.library"')
    assert code == BROKEN_PIPE, err
    assert err == "", err
    assert sqlite_integrity(db) == []


def test_export_playlist_m3u_to_stdout_into_head(mirror: tuple[str, dict[str, str], str]) -> None:
    db, env, name = mirror
    full = run_amsync(["--db", db, "export", "m3u", "--playlist", name, "-o", "-"], env)
    assert full.returncode == 0 and len(full.stdout.encode()) > 4 * 4096, "playlist too small"
    code, err, head = _read_then_close(
        ["--db", db, "export", "m3u", "--playlist", name, "-o", "-"], env, 40
    )
    assert head.startswith(b"#EXTM3U")
    assert code == BROKEN_PIPE, err
    assert err == "", err


@pytest.mark.parametrize(
    "args",
    [["export", "csv", "--playlist", "{name}"], ["export", "xspf", "--playlist", "{name}"]],
    ids=["csv", "xspf"],
)
def test_other_streamed_exports_into_head(
    args: list[str], mirror: tuple[str, dict[str, str], str]
) -> None:
    db, env, name = mirror
    code, err, _ = _read_then_close(
        ["--db", db, *[a.format(name=name) for a in args], "-o", "-"], env, 10
    )
    assert code == BROKEN_PIPE, err
    assert err == ""


@pytest.mark.parametrize("fmt", ["m3u", "xspf"])
def test_a_one_line_error_is_not_followed_by_a_traceback(
    fmt: str, mirror: tuple[str, dict[str, str], str], tmp_path: Path
) -> None:
    """A file where a playlist folder goes stops the export with one line — and the
    half-read rows of the export are closed before the database is."""
    db, env, _ = mirror
    with sqlite3.connect(db) as connection:
        folders = [row[0] for row in connection.execute("SELECT path FROM folders_v")]
    connection.close()
    out = tmp_path / "out"
    out.mkdir()
    (out / folders[0].split("/")[0]).write_text("in the way", encoding="utf-8")
    done = run_amsync(["--db", db, "export", fmt, "-o", str(out)], env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("amsync: error:") == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_closed_stdout_descriptor_is_not_an_error(
    mirror: tuple[str, dict[str, str], str],
) -> None:
    """``amsync stats >&-``: nothing to print to, nothing goes wrong (the output is dropped)."""
    db, env, _ = mirror
    process = spawn(["--db", db, "stats"], env, preexec_fn=lambda: os.close(1))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "error" not in err, err


def test_listens_export_into_head(tmp_path: Path) -> None:
    """``amsync listens export | head``: JSON Lines cut off, amsync stops quietly."""
    from dataclasses import replace

    from amsync.emulator.privacy_export import generate_listening, old_export_spec

    spec = replace(old_export_spec(seed=8), library_songs=50, other_songs=10, plays=800)
    archive = generate_listening(spec).write(tmp_path / "older-export.zip")
    db, env = str(tmp_path / "history.db"), amsync_env(tmp_path / "home")
    done = run_amsync(["--db", db, "import", "apple-data", str(archive)], env)
    assert done.returncode == 0, done.stderr
    code, err, head = _read_then_close(["--db", db, "listens", "export"], env, 200)
    assert head.startswith(b'{"listened_at":')
    assert code == BROKEN_PIPE, err
    assert err == "", err
    assert sqlite_integrity(db) == []


def test_server_status_into_head(mirror: tuple[str, dict[str, str], str]) -> None:
    """``amsync server status URL --missing | head``: a server without the songs lists every
    track as missing — far more than a pipe holds."""
    from tests.support.subsonic_standin import StandinState, serving

    db, env, _ = mirror
    with serving(StandinState([], {"piper": "piper-password"})) as url:
        env = env | {"AMSYNC_SUBSONIC_PASSWORD": "piper-password"}
        args = ["--db", db, "server", "status", url, "--user", "piper", "--missing"]
        full = run_amsync([*args, "--format", "tsv"], env)
        assert full.returncode == 0 and len(full.stdout.encode()) > 4 * 4096, full.stderr
        code, err, head = _read_then_close([*args, "--format", "tsv"], env, 40)
    assert head.startswith(b"playlist\tposition\tname")
    assert code == BROKEN_PIPE, err
    assert err == "", err
    assert sqlite_integrity(db) == []
