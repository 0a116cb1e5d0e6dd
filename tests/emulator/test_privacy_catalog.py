"""The emulator's catalog behind a generated listener (``amsync.emulator.privacy_catalog``):
catalog search finds a played song together with its look-alikes — a live version, a remaster,
a near miss, an ambiguous twin and a length twin — over real HTTP; and the demo's listener made
from a library."""

from __future__ import annotations

from typing import Any

import httpx

from amsync.emulator import Emulator
from amsync.emulator.privacy_catalog import (
    NO_DECOYS,
    CatalogDecoys,
    listener_catalog,
)
from amsync.emulator.privacy_export import PrivacyExportSpec, generate_listening

DEV, USER = "dev", "user"
ALL = CatalogDecoys(live=1.0, remaster=1.0, near_miss=1.0, ambiguous=1.0, length_twin=1.0)


def _search(url: str, term: str) -> list[dict[str, Any]]:
    reply = httpx.get(
        f"{url}/v1/catalog/us/search",
        params={"term": term, "types": "songs", "limit": "25"},
        headers={"Authorization": f"Bearer {DEV}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    songs = reply.json()["results"].get("songs", {"data": []})
    found: list[dict[str, Any]] = songs["data"]
    return found


def test_search_finds_the_song_and_its_look_alikes() -> None:
    export = generate_listening(PrivacyExportSpec(seed=3, library_songs=30, other_songs=10))
    song = next(s for s in export.songs if s.catalog_id and s.name.isascii() and s.album.isascii())
    emulator = Emulator(listener_catalog(export.songs, seed=3, decoys=ALL), developer_tokens={DEV})
    with emulator.serve() as server:
        hits = _search(server.url, f"{song.name} {song.album}")
    by_id = {hit["id"]: hit["attributes"] for hit in hits}
    assert song.catalog_id in by_id
    mine = by_id[song.catalog_id]
    assert (mine["name"], mine["artistName"], mine["albumName"], mine["durationInMillis"]) == (
        song.name,
        song.artist,
        song.album,
        song.duration_ms,
    )
    looks = [
        (a["name"], a["artistName"], a["albumName"], a["durationInMillis"]) for a in by_id.values()
    ]
    assert (
        f"{song.name} (Live)",
        song.artist,
        f"{song.album} (Live)",
        song.duration_ms + 20_000,
    ) in looks
    assert (f"{song.name} (Remastered)", song.artist, song.album, song.duration_ms) in looks
    others = [x for x in looks if x[0] == song.name and x[1] != song.artist]
    assert {x[2] for x in others} == {song.album, f"{song.album} Sessions"}
    assert {x[3] - song.duration_ms for x in others if x[2] == song.album} == {700, 60_000}


def test_the_catalog_holds_every_played_song_with_a_catalog_id_and_no_decoys_on_request() -> None:
    export = generate_listening(PrivacyExportSpec(seed=4, library_songs=40, other_songs=10))
    library = listener_catalog(export.songs, seed=4, decoys=NO_DECOYS)
    with_ids = {s.catalog_id for s in export.songs if s.catalog_id}
    assert set(library.catalog_songs) == with_ids
    assert not library.songs  # the user's library is empty: only the catalog is served
    again = listener_catalog(export.songs, seed=4)
    assert set(again.catalog_songs) > with_ids  # look-alikes by default
    assert sorted(again.catalog_songs) == sorted(
        listener_catalog(export.songs, seed=4).catalog_songs
    )
