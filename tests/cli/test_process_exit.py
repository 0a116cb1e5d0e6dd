"""The pieces of ``amsync.cli.process_exit`` on their own (the processes that use them:
``tests/reliability/test_signals.py``, ``test_broken_pipes.py``, ``test_hostile_walk.py``)."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from amsync.cli import process_exit
from amsync.domain.critical import critical
from amsync.errors import RunInterrupted


def test_a_signal_raises_run_interrupted_with_its_exit_status() -> None:
    with process_exit.signals_handled(), pytest.raises(RunInterrupted) as caught:
        signal.raise_signal(signal.SIGHUP)  # its handler runs before this returns
    assert caught.value.exit_code == 129 and caught.value.signal_name == "SIGHUP"


def test_handlers_are_put_back_and_an_ignored_signal_stays_ignored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    previous_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with process_exit.signals_handled():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN  # as under nohup
            assert signal.getsignal(signal.SIGTERM) is not before
            os.kill(os.getpid(), signal.SIGHUP)  # ignored: nothing happens
        assert signal.getsignal(signal.SIGTERM) is before
    finally:
        signal.signal(signal.SIGHUP, previous_hup)


def test_a_signal_inside_a_critical_section_is_raised_when_it_ends() -> None:
    reached_the_end = False
    with process_exit.signals_handled(), pytest.raises(RunInterrupted), critical():
        signal.raise_signal(signal.SIGTERM)  # its handler runs before this returns
        reached_the_end = True
    assert reached_the_end, "the signal cut the critical section"


def test_a_second_signal_during_the_clean_up_is_ignored() -> None:
    """``signal.raise_signal`` delivers the signal to this thread and runs its Python handler
    before it returns (``os.kill`` on the process may reach another thread first, later on a
    busy machine): each step waits for the handler itself, not for a clock (issue 22,
    item 13)."""
    with process_exit.signals_handled():
        with pytest.raises(RunInterrupted):
            signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGTERM)  # the clean-up goes on undisturbed
        assert process_exit.interrupted() is not None
        assert process_exit.interrupted().signal_name == "SIGINT"  # type: ignore[union-attr]


def test_run_async_turns_a_cancelled_run_into_run_interrupted() -> None:
    import asyncio

    steps: list[str] = []

    async def long_run() -> None:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(10)
        except asyncio.CancelledError as exc:
            steps.append(f"cancelled {exc.args}")
            raise

    with process_exit.signals_handled(), pytest.raises(RunInterrupted) as caught:
        process_exit.run_async(long_run())
    assert steps == ["cancelled ('SIGTERM',)"]
    assert caught.value.exit_code == 143


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (BrokenPipeError(), True),
        (OSError(errno.EPIPE, "Broken pipe"), True),
        (process_exit.OutputClosed(), True),
        (OSError(errno.ENOSPC, "No space left on device"), False),
        (ValueError("x"), False),
    ],
)
def test_broken_pipe_is_recognised(exc: BaseException, expected: bool) -> None:
    assert process_exit.broken_pipe(exc) is expected


def test_a_systemexit_raised_while_handling_a_broken_pipe_is_one() -> None:
    try:
        try:
            raise BrokenPipeError
        except BrokenPipeError:
            raise SystemExit(1) from None
    except SystemExit as exc:
        assert process_exit.broken_pipe(exc)


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "cannot write the output"),
        (OSError(errno.EROFS, "Read-only file system", "/x"), "cannot write /x"),
        (OSError(errno.ECONNRESET, "Connection reset"), None),
        (RuntimeError("x"), None),
    ],
)
def test_environment_problems_are_one_line(exc: BaseException, line: str | None) -> None:
    found = process_exit.environment_problem(exc)
    assert (found is None) if line is None else (found is not None and found.startswith(line))
