"""``amsync server push`` through the CLI against the controllable stand-in server
(``tests.support.subsonic_standin``, real HTTP on 127.0.0.1): the failures of the issue's "Bad
input" that a real server cannot be made to produce on demand — every Subsonic error code, a
timeout after a write was applied, a server gone away, songs lost between runs — each one
clear line with its exit code, nothing duplicated, and the next run repairs. Also what only
OpenSubsonic servers offer (ISRCs, API keys, tokens) and a 5,000-track playlist."""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amsync.emulator.library import Library
from tests.backup.conftest import sync_in_process
from tests.support.cli import CliResult, invoke
from tests.support.subsonic_standin import Fault, Song, StandinState, serving
from tests.support.subsonic_world import World, build_library, emulator

USER, PASSWORD = "alice", "alice-password-123"
ROOT = "/srv/music"


def standin_songs(world: World, library: Library) -> list[Song]:
    """The world's files as a server that reports absolute paths and ISRCs would list them."""
    songs: list[Song] = []
    files = {**world.truth.early, **world.truth.late}
    for n, (library_id, path) in enumerate(sorted(files.items())):
        song = library.songs[library_id]
        catalog = library.catalog_songs.get(song.catalog_id or "")
        isrc = (catalog.isrc,) if catalog is not None and catalog.isrc and n % 2 == 0 else ()
        songs.append(
            Song(
                f"s{n}",
                song.name,
                song.artist_name,
                song.album_name,
                f"al-{song.album_name}",
                f"ar-{song.artist_name}",
                song.duration_ms // 1000,
                f"{ROOT}/{path}",
                isrc,
            )
        )
    return songs


@pytest.fixture
def standin(world: World) -> Iterator[tuple[StandinState, str]]:
    state = StandinState(standin_songs(world, build_library()), {USER: PASSWORD})
    with serving(state) as url:
        yield state, url


def push(db: Path, url: str, *args: str, password: str = PASSWORD, **env: str) -> CliResult:
    return invoke(
        ["--db", str(db), "server", "push", url, "--user", USER, *args],
        env={"AMSYNC_SUBSONIC_PASSWORD": password, **env},
    )


def report(result: CliResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def names(state: StandinState) -> Counter[str]:
    return Counter(p.name for p in state.playlists.values())


def one_error_line(result: CliResult) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("amsync: error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_isrcs_tokens_and_absolute_paths(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    db = world.database(tmp_path)
    done = report(push(db, url, "--json", "-v"))
    assert done["server"]["auth"] == "token" and done["server"]["type"] == "standin"
    prefix = done["path_prefix"]
    assert prefix["source"] == "inferred"
    assert prefix["server"] + str(world.music).removeprefix(prefix["local"]) == ROOT
    methods = Counter()
    for line in done["playlists"]:
        methods.update(line["by_method"])
    assert methods["path"] > 0 and methods["isrc"] > 0 and methods["tags"] > 0
    assert sum(len(p.songs) for p in state.playlists.values()) == done["counts"]["written"]
    # a wrong prefix: no path matches, the ISRCs and tags still find most
    db2 = world.database(tmp_path, "other.db")
    state.playlists.clear()
    elsewhere = report(push(db2, url, "--json", "--path-prefix", "/nowhere=/srv"))
    assert elsewhere["path_prefix"]["source"] == "option"
    assert all(p["by_method"]["path"] == 0 for p in elsewhere["playlists"])


def test_an_api_key_without_a_user(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    state.api_keys["key-of-alice-0123456789"] = USER
    result = invoke(
        ["--db", str(world.database(tmp_path)), "server", "push", url, "--json"],
        env={"AMSYNC_SUBSONIC_PASSWORD": "key-of-alice-0123456789"},
    )
    assert result.exit_code == 0, result.output
    assert report(result)["server"]["auth"] == "api-key"
    assert {p.owner for p in state.playlists.values()} == {USER}


def test_a_5000_track_playlist(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    library = build_library()
    songs = sorted(set(world.truth.early) | set(world.truth.late))
    tracks = [songs[(n * 13) % len(songs)] for n in range(5000)]
    library.add_playlist("Five Thousand", tracks=tracks)
    db = world.database(tmp_path)
    sync_in_process(emulator(library), str(db))
    first = report(push(db, url, "--playlist", "Five Thousand", "--json"))
    line = first["playlists"][0]
    assert line["tracks"] == 5000 and line["written"] + len(line["not_written"]) == 5000
    playlist = state.playlists[line["server_playlist_id"]]
    assert len(playlist.songs) == line["written"] > 4000
    by_path = {s.path: s.id for s in state.songs}
    files = {**world.truth.early, **world.truth.late}
    written = [by_path[f"{ROOT}/{files[t]}"] for t in tracks]
    skipped = {m["position"] for m in line["not_written"]}
    assert playlist.songs == [s for n, s in enumerate(written) if n not in skipped]
    writes = state.writes
    again = report(push(db, url, "--playlist", "Five Thousand", "--json"))
    assert again["writes"] == 0 and state.writes == writes
    # ping, extensions, signed ping, last scan, playlists: no track list is read
    assert again["requests"] == 5


CODES = {
    0: 1,
    10: 1,
    20: 2,
    30: 2,
    40: 3,
    41: 3,
    44: 3,
    50: 3,
    60: 3,
}


@pytest.mark.parametrize(("code", "exit_code"), CODES.items(), ids=[f"error-{c}" for c in CODES])
def test_every_subsonic_error_mid_push_then_the_next_run_repairs(
    world: World, standin: tuple[StandinState, str], tmp_path: Path, code: int, exit_code: int
) -> None:
    state, url = standin
    db = world.database(tmp_path)
    state.faults.append(Fault("createPlaylist", nth=3, code=code))
    failed = push(db, url)
    assert failed.exit_code == exit_code, failed.output
    line = one_error_line(failed)
    assert f"error {code}" in line and PASSWORD not in failed.output
    assert len(state.playlists) == 2
    state.faults.clear()
    repaired = report(push(db, url, "--json"))
    wanted = Counter(p["server_name"] for p in repaired["playlists"])
    assert names(state) == wanted, "a playlist was duplicated or lost"
    assert report(push(db, url, "--json"))["writes"] == 0


def test_error_70_on_a_write_means_songs_gone_the_others_go_on(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    db = world.database(tmp_path)
    state.faults.append(Fault("createPlaylist", nth=3, code=70))
    failed = push(db, url)
    assert failed.exit_code == 75, failed.output
    assert "no longer has songs of 1 playlist" in one_error_line(failed)
    wanted = report(push(db, url, "--json", "--dry-run"))["playlists"]
    assert len(state.playlists) == len(wanted) - 1
    state.faults.clear()
    repaired = report(push(db, url, "--json"))
    assert repaired["catalogue"]["source"] == "server"  # the cache was dropped
    assert names(state) == Counter(p["server_name"] for p in repaired["playlists"])


def test_a_timeout_after_a_create_was_applied(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    db = world.database(tmp_path)
    state.faults.append(Fault("createPlaylist", nth=2, hang_s=3.0))
    failed = push(db, url, "--timeout", "1", "--json")
    assert failed.exit_code == 75, failed.output
    assert "next push" in one_error_line(failed)
    assert report(failed)["status"] == "failed"
    assert len(state.playlists) == 2  # the second create was applied; its answer never came
    state.faults.clear()
    repaired = report(push(db, url, "--json"))
    adopted = [p for p in repaired["playlists"] if p["adopted"]]
    assert len(adopted) == 1
    assert names(state) == Counter(p["server_name"] for p in repaired["playlists"])
    by_id = {p["library_id"]: p for p in repaired["playlists"]}
    assert (
        len(state.playlists[adopted[0]["server_playlist_id"]].songs)
        == by_id[adopted[0]["library_id"]]["written"]
    )
    assert report(push(db, url, "--json"))["writes"] == 0


def test_a_server_that_stays_down_is_exit_75(world: World, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
    result = push(world.database(tmp_path), f"http://127.0.0.1:{port}", AMSYNC_RETRY_BUDGET="1")
    assert result.exit_code == 75, result.output
    assert "cannot connect" in one_error_line(result)


def test_a_url_that_is_not_a_subsonic_api_is_exit_2(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    _, url = standin
    result = push(world.database(tmp_path), url + "/elsewhere/x")
    assert result.exit_code == 2, result.output
    assert "does not answer like a Subsonic API" in one_error_line(result)


def test_songs_lost_on_the_server_since_the_last_run(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    db = world.database(tmp_path)
    first = report(push(db, url, "--json"))
    biggest = max(first["playlists"], key=lambda p: p["written"])
    lost = set(state.playlists[biggest["server_playlist_id"]].songs[:3])
    state.songs = [s for s in state.songs if s.id not in lost]
    state.last_scan += 1
    second = report(push(db, url, "--json"))
    assert second["catalogue"]["source"] == "server"
    line = next(p for p in second["playlists"] if p["library_id"] == biggest["library_id"])
    assert len(line["not_written"]) == len(biggest["not_written"]) + 3
    assert all(m["reason"].startswith("not on the server") for m in line["not_written"])
    shown = [s for s in state.playlists[biggest["server_playlist_id"]].songs if s in state.by_id]
    assert len(shown) == line["written"] == biggest["written"] - 3
    assert names(state) == Counter(p["server_name"] for p in second["playlists"])
    assert report(push(db, url, "--json"))["writes"] == 0


def test_songs_lost_during_a_push_end_it_with_75_and_the_next_run_repairs(
    world: World, standin: tuple[StandinState, str], tmp_path: Path
) -> None:
    state, url = standin
    db = world.database(tmp_path)
    assert push(db, url).exit_code == 0
    # the server loses a song without saying it scanned: the cached catalogue is stale
    playlist = max(state.playlists.values(), key=lambda p: len(p.songs))
    gone = playlist.songs[0]
    state.songs = [s for s in state.songs if s.id != gone]
    library = build_library()
    order = next(
        p
        for p in library.playlists.values()
        if len(p.tracks) == max(len(q.tracks) for q in library.playlists.values())
    )
    library.set_playlist_tracks(order.id, list(reversed(order.tracks)))
    sync_in_process(emulator(library), str(db))
    stale = push(db, url)
    assert stale.exit_code == 75, stale.output
    assert "run the push again" in one_error_line(stale)
    again = report(push(db, url, "--json"))
    assert again["catalogue"]["source"] == "server"
    shown = [s for s in state.playlists[playlist.id].songs if s in state.by_id]
    assert gone not in shown and len(shown) == next(
        p["written"] for p in again["playlists"] if p["server_playlist_id"] == playlist.id
    )
