"""The plays a push or an export reads, with the best of what amsync holds for each:

- name, artist, album and length: the linked mirrored song's (its catalog metadata for the
  length when the library gives none), else what ``listens fill`` found in the catalog (its
  spelling of the song's and the album's names before the file's), else Apple's file's;
- ISRC and catalog URL: the linked song's catalog metadata, else the fill's.

In time order (then by id), within ``since`` (inclusive) and ``until`` (exclusive).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, func, select

from amsync.db import tables
from amsync.listens.push_plan import PlayRow


def play_rows(
    connection: Connection,
    account_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[PlayRow]:
    e, s, c, f = tables.play_events, tables.songs, tables.catalog_songs, tables.play_fills
    joined = (
        e.outerjoin(s, and_(s.c.account_id == e.c.account_id, s.c.library_id == e.c.library_id))
        .outerjoin(c, and_(c.c.account_id == e.c.account_id, c.c.catalog_id == s.c.catalog_id))
        .outerjoin(f, f.c.play_event_id == e.c.id)
    )
    statement = (
        select(
            e.c.event_key,
            e.c.played_at,
            func.coalesce(s.c.name, f.c.name, e.c.name),
            func.coalesce(s.c.artist, e.c.artist, f.c.artist),
            func.coalesce(s.c.album, f.c.album, e.c.album),
            e.c.play_ms,
            e.c.media_ms,
            func.coalesce(s.c.duration_ms, c.c.duration_ms, f.c.duration_ms),
            e.c.end_reason,
            func.coalesce(c.c.isrc, f.c.isrc),
            func.coalesce(c.c.url, f.c.catalog_url),
            f.c.status,
        )
        .select_from(joined)
        .where(e.c.account_id == account_id)
        .order_by(e.c.played_at, e.c.id)
        .execution_options(stream_results=True, max_row_buffer=5000)
    )
    if since is not None:
        statement = statement.where(e.c.played_at >= since)
    if until is not None:
        statement = statement.where(e.c.played_at < until)
    for key, played_at, *rest in connection.execute(statement):
        yield PlayRow(key, _seconds(played_at), *rest)


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
