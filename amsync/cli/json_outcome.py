"""``--json`` for commands that run (``sync``, ``favourites push``, ``backup``, ``restore``): one
JSON object on stdout whatever the outcome, so a script parses one shape.

Every document starts with ``status``, ``error`` (the one-line message, or null) and
``exit_code`` (what the process exits with), then the command's report — on a failure, the
report so far (requests made, counts of what was done before it stopped). The error line
still goes to stderr as for every command (``amsync.cli.run``), once.

A command opens ``json_outcome(as_json)``, tells it how to describe the work so far
(``outcome.so_far``), and hands its finished report to ``outcome.emit``; whatever escapes the
block before that — a usage or configuration error, a refused lock, an authorization failure,
retries exhausted, Ctrl-C — is emitted by the block as a failure document and re-raised for
``run`` to turn into the exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import click

from amsync.cli.output import emit_json
from amsync.domain.progress import ProgressEvent
from amsync.errors import EXIT_OK, EXIT_REFUSED, EXIT_UNEXPECTED, AmsyncError, RunInterrupted

INTERRUPTED = 130
SIGNAL_EXITS = frozenset({129, 130, 143})  # SIGHUP, SIGINT, SIGTERM (amsync.cli.process_exit)


def exit_code_of(exc: BaseException) -> int:
    """The exit code ``amsync.cli.run`` turns ``exc`` into."""
    if isinstance(exc, AmsyncError | RunInterrupted):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.ClickException):
        return 2
    return EXIT_UNEXPECTED


def status_of_failure(code: int) -> str:
    if code == EXIT_REFUSED:
        return "refused"
    if code in SIGNAL_EXITS:
        return "interrupted"
    return "failed"


def error_text(exc: BaseException) -> str:
    if isinstance(exc, AmsyncError | click.ClickException):
        return str(exc) if isinstance(exc, AmsyncError) else exc.format_message()
    if isinstance(exc, RunInterrupted):
        return f"interrupted by {exc.signal_name}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"unexpected {exc.__class__.__name__}: {str(exc)[:300]}"


@dataclass
class JsonOutcome:
    enabled: bool
    so_far: Callable[[], dict[str, Any]] = field(default=dict)
    emitted: bool = False

    def emit(
        self,
        report: dict[str, Any],
        *,
        error: AmsyncError | None = None,
        exit_code: int | None = None,
    ) -> None:
        """Print ``report`` as the command's one document (when ``--json``). ``error``: the
        error the command raises next (its message and exit code go into the document);
        ``exit_code``: the code it exits with otherwise (default 0)."""
        if not self.enabled or self.emitted:
            return
        code = error.exit_code if error is not None else (exit_code or EXIT_OK)
        head: dict[str, Any] = {
            "status": report.get("status") or ("succeeded" if code == EXIT_OK else "failed"),
            "error": str(error) if error is not None else None,
            "exit_code": code,
        }
        self.emitted = True
        emit_json(head | {k: v for k, v in report.items() if k not in head})

    def fail(self, exc: BaseException) -> None:
        if not self.enabled or self.emitted:
            return
        code = exit_code_of(exc)
        try:
            partial = self.so_far()
        except Exception:  # the report of a failed run must not hide its error
            partial = {}
        head = {"status": status_of_failure(code), "error": error_text(exc), "exit_code": code}
        self.emitted = True
        emit_json(head | {k: v for k, v in partial.items() if k not in head})


@contextmanager
def json_outcome(enabled: bool) -> Iterator[JsonOutcome]:
    """See the module docstring."""
    outcome = JsonOutcome(enabled=enabled)
    try:
        yield outcome
    except click.exceptions.Exit:
        raise  # an exit the command chose after emitting its document
    except BaseException as exc:
        from amsync.cli.process_exit import broken_pipe

        # a broken pipe: nobody reads stdout any more, so no document is written to it
        if not isinstance(exc, GeneratorExit | SystemExit) and not broken_pipe(exc):
            outcome.fail(exc)
        raise


class ProgressTally:
    """A progress callback that remembers how far each phase got (for a failure document) and
    passes every event on."""

    def __init__(self, then: Callable[[ProgressEvent], None]) -> None:
        self._then = then
        self.phases: dict[str, dict[str, int | None]] = {}

    def then(self, callback: Callable[[ProgressEvent], None]) -> None:
        """Pass events on to ``callback`` from now on (e.g. a display opened later)."""
        self._then = callback

    def __call__(self, event: ProgressEvent) -> None:
        self.phases[event.phase] = {"done": event.done, "total": event.total}
        self._then(event)
