"""The import budget (issue 15): the CLI answers at once because a command imports what it
needs only when it runs. Importing the CLI, resolving ``--version`` or ``--help``, and printing
any command's ``--help`` must not load SQLAlchemy, Alembic, httpx, rich, Apprise or the
emulator.

Not timed (timing lives in ``bench/cli_latency.py``): each case runs in a fresh interpreter and
looks at ``sys.modules``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from amsync.cli.command_table import COMMANDS
from amsync.cli.lazy_group import load_command
from tests.support.mirror_builder import build_sample_mirror

HEAVY = ("sqlalchemy", "alembic", "httpx", "rich", "apprise", "amsync.emulator")


def _command_lines(name: str) -> list[list[str]]:
    """``[name]`` and the path of every sub-command below it."""
    found: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            for sub_name, sub in sorted(command.commands.items()):
                walk(sub, [*path, sub_name])

    walk(load_command(COMMANDS[name]), [name])
    return found


def _heavy_modules_after(calls: list[list[str]]) -> dict[str, object]:
    code = (
        "import json, sys, io, contextlib\n"
        "from amsync.cli import run\n"
        f"calls = {calls!r}\n"
        "codes = []\n"
        "for args in calls:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        codes.append(run(args))\n"
        f"heavy = sorted({{m if m.startswith('amsync.') else m.split('.')[0] "
        f"for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or m == 'amsync.emulator'}})\n"
        "print(json.dumps({'codes': codes, 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def test_importing_the_cli_and_version_and_help_load_nothing_heavy() -> None:
    result = _heavy_modules_after([["--version"], ["--help"]])
    assert result == {"codes": [0, 0], "heavy": []}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_loads_nothing_heavy(name: str) -> None:
    calls = [[*path, "--help"] for path in _command_lines(name)]
    result = _heavy_modules_after(calls)
    assert result["codes"] == [0] * len(calls), calls
    assert result["heavy"] == [], f"`amsync {name} … --help` imports {result['heavy']}"


def test_offline_questions_on_an_sqlite_mirror_load_nothing_heavy(tmp_path: Path) -> None:
    """The interactive questions read an SQLite mirror at head through the standard library's
    ``sqlite3`` (``amsync.db.reading``), not SQLAlchemy."""
    db = str(tmp_path / "mirror.db")
    build_sample_mirror(db)
    questions = [
        ["query", "SELECT count(*) FROM songs_v"],
        ["search", "hel"],
        ["stats"],
        ["show", "playlist", "Road Trip"],
        ["show", "song", "i.S1"],
        ["history"],
        ["history", "--since", "2", "--playlist", "Road Trip"],
        ["top", "songs"],
        ["health"],
        ["lost"],
        ["lost", "--since", "2026-01-01", "--format", "json"],
        ["accounts", "list"],
        ["favourites", "list"],
        ["favourites", "diff"],
        ["report", "--format", "json", "-o", "-"],
        ["report", "--no-artwork", "-o", str(tmp_path / "report.html")],
    ]
    for question in questions:
        result = _heavy_modules_after([["--db", db, *question]])
        assert result == {"codes": [0], "heavy": []}, question
