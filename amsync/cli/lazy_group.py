"""A click group that imports a command's module only when that command runs (or its own help
is asked for): the listing in ``amsync --help`` comes from ``command_table``. Each command it
loads also accepts the global options after its name (``amsync.cli.global_options``)."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from amsync.cli.command_table import COMMANDS, CommandRow
from amsync.cli.global_options import attach_global_options
from amsync.cli.process_exit import OutputClosed


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        row = COMMANDS.get(cmd_name)
        if row is None:
            return None
        command = attach_global_options(load_command(row))
        self.commands[cmd_name] = command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """A broken pipe leaves as ``OutputClosed``, past click's own EPIPE handling (which
        would exit 1): ``amsync.cli.run`` ends the process quietly with 141."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise OutputClosed from exc

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: str | None = None
    ) -> None:
        """Answer a shell's completion request with amsync's escaping (``completion``)."""
        from amsync.cli.completion import COMPLETE_VAR, register

        if os.environ.get(complete_var or COMPLETE_VAR):
            register()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table: no command module is imported to print it."""
        rows = [(name, COMMANDS[name].short_help) for name in sorted(COMMANDS)]
        rows += [
            (name, command.get_short_help_str())
            for name, command in sorted(self.commands.items())
            if name not in COMMANDS and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def load_command(row: CommandRow) -> click.Command:
    module: Any = importlib.import_module(row.module)
    command = getattr(module, row.attribute)
    if not isinstance(command, click.Command):  # pragma: no cover - a wrong table row
        raise TypeError(f"{row.module}.{row.attribute} is not a click command")
    return command
