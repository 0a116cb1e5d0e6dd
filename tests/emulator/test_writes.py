"""§9 item 8: add-to-library 202, create playlist 201, add tracks 204 (append), no others."""

from __future__ import annotations

import httpx

from amsync.emulator import Library


def test_add_to_library(client: httpx.Client, library: Library) -> None:
    in_library = {s.catalog_id for s in library.songs.values()}
    catalog_song = next(
        s for s, v in library.catalog_songs.items() if s not in in_library and not v.withdrawn
    )
    album = next(a for a in library.catalog_albums.values() if not (set(a.song_ids) & in_library))
    before = len(library.songs)
    response = client.post(f"/v1/me/library?ids[songs]={catalog_song}&ids[albums]={album.id}")
    assert (response.status_code, response.content) == (202, b"")
    added = {s.catalog_id for s in library.songs.values()} - in_library
    assert catalog_song in added and set(album.song_ids) <= added
    assert len(library.songs) == before + 1 + len(album.song_ids)
    assert client.post("/v1/me/library?ids=1").status_code == 400


def test_re_adding_gives_new_id(library: Library) -> None:
    song = next(s for s in library.songs.values() if s.catalog_id)
    library.remove_song(song.id)
    again = library.add_song(song.catalog_id)
    assert again.id != song.id and again.catalog_id == song.catalog_id


def test_create_playlist_with_tracks(client: httpx.Client, library: Library) -> None:
    songs = list(library.songs)[:2]
    catalog_song = next(s for s, v in library.catalog_songs.items() if not v.withdrawn)
    body = {
        "attributes": {"name": "Road Trip", "description": "long drive", "isPublic": False},
        "relationships": {
            "tracks": {
                "data": [
                    {"id": songs[0], "type": "library-songs"},
                    {"id": catalog_song, "type": "songs"},
                    {"id": songs[0], "type": "library-songs"},
                ]
            }
        },
    }
    response = client.post("/v1/me/library/playlists", json=body)
    assert response.status_code == 201
    (item,) = response.json()["data"]
    assert item["type"] == "library-playlists" and item["attributes"]["name"] == "Road Trip"
    assert item["attributes"]["canEdit"] is True
    playlist = library.playlists[item["id"]]
    assert playlist.tracks[0] == songs[0] == playlist.tracks[2]
    assert library.songs[playlist.tracks[1]].catalog_id == catalog_song
    assert client.post("/v1/me/library/playlists", json={"attributes": {}}).status_code == 400


def test_add_tracks_appends(client: httpx.Client, library: Library) -> None:
    playlist = next(p for p in library.playlists.values() if p.can_edit and p.tracks)
    before = list(playlist.tracks)
    song = list(library.songs)[5]
    video = next(iter(library.music_videos))
    data = {
        "data": [
            {"id": song, "type": "library-songs"},
            {"id": video, "type": "library-music-videos"},
        ]
    }
    response = client.post(f"/v1/me/library/playlists/{playlist.id}/tracks", json=data)
    assert (response.status_code, response.content) == (204, b"")
    assert library.playlists[playlist.id].tracks == [*before, song, video]
    bad = {"data": [{"id": song, "type": "library-albums"}]}
    assert (
        client.post(f"/v1/me/library/playlists/{playlist.id}/tracks", json=bad).status_code == 400
    )


def test_add_tracks_refused_on_catalog_playlist(client: httpx.Client, library: Library) -> None:
    playlist = next(p for p in library.playlists.values() if not p.can_edit)
    data = {"data": [{"id": next(iter(library.songs)), "type": "library-songs"}]}
    response = client.post(f"/v1/me/library/playlists/{playlist.id}/tracks", json=data)
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] != "Invalid authentication"
