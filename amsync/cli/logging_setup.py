"""What ``-v`` and ``-vv`` show on stderr (the library logs; the CLI decides what is seen).

- default: warnings and errors (``-q`` never hides them);
- ``-v``: also INFO — one line per finished collection of a sync, each retry and each change
  of the request rate under throttling, as they happen;
- ``-vv``: also DEBUG — every request (method, path without query or tokens, status, time).

Lines are ``amsync: …`` (warnings ``amsync: warning: …``), written to whatever ``sys.stderr`` is
at the time, so a progress display or a test's capture sees them.
"""

from __future__ import annotations

import logging
import sys


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        if record.levelno >= logging.ERROR:
            return f"amsync: error: {message}"
        if record.levelno >= logging.WARNING:
            return f"amsync: warning: {message}"
        return f"amsync: {message}"


def configure_logging(verbosity: int, quiet: bool) -> None:
    """Set the ``amsync`` logger's level from ``-v``/``-q`` and attach the stderr handler once."""
    level = logging.WARNING
    if verbosity == 1:
        level = logging.INFO
    elif verbosity >= 2:
        level = logging.DEBUG
    root = logging.getLogger("amsync")
    root.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_Formatter("%(message)s"))
        root.addHandler(handler)
