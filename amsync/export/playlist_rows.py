"""Reading playlists for exports: heads, current track lists in order, and folder paths, from
one streamed query grouped on the fly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Connection,
    and_,
    false,
    func,
    null,
    select,
    true,
)

from amsync.db.models import (
    CatalogSong,
    Favourite,
    Playlist,
    PlaylistEntry,
    PlaylistFolder,
    Song,
)
from amsync.export.row_reading import MAX_FOLDER_DEPTH, RATINGS, AnySelect, live, stream
from amsync.query.playlist_lookup import find_playlists

# --- playlists ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaylistHead:
    id: int
    library_id: str
    catalog_id: str | None
    name: str
    description: str | None
    can_edit: bool | None
    favourite: bool
    rating: int | None  # 1 favourite, -1 disliked, None neither (the user's current wish)
    folder: tuple[str, ...] | None  # folder names from the top
    folder_library_id: str | None
    date_added: str | None
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Track:
    position: int
    library_id: str
    catalog_id: str | None
    kind: str
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None
    url: str | None
    track_number: int | None
    disc_number: int | None


@dataclass(frozen=True, slots=True)
class Folder:
    library_id: str
    name: str
    parent_library_id: str | None


def folders(connection: Connection, account_id: int) -> dict[str, Folder]:
    """Every folder of the account (tombstoned ones too: a playlist may still name them)."""
    rows = connection.execute(
        select(
            PlaylistFolder.library_id, PlaylistFolder.name, PlaylistFolder.parent_library_id
        ).where(PlaylistFolder.account_id == account_id)
    )
    return {row[0]: Folder(row[0], row[1], row[2]) for row in rows}


def folder_path(all_folders: dict[str, Folder], library_id: str | None) -> tuple[str, ...] | None:
    """The names from the top folder down to ``library_id``; a loop or unknown parent ends it."""
    names: list[str] = []
    seen: set[str] = set()
    current = library_id
    while current is not None and current not in seen and len(names) < MAX_FOLDER_DEPTH:
        folder = all_folders.get(current)
        if folder is None:
            break
        seen.add(current)
        names.append(folder.name)
        current = folder.parent_library_id
    return tuple(reversed(names)) or None


PLAYLIST_COLUMNS: Final = (
    "playlist_row_id",
    "playlist_library_id",
    "playlist_catalog_id",
    "playlist_name",
    "description",
    "can_edit",
    "favourite",  # a NULL placeholder: ``playlists`` reads the flags once per export
    "folder_library_id",
    "date_added",
    "removed_at",
    # the ``Track`` fields:
    "position",
    "library_id",
    "catalog_id",
    "kind",
    "name",
    "artist",
    "album",
    "duration_ms",
    "isrc",
    "url",
    "track_number",
    "disc_number",
)


def playlist_statement(
    account_id: int,
    *,
    include_removed: bool,
    only: Sequence[int] | None = None,
    tracks_only: bool = False,
) -> AnySelect:
    """The query behind ``playlists``: columns ``PLAYLIST_COLUMNS``, one row per track (and
    one row with empty track columns for a playlist without tracks, unless ``tracks_only``),
    ordered by playlist and position."""
    library_song = Song.__table__.alias("library_song")
    catalog = CatalogSong.__table__.alias("catalog")
    catalog_id = func.coalesce(PlaylistEntry.track_catalog_id, library_song.c.catalog_id)
    statement = (
        select(
            Playlist.id,
            Playlist.library_id,
            Playlist.catalog_id,
            Playlist.name,
            Playlist.description,
            Playlist.can_edit,
            null(),  # the favourite flag: read once per export, not once per track
            Playlist.folder_library_id,
            Playlist.date_added,
            Playlist.removed_at,
            PlaylistEntry.position,
            PlaylistEntry.track_library_id,
            catalog_id,
            PlaylistEntry.kind,
            PlaylistEntry.name,
            PlaylistEntry.artist,
            PlaylistEntry.album,
            func.coalesce(PlaylistEntry.duration_ms, catalog.c.duration_ms),
            catalog.c.isrc,
            catalog.c.url,
            func.coalesce(library_song.c.track_number, catalog.c.track_number),
            func.coalesce(library_song.c.disc_number, catalog.c.disc_number),
        )
        .outerjoin(PlaylistEntry, PlaylistEntry.revision_id == Playlist.current_revision_id)
        .outerjoin(
            library_song,
            and_(
                library_song.c.account_id == Playlist.account_id,
                library_song.c.library_id == PlaylistEntry.track_library_id,
            ),
        )
        .outerjoin(
            catalog,
            and_(catalog.c.account_id == Playlist.account_id, catalog.c.catalog_id == catalog_id),
        )
        .where(Playlist.account_id == account_id, live(Playlist, include_removed))
        .order_by(Playlist.id, PlaylistEntry.position)
    )
    statement = statement.where(_only(only))
    if tracks_only:
        statement = statement.where(PlaylistEntry.position.is_not(None))
    return statement


def _only(only: Sequence[int] | None) -> Any:
    if only is None:
        return true()
    return Playlist.id.in_(only) if only else false()


def playlist_count(
    connection: Connection,
    account_id: int,
    *,
    include_removed: bool,
    only: Sequence[int] | None = None,
) -> int:
    """How many playlists ``playlists`` would yield."""
    statement = select(func.count(Playlist.id)).where(
        Playlist.account_id == account_id, live(Playlist, include_removed), _only(only)
    )
    return int(connection.execute(statement).scalar_one())


def chosen_ids(
    connection: Connection, account_id: int, names: Sequence[str] | None, *, include_removed: bool
) -> list[int] | None:
    """The ids of the playlists ``names`` names (each a name or an id; a ``UsageError`` for a
    name that matches none or several), or ``None`` — every playlist — when ``names`` is."""
    if names is None:
        return None
    refs = find_playlists(connection, account_id, names, include_removed=include_removed)
    return [ref.id for ref in refs]


def chosen_playlists(
    connection: Connection,
    account_id: int,
    names: Sequence[str] | None,
    *,
    include_removed: bool,
) -> Iterator[tuple[PlaylistHead, Iterator[Track]]]:
    """``playlists`` of those ``chosen_ids`` finds (looked up at once, so a wrong name is an
    error before anything is written)."""
    only = chosen_ids(connection, account_id, names, include_removed=include_removed)
    return playlists(connection, account_id, include_removed=include_removed, only=only)


def playlists(
    connection: Connection,
    account_id: int,
    *,
    include_removed: bool,
    only: Sequence[int] | None = None,
) -> Iterator[tuple[PlaylistHead, Iterator[Track]]]:
    """Each playlist with an iterator over its current tracks in order. Consume each track
    iterator before asking for the next playlist."""
    all_folders = folders(connection, account_id)
    statement = playlist_statement(account_id, include_removed=include_removed, only=only)
    ratings = {
        library_id: RATINGS[state]
        for library_id, state in connection.execute(
            select(Favourite.library_id, Favourite.local).where(
                Favourite.account_id == account_id,
                Favourite.item_type == "playlist",
                Favourite.local.in_(tuple(RATINGS)),
            )
        )
    }
    rows = stream(connection, statement)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        first = next(group)
        head = PlaylistHead(
            id=first[0],
            library_id=first[1],
            catalog_id=first[2],
            name=first[3],
            description=first[4],
            can_edit=first[5],
            favourite=ratings.get(first[1]) == 1,
            rating=ratings.get(first[1]),
            folder=folder_path(all_folders, first[7]),
            folder_library_id=first[7],
            date_added=first[8],
            removed_at=first[9],
        )
        # the group is consumed through _tracks before groupby moves on
        yield head, _tracks(itertools.chain((first,), group))  # noqa: B031


def _tracks(rows: Iterator[Any]) -> Iterator[Track]:
    for row in rows:
        if row[10] is None:  # a playlist without tracks: the outer join's empty row
            continue
        yield Track(*row[10:])
