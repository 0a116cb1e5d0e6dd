"""Click's usage errors as one line: ``amsync: error: no such option: --foo — run `amsync sync
--help```, instead of click's usage line, hint line and message."""

from __future__ import annotations

import click


def usage_error_line(exc: click.UsageError) -> str:
    """The one line for ``exc`` (without the ``amsync: error:`` prefix)."""
    message = " ".join(exc.format_message().split()).rstrip(".")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else "amsync"
    if ctx is not None and isinstance(ctx.command, click.Group) and "command" in message:
        return f"{message} — run `{path} --help` for the commands"
    return f"{message} — run `{path} --help`"
