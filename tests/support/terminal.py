"""Real terminals for tests: a pseudo-terminal with a chosen size, and ``amsync`` run on one.

``terminal(columns)`` gives a pty pair whose window is ``columns`` wide — 0 is what ``script(1)``,
some ``docker exec -t`` and serial consoles report. ``on_terminal`` runs the real ``amsync`` in a
child process whose controlling terminal is a fresh pty (so ``getpass`` prompts, ``isatty`` and
progress displays behave as for a person), answers its prompts as they appear, and returns
everything it wrote there. Waits are on what the terminal shows, never on a clock (the timeout
only ends a test that hangs).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

HANG_S = 60.0


def set_size(fd: int, columns: int, rows: int = 24) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


@contextmanager
def terminal(columns: int, rows: int = 24) -> Iterator[tuple[int, int]]:
    """``(master, slave)`` descriptors of a pty ``columns`` wide; closed afterwards."""
    master, slave = pty.openpty()
    try:
        set_size(slave, columns, rows)
        yield master, slave
    finally:
        for fd in (master, slave):
            with suppress(OSError):
                os.close(fd)


def drain(master: int) -> str:
    """What the terminal holds now (non-blocking)."""
    chunks: list[bytes] = []
    while select.select([master], [], [], 0)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


@dataclass
class TerminalRun:
    exit_code: int
    screen: str  # everything written to the terminal (stdout and stderr), with \r\n lines


def on_terminal(
    args: Sequence[str],
    env: Mapping[str, str],
    answers: Sequence[tuple[str, str]] = (),
    *,
    columns: int = 100,
) -> TerminalRun:
    """Run ``amsync ARGS`` on a new terminal; each ``(prompt, answer)`` types ``answer`` and
    Enter once the screen shows ``prompt`` (after the previous answer)."""
    pid, master = pty.fork()
    if pid == 0:  # pragma: no cover - the child: the real CLI on the pty
        try:
            argv = [sys.executable, "-m", "amsync", *args]
            os.execve(sys.executable, argv, dict(env))  # noqa: S606 - the CLI itself
        finally:
            os._exit(127)
    set_size(master, columns)
    screen = ""
    pending = list(answers)
    seen_up_to = 0
    status: int | None = None
    while status is None:
        ready = select.select([master], [], [], HANG_S)[0]
        if not ready:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError(f"amsync hung on the terminal; it showed: {screen!r}")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal (it exited)
            chunk = b""
        if not chunk:
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            break
        screen += chunk.decode("utf-8", "replace")
        while pending and pending[0][0] in screen[seen_up_to:]:
            prompt, answer = pending.pop(0)
            seen_up_to = screen.index(prompt, seen_up_to) + len(prompt)
            os.write(master, answer.encode() + b"\r")
    os.close(master)
    return TerminalRun(status, screen)
