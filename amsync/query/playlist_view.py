"""``amsync show playlist``: one playlist with its current tracks in order.

Plain SQL on a ``Reader`` (both backends). A track's catalog id, duration and ISRC are read as
the exports read them: the entry's own values, else the library song's catalog id and the
catalog song's duration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import Reader, first
from amsync.query.playlist_lookup import find_playlist
from amsync.query.snapshot import reading

if TYPE_CHECKING:
    from amsync.db.store import Store

MAX_FOLDER_DEPTH: Final = 64  # as the exports (amsync.export.row_reading)
TRACK_COLUMNS: Final = (
    "position",
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "isrc",
)
_TRACKS_SQL: Final = """
SELECT e.position, e.track_library_id, COALESCE(e.track_catalog_id, s.catalog_id), e.name,
       e.artist, e.album, COALESCE(e.duration_ms, c.duration_ms), c.isrc
FROM playlist_entries e
LEFT JOIN songs s ON s.account_id = :account AND s.library_id = e.track_library_id
LEFT JOIN catalog_songs c
       ON c.account_id = :account AND c.catalog_id = COALESCE(e.track_catalog_id, s.catalog_id)
WHERE e.revision_id = :revision
ORDER BY e.position"""


@dataclass
class PlaylistView:
    library_id: str
    catalog_id: str | None
    name: str
    description: str | None
    folder: str | None
    favourite: bool
    can_edit: bool | None
    removed: bool
    tracks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def duration_ms(self) -> int:
        return sum(t["duration_ms"] or 0 for t in self.tracks)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "track_count": len(self.tracks), "duration_ms": self.duration_ms}


def _folder_path(reader: Reader, account_id: int, folder_id: str | None) -> str | None:
    """``Parent/Child`` from the top folder down (tombstoned folders too: a playlist may still
    name one); a loop or an unknown parent ends the path."""
    if folder_id is None:
        return None
    rows = reader.rows(
        "SELECT library_id, name, parent_library_id FROM playlist_folders "
        "WHERE account_id = :account",
        {"account": account_id},
    )
    folders = {row[0]: (row[1], row[2]) for row in rows}
    names: list[str] = []
    seen: set[str] = set()
    current: str | None = folder_id
    while current is not None and current not in seen and len(names) < MAX_FOLDER_DEPTH:
        found = folders.get(current)
        if found is None:
            break
        seen.add(current)
        names.append(found[0])
        current = found[1]
    return "/".join(reversed(names)) or None


def show_playlist(source: Store | Reader, account_id: int, name_or_id: str) -> PlaylistView:
    """The playlist ``name_or_id`` names (removed ones too, when named by id)."""
    with reading(source) as reader:
        ref = find_playlist(reader, account_id, name_or_id, include_removed=True)
        params = {"account": account_id, "id": ref.id}
        head = first(
            reader,
            "SELECT p.library_id, p.catalog_id, p.name, p.description, p.folder_library_id, "
            "p.can_edit, p.removed_at, p.current_revision_id, EXISTS (SELECT 1 FROM favourites f "
            "WHERE f.account_id = p.account_id AND f.item_type = 'playlist' "
            "AND f.library_id = p.library_id AND f.local = 'favourite') "
            "FROM playlists p WHERE p.id = :id AND p.account_id = :account",
            params,
        )
        assert head is not None, "find_playlist returned a playlist that is not there"
        view = PlaylistView(
            library_id=head[0],
            catalog_id=head[1],
            name=head[2],
            description=head[3],
            folder=_folder_path(reader, account_id, head[4]),
            favourite=bool(head[8]),
            can_edit=None if head[5] is None else bool(head[5]),
            removed=head[6] is not None,
        )
        if head[7] is not None:
            rows = reader.rows(_TRACKS_SQL, {"account": account_id, "revision": head[7]})
            view.tracks = [dict(zip(TRACK_COLUMNS, row, strict=True)) for row in rows]
        return view
