"""Writing to the terminal: results on stdout, warnings and errors on stderr.

``-q`` hides informational lines but never warnings (DESIGN §3). ``--json`` output is written
with ``emit_json`` so that it is always one valid JSON document on stdout.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

_CONTROL = {i: f"\\x{i:02x}" for i in (*range(0x20), 0x7F) if i not in (0x09,)}


def safe_text(text: str) -> str:
    """Text from the library shown on a terminal: control characters made visible, so no name
    can move the cursor, clear the screen or fake a line of output."""
    return text.translate(_CONTROL)


def info(message: str, *, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message)


def info_lines(lines: Sequence[str], *, quiet: bool, limit: int = 40) -> None:
    """The first ``limit`` lines (made safe for the terminal), then how many more there are."""
    for line in lines[:limit]:
        info(safe_text(line), quiet=quiet)
    if len(lines) > limit:
        info(f"  … and {len(lines) - limit} more (--json lists all)", quiet=quiet)


def warn(message: str) -> None:
    _to_stderr(f"amsync: warning: {message}")


def error(message: str) -> None:
    _to_stderr(f"amsync: error: {message}")


def _to_stderr(line: str) -> None:
    """A line on stderr; a closed or broken stderr loses the line, never the run."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(line, err=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()
