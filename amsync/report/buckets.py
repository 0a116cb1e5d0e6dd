"""Days grouped into the bars a period suits: a month by day or week, a year by week or
month, all time by month or year. Labels: ``2025-03-14`` (day), ``2025-03-10`` (the week's
Monday), ``2025-03`` (month), ``2025`` (year)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from amsync.report.period import ReportPeriod

UNITS: Final = ("day", "week", "month", "year")
OVER_TIME: Final = {"month": "day", "year": "week", "all": "month"}
COARSE: Final = {"month": "week", "year": "month", "all": "year"}


def label_of(day: str, unit: str) -> str:
    """The bar ``day`` (``YYYY-MM-DD``) belongs to."""
    if unit == "day":
        return day
    if unit == "month":
        return day[:7]
    if unit == "year":
        return day[:4]
    moment = date.fromisoformat(day)
    return (moment - timedelta(days=moment.weekday())).isoformat()


def labels_for(period: ReportPeriod, unit: str, days: list[str]) -> list[str]:
    """Every bar of the period in order, empty ones too (all time: from the first day with
    music to the last)."""
    if period.start is not None and period.end is not None:
        first = period.start.date()
        last = period.end.date() - timedelta(days=1)
    elif days:
        first, last = date.fromisoformat(min(days)), date.fromisoformat(max(days))
    else:
        return []
    labels: list[str] = []
    current = first
    while current <= last:
        label = label_of(current.isoformat(), unit)
        if not labels or labels[-1] != label:
            labels.append(label)
        current += timedelta(days=1)
    return labels


def longest_streak(days: list[str]) -> tuple[int, str | None, str | None]:
    """The most days in a row with music, and its first and last day (the earliest such
    run when several are as long)."""
    best, best_start, best_end = 0, None, None
    run, run_start, previous = 0, None, None
    for text in sorted(days):
        current = date.fromisoformat(text)
        if previous is not None and current - previous == timedelta(days=1):
            run += 1
        else:
            run, run_start = 1, text
        if run > best:
            best, best_start, best_end = run, run_start, text
        previous = current
    return best, best_start, best_end
