"""SQL pieces both backends understand, for the report's questions: a play's UTC day and hour
as text, the period's condition, and the key that tells songs apart as ``amsync top`` does.

SQLite keeps moments as UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``): the day is its first ten
characters; PostgreSQL keeps ``timestamptz``: the day comes from ``to_char`` in UTC.
"""

from __future__ import annotations

from typing import Any, Final

from amsync.db.reading import Reader, moment_parameter
from amsync.report.period import ReportPeriod

PLAYED: Final = "CASE WHEN {t}.skipped THEN 0 ELSE 1 END"
SKIPPED: Final = "CASE WHEN {t}.skipped THEN 1 ELSE 0 END"
UTC_OFFSET_KEY: Final = "UTC Offset In Seconds"


def day_sql(reader: Reader, column: str) -> str:
    """``YYYY-MM-DD`` of a stored moment, in UTC."""
    if reader.backend == "sqlite":
        return f"substr({column}, 1, 10)"
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


def hour_sql(reader: Reader, column: str) -> str:
    """``YYYY-MM-DD HH`` of a stored moment, in UTC."""
    if reader.backend == "sqlite":
        return f"substr({column}, 1, 13)"
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


def month_sql(reader: Reader, column: str) -> str:
    """``YYYY-MM`` of a stored moment, in UTC."""
    if reader.backend == "sqlite":
        return f"substr({column}, 1, 7)"
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"


def offset_sql(reader: Reader, column: str) -> str:
    """The export's UTC offset of a play as text, when the import kept the personal columns
    (``--keep-personal``); NULL otherwise."""
    if reader.backend == "sqlite":
        return f"json_extract({column}, '$.\"{UTC_OFFSET_KEY}\"')"
    return f"({column} ->> '{UTC_OFFSET_KEY}')"


def song_key_sql(alias: str) -> str:
    """What tells songs apart: the linked song, else the names Apple's file gave (as
    ``amsync top songs`` groups them)."""
    return (
        f"COALESCE({alias}.library_id, '~' || {alias}.name || '|' || COALESCE({alias}.artist, '')"
        f" || '|' || COALESCE({alias}.album, ''))"
    )


def during(
    reader: Reader, period: ReportPeriod | None, alias: str = "e"
) -> tuple[str, dict[str, Any]]:
    """``AND …`` keeping the plays of ``period`` (none: every play), and its parameters."""
    if period is None:
        return "", {}
    sql, params = "", {}
    if period.start is not None:
        sql += f" AND {alias}.played_at >= :start"
        params["start"] = moment_parameter(reader, period.start)
    if period.end is not None:
        sql += f" AND {alias}.played_at < :end"
        params["end"] = moment_parameter(reader, period.end)
    return sql, params
