"""``amsync datasette-metadata``: a Datasette metadata document for the mirror — a title and a
description for every documented view and its columns (``view_docs``), and canned queries for
the questions the guide "Offline queries and Datasette" answers. Use:
``amsync datasette-metadata > metadata.json`` then ``datasette amsync.db --metadata metadata.json``.

Datasette finds the full-text index of ``songs``, ``albums``, ``artists`` and ``playlists`` by
itself (migration 0004 made them external-content FTS5 tables), so ``/amsync/songs?_search=``
works without configuration. It cannot find it for a view: the document points ``songs_v``,
``albums_v``, ``artists_v`` and ``playlists_v`` at their table's index (``fts_table``, and
``fts_pk``: the view's ``id``, the index's rowid), so ``/amsync/songs_v?_search=`` works too.
The canned queries run on the database as it is (every account; Datasette has no
``--account``): each one returns the ``account`` column.
"""

from __future__ import annotations

from typing import Any, Final

from amsync.db.reading import Reader
from amsync.query.report_queries import LOST_QUERY, REPORT_QUERIES
from amsync.query.view_docs import VIEWS, column_description

TITLE: Final = "amsync: an Apple Music library mirror"
VIEW_SEARCH: Final = {
    "songs_v": "search_songs",
    "albums_v": "search_albums",
    "artists_v": "search_artists",
    "playlists_v": "search_playlists",
}
"""Each searchable view and the full-text index of its table (rowid = the view's ``id``)."""

CANNED_QUERIES: Final[dict[str, dict[str, str]]] = {
    "vanished_from_playlist": {
        "title": "What vanished from a playlist",
        "description": "Tracks an earlier version of the playlist held that its current "
        "list does not, with when they were last in it. :playlist is its name or library id.",
        "sql": """SELECT e.account, e.library_id, e.name, e.artist, e.album,
       max(e.valid_to) AS last_in_playlist
FROM playlist_entries_v e
WHERE (e.playlist_id = :playlist OR e.playlist_name = :playlist) AND NOT e.is_current
  AND e.library_id NOT IN (
      SELECT c.library_id FROM playlist_entries_v c
      WHERE c.account_id = e.account_id AND c.playlist_id = e.playlist_id AND c.is_current)
GROUP BY e.account, e.library_id, e.name, e.artist, e.album
ORDER BY last_in_playlist DESC""",
    },
    "playlist_on_date": {
        "title": "A playlist as it was on a date",
        "description": "The tracks of the playlist's version that held at :date (2026-03-01 "
        "or 2026-03-01T12:00:00Z). :playlist is its name or library id.",
        "sql": """SELECT account, revision_name AS playlist, position, library_id, name, artist,
       album, duration_ms, valid_from, valid_to
FROM playlist_entries_v
WHERE (playlist_id = :playlist OR playlist_name = :playlist)
  AND valid_from <= :date AND (valid_to IS NULL OR valid_to > :date)
ORDER BY account, position""",
    },
    "withdrawn_songs": {
        "title": "Songs Apple withdrew",
        "description": "Library songs whose catalog entry Apple no longer offers.",
        "sql": """SELECT account, library_id, name, artist, album, catalog_id, catalog_url
FROM songs_v
WHERE NOT catalog_available
ORDER BY account, artist, name""",
    },
    "favourites_pending": {
        "title": "Favourite changes waiting to be pushed",
        "description": "Changes to favourites made in amsync that Apple Music has not "
        "confirmed yet — marks, dislikes and unmarks — with the attempts so far "
        "(`amsync favourites push` sends them).",
        "sql": """SELECT a.name AS account, p.item_type AS type, p.library_id,
       COALESCE(s.name, al.name, pl.name) AS name, p.target, f.remote AS apples,
       p.attempts, p.last_error
FROM favourite_pushes p
JOIN accounts a ON a.id = p.account_id
LEFT JOIN favourites f ON f.account_id = p.account_id AND f.item_type = p.item_type
     AND f.library_id = p.library_id
LEFT JOIN songs s ON p.item_type = 'song' AND s.account_id = p.account_id
     AND s.library_id = p.library_id
LEFT JOIN albums al ON p.item_type = 'album' AND al.account_id = p.account_id
     AND al.library_id = p.library_id
LEFT JOIN playlists pl ON p.item_type = 'playlist' AND pl.account_id = p.account_id
     AND pl.library_id = p.library_id
ORDER BY account, type, name""",
    },
    "removed_since": {
        "title": "What left the library since a date",
        "description": "Songs, albums, artists and playlists removed since :since "
        "(2026-03-01), with the run that noticed it.",
        "sql": """SELECT account, run_started_at, item_type, library_id, name, artist
FROM changes_v
WHERE change = 'removed' AND run_started_at >= :since
ORDER BY run_started_at, item_type, name""",
    },
}


def search_tables(reader: Reader) -> set[str]:
    """The full-text indexes the database has (none on PostgreSQL, or without FTS5)."""
    if reader.backend != "sqlite":
        return set()
    names = ", ".join(f"'{name}'" for name in VIEW_SEARCH.values())
    rows = reader.rows(f"SELECT name FROM sqlite_master WHERE name IN ({names})")
    return {str(row[0]) for row in rows}


def view_columns(reader: Reader) -> dict[str, list[str]]:
    """The columns of every documented view in the database, in order."""
    if reader.backend == "sqlite":
        sql = (
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'view' ORDER BY m.name, p.cid"
        )
    else:
        sql = (
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
    found: dict[str, list[str]] = {}
    for view, column in reader.rows(sql):
        if str(view) in VIEWS:
            found.setdefault(str(view), []).append(str(column))
    return found


def _queries(columns: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """The canned queries: README's questions, one per section of ``amsync report``, and the
    lost songs' one where the database has ``lost_v``."""
    found = {**CANNED_QUERIES, **REPORT_QUERIES}
    if "lost_v" in columns:
        found.update(LOST_QUERY)
    return found


def datasette_metadata(
    database: str, columns: dict[str, list[str]], searchable: set[str] | None = None
) -> dict[str, Any]:
    """The metadata document for the database Datasette names ``database`` (its file name
    without ``.db``), with ``columns`` of each view (``view_columns``) and the full-text
    indexes the database has (``search_tables``)."""
    tables: dict[str, Any] = {}
    for view, doc in VIEWS.items():
        described = {
            column: text
            for column in columns.get(view, list(doc.columns))
            if (text := column_description(view, column))
        }
        tables[view] = {"title": doc.title, "description": doc.description, "columns": described}
        index = VIEW_SEARCH.get(view)
        if index is not None and index in (searchable or set()):
            tables[view] |= {"fts_table": index, "fts_pk": "id"}
    tables["alembic_version"] = {"hidden": True}
    return {
        "title": TITLE,
        "description": "Your Apple Music library as amsync mirrors it. The views (…_v) are "
        "the stable interface; the tables hold every revision and removed item too.",
        "databases": {
            database: {
                "description": "Start with songs_v, playlists_v and playlist_tracks_v, or a "
                "canned query below. Search: songs, albums, artists and playlists, and their "
                "views songs_v, albums_v, artists_v and playlists_v, have full-text search.",
                "tables": tables,
                "queries": {name: dict(query) for name, query in _queries(columns).items()},
            }
        },
    }
