"""The command-line contract: every command has help text and is documented in the reference
(``docs/reference/commands.md``, its "At a glance" table)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from amsync import __version__
from amsync.cli import cli
from tests.support.cli import invoke

REFERENCE = (
    (Path(__file__).resolve().parents[2] / "docs" / "reference" / "commands.md")
    .read_text(encoding="utf-8")
    .split("::: mkdocs-click", 1)[0]
)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = (*prefix, name)
        yield path
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(cli))


def test_the_tree_has_commands() -> None:
    assert ("db", "upgrade") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_text(path: tuple[str, ...]) -> None:
    result = invoke([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: amsync " + " ".join(path) in result.stdout
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    assert (command.help or "").strip(), f"amsync {' '.join(path)} has no help text"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_reference(path: tuple[str, ...]) -> None:
    assert f"amsync {' '.join(path)}" in REFERENCE, (
        f"docs/reference/commands.md does not mention amsync {path}"
    )


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["db", "--no-such-option"],
        ["--account"],
        ["--account", "../x", "db", "current"],
    ],
)
def test_bad_arguments_exit_2_without_traceback(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip()
