"""The one spelling of a moment in everything amsync prints and in its documented views:
ISO 8601 UTC to the second, ``2026-11-29T09:51:40Z``.

No fraction: text comparison must agree with time order against second-precision values
(``'…:40.8Z' > '…:40Z'`` would put a moment after the whole second it belongs to), and the
same spelling comes from SQLite's ``strftime('%Y-%m-%dT%H:%M:%SZ', …)`` and PostgreSQL's
``to_char``, so what amsync prints can be pasted into a query as it is. The tables keep full
precision; a printed moment is the start of its second (truncated, never rounded up).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final

ISO_UTC_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
ISO_UTC_PATTERN: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DATE_ONLY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_utc(moment: datetime | None) -> str | None:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SSZ`` (a naive moment is taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(ISO_UTC_FORMAT)


def parse_moment(text: str) -> datetime:
    """A date (``2026-03-01``: its midnight UTC) or a time (``2026-03-01T12:00:00Z``, also
    with a fraction, an offset or a space for the ``T``; UTC unless it says otherwise) → an
    aware UTC datetime. ``ValueError`` for anything else."""
    value = text.strip()
    if not value or not value[:4].isdigit():
        raise ValueError(f"not a date or time: {text!r}")
    if _DATE_ONLY.match(value):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_moment(value: Any) -> datetime | None:
    """A moment read back from a file amsync wrote (ISO 8601, naive taken as UTC); ``None`` for
    anything that is not one (a hand-edited or damaged entry is ignored, never an error)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
