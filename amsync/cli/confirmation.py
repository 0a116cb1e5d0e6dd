"""Asking before amsync writes to Apple Music or deletes local data.

The commands that do (docs/reference/exit-codes.md "Confirmation": ``restore``, ``accounts remove``)
ask on a terminal and need ``--yes`` otherwise: without a terminal and without ``--yes`` they stop
before doing anything, with one line and exit 2 — a script never hangs on a question it cannot
answer, and never writes because nobody was there to say no.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from amsync.cli.process_exit import prompting
from amsync.errors import UsageError

CONFIRM_HINT = "run it on a terminal to confirm, or pass --yes"


def can_ask() -> bool:
    """A person can answer: stdin is a terminal."""
    stream = sys.stdin
    return stream is not None and stream.isatty()


def require_confirmation(yes: bool, refusal: str, *, hint: str = CONFIRM_HINT) -> bool:
    """Whether to ask later: ``False`` with ``--yes``; ``True`` on a terminal; without either,
    ``UsageError`` (exit 2) saying ``refusal`` — called before the command does anything."""
    if yes:
        return False
    if not can_ask():
        raise UsageError(refusal, hint=hint)
    return True


def confirm(question: str) -> bool:
    """Ask ``question`` on the terminal (the prompt on stderr, so stdout stays the command's
    output); a signal interrupts the question at once."""
    with prompting():
        return click.confirm(question, default=False, err=True)


def yes_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``-y/--yes``: do not ask (needed when stdin is not a terminal)."""
    return click.option(
        "-y",
        "--yes",
        is_flag=True,
        help="Do not ask for confirmation (needed when stdin is not a terminal).",
    )(function)
