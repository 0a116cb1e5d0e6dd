"""What the mirror should hold for an emulator library, and what it does hold.

Both sides are reduced to plain, comparable dicts of the live (not tombstoned) items, so a test
can assert ``actual_mirror(db) == expected_mirror(library)`` and see a readable diff. Every
table a sync writes is compared (``COMPARED``) — library items, playlists with their current
revision and its entries, the catalog rows of the live items (withdrawn ones as ``WITHDRAWN``)
and favourites — so a row that is never written, or written wrong, shows; the other tables are
named in ``NOT_COMPARED`` with the reason, and a test keeps the two lists complete.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amsync.db import tables
from amsync.db.store import Store
from amsync.emulator import Library

WITHDRAWN = "withdrawn"
"""A catalog row Apple's catalog no longer returns (``available`` false)."""

COMPARED = frozenset(
    {
        "songs",
        "albums",
        "artists",
        "playlist_folders",
        "playlists",
        "playlist_revisions",
        "playlist_entries",
        "catalog_songs",
        "catalog_albums",
        "catalog_artists",
        "favourites",
    }
)
NOT_COMPARED = {
    "accounts": "one row per account, created before the first sync",
    "sync_runs": "the runs' own record, checked by the tests of runs",
    "item_changes": "history of what runs changed, checked by the history tests",
    "run_locks": "held only while a run runs",
    "favourite_pushes": "the favourites push outbox: a sync never writes it",
    "local_files": "written by `amsync local scan`, not by a sync",
    "local_matches": "written by `amsync local match`",
    "local_links": "written by `amsync local link`",
    "listening_imports": "written by `amsync import apple-data`",
    "play_events": "written by `amsync import apple-data`",
    "play_days": "written by `amsync import apple-data`",
    "library_track_counts": "written by `amsync import apple-data`",
    "replay_summaries": "Apple's Replay a sync keeps: tests/sync/test_replay_summaries",
    "replay_summary_items": "Apple's Replay a sync keeps: tests/sync/test_replay_summaries",
    "lost_songs": "losses a sync finds, with their causes: checked by tests/lost",
    "lost_entries": "losses a sync finds, per playlist: checked by tests/lost",
    "listen_lookups": "written by `amsync listens fill`",
    "play_fills": "written by `amsync listens fill`",
    "listen_targets": "written by `amsync listens push`",
    "listen_submissions": "written by `amsync listens push`",
    "subsonic_servers": "written by `amsync server push|status`",
    "subsonic_songs": "written by `amsync server push|status`",
    "subsonic_playlists": "written by `amsync server push`",
    "subsonic_stars": "written by `amsync server push --favourites|--ratings`",
}


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
    tracks = {**library.songs, **library.music_videos}
    return {
        "songs": songs,
        "albums": {
            a.id: (_t(a.name), _t(a.artist_name), a.catalog_id) for a in library.albums.values()
        },
        "artists": {a.id: (_t(a.name), a.catalog_id) for a in library.artists.values()},
        "folders": {f.id: (_t(f.name), f.parent_id) for f in library.folders.values()},
        "playlists": {
            p.id: (
                _t(p.name),
                p.parent_id,
                tuple(
                    (t, tracks[t].catalog_id, "song" if tracks[t].kind == "song" else "music-video")
                    for t in p.tracks
                ),
            )
            for p in library.playlists.values()
        },
        "favourites": favourites,
        **_expected_catalog(library),
    }


def _expected_catalog(library: Library) -> dict[str, dict[str, Any]]:
    """The catalog rows of the library's live items: catalog songs of its songs (music videos
    have none), catalog albums of its albums, catalog artists of its artists."""
    songs: dict[str, Any] = {}
    for s in library.songs.values():
        c = library.catalog_songs.get(s.catalog_id or "")
        if c is not None:
            songs[c.id] = (
                WITHDRAWN
                if c.withdrawn
                else (_t(c.name), _t(c.artist_name), _t(c.album_name), c.isrc, c.duration_ms)
            )
    albums: dict[str, Any] = {}
    for a in library.albums.values():
        if a.catalog_id:
            album = library.catalog_albums.get(a.catalog_id)
            albums[a.catalog_id] = (
                WITHDRAWN if album is None else (_t(album.name), _t(album.artist_name), album.upc)
            )
    artists = {
        a.catalog_id: (_t(library.catalog_artists[a.catalog_id].name),)
        for a in library.artists.values()
        if a.catalog_id and a.catalog_id in library.catalog_artists
    }
    return {"catalog_songs": songs, "catalog_albums": albums, "catalog_artists": artists}


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
        p, e, r = tables.playlists, tables.playlist_entries, tables.playlist_revisions
        for library_id, name, folder, revision in live(
            p, p.c.name, p.c.folder_library_id, p.c.current_revision_id
        ):
            tracks = tuple(
                tuple(row)
                for row in session.execute(
                    select(e.c.track_library_id, e.c.track_catalog_id, e.c.kind)
                    .where(e.c.revision_id == revision)
                    .order_by(e.c.position)
                )
            )
            current = session.execute(
                select(r.c.name, r.c.track_count, r.c.valid_to).where(r.c.id == revision)
            ).one_or_none()
            playlists[library_id] = (name, folder, tracks)
            if current != (name, len(tracks), None):
                playlists[library_id] += (f"current revision {current}",)
        f = tables.favourites
        favourites = {
            (r.item_type, r.library_id): r.remote
            for r in session.execute(
                select(f.c.item_type, f.c.library_id, f.c.remote).where(
                    f.c.account_id == account_id, f.c.remote != "none"
                )
            )
        }
        catalog = {
            "catalog_songs": _catalog_rows(
                session,
                account_id,
                tables.catalog_songs,
                ("name", "artist", "album", "isrc", "duration_ms"),
                {s[3] for s in songs.values() if s[4] == "song"},
            ),
            "catalog_albums": _catalog_rows(
                session,
                account_id,
                tables.catalog_albums,
                ("name", "artist", "upc"),
                {a[2] for a in albums.values()},
            ),
            "catalog_artists": _catalog_rows(
                session,
                account_id,
                tables.catalog_artists,
                ("name",),
                {a[1] for a in artists.values()},
            ),
        }
    live = {"song": songs, "album": albums, "playlist": playlists}
    favourites = {key: v for key, v in favourites.items() if key[1] in live[key[0]]}
    return {
        "songs": songs,
        "albums": albums,
        "artists": artists,
        "folders": folders,
        "playlists": playlists,
        "favourites": favourites,
        **catalog,
    }


def _catalog_rows(
    session: Any, account_id: int, table: Any, columns: tuple[str, ...], wanted: set[str | None]
) -> dict[str, Any]:
    """The catalog rows of the live items (the ids in ``wanted``): their columns, or
    ``WITHDRAWN`` for a row no longer available."""
    selected = select(table.c.catalog_id, table.c.available, *(table.c[n] for n in columns))
    return {
        cid: tuple(values) if available else WITHDRAWN
        for cid, available, *values in session.execute(
            selected.where(table.c.account_id == account_id)
        )
        if cid in wanted
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
