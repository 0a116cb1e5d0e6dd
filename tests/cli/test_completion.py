"""``amsync completion bash|zsh|fish`` and the completions that read the mirror: playlist names
and account names, through click's ``_AMSYNC_COMPLETE`` protocol in a real process."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror, mirror

AMSYNC = [sys.executable, "-m", "amsync"]


@pytest.fixture
def sample(sqlite_path: str) -> str:
    build_sample_mirror(sqlite_path)
    with mirror(sqlite_path, account="road-crew") as m:
        m.playlist("p.X1", "Road Works", [])
    return sqlite_path


def _complete(shell: str, words: list[str], **env: str) -> list[str]:
    """Ask amsync for the completions of the last word, as the shell script does."""
    environment = {
        **os.environ,
        "_AMSYNC_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": shlex.join(words),
        # bash and zsh give the index of the word; fish gives the word itself
        "COMP_CWORD": words[-1] if shell == "fish" else str(len(words) - 1),
        **env,
    }
    out = subprocess.run(
        [*AMSYNC, *words[1:]], env=environment, capture_output=True, text=True, check=True
    ).stdout
    if not out.strip():
        return []
    if shell == "zsh":  # type, value, help: three lines each
        lines = out.splitlines()
        return [lines[i + 1] for i in range(0, len(lines), 3)]
    return [line.split(",", 1)[1] for line in out.splitlines() if line]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _amsync_completion amsync"),
        ("zsh", "#compdef amsync"),
        ("fish", "complete --no-files --command amsync"),
    ],
)
def test_completion_scripts_generate(shell: str, marker: str) -> None:
    result = invoke(["completion", shell])
    assert result.exit_code == 0, result.output
    assert marker in result.stdout
    assert "_AMSYNC_COMPLETE" in result.stdout


def test_completion_refuses_an_unknown_shell() -> None:
    result = invoke(["completion", "tcsh"])
    assert result.exit_code == 2 and "invalid value" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_playlist_names_complete_from_the_mirror(sample: str, shell: str) -> None:
    words = ["amsync", "--db", sample, "show", "playlist", "ro"]
    assert _complete(shell, words) == ["Road Trip"]
    assert _complete(shell, ["amsync", "--db", sample, "show", "playlist", "Em"]) == ["Empty"]
    removed = _complete(shell, ["amsync", "--db", sample, "show", "playlist", "Old"])
    assert removed == [], "removed playlists are not offered"


def test_playlist_names_follow_account_and_db_given_after_the_command(sample: str) -> None:
    words = ["amsync", "show", "playlist", "--account", "road-crew", "--db", sample, "Ro"]
    assert _complete("bash", words) == ["Road Works"]


def test_playlist_option_of_exports_and_history_completes(sample: str) -> None:
    export = ["amsync", "--db", sample, "export", "m3u", "--playlist", "Ro"]
    assert _complete("bash", export) == ["Road Trip"]
    history = ["amsync", "--db", sample, "history", "--playlist", "E"]
    assert _complete("bash", history) == ["Empty"]


def test_account_names_complete(sample: str) -> None:
    assert _complete("bash", ["amsync", "--db", sample, "--account", ""]) == [
        "default",
        "road-crew",
    ]
    assert _complete("bash", ["amsync", "--db", sample, "--account", "ro"]) == ["road-crew"]


def test_completion_without_a_database_offers_nothing(tmp_path: Path) -> None:
    words = ["amsync", "--db", str(tmp_path / "none.db"), "show", "playlist", "R"]
    assert _complete("bash", words) == []
    assert not (tmp_path / "none.db").exists(), "completion never creates a database"


def test_commands_complete() -> None:
    found = _complete("bash", ["amsync", "sh"])
    assert found == ["show"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_a_playlist_name(sample: str, tmp_path: Path) -> None:
    """The generated script, sourced in a real bash, fills COMPREPLY from the mirror."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "amsync"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m amsync "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    script = invoke(["completion", "bash"]).stdout
    (tmp_path / "amsync.bash").write_text(script, encoding="utf-8")
    program = (
        f"source {tmp_path / 'amsync.bash'}\n"
        f"COMP_WORDS=(amsync --db {sample} show playlist Ro)\n"
        "COMP_CWORD=5\n"
        "_amsync_completion amsync\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(
        ["bash", "-c", program], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["Road Trip"]
