"""What each documented view and its columns mean — the stable query interface, told once:
``amsync datasette-metadata`` turns it into Datasette's titles and descriptions, the documentation's
"Views and columns" page is generated from it, and a test checks that every view and column of the
schema has one.

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
    "subsonic_playlists_v": ViewDoc(
        "Playlists pushed to your own server",
        "Each Apple Music playlist `amsync server push` made a playlist for on a "
        "Subsonic-compatible server (Navidrome, gonic, Supysonic, …), per account.",
        {
            "server_url": "The server's API root, as amsync keys it (no credentials).",
            "server_user": "The user the playlist belongs to on the server (empty for an API key).",
            "library_id": "The Apple Music playlist's library id.",
            "name": "The Apple Music playlist's name (empty when it is no longer mirrored).",
            "server_playlist_id": "The server's id of the playlist amsync made (empty while a "
            "create is unconfirmed).",
            "server_name": "The name amsync last gave it on the server (folder path as a prefix).",
            "track_count": "How many tracks amsync last wrote (tracks the server lacks are left "
            "out).",
            "state": "made, or pending while a create was sent but not confirmed (the next push "
            "adopts it).",
            "updated_at": "When amsync last wrote it (UTC).",
        },
    ),
    "plays_v": ViewDoc(
        "Plays",
        "One row per play from Apple's privacy export (`amsync import apple-data`), linked to "
        "the mirrored song where one matched. Name, artist and album are the song's when "
        "linked, else what Apple's file said; an artist the file left out is the one `amsync "
        "listens fill` found (artist_source says where it came from).",
        {
            "artist": "The artist: the linked song's, else Apple's file's, else the one `amsync "
            "listens fill` found in Apple's catalog or the daily history; empty when none is "
            "known.",
            "artist_source": "Where the artist came from: mirror (the linked song), export "
            "(Apple's file), catalog (Apple's catalog search), daily (the daily history's "
            '"Artist - Title"); empty when none is known.',
            "played_at": "When the play started (UTC; the end time where Apple gave no start).",
            "library_id": "The mirrored song the play is linked to; empty when none matched.",
            "catalog_id": "The linked song's catalog id; empty when not linked.",
            "play_ms": "Milliseconds played.",
            "media_ms": "The song's length in milliseconds, as Apple recorded it.",
            "end_reason": "Why the play ended (NATURAL_END_OF_TRACK, TRACK_SKIPPED_FORWARDS, …).",
            "skipped": "1 when the listener skipped on before half the song.",
            "event_type": "Apple's event type (PLAY_END), empty in older exports.",
            "feature": "Where in the app it was played (library / album_detail, …).",
            "source_type": "Apple's source type of the play.",
            "media_type": "AUDIO or VIDEO.",
            "container_type": "What it was played from: an album, playlist, station.",
            "container_name": "The name of what it was played from.",
            "linked_by": "How it was linked: catalog, name+album, name+artist.",
            "import_id": "The import that added it (listening_imports).",
        },
    ),
    "play_counts_v": ViewDoc(
        "Play counts",
        "Per song (or, unlinked, per name, artist and album): plays, skips, first and last "
        "play, and listening time, from the imported listening history.",
        {
            "library_id": "The mirrored song; empty for plays that were not linked.",
            "catalog_id": "The song's catalog id.",
            "plays": "Plays that were not skipped.",
            "skips": "Plays skipped before half the song.",
            "first_played_at": "The first play (UTC).",
            "last_played_at": "The last play (UTC).",
            "play_ms_total": "Milliseconds listened, skipped plays included.",
        },
    ),
    "daily_plays_v": ViewDoc(
        "Daily plays",
        "Apple's daily history (Apple Music - Play History Daily Tracks.csv): per day and "
        "track, plays, skips, hours and milliseconds.",
        {
            "played_on": "The day (YYYY-MM-DD, as Apple dated it).",
            "library_id": "The mirrored song the track is linked to; empty when none.",
            "catalog_id": "The linked song's catalog id.",
            "plays": "Plays that day (Apple's Play Count).",
            "skips": "Skips that day (Apple's Skip Count).",
            "play_ms": "Milliseconds played that day.",
            "hours": "The hours of the day it was played (0–23, comma-separated).",
            "end_reason": "Apple's end reason type.",
            "source_type": "Apple's source type.",
            "media_type": "AUDIO or VIDEO.",
            "ignore_for_recommendations": "1 when Apple ignores these plays for recommendations.",
            "track_identifier": "Apple's library track id (as in Library Tracks.json).",
            "description": 'Apple\'s "Artist - Title" of the track.',
            "linked_by": "How it was linked: library-track, name+artist.",
        },
    ),
    "library_track_counts_v": ViewDoc(
        "Apple's track counters",
        "Apple's own counters per library track, from Apple Music Library Tracks.json.",
        {
            "track_identifier": "Apple's library track id.",
            "library_id": "The mirrored song the track is linked to; empty when none.",
            "apple_music_track_id": "The catalog id Apple gave for the track.",
            "content_type": "Song or Music Video.",
            "play_count": "Apple's play count of the track.",
            "skip_count": "Apple's skip count of the track.",
            "date_added": "When it was added to the library, as Apple wrote it.",
            "last_played": "When Apple last counted a play, as Apple wrote it.",
            "last_modified": "When Apple last changed the track, as Apple wrote it.",
            "like_rating": "Apple's like rating of the track.",
            "linked_by": "How it was linked: catalog, name+album, name+artist.",
        },
    ),
    "lost_v": ViewDoc(
        "Lost songs",
        "One row per loss amsync found after a sync (`amsync lost`): a song that left the "
        "library or became unplayable (no playlist), or a track that left a playlist (one row "
        "per playlist and position). Losses that came back are left out.",
        {
            "library_id": "The lost song's library id.",
            "catalog_id": "The lost song's catalog id (kept from before it went).",
            "playlist_id": "The playlist it left; empty for a loss from the library.",
            "playlist_name": "The playlist's name when the track left it.",
            "position": "The position it had in the playlist, from 0.",
            "lost_at": "When the sync that saw it gone ran (UTC).",
            "cause": "withdrawn (Apple's catalog no longer has it), unplayable (listed, not "
            "playable in the storefront), removed (left while still available: most likely "
            "you or another of your devices) or unknown.",
            "replacement_catalog_id": "A playable catalog song of the same recording; empty "
            "when none was found, when several were equally good, and for removed songs.",
            "loss_id": "amsync's key of the loss.",
            "kind": "library (left the library), unplayable (still there, greyed out) or playlist.",
            "evidence": "How the cause was decided.",
            "replacement_method": "isrc (same ISRC) or search (title, artist and duration).",
            "replacement_score": "How closely the replacement matches, 0 to 1.",
            "restored_at": "When `amsync lost restore` put the replacement back (UTC).",
        },
    ),
}


VIEWS["replay_v"] = ViewDoc(
    "Apple's Replay",
    "Apple's own yearly top songs, albums and artists (Apple Music Replay), as `amsync sync` "
    "kept them: the newest version of each year's summary, kept after Apple stops serving it.",
    {
        "year": "The year the summary is of.",
        "top": "Which list: songs, albums or artists.",
        "rank": "The place in Apple's list, from 1.",
        "name": "The song's, album's or artist's name as Apple gave it.",
        "artist": "The artist of the song or album.",
        "album": "The album of the song.",
        "catalog_id": "Apple Music's catalog id of the song, album or artist.",
        "artwork_url": "Apple's artwork URL template ({w}x{h} stand for the size).",
        "first_seen_at": "When a sync first saw this version of the summary (UTC).",
        "last_seen_at": "When a sync last saw this version of the summary (UTC).",
        "summary_id": "amsync's key of this version (replay_summaries).",
    },
)


def column_description(view: str, column: str) -> str | None:
    """The description of ``column`` of ``view`` (its own, else the common one)."""
    doc = VIEWS.get(view)
    own = doc.columns.get(column) if doc is not None else None
    return own or COMMON_COLUMNS.get(column)
