"""What the mirror should hold for an emulator library, and what it does hold.

Both sides are reduced to plain, comparable dicts of the live (not tombstoned) items, so a test
can assert ``actual_mirror(db) == expected_mirror(library)`` and see a readable diff.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amsync.db import tables
from amsync.db.store import Store
from amsync.emulator import Library


def _t(value: Any) -> Any:
    """The documented storage rule: NUL in text is stored as U+FFFD."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def expected_mirror(library: Library) -> dict[str, Any]:
    songs = {
        s.id: (
            _t(s.name),
            _t(s.artist_name),
            _t(s.album_name) or None,
            s.catalog_id,
            "song" if s.kind == "song" else "music-video",
        )
        for s in [*library.songs.values(), *library.music_videos.values()]
    }
    favourites: dict[tuple[str, str], str] = {}
    for kind, items, rating_type in (
        ("song", library.songs, "library-songs"),
        ("album", library.albums, "library-albums"),
        ("playlist", library.playlists, "library-playlists"),
    ):
        for item_id in items:
            value = library.rating_of(rating_type, item_id)
            if value:
                favourites[(kind, item_id)] = "favourite" if value > 0 else "disliked"
    return {
        "songs": songs,
        "albums": {
            a.id: (_t(a.name), _t(a.artist_name), a.catalog_id) for a in library.albums.values()
        },
        "artists": {a.id: (_t(a.name), a.catalog_id) for a in library.artists.values()},
        "folders": {f.id: (_t(f.name), f.parent_id) for f in library.folders.values()},
        "playlists": {
            p.id: (_t(p.name), p.parent_id, tuple(p.tracks)) for p in library.playlists.values()
        },
        "favourites": favourites,
        "withdrawn": {
            c.id
            for c in library.catalog_songs.values()
            if c.withdrawn and any(s.catalog_id == c.id for s in library.songs.values())
        },
    }


def actual_mirror(store: Store, account: str = "default") -> dict[str, Any]:
    account_id = store.account_id(account)
    with store.session() as session:

        def live(table: Any, *columns: Any) -> Any:
            return session.execute(
                select(table.c.library_id, *columns).where(
                    table.c.account_id == account_id, table.c.removed_at.is_(None)
                )
            )

        songs = {
            r[0]: tuple(r[1:])
            for r in live(
                tables.songs,
                tables.songs.c.name,
                tables.songs.c.artist,
                tables.songs.c.album,
                tables.songs.c.catalog_id,
                tables.songs.c.kind,
            )
        }
        albums = {
            r[0]: tuple(r[1:])
            for r in live(
                tables.albums,
                tables.albums.c.name,
                tables.albums.c.artist,
                tables.albums.c.catalog_id,
            )
        }
        artists = {
            r[0]: tuple(r[1:])
            for r in live(tables.artists, tables.artists.c.name, tables.artists.c.catalog_id)
        }
        folders = {
            r[0]: tuple(r[1:])
            for r in live(
                tables.playlist_folders,
                tables.playlist_folders.c.name,
                tables.playlist_folders.c.parent_library_id,
            )
        }
        playlists: dict[str, Any] = {}
        p, e = tables.playlists, tables.playlist_entries
        for library_id, name, folder, revision in live(
            p, p.c.name, p.c.folder_library_id, p.c.current_revision_id
        ):
            tracks = session.execute(
                select(e.c.track_library_id)
                .where(e.c.revision_id == revision)
                .order_by(e.c.position)
            ).scalars()
            playlists[library_id] = (name, folder, tuple(tracks))
        f = tables.favourites
        favourites = {
            (r.item_type, r.library_id): r.remote
            for r in session.execute(
                select(f.c.item_type, f.c.library_id, f.c.remote).where(
                    f.c.account_id == account_id, f.c.remote != "none"
                )
            )
        }
        c = tables.catalog_songs
        withdrawn = set(
            session.execute(
                select(c.c.catalog_id).where(c.c.account_id == account_id, c.c.available.is_(False))
            ).scalars()
        )
    live = {"song": songs, "album": albums, "playlist": playlists}
    favourites = {key: v for key, v in favourites.items() if key[1] in live[key[0]]}
    live_catalog_ids = {song[3] for song in songs.values()}
    withdrawn &= live_catalog_ids
    return {
        "songs": songs,
        "albums": albums,
        "artists": artists,
        "folders": folders,
        "playlists": playlists,
        "favourites": favourites,
        "withdrawn": withdrawn,
    }


def dump_tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every mirror table, for "nothing changed" assertions."""
    names = [
        "songs",
        "albums",
        "artists",
        "playlists",
        "playlist_folders",
        "playlist_revisions",
        "playlist_entries",
        "catalog_songs",
        "catalog_albums",
        "catalog_artists",
        "favourites",
        "favourite_pushes",
        "item_changes",
    ]
    with store.session() as session:
        return {
            name: sorted(
                (tuple(map(repr, row)) for row in session.execute(select(getattr(tables, name)))),
            )
            for name in names
        }
