"""The log file of unattended runs: ``<home>/logs/amsync.log``, rotated by size.

``attach_log_file(home, secrets)`` adds a ``RotatingFileHandler`` to the ``amsync`` logger
(once per process and path): warnings and errors of every module, plus one line per run from
the ``amsync.runs`` logger (what ran and how it ended), which goes only to the file. Every
record passes a filter that blanks the given secrets and anything shaped like a JWT, so no
token reaches the file. The CLI root may call it for every command; the backup, restore and
``sync --backup`` commands call it themselves.

Every run (sync, favourites push, backup, restore) writes exactly two run lines: ``begin_run``
logs its start, and ``end_run`` — called once, by the CLI's exit path — its end with the status,
the counts the command reported (``run_outcome``), the duration and the exit code, also when the
run failed or was interrupted by a signal. The log file follows the output-path policy
(``amsync.export.atomic_files``): a symbolic link is followed (rotation happens beside the file
it points to), a FIFO or device is written into without rotation; a log file that cannot be
written is one warning, and the run goes on without it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

LOG_DIR_NAME: Final = "logs"
LOG_FILE_NAME: Final = "amsync.log"
MAX_BYTES: Final = 1_000_000
BACKUPS: Final = 5
RUNS_LOGGER: Final = "amsync.runs"
_JWT: Final = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_REDACTED: Final = "[redacted]"


class SecretFilter(logging.Filter):
    """Replaces secrets (and JWT-shaped text) in a record's message before it is written."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, _REDACTED)
        return _JWT.sub(_REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class _AmsyncFileHandler(logging.handlers.RotatingFileHandler):
    """amsync's log file when it is a regular file (rotated by size)."""

    amsync_path: Path


class _AmsyncStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """amsync's log file when it is a FIFO, a device or a descriptor: written into, never
    rotated or replaced."""

    amsync_path: Path

    def close(self) -> None:
        """Close the stream amsync opened (attached to two loggers, it is closed twice)."""
        try:
            self.flush()
            self.stream.close()
        except (OSError, ValueError):
            pass
        finally:
            super().close()


_AMSYNC_HANDLERS: Final = (_AmsyncFileHandler, _AmsyncStreamHandler)

# Run summaries never reach the terminal: without a log file they go nowhere (not even to
# logging's last-resort stderr handler).
logging.getLogger(RUNS_LOGGER).propagate = False
logging.getLogger(RUNS_LOGGER).addHandler(logging.NullHandler())


def log_file_path(home: Path) -> Path:
    return home / LOG_DIR_NAME / LOG_FILE_NAME


def _open_handler(path: Path) -> logging.Handler:
    """A handler writing ``path`` under the output-path policy (``OutputPathError`` or
    ``OSError`` when it cannot be written)."""
    from amsync.export.atomic_files import OutputKind, output_target

    target = output_target(path)
    handler: _AmsyncFileHandler | _AmsyncStreamHandler
    if target.kind is OutputKind.FILE:
        target.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _AmsyncFileHandler(
            target.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    else:
        if target.descriptor is not None:
            descriptor = os.dup(target.descriptor)
        else:
            descriptor = os.open(target.path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
        handler = _AmsyncStreamHandler(os.fdopen(descriptor, "a", encoding="utf-8"))
    handler.amsync_path = path
    return handler


def attach_log_file(home: Path, secrets: Iterable[str] = ()) -> Path | None:
    """Log to ``<home>/logs/amsync.log``; ``None`` (one warning, nothing attached) when it
    cannot be written — a log file must never stop a run."""
    path = log_file_path(home)
    root = logging.getLogger("amsync")
    runs = logging.getLogger(RUNS_LOGGER)
    for handler in root.handlers:
        if isinstance(handler, _AMSYNC_HANDLERS) and handler.amsync_path == path:
            for existing in handler.filters:
                if isinstance(existing, SecretFilter):
                    existing.secrets = sorted(
                        {*existing.secrets, *(s for s in secrets if len(s) >= 8)},
                        key=len,
                        reverse=True,
                    )
            return path
    from amsync.errors import OutputPathError

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _open_handler(path)
    except (OSError, OutputPathError) as exc:
        reason = str(exc) if isinstance(exc, OutputPathError) else (exc.strerror or str(exc))
        _warn(f"this run is not logged: cannot write the log file {path}: {reason}")
        return None
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s pid=%(process)d %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(SecretFilter(secrets))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    runs.addHandler(handler)
    runs.setLevel(logging.INFO)
    runs.propagate = False
    return path


def _warn(message: str) -> None:
    from amsync.cli.output import warn

    warn(message)


def detach_log_files() -> None:
    """Remove amsync's file handlers (tests; a long-lived host process)."""
    global _current
    _current = None
    for name in ("amsync", RUNS_LOGGER):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if isinstance(handler, _AMSYNC_HANDLERS):
                logger.removeHandler(handler)
                handler.close()


def run_log() -> logging.Logger:
    """The logger of run summaries: written to the log file only, never to the terminal."""
    return logging.getLogger(RUNS_LOGGER)


# --- one start and one end line per run ------------------------------------------------------


@dataclass
class _Run:
    command: str
    account: str
    started: float
    status: str | None = None
    counts: str = ""


_current: _Run | None = None


def begin_run(command: str, account: str) -> None:
    """Log that ``command`` started for ``account``; ``end_run`` logs how it ended."""
    global _current
    _current = _Run(command, account, time.monotonic())
    run_log().info("%s started (account %s)", command, account)


def run_outcome(status: str, counts: str = "", *, append: bool = False) -> None:
    """What the running command reports: its status and a short text of its counts
    (``append``: added to what an earlier step of the same run reported)."""
    if _current is not None:
        _current.status = status
        if append and _current.counts:
            counts = f"{_current.counts}; {counts}" if counts else _current.counts
        _current.counts = counts


def end_run(exit_code: int, error: str | None = None, *, interrupted: str | None = None) -> None:
    """The end line of the current run (none when no run began): status, counts, duration and
    exit code; ``error`` is the one-line error the user saw, ``interrupted`` the signal's name.
    Called once per process, by the CLI's exit path."""
    global _current
    run, _current = _current, None
    if run is None:
        return
    status = run.status or "succeeded"
    if exit_code != 0 and status == "succeeded":
        status = "failed"
    if interrupted:
        status = f"interrupted by {interrupted}"
    parts = [f"{status}: {error}" if error else status]
    if run.counts:
        parts.append(run.counts)
    parts.append(f"{time.monotonic() - run.started:.1f} s")
    parts.append(f"exit {exit_code}")
    level = logging.INFO if exit_code == 0 else logging.ERROR
    run_log().log(level, "%s ended (account %s): %s", run.command, run.account, "; ".join(parts))
