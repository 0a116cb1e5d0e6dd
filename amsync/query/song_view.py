"""``amsync show song``: one mirrored song, with its plays once the listening history was
imported (``amsync import apple-data``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from amsync.db import tables
from amsync.db.store import Store
from amsync.errors import UnknownItem
from amsync.query.listening import has_history, song_listening
from amsync.query.snapshot import snapshot


@dataclass
class SongView:
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None
    kind: str
    removed: bool
    listening: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def show_song(store: Store, account_id: int, song_id: str) -> SongView:
    """The song with library id or catalog id ``song_id`` (a live one before a removed one)."""
    s, c = tables.songs, tables.catalog_songs
    with snapshot(store) as connection:
        row = connection.execute(
            select(
                s.c.library_id,
                s.c.catalog_id,
                s.c.name,
                s.c.artist,
                s.c.album,
                s.c.duration_ms,
                c.c.duration_ms.label("catalog_duration_ms"),
                c.c.isrc,
                s.c.kind,
                s.c.removed_at,
            )
            .outerjoin(c, and_(c.c.account_id == s.c.account_id, c.c.catalog_id == s.c.catalog_id))
            .where(
                s.c.account_id == account_id,
                or_(s.c.library_id == song_id, s.c.catalog_id == song_id),
            )
            .order_by(s.c.removed_at.is_not(None), s.c.library_id != song_id, s.c.id)
            .limit(1)
        ).first()
        if row is None:
            raise UnknownItem(
                f"no song {song_id!r} in the mirror",
                hint="give a library id (i.…) or a catalog id; `amsync search` finds them",
            )
        listening = (
            song_listening(connection, account_id, row.library_id)
            if has_history(connection, account_id)
            else None
        )
    return SongView(
        library_id=row.library_id,
        catalog_id=row.catalog_id,
        name=row.name,
        artist=row.artist,
        album=row.album,
        duration_ms=row.duration_ms if row.duration_ms is not None else row.catalog_duration_ms,
        isrc=row.isrc,
        kind=row.kind,
        removed=row.removed_at is not None,
        listening=listening,
    )
