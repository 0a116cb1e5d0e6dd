"""Running the real CLI entry point (``amsync.cli.run``) in-process and capturing its output."""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import TextIO

from amsync.cli import run


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    monkeypatch: object | None = None,
    unset: Sequence[str] = (),
    stdout: TextIO | None = None,
) -> CliResult:
    """Run ``amsync ARGS`` with ``env`` added to the environment (and the names in ``unset``
    removed from it) and ``input`` on stdin. ``stdout``: a stream to write to instead of a
    captured one (a pipe nobody reads, a full device); the result's ``stdout`` is then empty,
    and what the command left behind is collected before stderr stops being captured."""
    import gc
    import os

    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    try:
        if env:
            os.environ.update(env)
        for name in unset:
            os.environ.pop(name, None)
        sys.stdin = io.StringIO(input or "")
        with redirect_stdout(stdout or out), redirect_stderr(err):
            code = run(list(args))
            if stdout is not None:  # finalizers of what the command left behind write here
                gc.collect()
    finally:
        sys.stdin = old_stdin
        os.environ.clear()
        os.environ.update(saved)
    return CliResult(code, out.getvalue(), err.getvalue())
