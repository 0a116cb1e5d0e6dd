"""The rate memory: ``<home>/rate-memory.json``, the request rate the last run found.

Apple throttles per developer token, and every run used to learn the rate again from 8 requests
per second. The rate memory keeps, per API host (``https://api.music.apple.com``: scheme and
host, not the port) and developer-token issuer (the JWT's ``iss``, the team id — never the
token), the rate the last run went through, whether that run met the limit (429s), and when.
The ``rate_memory`` setting (``AMSYNC_RATE_MEMORY``) puts the file elsewhere: homes on one
machine that use one token may share it, and a home kept read-only may keep it outside. The
next run starts there
(``amsync.api.rate``: slow start goes on from it, or AIMD resumes at it; a 429 before it has gone
through halves it) unless the memory is older than ``MAX_AGE`` — then it starts cold, as does a
run against another host or with another issuer's token.

Why a file in the home and not the database: the limit belongs to the developer token, not to a
mirror — one home may sync several accounts or databases with one token, and a no-change sync
should write nothing to the mirror but its run record. A dry run reads the memory but never
writes it.

The file is a hint, never a reason to fail: a missing, unreadable or damaged file (or one
entry of it) is a cold start, and a write that fails is skipped. Writes are atomic (a 0600 file
beside it, renamed over it); two runs finishing together both write, the later one wins, and
the entries they did not touch are kept (each run merges what is on disk just before writing).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

RATE_MEMORY_FILE_NAME: Final = "rate-memory.json"
MAX_AGE: Final = timedelta(days=7)
MAX_ENTRIES: Final = 32  # the most recently used (host, issuer) pairs; older ones are dropped
NO_ISSUER: Final = "-"  # a developer token that is not a JWT (the emulator accepts such tokens)
_FORMAT: Final = "amsync.rate-memory"

logger = logging.getLogger("amsync.config")


@dataclass(frozen=True, slots=True)
class RememberedRate:
    """One entry: the rate (requests/s) a run against ``api`` with ``issuer``'s token went
    through at ``at``; ``limited`` when that run met the limit (429s)."""

    api: str
    issuer: str
    rate: float
    limited: bool
    at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.at

    def fresh(self, now: datetime, max_age: timedelta = MAX_AGE) -> bool:
        """Young enough to start from (a date in the future is not trusted either)."""
        return timedelta(0) <= self.age(now) <= max_age


def api_host(base_url: str) -> str:
    """``scheme://host`` of the API URL, lower-case, without userinfo, port or path."""
    parts = urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}"


def memory_path(home: Path, setting: Path | None) -> Path:
    """Where the rate memory is: the ``rate_memory`` setting, else ``<home>/rate-memory.json``."""
    return setting if setting is not None else home / RATE_MEMORY_FILE_NAME


class RateMemory:
    """Reads and writes one rate memory file (``memory_path``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent

    def recall(self, api: str, issuer: str | None) -> RememberedRate | None:
        """The entry for this API origin and issuer, whatever its age; ``None`` when there is
        none (or the file cannot be read or is damaged)."""
        key = (api, issuer or NO_ISSUER)
        for entry in self._read():
            if (entry.api, entry.issuer) == key:
                return entry
        return None

    def remember(
        self,
        api: str,
        issuer: str | None,
        rate: float,
        *,
        limited: bool,
        now: datetime | None = None,
    ) -> bool:
        """Store what a run found; ``False`` (and nothing written) when the file's folder (the
        home) does not exist or cannot be written — the memory is a hint, never a reason to
        fail."""
        if not (rate > 0 and math.isfinite(rate)):
            raise ValueError("a remembered rate must be a positive number")
        if not self.folder.is_dir():
            return False
        entry = RememberedRate(
            api, issuer or NO_ISSUER, round(rate, 3), limited, now or datetime.now(UTC)
        )
        others = [e for e in self._read() if (e.api, e.issuer) != (entry.api, entry.issuer)]
        entries = sorted([entry, *others], key=lambda e: e.at, reverse=True)[:MAX_ENTRIES]
        return self._write(entries)

    def _read(self) -> list[RememberedRate]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            logger.info("rate memory %s ignored: %s", self.path, _why(exc))
            return []
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            logger.info("rate memory %s ignored: not an amsync rate memory", self.path)
            return []
        rates = data.get("rates")
        entries = [_entry(item) for item in rates] if isinstance(rates, list) else []
        return [entry for entry in entries if entry is not None]

    def _write(self, entries: list[RememberedRate]) -> bool:
        payload = {
            "format": _FORMAT,
            "version": 1,
            "rates": [
                {
                    "api": e.api,
                    "issuer": e.issuer,
                    "rate": e.rate,
                    "limited": e.limited,
                    "at": e.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                }
                for e in entries
            ],
        }
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".rate-memory-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
                json.dump(payload, out, indent=2)
                out.write("\n")
            Path(tmp).replace(self.path)
        except OSError as exc:
            logger.info("rate memory %s not written: %s", self.path, _why(exc))
            if tmp is not None:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()
            return False
        return True


def _entry(item: Any) -> RememberedRate | None:
    """One stored entry, or ``None`` when it is damaged (the rest of the file still counts)."""
    if not isinstance(item, dict):
        return None
    api, issuer, rate, limited, at = (
        item.get(k) for k in ("api", "issuer", "rate", "limited", "at")
    )
    if not (isinstance(api, str) and isinstance(issuer, str) and isinstance(limited, bool)):
        return None
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        return None
    if not (rate > 0 and math.isfinite(rate)) or not isinstance(at, str):
        return None
    try:
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return RememberedRate(api, issuer, float(rate), limited, when)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return "damaged"
