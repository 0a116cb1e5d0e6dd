"""A damaged SQLite mirror is never written to.

Every engine opened for writing (``create_database_engine`` without ``readonly``: every sync,
favourites change and push, account change, backup and ``db upgrade``) first runs
``PRAGMA quick_check`` on the file — once per process and file, and again if the file changed
on disk since. A file that fails it is refused with one line (``StoreUnavailable``, exit 2)
saying how to recover, before amsync writes a single byte to it — SQLite would otherwise go on
writing around the damage, and a sync that "found no change" would bury it deeper. Reading
commands open the file read-only and skip the check (a damaged page they touch is refused when
they touch it).

``quick_check`` reads every page and checks each b-tree's structure, but not that indexes
match their tables (``integrity_check`` does, at several times the cost); ``bench/integrity.py``
measures it against a no-change sync. PostgreSQL checks its own pages; nothing to do there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from amsync.errors import StoreUnavailable

RECOVERY_HINT: Final = (
    "copy amsync.db from your newest good backup over it "
    "(`amsync backup verify DIR` checks a backup), or move it away and run `amsync sync` to "
    "mirror the library afresh"
)
PROBLEMS_SHOWN: Final = 2

_SOUND: set[tuple[str, int, int, int, int]] = set()
"""Files this process found sound, as they were then (path, device, inode, size, modification
time): checked once however many engines it opens, and again when the file changed on disk."""


def damage_message(path: str, problems: list[str]) -> str:
    shown = "; ".join(problem.strip() for problem in problems[:PROBLEMS_SHOWN])
    more = f" (and {len(problems) - PROBLEMS_SHOWN} more)" if len(problems) > PROBLEMS_SHOWN else ""
    return f"{path} is damaged ({shown}{more}); nothing was written to it"


def quick_check(engine: Engine) -> list[str]:
    """What ``PRAGMA quick_check`` reports (empty: sound); a page too damaged to read at all
    is reported as SQLite's error."""
    try:
        with engine.connect() as connection:
            rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check")]
    except DBAPIError as exc:
        text = str(getattr(exc, "orig", exc)).strip().splitlines()
        first = text[0] if text else exc.__class__.__name__
        lowered = first.lower()
        if "malformed" in lowered or "corrupt" in lowered or "not a database" in lowered:
            return [first]
        raise
    if rows == ["ok"]:
        return []
    lines = [line.strip() for row in rows for line in row.splitlines()]
    return [line for line in lines if line and not line.startswith("*** in database")]


def refuse_damaged(engine: Engine) -> None:
    """Raise ``StoreUnavailable`` when the SQLite file behind ``engine`` fails
    ``quick_check``; a new or empty file passes."""
    path = str(engine.url.database)
    try:
        status = Path(path).stat()
    except OSError:
        return  # a new database
    seen = (path, status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
    if status.st_size == 0 or seen in _SOUND:
        return
    try:
        problems = quick_check(engine)
    except DBAPIError as exc:
        from amsync.db.schema import unreadable_message

        raise StoreUnavailable(unreadable_message(engine, exc)) from None
    if problems:
        raise StoreUnavailable(damage_message(path, problems), hint=RECOVERY_HINT)
    _SOUND.add(seen)
