"""Sections that a signal must not cut in half.

Between creating something and recording that it was created (a backup's ``.partial`` folder
claimed with ``mkdir`` and the variable that lets the clean-up find it), an interruption would
leave debris nobody knows about. Inside ``critical()`` the CLI's signal handler
(``amsync.cli.process_exit``) does not raise at once: it hands its action to ``defer`` and the
action runs when the outermost section ends — a few bytecodes later, with the state recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_depth = 0
_deferred: Callable[[], None] | None = None


@contextmanager
def critical() -> Iterator[None]:
    """Run the block with interruptions deferred to its end."""
    global _depth, _deferred
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _deferred is not None:
            action, _deferred = _deferred, None
            action()


def defer(action: Callable[[], None]) -> bool:
    """Inside a critical section: keep ``action`` for its end and return ``True``; outside,
    return ``False`` (the caller acts at once)."""
    global _deferred
    if _depth == 0:
        return False
    if _deferred is None:
        _deferred = action
    return True
