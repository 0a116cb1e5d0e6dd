"""The models' tables as typed ``Table`` objects, for Core statements (bulk insert/update)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from amsync.db import models


def table_of(model: type[models.Base]) -> Table:
    return cast(Table, model.__table__)


accounts = table_of(models.Account)
songs = table_of(models.Song)
albums = table_of(models.Album)
artists = table_of(models.Artist)
playlists = table_of(models.Playlist)
playlist_folders = table_of(models.PlaylistFolder)
playlist_revisions = table_of(models.PlaylistRevision)
playlist_entries = table_of(models.PlaylistEntry)
catalog_songs = table_of(models.CatalogSong)
catalog_albums = table_of(models.CatalogAlbum)
catalog_artists = table_of(models.CatalogArtist)
favourites = table_of(models.Favourite)
favourite_pushes = table_of(models.FavouritePush)
sync_runs = table_of(models.SyncRun)
item_changes = table_of(models.ItemChange)
run_locks = table_of(models.RunLock)
local_files = table_of(models.local_models.LocalFile)
local_matches = table_of(models.local_models.LocalMatch)
local_links = table_of(models.local_models.LocalLink)
listening_imports = table_of(models.history_models.ListeningImport)
play_events = table_of(models.history_models.PlayEvent)
play_days = table_of(models.history_models.PlayDay)
library_track_counts = table_of(models.history_models.LibraryTrackCount)
listen_lookups = table_of(models.listen_models.ListenLookup)
play_fills = table_of(models.listen_models.PlayFill)
listen_targets = table_of(models.listen_models.ListenTarget)
listen_submissions = table_of(models.listen_models.ListenSubmission)
subsonic_servers = table_of(models.subsonic_models.SubsonicServer)
subsonic_songs = table_of(models.subsonic_models.SubsonicSong)
subsonic_playlists = table_of(models.subsonic_models.SubsonicPlaylist)
subsonic_stars = table_of(models.subsonic_models.SubsonicStar)
lost_songs = table_of(models.lost_models.LostSong)
lost_entries = table_of(models.lost_models.LostEntry)
replay_summaries = table_of(models.replay_models.ReplaySummary)
replay_summary_items = table_of(models.replay_models.ReplaySummaryItem)
