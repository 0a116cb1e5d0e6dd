"""What ``listens fill`` reads and writes: the plays without an artist, the look-up cache, the
daily history's rows, and the fills (tables of ``amsync.db.listen_models``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Connection, and_, case, delete, func, insert, select

from amsync.db import tables
from amsync.listens.artist_fill import FAILED, Candidate, DailyEvidence, Fill

WRITE_BATCH: Final = 5000


@dataclass(frozen=True, slots=True)
class PlayToFill:
    """A play with no artist: not linked to a mirrored song (or its song has none), and no
    artist in Apple's file."""

    id: int
    name: str
    album: str | None
    media_ms: int | None
    day: int  # the UTC day played, a date.toordinal()


@dataclass(frozen=True, slots=True)
class Lookup:
    state: str
    candidates: tuple[Candidate, ...]


def _songs_join() -> Any:
    e, s = tables.play_events, tables.songs
    return e.outerjoin(s, and_(s.c.account_id == e.c.account_id, s.c.library_id == e.c.library_id))


def artist_counts(connection: Connection, account_id: int) -> tuple[int, int, int]:
    """Plays in all, with the mirror's artist, with Apple's file's artist (not linked)."""
    e, s = tables.play_events, tables.songs
    row = connection.execute(
        select(
            func.count(),
            func.sum(case((s.c.artist.is_not(None), 1), else_=0)),
            func.sum(case((and_(s.c.artist.is_(None), e.c.artist.is_not(None)), 1), else_=0)),
        )
        .select_from(_songs_join())
        .where(e.c.account_id == account_id)
    ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def plays_to_fill(connection: Connection, account_id: int) -> Iterator[PlayToFill]:
    e, s = tables.play_events, tables.songs
    result = connection.execute(
        select(e.c.id, e.c.name, e.c.album, e.c.media_ms, e.c.played_at)
        .select_from(_songs_join())
        .where(e.c.account_id == account_id, s.c.artist.is_(None), e.c.artist.is_(None))
        .order_by(e.c.id)
        .execution_options(stream_results=True, max_row_buffer=5000)
    )
    for row_id, name, album, media_ms, played_at in result:
        yield PlayToFill(row_id, name, album, media_ms, _ordinal(played_at))


def _ordinal(moment: datetime | date | str) -> int:
    if isinstance(moment, str):
        return date.fromisoformat(moment[:10]).toordinal()
    if isinstance(moment, datetime):
        return moment.date().toordinal()
    return moment.toordinal()


def cached_lookups(connection: Connection, account_id: int) -> dict[str, Lookup]:
    table = tables.listen_lookups
    found: dict[str, Lookup] = {}
    rows = connection.execute(
        select(table.c.pair_key, table.c.state, table.c.candidates).where(
            table.c.account_id == account_id
        )
    )
    for key, state, stored in rows:
        songs = stored.get("songs", []) if isinstance(stored, dict) else []
        found[key] = Lookup(state, tuple(Candidate.from_dict(c) for c in songs))
    return found


@dataclass(frozen=True, slots=True)
class LookupRow:
    pair_key: str
    name: str
    album: str
    state: str
    hits: int
    candidates: tuple[Candidate, ...]
    detail: str | None


def save_lookups(
    connection: Connection, account_id: int, rows: Sequence[LookupRow], now: datetime
) -> None:
    """Store look-ups, replacing earlier ones of the same pairs (failed ones, asked again)."""
    if not rows:
        return
    table = tables.listen_lookups
    keys = [row.pair_key for row in rows]
    connection.execute(
        delete(table).where(table.c.account_id == account_id, table.c.pair_key.in_(keys))
    )
    connection.execute(
        insert(table),
        [
            {
                "account_id": account_id,
                "pair_key": row.pair_key,
                "name": row.name,
                "album": row.album,
                "state": row.state,
                "hits": row.hits,
                "candidates": {"songs": [c.as_dict() for c in row.candidates]},
                "detail": row.detail,
                "looked_up_at": now,
            }
            for row in rows
        ],
    )


def failed_lookups(cached: dict[str, Lookup]) -> set[str]:
    return {key for key, lookup in cached.items() if lookup.state == FAILED}


def daily_evidence(connection: Connection, account_id: int, titles: set[str]) -> DailyEvidence:
    """The account's daily history, for the titles of the plays being filled."""
    evidence = DailyEvidence(titles)
    if not titles:
        return evidence
    d = tables.play_days
    rows = connection.execute(
        select(d.c.played_on, d.c.description, d.c.artist, d.c.name)
        .where(d.c.account_id == account_id)
        .execution_options(stream_results=True, max_row_buffer=5000)
    )
    for played_on, description, artist, name in rows:
        evidence.add(_ordinal(played_on), description, artist, name)
    return evidence


def replace_fills(
    connection: Connection, account_id: int, fills: Sequence[tuple[int, Fill]], now: datetime
) -> None:
    """The account's fills are now ``fills`` (play id, fill)."""
    table = tables.play_fills
    connection.execute(delete(table).where(table.c.account_id == account_id))
    for start in range(0, len(fills), WRITE_BATCH):
        chunk = fills[start : start + WRITE_BATCH]
        connection.execute(insert(table), [_fill_row(account_id, pid, f, now) for pid, f in chunk])


def _fill_row(account_id: int, play_id: int, fill: Fill, now: datetime) -> dict[str, Any]:
    from_catalog = fill.source == "catalog"

    def source(value: object) -> str | None:
        return "catalog" if from_catalog and value is not None else None

    return {
        "play_event_id": play_id,
        "account_id": account_id,
        "status": fill.status,
        "artist": fill.artist,
        "artist_source": fill.source if fill.artist else None,
        "album": fill.album,
        "album_source": source(fill.album),
        "isrc": fill.isrc[:32] if fill.isrc else None,
        "isrc_source": source(fill.isrc),
        "duration_ms": fill.duration_ms,
        "duration_source": source(fill.duration_ms),
        "catalog_id": fill.catalog_id[:64] if fill.catalog_id else None,
        "catalog_url": fill.url,
        "name": fill.name,
        "filled_at": now,
    }
