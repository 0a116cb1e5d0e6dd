"""The emulator's ``GET /v1/me/music-summaries`` (Apple's Replay data) and its cover images."""

from __future__ import annotations

import httpx
import pytest

from amsync.emulator import Emulator, FaultConfig
from amsync.emulator.artwork import cover_png, rehost
from amsync.emulator.resources import ReplayData

PATH = "/v1/me/music-summaries"
VIEWS = "top-artists,top-albums,top-songs"


def _replay(emu: Emulator) -> ReplayData:
    library = emu.library
    return ReplayData(
        2025,
        songs=sorted(library.catalog_songs)[:3],
        albums=sorted(library.catalog_albums)[:2],
        artists=sorted(library.catalog_artists)[:2],
    )


def test_a_summary_in_apples_shape(emu: Emulator, client: httpx.Client) -> None:
    emu.library.replay = replay = _replay(emu)
    answer = client.get(PATH, params={"filter[year]": "latest", "views": VIEWS})
    assert answer.status_code == 200
    (summary,) = answer.json()["data"]
    assert summary["type"] == "music-summaries" and summary["id"] == "year-2025"
    assert summary["attributes"] == {"period": "year", "year": 2025}
    songs = summary["views"]["top-songs"]["data"]
    assert [s["relationships"]["song"]["data"][0]["id"] for s in songs] == replay.songs
    first = songs[0]["relationships"]["song"]["data"][0]
    assert first["type"] == "songs" and first["attributes"]["name"]
    artists = summary["views"]["top-artists"]["data"]
    assert [a["relationships"]["artist"]["data"][0]["id"] for a in artists] == replay.artists


def test_only_the_views_asked_for(emu: Emulator, client: httpx.Client) -> None:
    emu.library.replay = _replay(emu)
    answer = client.get(PATH, params={"filter[year]": "latest", "views": "top-songs"})
    assert list(answer.json()["data"][0]["views"]) == ["top-songs"]


@pytest.mark.parametrize(
    "params",
    [{}, {"filter[year]": "2024"}, {"filter[year]": "latest", "views": "top-genres"}],
)
def test_bad_parameters_are_400(
    emu: Emulator, client: httpx.Client, params: dict[str, str]
) -> None:
    emu.library.replay = _replay(emu)
    answer = client.get(PATH, params=params)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "40005"


def test_no_summary_is_404_or_empty(emu: Emulator, client: httpx.Client) -> None:
    params = {"filter[year]": "latest", "views": VIEWS}
    assert client.get(PATH, params=params).status_code == 404
    emu.faults = FaultConfig(replay_absent="empty")
    answer = client.get(PATH, params=params)
    assert answer.status_code == 200 and answer.json() == {"data": []}


def test_the_music_user_token_is_needed(emu: Emulator) -> None:
    emu.library.replay = _replay(emu)
    with httpx.Client(transport=emu.transport(), base_url="https://api.music.apple.com") as bare:
        answer = bare.get(
            PATH, params={"filter[year]": "latest"}, headers={"Authorization": "Bearer dev-token"}
        )
    assert answer.status_code == 403


def test_cover_images_are_pngs_of_the_size_asked(emu: Emulator, client: httpx.Client) -> None:
    changed = rehost(emu.library, "http://127.0.0.1:9")
    song = next(iter(emu.library.catalog_songs.values()))
    assert changed > 0 and song.artwork_url.startswith("http://127.0.0.1:9/image/thumb/")
    path = song.artwork_url.removeprefix("http://127.0.0.1:9").replace("{w}x{h}", "40x30")
    answer = client.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert answer.content == cover_png(path, 40, 30)
    assert answer.content[16:24] == (40).to_bytes(4, "big") + (30).to_bytes(4, "big")
    assert client.get(path.replace("40x30", "9000x9000")).status_code == 404
    assert client.get("/image/thumb/no-size.txt").status_code == 404
