"""An unusable home, database folder or port is one line and exit 2 saying what to do
(issue 14, item 4); the emulator refuses absurd sizes, latencies and rates (item 19)."""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import CliResult, invoke
from tests.support.reliability import amsync_env

TOKENS = {"AMSYNC_DEVELOPER_TOKEN": "d" * 40, "AMSYNC_MUSIC_USER_TOKEN": "u" * 40}
"""Tokens, so that the commands that need them get as far as the home (issue 22: they check
the tokens first)."""


def _one_line(result: CliResult, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("amsync: error:"), result.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]


@pytest.mark.parametrize("command", [["-q", "sync"], ["backup"], ["favourites", "push"]])
def test_a_home_that_cannot_be_created(command: list[str]) -> None:
    result = invoke(["--home", "/proc/nonexist", *command], env=TOKENS)
    _one_line(result, "/proc/nonexist", "--home")


def test_a_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder", encoding="utf-8")
    _one_line(invoke(["--home", str(home), "sync"]))  # the wording of config.toml's error
    # belongs to the settings (issue 14, item 19); here: one line, exit 2, the file untouched
    assert home.read_text(encoding="utf-8") == "not a folder"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.mark.parametrize("command", [["-q", "sync"], ["backup"], ["accounts", "add", "x"]])
def test_a_home_on_a_read_only_mount(command: list[str], tmp_path: Path) -> None:
    """The home (not made yet, or made) on a read-only mount: one line, exit 2, nothing
    written. Tests run as root, whom file permissions do not stop: a read-only bind mount."""
    source, view = tmp_path / "source", tmp_path / "view"
    source.mkdir()
    (source / "made").mkdir()
    view.mkdir()
    if not _mount("--bind", str(source), str(view)):
        pytest.skip("cannot bind-mount here")
    try:
        if not _mount("-o", "remount,ro,bind", str(view)):
            pytest.skip("cannot remount read-only here")
        for home in (view / "new-home", view / "made"):
            _one_line(invoke(["--home", str(home), *command], env=TOKENS), "read-only")
    finally:
        subprocess.run(["umount", str(view)], check=False)
    assert sorted(p.name for p in source.rglob("*")) == ["made"]


def test_db_upgrade_with_a_home_that_cannot_be_created() -> None:
    _one_line(invoke(["--home", "/proc/nonexist", "db", "upgrade"]), "--home")


def test_a_database_folder_that_cannot_be_written(tmp_path: Path) -> None:
    """/proc cannot hold files: the database cannot be created there."""
    _one_line(invoke(["--db", "/proc/amsync.db", "accounts", "add", "x"]), "/proc")


def test_emulator_serve_on_a_busy_port_in_a_real_process(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "amsync", "emulator", "serve", "--port", str(port)],
            env=amsync_env(tmp_path / "home"),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(port) in lines[0] and "--port" in lines[0], done.stderr
    assert done.stdout == "", "the emulator printed a URL it does not serve"


def _small_memory() -> None:
    limit = 2 * 1024**3  # a generator run away with a billion songs fails fast
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize(
    "option",
    [
        ["--songs", "-5"],
        ["--albums", "-1"],
        ["--artists", "-1"],
        ["--playlists", "-3"],
        ["--latency-ms", "-100"],
        ["--latency-ms", "1e12"],
        ["--rate-limit", "0"],
        ["--rate-limit", "-2"],
        ["--port", "-1"],
        ["--port", "70000"],
        ["--songs", "999999999"],
    ],
    ids=" ".join,
)
def test_emulator_serve_refuses_absurd_values(option: list[str], tmp_path: Path) -> None:
    """A real process, bounded in time and memory: an emulator that accepted the value would
    start serving (and print its URL) instead of exiting 2."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "amsync", "emulator", "serve", *option],
            env=amsync_env(tmp_path / "home"),
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_small_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"emulator serve {' '.join(option)} was accepted and served")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert option[0] in done.stderr, done.stderr
