"""``amsync health``: what is wrong with the library itself (not with amsync).

Checks, each with a count and the first ``limit`` items:
- ``unavailable``: songs whose catalog entry Apple withdrew (``catalog_songs.available`` false)
- ``uploads_without_catalog``: songs without a catalog id (uploads, unmatched files)
- ``duplicate_catalog_ids``: several library songs for one catalog song
- ``duplicate_names``: several songs with the same name, artist and album (ignoring case)
- ``duplicate_playlist_entries``: a track more than once in a playlist
- ``empty_playlists``: playlists without tracks
- ``missing_metadata``: songs without artist, album or duration, or whose catalog metadata was
  never fetched
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from sqlalchemy import Connection, and_, func, select

from amsync.db.models import CatalogSong, Playlist, PlaylistEntry, Song
from amsync.db.store import Store
from amsync.query.snapshot import snapshot

DEFAULT_LIMIT: Final = 20


@dataclass
class HealthCheck:
    name: str
    title: str
    count: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)


def _live_songs(account_id: int) -> Any:
    return and_(Song.account_id == account_id, Song.removed_at.is_(None))


def _catalog_join() -> Any:
    return and_(
        CatalogSong.account_id == Song.account_id, CatalogSong.catalog_id == Song.catalog_id
    )


def _unavailable(account_id: int) -> Any:
    return (
        select(Song.library_id, Song.name, Song.artist, Song.catalog_id)
        .join(CatalogSong, _catalog_join())
        .where(_live_songs(account_id), CatalogSong.available.is_(False))
        .order_by(Song.name)
    )


def _uploads(account_id: int) -> Any:
    return (
        select(Song.library_id, Song.name, Song.artist, Song.album)
        .where(_live_songs(account_id), Song.catalog_id.is_(None))
        .order_by(Song.name)
    )


def _duplicate_catalog_ids(account_id: int) -> Any:
    return (
        select(
            Song.catalog_id,
            func.count().label("copies"),
            func.min(Song.name).label("name"),
            func.min(Song.artist).label("artist"),
        )
        .where(_live_songs(account_id), Song.catalog_id.is_not(None))
        .group_by(Song.catalog_id)
        .having(func.count() > 1)
        .order_by(func.count().desc(), Song.catalog_id)
    )


def _duplicate_names(account_id: int) -> Any:
    keys = (
        func.lower(Song.name),
        func.lower(func.coalesce(Song.artist, "")),
        func.lower(func.coalesce(Song.album, "")),
    )
    return (
        select(
            func.min(Song.name).label("name"),
            func.min(Song.artist).label("artist"),
            func.min(Song.album).label("album"),
            func.count().label("copies"),
        )
        .where(_live_songs(account_id))
        .group_by(*keys)
        .having(func.count() > 1)
        .order_by(func.count().desc(), func.min(Song.name))
    )


def _duplicate_entries(account_id: int) -> Any:
    return (
        select(
            Playlist.library_id.label("playlist_id"),
            Playlist.name.label("playlist_name"),
            PlaylistEntry.track_library_id.label("library_id"),
            func.min(PlaylistEntry.name).label("name"),
            func.count().label("copies"),
        )
        .join(PlaylistEntry, PlaylistEntry.revision_id == Playlist.current_revision_id)
        .where(Playlist.account_id == account_id, Playlist.removed_at.is_(None))
        .group_by(Playlist.library_id, Playlist.name, PlaylistEntry.track_library_id)
        .having(func.count() > 1)
        .order_by(Playlist.name, func.min(PlaylistEntry.name))
    )


def _empty_playlists(account_id: int) -> Any:
    has_tracks = (
        select(PlaylistEntry.id)
        .where(PlaylistEntry.revision_id == Playlist.current_revision_id)
        .exists()
    )
    return (
        select(Playlist.library_id, Playlist.name)
        .where(Playlist.account_id == account_id, Playlist.removed_at.is_(None), ~has_tracks)
        .order_by(Playlist.name)
    )


def _missing_metadata(account_id: int) -> Any:
    never_fetched = and_(Song.catalog_id.is_not(None), CatalogSong.id.is_(None))
    return (
        select(
            Song.library_id,
            Song.name,
            Song.artist,
            Song.album,
            func.coalesce(Song.duration_ms, CatalogSong.duration_ms).label("duration_ms"),
            never_fetched.label("catalog_missing"),
        )
        .outerjoin(CatalogSong, _catalog_join())
        .where(
            _live_songs(account_id),
            (Song.artist.is_(None))
            | (Song.album.is_(None))
            | (func.coalesce(Song.duration_ms, CatalogSong.duration_ms).is_(None))
            | never_fetched,
        )
        .order_by(Song.name)
    )


def _missing_fields(item: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in ("artist", "album", "duration_ms") if item.get(name) is None]
    if item.pop("catalog_missing", False):
        missing.append("catalog metadata")
    return {**item, "missing": missing}


CHECKS: Final[list[tuple[str, str, Callable[[int], Any]]]] = [
    ("unavailable", "catalog songs Apple no longer offers", _unavailable),
    ("uploads_without_catalog", "songs without a catalog match (uploads)", _uploads),
    (
        "duplicate_catalog_ids",
        "catalog songs in the library more than once",
        _duplicate_catalog_ids,
    ),
    ("duplicate_names", "songs with the same name, artist and album", _duplicate_names),
    ("duplicate_playlist_entries", "tracks more than once in a playlist", _duplicate_entries),
    ("empty_playlists", "playlists without tracks", _empty_playlists),
    ("missing_metadata", "songs with missing metadata", _missing_metadata),
]


def _run_check(
    connection: Connection, name: str, title: str, statement: Any, limit: int
) -> HealthCheck:
    check = HealthCheck(name, title)
    count = connection.execute(select(func.count()).select_from(statement.subquery())).scalar()
    check.count = int(count or 0)
    for row in connection.execute(statement.limit(limit)).mappings():
        item = dict(row)
        check.items.append(_missing_fields(item) if name == "missing_metadata" else item)
    return check


def library_health(
    store: Store, account_id: int, *, limit: int = DEFAULT_LIMIT
) -> list[HealthCheck]:
    with snapshot(store) as connection:
        return [
            _run_check(connection, name, title, build(account_id), limit)
            for name, title, build in CHECKS
        ]


def as_dicts(checks: list[HealthCheck]) -> list[dict[str, Any]]:
    return [asdict(check) for check in checks]
