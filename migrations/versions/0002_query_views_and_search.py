"""Query views and full-text search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:40:00

Views (both backends; documented in README "Querying the mirror"; their columns are a stable
interface — add columns, never rename or remove). They show live items (``removed_at IS NULL``)
of every account, with ``account_id`` and ``account`` (the account name); ``amsync query`` shows
only the current account's rows unless ``--all-accounts``.

- ``songs_v``            library songs with their catalog metadata (ISRC, composer, URL, …)
- ``albums_v``           library albums with catalog label and UPC
- ``artists_v``          library artists
- ``folders_v``          playlist folders with their path (``Parent/Child``)
- ``playlists_v``        playlists with folder path and current track count
- ``playlist_tracks_v``  current tracks of every playlist, in order (``position`` from 0)
- ``playlist_entries_v`` every revision's tracks, with the revision's ``valid_from``/``valid_to``
- ``favourites_v``       favourites with state (local wish) and push status
- ``changes_v``          what each run changed, with the run's times and status

Search:
- SQLite: FTS5 tables ``search_songs(name, artist, album)``, ``search_albums(name, artist)``,
  ``search_artists(name)``, ``search_playlists(name, description)`` whose rowid is the item's
  ``id``, tokenised with ``unicode61 remove_diacritics 2``, kept in step by
  ``search_*`` triggers on insert, update and delete of the item tables — whoever writes the
  mirror keeps the index current. NOTE for later migrations: rebuilding one of these tables
  (SQLite batch mode) drops its triggers; recreate them (copy ``_sqlite_search_ddl``).
- PostgreSQL: trigram GIN indexes ``search_<table>_trgm`` on the lower-cased searchable text
  when the ``pg_trgm`` extension is (or can be) installed; without it search still works, by
  scanning. Downgrade drops the indexes and leaves the extension (database-wide, maybe shared).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _favourite(item_type: str, alias: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM favourites fav WHERE fav.account_id = "
        f"{alias}.account_id AND fav.item_type = '{item_type}' AND fav.library_id = "
        f"{alias}.library_id AND fav.local = 'favourite')"
    )


VIEWS: Final[dict[str, str]] = {
    "songs_v": f"""
SELECT s.account_id, a.name AS account, s.id, s.library_id, s.catalog_id, s.kind, s.name,
       s.artist, s.album, COALESCE(s.duration_ms, c.duration_ms) AS duration_ms,
       COALESCE(s.track_number, c.track_number) AS track_number,
       COALESCE(s.disc_number, c.disc_number) AS disc_number,
       COALESCE(s.genres, c.genres) AS genres,
       COALESCE(s.release_date, c.release_date) AS release_date,
       s.date_added, c.isrc, c.composer, c.url AS catalog_url, c.available AS catalog_available,
       c.fetched_at AS catalog_fetched_at, {_favourite("song", "s")} AS favourite,
       s.first_seen_at, s.last_seen_at
FROM songs s
JOIN accounts a ON a.id = s.account_id
LEFT JOIN catalog_songs c ON c.account_id = s.account_id AND c.catalog_id = s.catalog_id
WHERE s.removed_at IS NULL""",
    "albums_v": f"""
SELECT al.account_id, a.name AS account, al.id, al.library_id, al.catalog_id, al.name,
       al.artist, COALESCE(al.track_count, c.track_count) AS track_count,
       COALESCE(al.release_date, c.release_date) AS release_date,
       COALESCE(al.genres, c.genres) AS genres, al.date_added, c.record_label, c.upc,
       c.copyright, {_favourite("album", "al")} AS favourite, al.first_seen_at, al.last_seen_at
FROM albums al
JOIN accounts a ON a.id = al.account_id
LEFT JOIN catalog_albums c ON c.account_id = al.account_id AND c.catalog_id = al.catalog_id
WHERE al.removed_at IS NULL""",
    "artists_v": f"""
SELECT ar.account_id, a.name AS account, ar.id, ar.library_id, ar.catalog_id, ar.name,
       {_favourite("artist", "ar")} AS favourite, ar.first_seen_at, ar.last_seen_at
FROM artists ar
JOIN accounts a ON a.id = ar.account_id
WHERE ar.removed_at IS NULL""",
    "folders_v": """
WITH RECURSIVE walk(account_id, folder_id, parent_id, path, depth) AS (
    SELECT account_id, library_id, parent_library_id, name, 0 FROM playlist_folders
    UNION ALL
    SELECT w.account_id, w.folder_id, p.parent_library_id, p.name || '/' || w.path, w.depth + 1
    FROM walk w
    JOIN playlist_folders p ON p.account_id = w.account_id AND p.library_id = w.parent_id
    WHERE w.depth < 32
)
SELECT f.account_id, a.name AS account, f.id, f.library_id, f.name, f.parent_library_id,
       (SELECT w.path FROM walk w WHERE w.account_id = f.account_id
          AND w.folder_id = f.library_id ORDER BY w.depth DESC LIMIT 1) AS path
FROM playlist_folders f
JOIN accounts a ON a.id = f.account_id
WHERE f.removed_at IS NULL""",
    "playlists_v": f"""
SELECT p.account_id, a.name AS account, p.id, p.library_id, p.catalog_id, p.name,
       p.description, p.can_edit, p.is_public, fv.path AS folder, p.folder_library_id,
       COALESCE(r.track_count, 0) AS track_count, r.valid_from AS revision_since,
       p.date_added, {_favourite("playlist", "p")} AS favourite, p.first_seen_at,
       p.last_seen_at
FROM playlists p
JOIN accounts a ON a.id = p.account_id
LEFT JOIN playlist_revisions r ON r.id = p.current_revision_id
LEFT JOIN folders_v fv ON fv.account_id = p.account_id AND fv.library_id = p.folder_library_id
WHERE p.removed_at IS NULL""",
    "playlist_tracks_v": """
SELECT p.account_id, a.name AS account, p.library_id AS playlist_id,
       p.name AS playlist_name, fv.path AS folder, e.position,
       e.track_library_id AS library_id,
       COALESCE(e.track_catalog_id, s.catalog_id) AS catalog_id, e.kind, e.name, e.artist,
       e.album, COALESCE(e.duration_ms, c.duration_ms) AS duration_ms, c.isrc,
       c.available AS catalog_available, s.id IS NOT NULL AS in_library
FROM playlists p
JOIN accounts a ON a.id = p.account_id
JOIN playlist_entries e ON e.revision_id = p.current_revision_id
LEFT JOIN songs s ON s.account_id = p.account_id AND s.library_id = e.track_library_id
LEFT JOIN catalog_songs c
       ON c.account_id = p.account_id AND c.catalog_id = COALESCE(e.track_catalog_id, s.catalog_id)
LEFT JOIN folders_v fv ON fv.account_id = p.account_id AND fv.library_id = p.folder_library_id
WHERE p.removed_at IS NULL""",
    "playlist_entries_v": """
SELECT r.account_id, a.name AS account, p.library_id AS playlist_id,
       p.name AS playlist_name, r.id AS revision_id, r.name AS revision_name, r.run_id,
       r.valid_from, r.valid_to, r.id = p.current_revision_id AS is_current, e.position,
       e.track_library_id AS library_id, e.track_catalog_id AS catalog_id, e.kind, e.name,
       e.artist, e.album, e.duration_ms
FROM playlist_revisions r
JOIN accounts a ON a.id = r.account_id
JOIN playlists p ON p.id = r.playlist_id
JOIN playlist_entries e ON e.revision_id = r.id""",
    "favourites_v": """
SELECT f.account_id, a.name AS account, f.item_type AS type, f.library_id,
       COALESCE(f.catalog_id, s.catalog_id, al.catalog_id, p.catalog_id, ar.catalog_id)
           AS catalog_id,
       COALESCE(s.name, al.name, p.name, ar.name) AS name, f.local AS state, f.remote, f.base,
       CASE WHEN f.item_type = 'artist' THEN 'local-only'
            WHEN EXISTS (SELECT 1 FROM favourite_pushes fp WHERE fp.account_id = f.account_id
                         AND fp.item_type = f.item_type AND fp.library_id = f.library_id)
            THEN 'pending' ELSE 'synced' END AS status,
       f.updated_at
FROM favourites f
JOIN accounts a ON a.id = f.account_id
LEFT JOIN songs s ON f.item_type = 'song' AND s.account_id = f.account_id
                 AND s.library_id = f.library_id
LEFT JOIN albums al ON f.item_type = 'album' AND al.account_id = f.account_id
                   AND al.library_id = f.library_id
LEFT JOIN playlists p ON f.item_type = 'playlist' AND p.account_id = f.account_id
                     AND p.library_id = f.library_id
LEFT JOIN artists ar ON f.item_type = 'artist' AND ar.account_id = f.account_id
                    AND ar.library_id = f.library_id
WHERE f.local IN ('favourite', 'disliked')""",
    "changes_v": """
SELECT c.account_id, a.name AS account, c.id, c.run_id, r.kind AS run_kind,
       r.status AS run_status, r.started_at AS run_started_at,
       r.finished_at AS run_finished_at, c.item_type, c.library_id, c.change, c.name,
       c.artist, c.detail, c.recorded_at
FROM item_changes c
JOIN accounts a ON a.id = c.account_id
LEFT JOIN sync_runs r ON r.id = c.run_id""",
}

# SQLite full-text search: table -> (FTS table, indexed columns)
SEARCH_TABLES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "songs": ("search_songs", ("name", "artist", "album")),
    "albums": ("search_albums", ("name", "artist")),
    "artists": ("search_artists", ("name",)),
    "playlists": ("search_playlists", ("name", "description")),
}


def _sqlite_search_ddl(table: str) -> list[str]:
    fts, columns = SEARCH_TABLES[table]
    names = ", ".join(columns)
    new_values = ", ".join(f"new.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new_values});"
    delete = f"DELETE FROM {fts} WHERE rowid = old.id;"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, "
        "tokenize = 'unicode61 remove_diacritics 2')",
        f"INSERT INTO {fts}(rowid, {names}) SELECT id, {names} FROM {table}",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def postgres_search_expression(table: str) -> str:
    """The lower-cased text search matches on PostgreSQL (``amsync.query.search`` uses the same
    expression, so that the trigram index serves it)."""
    _, columns = SEARCH_TABLES[table]
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"lower({joined})"


def _has_fts5() -> bool:
    return bool(
        op.get_bind().exec_driver_sql("SELECT sqlite_compileoption_used('ENABLE_FTS5')").scalar()
    )


def _ensure_pg_trgm() -> bool:
    bind = op.get_bind()
    present = "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    if bind.exec_driver_sql(present).first() is not None:
        return True
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        return False  # not installed on the server, or no right to create it: search scans
    return True


def upgrade() -> None:
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")
    if op.get_bind().dialect.name == "sqlite":
        if _has_fts5():
            for table in SEARCH_TABLES:
                for statement in _sqlite_search_ddl(table):
                    op.execute(statement)
        return
    if op.get_bind().dialect.name == "postgresql" and _ensure_pg_trgm():
        for table in SEARCH_TABLES:
            op.execute(
                f"CREATE INDEX search_{table}_trgm ON {table} "
                f"USING gin (({postgres_search_expression(table)}) gin_trgm_ops)"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for fts, _ in SEARCH_TABLES.values():
            for suffix in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    else:
        for table in SEARCH_TABLES:
            op.execute(f"DROP INDEX IF EXISTS search_{table}_trgm")
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
