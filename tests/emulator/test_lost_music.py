"""The emulator takes music away as Apple does (issue 24): withdrawn songs vanish from catalog
look-ups and searches while their library songs stay, greyed out (no ``playParams``) and taken
out of playlists; songs unplayable in the storefront are listed without ``playParams``; an ISRC
names several catalog songs, some unplayable; re-releases never take a used catalog id."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

from amsync.emulator import Emulator, Library
from amsync.emulator.lost_music import (
    REPLACED_KINDS,
    UNREPLACED_KINDS,
    carry_out,
    make_songs_unplayable,
    prepare_withdrawals,
    withdraw_songs,
)

ROOT = Path(__file__).resolve().parents[2]


def _song_in_a_playlist(library: Library) -> str:
    in_playlists = {t for p in library.playlists.values() for t in p.tracks}
    owners: dict[str, int] = {}
    for song in library.songs.values():
        if song.catalog_id:
            owners[song.catalog_id] = owners.get(song.catalog_id, 0) + 1
    return next(
        s.id
        for s in sorted(library.songs.values(), key=lambda s: s.id)
        if s.id in in_playlists and s.catalog_id and owners[s.catalog_id] == 1
    )


def test_a_withdrawn_song_is_greyed_out_and_taken_out_of_playlists(
    emu: Emulator, client: httpx.Client
) -> None:
    library = emu.library
    song_id = _song_in_a_playlist(library)
    catalog_id = library.songs[song_id].catalog_id or ""
    isrc = library.catalog_songs[catalog_id].isrc
    before = client.get(f"/v1/me/library/songs/{song_id}").json()["data"][0]
    assert before["attributes"]["playParams"]["catalogId"] == catalog_id
    assert library.withdraw_catalog_song(catalog_id, grey_out=True, leave_playlists=True) == [
        song_id
    ]
    after = client.get(f"/v1/me/library/songs/{song_id}?include=catalog").json()["data"][0]
    assert "playParams" not in after["attributes"], "greyed out"
    assert after["relationships"]["catalog"]["data"] == []
    assert client.get(f"/v1/catalog/us/songs?ids={catalog_id}").json() == {"data": []}
    by_isrc = client.get(f"/v1/catalog/us/songs?filter[isrc]={isrc}").json()
    assert by_isrc["data"] == []
    assert all(song_id not in p.tracks for p in library.playlists.values())
    name = library.catalog_songs[catalog_id].name
    found = client.get(f"/v1/catalog/us/search?term={name}&types=songs&limit=25").json()
    hits = found["results"].get("songs", {}).get("data", [])
    assert catalog_id not in {h["id"] for h in hits}, "withdrawn songs are never found"


def test_withdrawing_without_greying_out_keeps_the_library_song_as_it_was(
    emu: Emulator, client: httpx.Client
) -> None:
    song_id = _song_in_a_playlist(emu.library)
    catalog_id = emu.library.songs[song_id].catalog_id or ""
    emu.library.withdraw_catalog_song(catalog_id)
    song = client.get(f"/v1/me/library/songs/{song_id}").json()["data"][0]
    assert song["attributes"]["playParams"]["catalogId"] == catalog_id
    assert any(song_id in p.tracks for p in emu.library.playlists.values())


def test_an_unplayable_song_is_listed_without_play_params(
    emu: Emulator, client: httpx.Client
) -> None:
    (catalog_id,) = make_songs_unplayable(emu.library, 1, seed=2)
    listed = client.get(f"/v1/catalog/us/songs?ids={catalog_id}").json()["data"]
    assert [s["id"] for s in listed] == [catalog_id]
    assert "playParams" not in listed[0]["attributes"]
    song_id = next(s.id for s in emu.library.songs.values() if s.catalog_id == catalog_id)
    library_song = client.get(f"/v1/me/library/songs/{song_id}?include=catalog").json()["data"][0]
    assert "playParams" not in library_song["attributes"]
    assert library_song["relationships"]["catalog"]["data"][0]["id"] == catalog_id


def test_an_isrc_names_several_songs_some_unplayable(emu: Emulator, client: httpx.Client) -> None:
    library = emu.library
    catalog_id = library.songs[_song_in_a_playlist(library)].catalog_id or ""
    original = library.catalog_songs[catalog_id]
    used = {*library.catalog_songs, *library.catalog_albums, *library.catalog_music_videos}
    release = library.add_catalog_release(catalog_id)
    twin = library.add_catalog_release(catalog_id, album_name="Greatest Hits", playable=False)
    assert release.album_name == f"{original.album_name} (Remastered)"
    new_ids = {release.id, twin.id, release.album_id, twin.album_id}
    assert len(new_ids) == 4 and not new_ids & used, "a re-release never takes a used id"
    answer = client.get(f"/v1/catalog/us/songs?filter[isrc]={original.isrc}").json()
    listed = {s["id"]: s for s in answer["data"]}
    assert set(listed) == {catalog_id, release.id, twin.id}
    assert [r["id"] for r in answer["meta"]["filters"]["isrc"][original.isrc]] == [
        catalog_id,
        release.id,
        twin.id,
    ]
    assert "playParams" in listed[release.id]["attributes"]
    assert "playParams" not in listed[twin.id]["attributes"]


def test_prepared_withdrawals_say_which_replacements_are_right(emu: Emulator) -> None:
    library = emu.library
    plans = prepare_withdrawals(library, 40, seed=6, replaced=0.75)
    assert len(plans) == 40
    assert sum(1 for p in plans if p.replacements) == 30
    assert {p.kind for p in plans[:30]} <= set(REPLACED_KINDS)
    assert {p.kind for p in plans[30:]} <= set(UNREPLACED_KINDS)
    for plan in plans:
        original = library.catalog_songs[plan.catalog_id]
        assert not original.withdrawn, "prepared, not yet withdrawn"
        for replacement in plan.replacements:
            song = library.catalog_songs[replacement]
            assert song.playable and song.name == original.name
            assert plan.kind == "search" or song.isrc == original.isrc
        if plan.kind in ("search", "live-decoy", "ambiguous"):
            assert original.isrc == "", "a catalog entry without an ISRC"
    carry_out(library, plans, leave_playlists=0.0)
    assert all(library.catalog_songs[p.catalog_id].withdrawn for p in plans)
    assert all(p.library_ids for p in plans)
    assert all(library.songs[p.library_ids[0]].greyed for p in plans)


def test_withdrawals_over_http_and_at_start() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amsync.cli.emulator_commands",
            "serve",
            "--songs",
            "80",
            "--developer-token",
            "dev-x",
            "--music-user-token",
            "user-x",
            "--withdraw",
            "3",
            "--unplayable",
            "2",
            "--seed",
            "5",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        headers = {"Authorization": "Bearer dev-x", "Music-User-Token": "user-x"}
        songs = httpx.get(f"{url}/v1/me/library/songs?limit=100", headers=headers).json()["data"]
        greyed = [s for s in songs if "playParams" not in s["attributes"]]
        assert len(greyed) == 5, "3 withdrawn and 2 unplayable, greyed out"
        answer = httpx.post(f"{url}/_emulator/withdraw?count=2&seed=9&replaced=1").json()
        assert [len(w["replacements"]) > 0 for w in answer["withdrawn"]] == [True, True]
        assert httpx.post(f"{url}/_emulator/withdraw?count=-1").status_code == 400
        assert httpx.post(f"{url}/_emulator/inbox", content=b'{"title": "t"}').status_code == 200
        assert httpx.post(f"{url}/_emulator/inbox", content=b"not json").status_code == 400
        assert httpx.get(f"{url}/_emulator/inbox").json() == [{"title": "t"}]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_withdraw_songs_at_once(emu: Emulator) -> None:
    plans = withdraw_songs(emu.library, 5, seed=1, replaced=1.0, grey_out=False)
    assert all(emu.library.catalog_songs[p.catalog_id].withdrawn for p in plans)
    assert not any(emu.library.songs[p.library_ids[0]].greyed for p in plans)
