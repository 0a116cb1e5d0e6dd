"""The lazy command table agrees with the commands it points at, and `--help` / `--version`
import no command module."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from amsync.cli.command_table import COMMANDS
from amsync.cli.lazy_group import load_command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_row_points_at_the_command_with_its_help_line(name: str) -> None:
    row = COMMANDS[name]
    command = load_command(row)
    assert isinstance(command, click.Command)
    assert command.name == name, f"{row.module}.{row.attribute} is named {command.name!r}"
    own = " ".join((command.help or "").split("\n\n")[0].split())
    assert own == row.short_help, f"command_table's help line for {name!r} differs from its own"


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_listing_imports_no_command_module(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from amsync.cli import run\n"
        f"code = run({args!r})\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('amsync.cli.')"
        " and m.endswith(('_commands', '_command')))\n"
        "print(code, loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "0 []"
