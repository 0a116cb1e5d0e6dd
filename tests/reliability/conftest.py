"""Reliability suites: faults, kills, concurrency, soak, hostile input, secrets.

The figures docs/explanation/testing.md ("Reliability") quotes are counted by the tests into
``tests.support.reliability.FIGURES`` and printed as one line at the end of the session, with
or without ``-s``, and summed over the workers of a parallel run (``tests/conftest.py``); the
soak and kill tests also print their own one-line summaries.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Say = Callable[[str], None]


@pytest.fixture
def say(capsys: pytest.CaptureFixture[str]) -> Say:
    """Print one line to the terminal even while pytest captures output."""

    def emit(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}", flush=True)

    return emit
