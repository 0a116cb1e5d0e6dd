"""Completed names with spaces run as typed, in bash, zsh and fish (issue 22, item 4).

``amsync show playlist Broken<TAB>`` inserted ``Broken Song`` unquoted in bash, so the command
failed; fish cut every candidate at its first comma. Each shell now escapes what it inserts
(see ``amsync.cli.completion``). The tests drive each real shell, interactive, on a terminal:
they type the start of a name and TAB, wait until the shell shows the completed word, press
Enter and check the command found the playlist; and they check that TAB lists candidates that
hold spaces and commas whole. Every wait is for what the terminal shows. A shell that is not
installed is skipped (CI installs zsh and fish).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror, mirror

HANG_S = 60.0
READY = "READY> "
SETUP = {
    "bash": (
        ["bash", "--norc", "--noprofile", "-i"],
        [f"PS1='{READY}'", 'eval "$(amsync completion bash)"'],
    ),
    "zsh": (
        ["zsh", "-f", "-i"],
        [
            f"PS1='{READY}'",
            "autoload -Uz compinit && compinit -u",
            'eval "$(amsync completion zsh)"',
        ],
    ),
    "fish": (
        ["fish", "--no-config", "-i"],
        [f"function fish_prompt; echo -n '{READY}'; end", "amsync completion fish | source"],
    ),
}
STATUS = {"bash": "$?", "zsh": "$?", "fish": "$status"}
_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])|[\x07\x08\r]")


class Shell:
    """An interactive shell on a terminal of its own."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        argv, setup = SETUP[name]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            try:
                os.execvpe(argv[0], argv, env)  # noqa: S606 - the shell itself
            finally:
                os._exit(127)
        self.screen = ""
        for line in setup:
            self.line(line)
        self.wait(lambda text: text.count(READY) >= 1, since=self._mark())

    def _mark(self) -> int:
        return len(self.screen)

    def _read(self) -> None:
        if not select.select([self.fd], [], [], HANG_S)[0]:
            raise AssertionError(f"the shell showed nothing new for {HANG_S} s: {self.screen!r}")
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            raise AssertionError(f"the shell ended: {self.screen!r}")
        self.screen += chunk.decode("utf-8", "replace")

    def wait(self, shown: Callable[[str], bool], *, since: int = 0) -> str:
        """Read until ``shown`` holds for what the terminal showed since ``since`` (escape
        sequences removed); return that text."""
        while not shown(text := _ESCAPES.sub("", self.screen[since:])):
            self._read()
        return text

    def type(self, text: str) -> int:
        mark = self._mark()
        os.write(self.fd, text.encode())
        return mark

    def line(self, text: str) -> int:
        return self.type(text + "\r")

    def close(self) -> None:
        os.write(self.fd, b"\x15exit\r")
        try:
            while os.read(self.fd, 65536):
                pass
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def names_with_spaces(sqlite_path: str, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A mirror with playlists "Broken Song" and "Broken, Record", and an environment whose
    PATH finds this checkout's ``amsync``."""
    build_sample_mirror(sqlite_path)
    with mirror(sqlite_path) as m:
        m.playlist("p.B1", "Broken Song", [])
        m.playlist("p.B2", "Broken, Record", [])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "amsync"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m amsync "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    return sqlite_path, env


@pytest.fixture(params=list(SETUP))
def shell(
    request: pytest.FixtureRequest, names_with_spaces: tuple[str, dict[str, str]]
) -> Iterator[tuple[Shell, str, str]]:
    name = request.param
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed")
    db, env = names_with_spaces
    session = Shell(name, env)
    try:
        yield session, name, db
    finally:
        session.close()


def test_a_completed_name_with_a_space_runs(shell: tuple[Shell, str, str]) -> None:
    session, name, db = shell
    mark = session.type(f"amsync --db {db} show playlist Broken\\ S\t")
    session.wait(lambda text: "Song" in text, since=mark)
    mark = session.line(f"; echo EXIT={STATUS[name]}")
    shown = session.wait(lambda text: re.search(r"EXIT=\d+", text) is not None, since=mark)
    assert "EXIT=0" in shown, shown
    assert "Broken Song" in shown and "error" not in shown, shown


def test_tab_lists_candidates_with_spaces_and_commas_whole(shell: tuple[Shell, str, str]) -> None:
    """Where nothing more can be inserted, a second TAB at the latest lists the candidates
    (bash rings the bell on the first, as readline does; zsh and fish list at once)."""
    session, _, db = shell
    mark = session.type(f"amsync --db {db} show playlist Broken\t")
    session.wait(lambda _: "\x07" in session.screen[mark:] or "Record" in session.screen[mark:])
    if "Record" not in session.screen[mark:]:
        session.type("\t")
    shown = session.wait(lambda text: "Record" in text and "Song" in text, since=mark)
    assert re.search(r"Broken,?\\? Record", shown), shown  # whole: the comma did not cut it


def test_the_scripts_are_amsyncs_own() -> None:
    """The bash script reads the answer raw and completes values as file names are; the fish
    script splits each answer at its first comma."""
    bash = invoke(["completion", "bash"]).stdout
    assert "read -r type value" in bash and "compopt -o filenames" in bash
    fish = invoke(["completion", "fish"]).stdout
    assert 'string split -m 1 ","' in fish
