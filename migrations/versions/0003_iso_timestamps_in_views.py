"""Views expose ISO 8601 UTC timestamps; one name per concept across views and exports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:30:00

The views of 0002 showed timestamps as each backend stores them (SQLite: text like
``2026-11-29 09:51:40.812345``; PostgreSQL: ``timestamptz``), so comparing them with what amsync
prints (``2026-11-29T09:51:40Z``) went wrong: ``WHERE run_started_at < '2026-11-29T08:00:00Z'``
counted changes of 09:51 on SQLite. Every timestamp column of every view is now text in one
spelling, ISO 8601 UTC to the second — ``YYYY-MM-DDTHH:MM:SSZ``, no fraction (a fraction would
sort after the second-precision value it belongs to) — on both backends: SQLite's
``strftime('%Y-%m-%dT%H:%M:%SZ', …)`` and PostgreSQL's ``to_char(… AT TIME ZONE 'UTC', …)``
give the same text, and it compares as text in time order. The tables keep full precision.

Columns keep their names and order (a stable interface); added at the end:
``songs_v.content_rating`` (as in the exports) and ``rating`` (1 favourite, -1 disliked, NULL
neither: the user's current wish, as ``"rating"`` in ``export json``) on ``songs_v``,
``albums_v``, ``artists_v`` and ``playlists_v``. ``favourite`` is computed from the same join.

Views without a timestamp (``folders_v``, ``playlist_tracks_v``) stay as 0002 made them; so
does ``playlists_v``'s use of ``folders_v``. Downgrade restores 0002's definitions.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Final

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REDEFINED: Final = (
    "songs_v",
    "albums_v",
    "artists_v",
    "playlists_v",
    "playlist_entries_v",
    "favourites_v",
    "changes_v",
)


def iso_utc(expression: str, dialect: str) -> str:
    """SQL turning a stored timestamp into ``YYYY-MM-DDTHH:MM:SSZ`` text (NULL stays NULL).
    SQLite keeps amsync's times as UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    if dialect == "sqlite":
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {expression})"
    return f"""to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def _favourite_join(item_type: str, alias: str) -> str:
    return (
        f"LEFT JOIN favourites fav ON fav.account_id = {alias}.account_id "
        f"AND fav.item_type = '{item_type}' AND fav.library_id = {alias}.library_id"
    )


_FAVOURITE = "COALESCE(fav.local = 'favourite', FALSE) AS favourite"
_RATING = "CASE fav.local WHEN 'favourite' THEN 1 WHEN 'disliked' THEN -1 END AS rating"


def views(dialect: str) -> dict[str, str]:
    """The redefined views' bodies for ``dialect`` (``sqlite`` or ``postgresql``)."""

    def iso(expression: str, name: str) -> str:
        return f"{iso_utc(expression, dialect)} AS {name}"

    return {
        "songs_v": f"""
SELECT s.account_id, a.name AS account, s.id, s.library_id, s.catalog_id, s.kind, s.name,
       s.artist, s.album, COALESCE(s.duration_ms, c.duration_ms) AS duration_ms,
       COALESCE(s.track_number, c.track_number) AS track_number,
       COALESCE(s.disc_number, c.disc_number) AS disc_number,
       COALESCE(s.genres, c.genres) AS genres,
       COALESCE(s.release_date, c.release_date) AS release_date,
       s.date_added, c.isrc, c.composer, c.url AS catalog_url, c.available AS catalog_available,
       {iso("c.fetched_at", "catalog_fetched_at")}, {_FAVOURITE},
       {iso("s.first_seen_at", "first_seen_at")}, {iso("s.last_seen_at", "last_seen_at")},
       COALESCE(s.content_rating, c.content_rating) AS content_rating, {_RATING}
FROM songs s
JOIN accounts a ON a.id = s.account_id
LEFT JOIN catalog_songs c ON c.account_id = s.account_id AND c.catalog_id = s.catalog_id
{_favourite_join("song", "s")}
WHERE s.removed_at IS NULL""",
        "albums_v": f"""
SELECT al.account_id, a.name AS account, al.id, al.library_id, al.catalog_id, al.name,
       al.artist, COALESCE(al.track_count, c.track_count) AS track_count,
       COALESCE(al.release_date, c.release_date) AS release_date,
       COALESCE(al.genres, c.genres) AS genres, al.date_added, c.record_label, c.upc,
       c.copyright, {_FAVOURITE}, {iso("al.first_seen_at", "first_seen_at")},
       {iso("al.last_seen_at", "last_seen_at")}, {_RATING}
FROM albums al
JOIN accounts a ON a.id = al.account_id
LEFT JOIN catalog_albums c ON c.account_id = al.account_id AND c.catalog_id = al.catalog_id
{_favourite_join("album", "al")}
WHERE al.removed_at IS NULL""",
        "artists_v": f"""
SELECT ar.account_id, a.name AS account, ar.id, ar.library_id, ar.catalog_id, ar.name,
       {_FAVOURITE}, {iso("ar.first_seen_at", "first_seen_at")},
       {iso("ar.last_seen_at", "last_seen_at")}, {_RATING}
FROM artists ar
JOIN accounts a ON a.id = ar.account_id
{_favourite_join("artist", "ar")}
WHERE ar.removed_at IS NULL""",
        "playlists_v": f"""
SELECT p.account_id, a.name AS account, p.id, p.library_id, p.catalog_id, p.name,
       p.description, p.can_edit, p.is_public, fv.path AS folder, p.folder_library_id,
       COALESCE(r.track_count, 0) AS track_count, {iso("r.valid_from", "revision_since")},
       p.date_added, {_FAVOURITE}, {iso("p.first_seen_at", "first_seen_at")},
       {iso("p.last_seen_at", "last_seen_at")}, {_RATING}
FROM playlists p
JOIN accounts a ON a.id = p.account_id
LEFT JOIN playlist_revisions r ON r.id = p.current_revision_id
LEFT JOIN folders_v fv ON fv.account_id = p.account_id AND fv.library_id = p.folder_library_id
{_favourite_join("playlist", "p")}
WHERE p.removed_at IS NULL""",
        "playlist_entries_v": f"""
SELECT r.account_id, a.name AS account, p.library_id AS playlist_id,
       p.name AS playlist_name, r.id AS revision_id, r.name AS revision_name, r.run_id,
       {iso("r.valid_from", "valid_from")}, {iso("r.valid_to", "valid_to")},
       r.id = p.current_revision_id AS is_current, e.position,
       e.track_library_id AS library_id, e.track_catalog_id AS catalog_id, e.kind, e.name,
       e.artist, e.album, e.duration_ms
FROM playlist_revisions r
JOIN accounts a ON a.id = r.account_id
JOIN playlists p ON p.id = r.playlist_id
JOIN playlist_entries e ON e.revision_id = r.id""",
        "favourites_v": f"""
SELECT f.account_id, a.name AS account, f.item_type AS type, f.library_id,
       COALESCE(f.catalog_id, s.catalog_id, al.catalog_id, p.catalog_id, ar.catalog_id)
           AS catalog_id,
       COALESCE(s.name, al.name, p.name, ar.name) AS name, f.local AS state, f.remote, f.base,
       CASE WHEN f.item_type = 'artist' THEN 'local-only'
            WHEN EXISTS (SELECT 1 FROM favourite_pushes fp WHERE fp.account_id = f.account_id
                         AND fp.item_type = f.item_type AND fp.library_id = f.library_id)
            THEN 'pending' ELSE 'synced' END AS status,
       {iso("f.updated_at", "updated_at")}
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
        "changes_v": f"""
SELECT c.account_id, a.name AS account, c.id, c.run_id, r.kind AS run_kind,
       r.status AS run_status, {iso("r.started_at", "run_started_at")},
       {iso("r.finished_at", "run_finished_at")}, c.item_type, c.library_id, c.change, c.name,
       c.artist, c.detail, {iso("c.recorded_at", "recorded_at")}
FROM item_changes c
JOIN accounts a ON a.id = c.account_id
LEFT JOIN sync_runs r ON r.id = c.run_id""",
    }


def _previous_views() -> dict[str, str]:
    """0002's definitions (what downgrade puts back)."""
    module = importlib.import_module("amsync.migrations.versions.0002_query_views_and_search")
    return {name: module.VIEWS[name] for name in REDEFINED}


def _replace(bodies: dict[str, str]) -> None:
    # DROP then CREATE: SQLite has no CREATE OR REPLACE VIEW, and PostgreSQL's cannot change a
    # column's type (timestamptz → text). None of these views is used by another view.
    for name in reversed(REDEFINED):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name in REDEFINED:
        op.execute(f"CREATE VIEW {name} AS {bodies[name]}")


def upgrade() -> None:
    _replace(views(op.get_bind().dialect.name))


def downgrade() -> None:
    _replace(_previous_views())
