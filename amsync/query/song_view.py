"""``amsync show song``: one mirrored song, with its plays once the listening history was
imported (``amsync import apple-data``). Plain SQL on a ``Reader``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from amsync.db.reading import Reader, first
from amsync.errors import UnknownItem
from amsync.query.listening import has_history, song_listening
from amsync.query.snapshot import reading

if TYPE_CHECKING:
    from amsync.db.store import Store


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


def show_song(source: Store | Reader, account_id: int, song_id: str) -> SongView:
    """The song with library id or catalog id ``song_id`` (a live one before a removed one)."""
    with reading(source) as reader:
        row = first(
            reader,
            "SELECT s.library_id, s.catalog_id, s.name, s.artist, s.album, "
            "COALESCE(s.duration_ms, c.duration_ms), c.isrc, s.kind, "
            "CASE WHEN s.removed_at IS NULL THEN 0 ELSE 1 END "
            "FROM songs s LEFT JOIN catalog_songs c "
            "ON c.account_id = s.account_id AND c.catalog_id = s.catalog_id "
            "WHERE s.account_id = :account AND (s.library_id = :id OR s.catalog_id = :id) "
            "ORDER BY CASE WHEN s.removed_at IS NULL THEN 0 ELSE 1 END, "
            "CASE WHEN s.library_id = :id THEN 0 ELSE 1 END, s.id LIMIT 1",
            {"account": account_id, "id": song_id},
        )
        if row is None:
            raise UnknownItem(
                f"no song {song_id!r} in the mirror",
                hint="give a library id (i.…) or a catalog id; `amsync search` finds them",
            )
        listening = (
            song_listening(reader, account_id, row[0]) if has_history(reader, account_id) else None
        )
    library_id, catalog_id, name, artist, album, duration_ms, isrc, kind, removed = row
    return SongView(
        library_id=library_id,
        catalog_id=catalog_id,
        name=name,
        artist=artist,
        album=album,
        duration_ms=duration_ms,
        isrc=isrc,
        kind=kind,
        removed=bool(removed),
        listening=listening,
    )
