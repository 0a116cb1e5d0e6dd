"""Canned queries for Datasette, one per section of ``amsync report``: the same numbers,
to explore (``amsync datasette-metadata``). Datasette reads SQLite, so these are SQLite SQL
over the documented views (and, for the listening clock and playlist versions, the tables).

Parameters: ``:start`` and ``:end`` — the period as dates, ``2025-01-01`` and ``2026-01-01``
for the year 2025 (UTC, like the report: ``:start`` is in, ``:end`` is not); ``:year`` for
Apple's Replay. Every query returns the ``account`` column (Datasette has no ``--account``).
Plain data: no imports.
"""

from __future__ import annotations

from typing import Final

_PERIOD: Final = "played_at >= :start AND played_at < :end"
_PLAYED: Final = "SUM(CASE WHEN skipped THEN 0 ELSE 1 END)"
_SKIPPED: Final = "SUM(CASE WHEN skipped THEN 1 ELSE 0 END)"
_HOURS: Final = "ROUND(COALESCE(SUM(play_ms), 0) / 3600000.0, 1)"
_PARAMETERS: Final = " :start and :end are dates (2025-01-01, 2026-01-01: the year 2025, UTC)."

REPORT_QUERIES: Final[dict[str, dict[str, str]]] = {
    "report_headline": {
        "title": "Report: the headline numbers",
        "description": "Plays (not skipped), skips, hours, distinct songs, artists and albums, "
        "and days with music, as `amsync report` counts them." + _PARAMETERS,
        "sql": f"""SELECT account, {_PLAYED} AS plays, {_SKIPPED} AS skips, {_HOURS} AS hours,
       COUNT(DISTINCT COALESCE(library_id,
           '~' || name || '|' || COALESCE(artist, '') || '|' || COALESCE(album, ''))) AS songs,
       COUNT(DISTINCT CASE WHEN artist <> '' THEN artist END) AS artists,
       COUNT(DISTINCT CASE WHEN album <> '' AND artist <> '' THEN album || '|' || artist END)
           AS albums,
       COUNT(DISTINCT substr(played_at, 1, 10)) AS days_with_music
FROM plays_v WHERE {_PERIOD}
GROUP BY account""",
    },
    "report_top_songs": {
        "title": "Report: top songs",
        "description": "The most played songs of the period (`amsync top songs`)." + _PARAMETERS,
        "sql": f"""SELECT account, name, artist, album, {_PLAYED} AS plays, {_SKIPPED} AS skips,
       {_HOURS} AS hours, library_id
FROM plays_v WHERE {_PERIOD}
GROUP BY account, library_id,
         CASE WHEN library_id IS NULL THEN name END,
         CASE WHEN library_id IS NULL THEN artist END,
         CASE WHEN library_id IS NULL THEN album END
ORDER BY account, plays DESC, SUM(play_ms) DESC, name
LIMIT 20""",
    },
    "report_top_artists": {
        "title": "Report: top artists",
        "description": "The most played artists of the period (`amsync top artists`)."
        + _PARAMETERS,
        "sql": f"""SELECT account, artist, {_PLAYED} AS plays, {_SKIPPED} AS skips,
       {_HOURS} AS hours, COUNT(DISTINCT COALESCE(library_id, name)) AS songs
FROM plays_v WHERE {_PERIOD} AND artist <> ''
GROUP BY account, artist
ORDER BY account, plays DESC, SUM(play_ms) DESC, artist
LIMIT 20""",
    },
    "report_top_albums": {
        "title": "Report: top albums",
        "description": "The most played albums of the period (`amsync top albums`)." + _PARAMETERS,
        "sql": f"""SELECT account, album, artist, {_PLAYED} AS plays, {_SKIPPED} AS skips,
       {_HOURS} AS hours, COUNT(DISTINCT COALESCE(library_id, name)) AS songs
FROM plays_v WHERE {_PERIOD} AND album <> ''
GROUP BY account, album, artist
ORDER BY account, plays DESC, SUM(play_ms) DESC, album, artist
LIMIT 20""",
    },
    "report_listening_per_month": {
        "title": "Report: listening over time",
        "description": "Plays, skips and hours per month of the period." + _PARAMETERS,
        "sql": f"""SELECT account, substr(played_at, 1, 7) AS month, {_PLAYED} AS plays,
       {_SKIPPED} AS skips, {_HOURS} AS hours
FROM plays_v WHERE {_PERIOD}
GROUP BY account, month ORDER BY account, month""",
    },
    "report_listening_clock": {
        "title": "Report: the listening clock",
        "description": "Plays by weekday (0 = Sunday) and hour, in local time where the import "
        "kept the export's UTC offset (--keep-personal), else in UTC." + _PARAMETERS,
        "sql": """WITH local AS (
    SELECT a.name AS account, e.skipped, datetime(e.played_at,
        COALESCE(json_extract(e.personal, '$."UTC Offset In Seconds"'), 0) || ' seconds') AS at
    FROM play_events e JOIN accounts a ON a.id = e.account_id
    WHERE e.played_at >= :start AND e.played_at < :end)
SELECT account, CAST(strftime('%w', at) AS INTEGER) AS weekday,
       CAST(strftime('%H', at) AS INTEGER) AS hour,
       SUM(CASE WHEN skipped THEN 0 ELSE 1 END) AS plays
FROM local GROUP BY account, weekday, hour ORDER BY account, weekday, hour""",
    },
    "report_top_artists_by_month": {
        "title": "Report: top artists over the months",
        "description": "Plays per month of the period's five most played artists." + _PARAMETERS,
        "sql": f"""WITH top AS (
    SELECT account, artist FROM (
        SELECT account, artist, ROW_NUMBER() OVER (PARTITION BY account
            ORDER BY {_PLAYED} DESC, SUM(play_ms) DESC, artist) AS place
        FROM plays_v WHERE {_PERIOD} AND artist <> '' GROUP BY account, artist)
    WHERE place <= 5)
SELECT p.account, substr(p.played_at, 1, 7) AS month, p.artist,
       SUM(CASE WHEN p.skipped THEN 0 ELSE 1 END) AS plays
FROM plays_v p JOIN top t ON t.account = p.account AND t.artist = p.artist
WHERE p.played_at >= :start AND p.played_at < :end
GROUP BY p.account, month, p.artist ORDER BY p.account, month, plays DESC""",
    },
    "report_discoveries": {
        "title": "Report: new discoveries",
        "description": "Songs first played in the period, most played first." + _PARAMETERS,
        "sql": f"""SELECT account, name, artist, {_PLAYED} AS plays,
       MIN(first_played_at) AS first_played_at
FROM (SELECT p.*, MIN(p.played_at) OVER (PARTITION BY p.account_id,
          COALESCE(p.library_id, '~' || p.name || '|' || COALESCE(p.artist, '') || '|'
          || COALESCE(p.album, ''))) AS first_played_at
      FROM plays_v p)
WHERE {_PERIOD} AND first_played_at >= :start
GROUP BY account, COALESCE(library_id, '~' || name || '|' || COALESCE(artist, '') || '|'
         || COALESCE(album, '')), name, artist
ORDER BY account, plays DESC, name
LIMIT 50""",
    },
    "report_skips_per_month": {
        "title": "Report: skips",
        "description": "Plays, skips and the share skipped per month of the period." + _PARAMETERS,
        "sql": f"""SELECT account, substr(played_at, 1, 7) AS month, {_PLAYED} AS plays,
       {_SKIPPED} AS skips, ROUND(1.0 * {_SKIPPED} / COUNT(*), 4) AS skip_rate
FROM plays_v WHERE {_PERIOD}
GROUP BY account, month ORDER BY account, month""",
    },
    "report_songs_added": {
        "title": "Report: songs added to the library",
        "description": "Songs added per month of the period, by Apple's date added (removed "
        "songs too)." + _PARAMETERS,
        "sql": """SELECT a.name AS account, substr(s.date_added, 1, 7) AS month, COUNT(*) AS songs
FROM songs s JOIN accounts a ON a.id = s.account_id
WHERE s.kind = 'song' AND s.date_added >= :start AND s.date_added < :end
GROUP BY account, month ORDER BY account, month""",
    },
    "report_playlist_changes": {
        "title": "Report: playlists changed",
        "description": "Playlists with new versions of their track list or name in the "
        "period, most changed first." + _PARAMETERS,
        "sql": """SELECT a.name AS account, p.name AS playlist, COUNT(*) AS versions,
       MIN(r.valid_from) AS first_change, MAX(r.valid_from) AS last_change
FROM playlist_revisions r
JOIN playlists p ON p.id = r.playlist_id
JOIN accounts a ON a.id = r.account_id
WHERE r.valid_from >= :start AND r.valid_from < :end
  AND EXISTS (SELECT 1 FROM playlist_revisions o
              WHERE o.playlist_id = r.playlist_id AND o.valid_from < r.valid_from)
GROUP BY account, p.id, p.name ORDER BY account, versions DESC, playlist""",
    },
    "report_favourites_played": {
        "title": "Report: favourites played",
        "description": "Your favourite songs and their plays in the period." + _PARAMETERS,
        "sql": f"""SELECT p.account, p.name, p.artist, {_PLAYED} AS plays
FROM plays_v p
JOIN favourites_v f ON f.account_id = p.account_id AND f.type = 'song'
     AND f.library_id = p.library_id AND f.state = 'favourite'
WHERE p.{_PERIOD}
GROUP BY p.account, p.library_id, p.name, p.artist ORDER BY p.account, plays DESC, p.name""",
    },
    "report_replay": {
        "title": "Report: Apple's Replay beside amsync's count",
        "description": "Apple's top songs of :year (as a sync kept them) with their plays in "
        "the imported listening history of that year.",
        "sql": """SELECT r.account, r.rank AS apple_rank, r.name, r.artist,
       (SELECT SUM(CASE WHEN p.skipped THEN 0 ELSE 1 END) FROM plays_v p
        WHERE p.account_id = r.account_id AND p.catalog_id = r.catalog_id
          AND substr(p.played_at, 1, 4) = CAST(r.year AS TEXT)) AS amsync_plays
FROM replay_v r
WHERE r.year = CAST(:year AS INTEGER) AND r.top = 'songs'
ORDER BY r.account, r.rank""",
    },
}

LOST_QUERY: Final[dict[str, dict[str, str]]] = {
    "report_lost_songs": {
        "title": "Report: songs lost and replaced",
        "description": "Songs lost in the period, why, and whether Apple's catalog has a "
        "replacement." + _PARAMETERS,
        "sql": """SELECT *, replacement_catalog_id IS NOT NULL AS replaced
FROM lost_v WHERE lost_at >= :start AND lost_at < :end
ORDER BY lost_at, name""",
    },
}
