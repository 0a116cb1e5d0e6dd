"""How an amsync process ends: signals, output closed early, output that cannot be written.

**Signals.** While a command runs (``signals_handled``), SIGINT, SIGTERM and SIGHUP are handled
alike (a signal the process was started ignoring, as under ``nohup``, stays ignored):

- inside an asyncio run — every command runs its coroutines with ``run_async`` instead of
  ``asyncio.run`` — the main task is cancelled with the signal's name. The library's runs see
  ``CancelledError`` at their next ``await``: they record themselves ``interrupted``, remove
  their staging, release the account's lock. Synchronous database work in progress (one
  transaction) is never cut in half, because cancellation lands only at an ``await``: the
  mirror is the old state or the new one. ``run_async`` then raises ``RunInterrupted``;
- anywhere else the handler raises ``RunInterrupted`` at once (as Python's ``KeyboardInterrupt``
  does) and ``finally`` blocks and context managers clean up on the way out (an export's
  temporary file, a backup's ``.partial`` folder, the database connections) — except inside
  a critical section (``amsync.domain.critical``), which raises it when the section ends.

A further signal while the first is being handled is ignored, so that the clean-up finishes
(SIGKILL still ends the process). The exit status is 128 + the signal number: 130 (INT),
143 (TERM), 129 (HUP), as shells report a process killed by that signal.

**Broken pipes.** When the reader of the output goes away (``amsync export json | head``),
writing raises ``BrokenPipeError``; the command stops quietly (no message) with status 141
(128 + SIGPIPE, what a shell reports for ``yes | head``), and stdout is pointed at /dev/null
so that the interpreter's last flush cannot fail again. The root command group turns the
``BrokenPipeError`` into ``OutputClosed`` before click's own EPIPE handling (exit 1) sees it.

**Unwritable output.** stdout that cannot be written (a full disk, ``/dev/full``) is one
error line and exit 2, like any output path that cannot be written.

**Closed standard descriptors.** A process started with stdin, stdout or stderr closed gets
/dev/null in their place (``standard_descriptors``), so that no file amsync opens becomes
descriptor 1 or 2; what the command prints then goes nowhere and the command runs as usual.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import sys
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from amsync.errors import RunInterrupted

if TYPE_CHECKING:  # asyncio is imported when a command first runs a coroutine
    import asyncio

T = TypeVar("T")

HANDLED_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EXIT_BROKEN_PIPE: Final = 128 + signal.SIGPIPE  # 141


class _State:
    """What the handler needs: the first signal received, the asyncio task to cancel, and
    whether the process waits for a person's answer (then it raises at once)."""

    received: RunInterrupted | None = None
    task: asyncio.Task[Any] | None = None
    prompting: bool = False


_state = _State()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    if _state.received is not None:
        return  # the first signal's clean-up is under way: let it finish
    name = signal.Signals(signum).name
    _state.received = RunInterrupted(signum, name)
    task = _state.task
    if task is not None and not task.done() and not _state.prompting:
        task.cancel(msg=name)
        with contextlib.suppress(RuntimeError):  # wake the loop up if it waits in select()
            task.get_loop().call_soon_threadsafe(lambda: None)
        return
    critical = sys.modules.get("amsync.domain.critical")  # not loaded: no section is open
    if critical is not None and critical.defer(lambda: _raise(signum, name)):
        return  # inside a critical section: raised when it ends
    raise RunInterrupted(signum, name)


def _raise(signum: int, name: str) -> None:
    raise RunInterrupted(signum, name)


@contextmanager
def prompting() -> Iterator[None]:
    """While a person is asked a question (a blocking read, even inside a coroutine), a signal
    interrupts at once instead of waiting for the next ``await``."""
    before, _state.prompting = _state.prompting, True
    try:
        yield
    finally:
        _state.prompting = before


def interrupted() -> RunInterrupted | None:
    """The signal received while the current command ran, if any."""
    return _state.received


@contextmanager
def signals_handled() -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP as the module docstring says, for the duration of the
    block; the previous handlers are put back afterwards. Only in the main thread (the only
    one Python delivers signals to)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in HANDLED_SIGNALS}
    _state.received = None
    try:
        for number, handler in previous.items():
            if handler is not signal.SIG_IGN:  # nohup and friends: stay ignored
                signal.signal(number, _on_signal)
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:
                signal.signal(number, handler)
        _state.task = None


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, with SIGINT, SIGTERM and SIGHUP cancelling it (see the
    module docstring); raises ``RunInterrupted`` when a signal arrived meanwhile."""
    import asyncio

    async def main() -> T:
        _state.task = asyncio.current_task()
        try:
            return await coroutine
        finally:
            _state.task = None

    try:
        with asyncio.Runner() as runner:
            result = runner.run(main())
    except asyncio.CancelledError:
        received = _state.received
        if received is not None:
            raise RunInterrupted(received.signal_number, received.signal_name) from None
        raise
    received = _state.received
    if received is not None:  # the signal landed after the run's last await: still stop
        raise RunInterrupted(received.signal_number, received.signal_name)
    return result


# --- output ------------------------------------------------------------------------------------


class OutputClosed(BaseException):
    """The reader of our output went away (EPIPE). A ``BaseException``, so that neither the
    library's ``except Exception`` nor click's own EPIPE handling (exit 1) takes it."""


def broken_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` means the reader of our output went away: ``OutputClosed``, an EPIPE,
    or the ``SystemExit`` a library (rich) raises while handling one."""
    if isinstance(exc, SystemExit) and exc.__context__ is not None:
        exc = exc.__context__
    return isinstance(exc, OutputClosed | BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno == errno.EPIPE
    )


_ENVIRONMENT_ERRNOS: Final = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)


def environment_problem(exc: BaseException) -> str | None:
    """One line for an ``OSError`` that says the environment stops the output — a full disk
    or quota, a file too large, a read-only or forbidden place — rather than a defect; a write
    to stdout names no file. ``None`` for anything else."""
    if not isinstance(exc, OSError) or exc.errno not in _ENVIRONMENT_ERRNOS:
        return None
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"cannot write {exc.filename}: {reason}"
    return f"cannot write the output: {reason}"


def silence_stdout() -> None:
    """Point stdout at /dev/null (its reader is gone): nothing more is written, and the
    interpreter's final flush cannot raise again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    with contextlib.suppress(Exception):
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process


def flush_stdout() -> str | None:
    """Flush stdout at the end of a command: ``None`` when done, ``"broken pipe"`` when its
    reader went away, else the reason it cannot be written (``No space left on device``)."""
    stream = sys.stdout
    if stream is None:
        return None
    try:
        stream.flush()
    except BrokenPipeError:
        return "broken pipe"
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return "broken pipe"
        _discard_pending(stream)
        return exc.strerror or str(exc)
    except ValueError:  # closed by the command: nothing left to flush
        return None
    return None


def _discard_pending(stream: Any) -> None:
    """Drop what could not be written, so that the interpreter's last flush of stdout does
    not fail a second time (and print a traceback at exit)."""
    with contextlib.suppress(Exception):
        if isinstance(stream, io.TextIOWrapper):
            silence_stdout()


# --- standard descriptors ------------------------------------------------------------------


def standard_descriptors() -> None:
    """Open /dev/null onto descriptors 0, 1 and 2 where they are closed (see the module
    docstring), and give Python streams on them."""
    for number, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(number)
            continue
        except OSError:
            pass
        with contextlib.suppress(OSError):
            flags = os.O_RDONLY if mode == "r" else os.O_WRONLY
            opened = os.open(os.devnull, flags)
            if opened != number:
                os.dup2(opened, number)
                os.close(opened)
            if getattr(sys, name) is None:
                setattr(sys, name, open(number, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
