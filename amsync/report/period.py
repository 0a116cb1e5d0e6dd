"""The period a report covers: a year, a month, or all time — in UTC, like ``amsync top
--year`` (so the report's top lists are ``amsync top``'s for the same period).

The default is the last complete year with listening: the latest year before the current one
that has a play; when every play is of the current year, the current year so far; when there is
no play at all, last year (an empty report that says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from amsync.db.reading import Reader, moment_parameter, scalar
from amsync.errors import UsageError
from amsync.query.listening import Period

_YEAR: Final = re.compile(r"^\d{4}$")
_MONTH: Final = re.compile(r"^(\d{4})-(\d{2})$")
KINDS: Final = ("year", "month", "all")


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    kind: str  # year | month | all
    year: int | None = None
    month: int | None = None

    @property
    def start(self) -> datetime | None:
        if self.kind == "all" or self.year is None:
            return None
        return datetime(self.year, self.month or 1, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime | None:
        if self.kind == "all" or self.year is None:
            return None
        if self.kind == "year":
            return datetime(self.year + 1, 1, 1, tzinfo=UTC) if self.year < 9999 else None
        month = self.month or 1
        if month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC) if self.year < 9999 else None
        return datetime(self.year, month + 1, 1, tzinfo=UTC)

    @property
    def slug(self) -> str:
        """``2025``, ``2025-03`` or ``all``: the default file name's part."""
        if self.kind == "year":
            return f"{self.year:04d}"
        if self.kind == "month":
            return f"{self.year:04d}-{self.month:02d}"
        return "all"

    @property
    def title(self) -> str:
        """``2025``, ``March 2025`` or ``All time``."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "month":
            return date(self.year or 1, self.month or 1, 1).strftime("%B %Y")
        return "All time"

    def query_period(self) -> Period:
        """The same period as ``amsync.query.listening`` takes it (``amsync top``)."""
        return Period(self.start, self.end)

    def previous(self) -> ReportPeriod | None:
        """The period before, to compare with (none before all time or year 1)."""
        if self.kind == "year" and self.year and self.year > 1:
            return ReportPeriod("year", self.year - 1)
        if self.kind == "month" and self.year and self.month:
            if self.month > 1:
                return ReportPeriod("month", self.year, self.month - 1)
            if self.year > 1:
                return ReportPeriod("month", self.year - 1, 12)
        return None

    def contains_text(self, iso_text_column: str) -> str:
        """SQL keeping rows whose ISO 8601 text column (``YYYY-MM-DD…``) falls in the period
        (text compares in time order), with ``:p_start``/``:p_end`` (``text_bounds``)."""
        parts = []
        if self.start is not None:
            parts.append(f"{iso_text_column} >= :p_start")
        if self.end is not None:
            parts.append(f"{iso_text_column} < :p_end")
        return " AND ".join(parts) or "1 = 1"

    def text_bounds(self) -> dict[str, str]:
        found = {}
        if self.start is not None:
            found["p_start"] = self.start.strftime("%Y-%m-%d")
        if self.end is not None:
            found["p_end"] = self.end.strftime("%Y-%m-%d")
        return found


def parse_period(year: str | None, month: str | None, everything: bool) -> ReportPeriod | None:
    """The period the options name; ``None`` for the default; ``UsageError`` (exit 2) for a
    bad spelling or more than one."""
    given = [name for name, value in (("--year", year), ("--month", month)) if value is not None]
    if everything:
        given.append("--all")
    if len(given) > 1:
        raise UsageError(f"give one of --year, --month or --all, not {' and '.join(given)}")
    if year is not None:
        text = year.strip()
        if not _YEAR.match(text) or int(text) < 1:
            raise UsageError(f"--year {year!r} is not a year like 2025")
        return ReportPeriod("year", int(text))
    if month is not None:
        found = _MONTH.match(month.strip())
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
            raise UsageError(f"--month {month!r} is not a month like 2025-03")
        return ReportPeriod("month", int(found[1]), int(found[2]))
    if everything:
        return ReportPeriod("all")
    return None


def default_period(reader: Reader, account_id: int, now: datetime) -> ReportPeriod:
    """The last complete year with listening (see the module docstring)."""
    this_year = now.astimezone(UTC).year
    start = datetime(this_year, 1, 1, tzinfo=UTC)
    before = scalar(
        reader,
        "SELECT MAX(played_at) FROM play_events WHERE account_id = :account AND played_at < :start",
        {"account": account_id, "start": moment_parameter(reader, start)},
    )
    if before is not None:
        return ReportPeriod("year", _year_of(before))
    after = scalar(
        reader,
        "SELECT 1 FROM play_events WHERE account_id = :account LIMIT 1",
        {"account": account_id},
    )
    return ReportPeriod("year", this_year if after is not None else this_year - 1)


def _year_of(value: object) -> int:
    if isinstance(value, datetime):
        return value.astimezone(UTC).year if value.tzinfo else value.year
    return int(str(value)[:4])
