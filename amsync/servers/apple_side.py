"""What the mirror says should be on the server: the chosen playlists with their tracks in
order, the favourites and dislikes, and where amsync's local match put each song's file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, Table, and_, select

from amsync.db import tables
from amsync.export.playlist_rows import chosen_playlists
from amsync.local.match_rows import local_paths
from amsync.servers.matching import AppleSong, LocalFiles

FOLDER_SEPARATOR: Final = "/"
_CONTROL: Final = dict.fromkeys((*range(32), 127), " ")


@dataclass(frozen=True, slots=True)
class ApplePlaylist:
    library_id: str
    name: str  # Apple's name
    folder: tuple[str, ...]  # folder names from the top, () when at the top
    tracks: tuple[AppleSong, ...]

    def server_name(self, *, folders: bool) -> str:
        """The server playlist's name: Apple's, with its folder path as a prefix (``folders``);
        control characters become spaces."""
        parts = [*self.folder, self.name] if folders else [self.name]
        return FOLDER_SEPARATOR.join(parts).translate(_CONTROL).strip() or "(no name)"


@dataclass(frozen=True, slots=True)
class Wish:
    """A favourite (or dislike) of an album or artist."""

    library_id: str
    name: str
    artist: str | None


@dataclass(frozen=True, slots=True)
class AppleWishes:
    favourite_songs: tuple[AppleSong, ...]
    favourite_albums: tuple[Wish, ...]
    favourite_artists: tuple[Wish, ...]
    disliked_songs: tuple[AppleSong, ...]


def read_playlists(
    connection: Connection, account_id: int, names: Sequence[str] | None
) -> list[ApplePlaylist]:
    """The chosen live playlists (``None``: all), each with its tracks in order."""
    found: list[ApplePlaylist] = []
    for head, tracks in chosen_playlists(connection, account_id, names, include_removed=False):
        songs = tuple(
            AppleSong(t.library_id, t.catalog_id, t.name, t.artist, t.album, t.duration_ms,
                      t.isrc)
            for t in tracks
            if t.kind != "music-video"
        )  # fmt: skip
        found.append(ApplePlaylist(head.library_id, head.name, head.folder or (), songs))
    return found


def playlist_names(
    connection: Connection, account_id: int
) -> tuple[frozenset[str], dict[str, str]]:
    """The live playlists' ids, and every playlist's name (removed ones too) by id."""
    table = tables.playlists
    rows = connection.execute(
        select(table.c.library_id, table.c.name, table.c.removed_at).where(
            table.c.account_id == account_id
        )
    ).all()
    live = frozenset(row[0] for row in rows if row[2] is None)
    return live, {row[0]: row[1] for row in rows}


def read_wishes(connection: Connection, account_id: int) -> AppleWishes:
    """Favourite songs, albums and artists, and disliked songs — the user's current wish
    (``local``), items still in the library."""
    favourites = tables.favourites
    songs, catalog = tables.songs, tables.catalog_songs
    statement = (
        select(
            favourites.c.local,
            songs.c.library_id,
            songs.c.catalog_id,
            songs.c.name,
            songs.c.artist,
            songs.c.album,
            songs.c.duration_ms,
            catalog.c.isrc,
        )
        .join(
            songs,
            and_(songs.c.account_id == favourites.c.account_id,
                 songs.c.library_id == favourites.c.library_id),
        )
        .outerjoin(
            catalog,
            and_(catalog.c.account_id == songs.c.account_id,
                 catalog.c.catalog_id == songs.c.catalog_id),
        )
        .where(
            favourites.c.account_id == account_id,
            favourites.c.item_type == "song",
            favourites.c.local.in_(("favourite", "disliked")),
            songs.c.removed_at.is_(None),
        )
        .order_by(songs.c.id)
    )  # fmt: skip
    liked: list[AppleSong] = []
    disliked: list[AppleSong] = []
    for state, *values in connection.execute(statement):
        song = AppleSong(values[0], values[1], values[2] or "", values[3], values[4], values[5],
                         (values[6] or "").replace("-", "").upper() or None)  # fmt: skip
        (liked if state == "favourite" else disliked).append(song)
    return AppleWishes(
        tuple(liked),
        tuple(_wishes(connection, account_id, tables.albums, with_artist=True)),
        tuple(_wishes(connection, account_id, tables.artists, with_artist=False)),
        tuple(disliked),
    )


def _wishes(
    connection: Connection, account_id: int, items: Table, *, with_artist: bool
) -> list[Wish]:
    favourites = tables.favourites
    kind = "album" if with_artist else "artist"
    columns = [items.c.library_id, items.c.name]
    if with_artist:
        columns.append(items.c.artist)
    statement = (
        select(*columns)
        .join(
            favourites,
            and_(favourites.c.account_id == items.c.account_id,
                 favourites.c.library_id == items.c.library_id),
        )
        .where(
            favourites.c.account_id == account_id,
            favourites.c.item_type == kind,
            favourites.c.local == "favourite",
            items.c.removed_at.is_(None),
        )
        .order_by(items.c.id)
    )  # fmt: skip
    return [
        Wish(row[0], row[1] or "", row[2] if with_artist else None)
        for row in connection.execute(statement)
    ]


def read_local_files(connection: Connection, account_id: int) -> LocalFiles:
    """Where ``amsync local match`` put each song's file (files not gone), and the files'
    MusicBrainz recording ids."""
    paths = local_paths(connection, account_id)
    files = tables.local_files
    wanted = set(paths.by_library_id.values())
    recordings: dict[str, str] = {}
    if wanted:
        rows = connection.execute(
            select(files.c.path, files.c.mb_recording_id).where(
                files.c.mb_recording_id.is_not(None), files.c.gone_at.is_(None)
            )
        )
        recordings = {path: mbid for path, mbid in rows if path in wanted}
    return LocalFiles(paths.by_library_id, paths.by_catalog_id, recordings)
