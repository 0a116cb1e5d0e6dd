"""The listening history in the exports: per song, ``plays`` (plays not skipped) and
``last_played_at`` (``YYYY-MM-DDTHH:MM:SSZ``), once ``amsync import apple-data`` was run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, case, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

from amsync.db import tables
from amsync.db.reading import iso_text_sql


class iso_utc_text(FunctionElement[str]):
    """A UTC timestamp column as ISO 8601 text ``YYYY-MM-DDTHH:MM:SSZ`` (the spelling of the
    documented views), computed by the database."""

    type = String()
    name = "iso_utc_text"
    inherit_cache = True


@compiles(iso_utc_text)
def _iso_utc(element: iso_utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return iso_text_sql(compiler.dialect.name, column)


def has_plays(connection: Connection, account_id: int) -> bool:
    events = tables.play_events
    return bool(
        connection.execute(select(exists().where(events.c.account_id == account_id))).scalar()
    )


def song_plays(account_id: int) -> Any:
    """Per linked song: ``plays`` and ``last_played_at`` (a subquery the exports join)."""
    e = tables.play_events
    return (
        select(
            e.c.library_id,
            func.sum(case((e.c.skipped, 0), else_=1)).label("plays"),
            func.max(e.c.played_at).label("last_played_at"),
        )
        .where(e.c.account_id == account_id, e.c.library_id.is_not(None))
        .group_by(e.c.library_id)
        .subquery("song_plays")
    )
