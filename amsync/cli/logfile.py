"""The log file of unattended runs: ``<home>/logs/amsync.log``, rotated by size.

``attach_log_file(home, secrets)`` adds a ``RotatingFileHandler`` to the ``amsync`` logger
(once per process and path): warnings and errors of every module, plus one line per run from
the ``amsync.runs`` logger (what ran and how it ended), which goes only to the file. Every
record passes a filter that blanks the given secrets and anything shaped like a JWT, so no
token reaches the file. The CLI root may call it for every command; the backup, restore and
``sync --backup`` commands call it themselves.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import time
from collections.abc import Iterable
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
    """Marks amsync's own file handler so it is attached once."""


def log_file_path(home: Path) -> Path:
    return home / LOG_DIR_NAME / LOG_FILE_NAME


def attach_log_file(home: Path, secrets: Iterable[str] = ()) -> Path | None:
    """Log to ``<home>/logs/amsync.log``; ``None`` (and nothing attached) when the folder
    cannot be created — a log file must never stop a run."""
    path = log_file_path(home)
    root = logging.getLogger("amsync")
    runs = logging.getLogger(RUNS_LOGGER)
    for handler in root.handlers:
        if isinstance(handler, _AmsyncFileHandler) and Path(handler.baseFilename) == path:
            for existing in handler.filters:
                if isinstance(existing, SecretFilter):
                    existing.secrets = sorted(
                        {*existing.secrets, *(s for s in secrets if len(s) >= 8)},
                        key=len,
                        reverse=True,
                    )
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _AmsyncFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
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


def detach_log_files() -> None:
    """Remove amsync's file handlers (tests; a long-lived host process)."""
    for name in ("amsync", RUNS_LOGGER):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if isinstance(handler, _AmsyncFileHandler):
                logger.removeHandler(handler)
                handler.close()


def run_log() -> logging.Logger:
    """The logger of run summaries: written to the log file only, never to the terminal."""
    return logging.getLogger(RUNS_LOGGER)
