"""``amsync show playlist``: one playlist with its current tracks in order."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from amsync.db.store import Store
from amsync.export import playlist_rows
from amsync.query.playlist_lookup import find_playlist
from amsync.query.snapshot import snapshot


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


def show_playlist(store: Store, account_id: int, name_or_id: str) -> PlaylistView:
    """The playlist ``name_or_id`` names (removed ones too, when named by id)."""
    with snapshot(store) as connection:
        ref = find_playlist(connection, account_id, name_or_id, include_removed=True)
        pairs = playlist_rows.playlists(connection, account_id, include_removed=True, only=[ref.id])
        for head, tracks in pairs:
            view = PlaylistView(
                library_id=head.library_id,
                catalog_id=head.catalog_id,
                name=head.name,
                description=head.description,
                folder="/".join(head.folder) if head.folder else None,
                favourite=head.favourite,
                can_edit=head.can_edit,
                removed=head.removed_at is not None,
            )
            view.tracks = [
                {
                    "position": t.position,
                    "library_id": t.library_id,
                    "catalog_id": t.catalog_id,
                    "name": t.name,
                    "artist": t.artist,
                    "album": t.album,
                    "duration_ms": t.duration_ms,
                    "isrc": t.isrc,
                }
                for t in tracks
            ]
            return view
    raise AssertionError("find_playlist returned a playlist the export reader does not see")
