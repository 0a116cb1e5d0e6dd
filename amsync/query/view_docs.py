"""What each documented view and its columns mean — the stable query interface (README
"Querying the mirror"), told once: ``amsync datasette-metadata`` turns it into Datasette's
titles and descriptions, and a test checks that every view and column of the schema has one.

Plain data: no imports, so any command may read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True, slots=True)
class ViewDoc:
    title: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)


COMMON_COLUMNS: Final = {
    "account_id": "The account (mirrored library) the row belongs to.",
    "account": "The account's name (`--account`).",
    "id": "amsync's own key of the row.",
    "library_id": "Apple Music's library id (i.…, l.…, r.…, p.…); unique within an account.",
    "catalog_id": "Apple Music's catalog id; empty for uploads and items without a match.",
    "name": "The name as Apple Music shows it.",
    "artist": "The artist's name.",
    "album": "The album's name.",
    "favourite": "1 when you marked it favourite (your current wish).",
    "rating": "Your current wish as a number: 1 favourite, -1 disliked, empty for neither (as "
    "`rating` in `amsync export json`).",
    "content_rating": "explicit or clean, when Apple says.",
    "first_seen_at": "When a sync first saw it (UTC).",
    "last_seen_at": "When a sync last wrote the row (UTC); live rows are also seen by every "
    "later successful sync (accounts.last_synced_at).",
    "genres": "Genre names as a JSON list.",
    "release_date": "The release date as Apple wrote it (2019 stays 2019).",
    "date_added": "When it was added to the library (UTC, as Apple gave it).",
    "duration_ms": "Duration in milliseconds.",
    "kind": "song or music-video.",
}

VIEWS: Final[dict[str, ViewDoc]] = {
    "songs_v": ViewDoc(
        "Songs",
        "The library's songs (and music videos) with their catalog metadata; removed songs "
        "are left out.",
        {
            "track_number": "Track number on the album.",
            "disc_number": "Disc number on the album.",
            "isrc": "International Standard Recording Code (from the catalog).",
            "composer": "Composer (from the catalog).",
            "catalog_url": "The song's Apple Music URL.",
            "catalog_available": "0 when Apple's catalog no longer offers the song (withdrawn).",
            "catalog_fetched_at": "When the catalog metadata was read (UTC).",
        },
    ),
    "albums_v": ViewDoc(
        "Albums",
        "The library's albums with catalog label and UPC; removed albums are left out.",
        {
            "track_count": "Number of tracks.",
            "record_label": "Record label (from the catalog).",
            "upc": "Universal Product Code (from the catalog).",
            "copyright": "Copyright line (from the catalog).",
        },
    ),
    "artists_v": ViewDoc("Artists", "The library's artists; removed artists are left out."),
    "folders_v": ViewDoc(
        "Playlist folders",
        "Folders of playlists, with their path from the top.",
        {
            "parent_library_id": "The library id of the folder it is in; empty at the top.",
            "path": "The folder's path from the top, names joined with / (Parent/Child).",
        },
    ),
    "playlists_v": ViewDoc(
        "Playlists",
        "The library's playlists with their folder and current track count.",
        {
            "description": "The playlist's description.",
            "can_edit": "1 when the playlist can be edited (your own).",
            "is_public": "1 when the playlist is public.",
            "folder": "The folder path (Parent/Child); empty at the top.",
            "folder_library_id": "The library id of its folder.",
            "track_count": "Tracks in its current list.",
            "revision_since": "Since when the current track list holds (UTC).",
        },
    ),
    "playlist_tracks_v": ViewDoc(
        "Playlist tracks",
        "Every playlist's current tracks in order (duplicates kept).",
        {
            "playlist_id": "The playlist's library id.",
            "playlist_name": "The playlist's name.",
            "folder": "The playlist's folder path.",
            "position": "Position in the playlist, counting from 0.",
            "library_id": "The track's library id.",
            "catalog_id": "The track's catalog id.",
            "name": "The track's name.",
            "isrc": "The track's ISRC (from the catalog).",
            "catalog_available": "0 when Apple withdrew the catalog song.",
            "in_library": "1 when the track is also a song of the library.",
        },
    ),
    "playlist_entries_v": ViewDoc(
        "Playlist history",
        "The tracks of every revision of every playlist: what a playlist held from valid_from "
        "until valid_to.",
        {
            "playlist_id": "The playlist's library id.",
            "playlist_name": "The playlist's current name.",
            "revision_id": "The revision (a track list the playlist had).",
            "revision_name": "The playlist's name in that revision.",
            "run_id": "The sync run that recorded the revision.",
            "valid_from": "Since when the revision held (UTC).",
            "valid_to": "Until when it held (UTC); empty for the current one.",
            "is_current": "1 for the playlist's current track list.",
            "position": "Position in that revision, counting from 0.",
            "library_id": "The track's library id.",
            "catalog_id": "The track's catalog id.",
            "name": "The track's name.",
        },
    ),
    "favourites_v": ViewDoc(
        "Favourites",
        "Favourites and dislikes with Apple's state and whether a push is outstanding.",
        {
            "type": "song, album, playlist or artist.",
            "state": "Your wish: favourite or disliked.",
            "remote": "Apple's state as the last sync read it.",
            "base": "The state both sides last agreed on.",
            "status": "synced, pending (a push is outstanding) or local-only (artists).",
            "updated_at": "When the row last changed (UTC).",
        },
    ),
    "changes_v": ViewDoc(
        "Changes",
        "What each sync changed: items added, changed, removed or revived.",
        {
            "id": "amsync's key of the change.",
            "run_id": "The run that made the change.",
            "run_kind": "sync or push.",
            "run_status": "How the run ended.",
            "run_started_at": "When the run started (UTC).",
            "run_finished_at": "When the run ended (UTC).",
            "item_type": "song, album, artist, playlist or folder.",
            "library_id": "The item's library id.",
            "change": "added, changed, removed or revived.",
            "name": "The item's name at the time.",
            "artist": "The item's artist at the time.",
            "detail": "What changed, when known.",
            "recorded_at": "When the change was recorded (UTC).",
        },
    ),
    "local_matches_v": ViewDoc(
        "Songs matched to your files",
        "Each live song matched to a music file of yours (`amsync local scan`, `amsync local "
        "match`), or linked by hand (`amsync local link`).",
        {
            "library_id": "The song's library id.",
            "catalog_id": "The song's catalog id.",
            "name": "The song's name.",
            "artist": "The song's artist.",
            "path": "The music file's path.",
            "method": "How it was matched: isrc, mbid (MusicBrainz recording id), tags, or "
            "link (by hand).",
            "score": "How well the tags agree (1.0: exactly).",
            "album": "The file's album tag.",
            "file_isrc": "The file's ISRC tag.",
            "format": "The file's audio format (mp3, flac, m4a, …).",
            "matched_at": "When the match was made (UTC).",
        },
    ),
}


def column_description(view: str, column: str) -> str | None:
    """The description of ``column`` of ``view`` (its own, else the common one)."""
    doc = VIEWS.get(view)
    own = doc.columns.get(column) if doc is not None else None
    return own or COMMON_COLUMNS.get(column)
