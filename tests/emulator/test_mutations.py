"""Mutations applied the way Apple's side would change, seen through the API."""

from __future__ import annotations

import httpx

from amsync.emulator import Library

from .conftest import walk


def _ids(client: httpx.Client, collection: str) -> list[str]:
    items, _ = walk(client, f"/v1/me/library/{collection}?limit=100")
    return [str(i["id"]) for i in items]


def test_rename_moves_song_in_listing(client: httpx.Client, library: Library) -> None:
    song_id = next(iter(library.songs))
    library.update_song(song_id, name="\U0010ffff zzz last")
    assert _ids(client, "songs")[-1] == song_id
    (item,) = client.get(f"/v1/me/library/songs/{song_id}").json()["data"]
    assert item["attributes"]["name"] == "\U0010ffff zzz last"


def test_upload_and_remove(client: httpx.Client, library: Library) -> None:
    upload = library.add_song(name="AAAA first upload", artist_name="Me")
    assert upload.catalog_id is None and _ids(client, "songs")[0] == upload.id
    library.remove_song(upload.id)
    assert upload.id not in _ids(client, "songs")


def test_remove_song_leaves_playlists(client: httpx.Client, library: Library) -> None:
    playlist = next(p for p in library.playlists.values() if p.tracks)
    victim = playlist.tracks[0]
    library.remove_song(victim)
    assert victim not in library.playlists[playlist.id].tracks


def test_playlist_mutations(client: httpx.Client, library: Library) -> None:
    playlist = next(p for p in library.playlists.values() if len(p.tracks) > 3)
    new_order = list(reversed(playlist.tracks)) + playlist.tracks[:1]
    library.set_playlist_tracks(playlist.id, new_order)
    items, _ = walk(client, f"/v1/me/library/playlists/{playlist.id}/tracks?limit=100")
    assert [i["id"] for i in items] == new_order
    library.rename_playlist(playlist.id, "Renamed")
    (item,) = client.get(f"/v1/me/library/playlists/{playlist.id}").json()["data"]
    assert item["attributes"]["name"] == "Renamed"
    folder = library.add_folder("Folder A")
    library.move_playlist(playlist.id, folder.id)
    children = client.get(f"/v1/me/library/playlist-folders/{folder.id}/children").json()["data"]
    assert [c["id"] for c in children] == [playlist.id]
    library.remove_folder(folder.id)
    assert library.playlists[playlist.id].parent_id is None
    library.remove_playlist(playlist.id)
    assert client.get(f"/v1/me/library/playlists/{playlist.id}").status_code == 404


def test_album_and_artist_mutations(client: httpx.Client, library: Library) -> None:
    album = next(a for a in library.albums.values() if a.catalog_id)
    library.rename_album(album.id, "New Album Name")
    assert all(library.songs[s].album_name == "New Album Name" for s in album.song_ids)
    songs = list(album.song_ids)
    library.remove_album(album.id)
    assert not set(songs) & set(_ids(client, "songs"))
    added = library.add_album(album.catalog_id or "")
    assert added.id != album.id and added.song_ids
    artist = next(iter(library.artists.values()))
    library.rename_artist(artist.id, "Renamed Artist")
    library.remove_artist(artist.id)
    assert artist.id not in _ids(client, "artists")


def test_clear_library(client: httpx.Client, library: Library) -> None:
    library.clear_library()
    for collection in ("songs", "albums", "artists", "playlists"):
        assert client.get(f"/v1/me/library/{collection}").status_code == 404
    assert client.get(f"/v1/catalog/us/songs/{next(iter(library.catalog_songs))}").status_code in (
        200,
        404,
    )
    assert library.catalog_songs


def test_set_rating_kinds(library: Library) -> None:
    song = next(s for s in library.songs.values() if s.catalog_id)
    library.set_rating("song", song.id, -1)
    assert library.rating_of("songs", song.catalog_id or "") == -1
    library.set_rating("library-songs", song.id, None)
    assert library.rating_of("song", song.catalog_id or "") is None
