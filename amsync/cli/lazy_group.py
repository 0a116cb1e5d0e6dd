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

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """An unknown command is told the near ones: commands, and sub-commands whose own name
        is near (``amsync sycn`` → ``sync``; ``amsync status`` → ``stats``, ``auth status``),
        as ``amsync query`` does for SQL — click looks only at the commands loaded so far."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            name = exc.command_name
            near = self._near(ctx, name)
            message = f"No such command {name!r}."
            if near:
                message += " Did you mean " + " or ".join(f"`amsync {n}`" for n in near) + "?"
            raise click.exceptions.NoSuchCommand(name, message=message, ctx=ctx) from None

    def _near(self, ctx: click.Context, name: str) -> list[str]:
        """Commands near ``name``, then ``group sub-command``s whose sub-command is (this loads
        the groups: only after a mistake)."""
        from difflib import get_close_matches

        names = self.list_commands(ctx)
        found = get_close_matches(name, names, n=3)
        for group_name in names:
            group = self.get_command(ctx, group_name)
            if isinstance(group, click.Group):
                subs = get_close_matches(name, group.list_commands(ctx), n=2, cutoff=0.8)
                found += [f"{group_name} {sub}" for sub in subs]
        return found[:4]

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
