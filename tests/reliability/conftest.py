"""Reliability suites: faults, kills, concurrency, soak, hostile input, secrets.

The figures docs/explanation/testing.md ("Reliability") quotes are counted by the tests into
``tests.support.reliability.FIGURES`` and printed as one line at the end of the session, with
or without ``-s``; the soak and kill tests also print their own one-line summaries.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.reliability import FIGURES

Say = Callable[[str], None]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(FIGURES.items()))
        terminalreporter.write_line(f"reliability figures: {parts}")


@pytest.fixture
def say(capsys: pytest.CaptureFixture[str]) -> Say:
    """Print one line to the terminal even while pytest captures output."""

    def emit(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}", flush=True)

    return emit
