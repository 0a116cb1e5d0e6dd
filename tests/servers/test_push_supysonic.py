"""``amsync server push`` against a real Supysonic (started by the tests, see
``tests/servers/conftest.py``): what it writes is read back through Supysonic's own API and
compared with the truth the music folder was built from (``tests.support.subsonic_world``)."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from amsync.audiotags import FolderSource
from amsync.db.store import open_store
from amsync.local.match_run import run_match
from amsync.local.scan import scan
from tests.backup.conftest import sync_in_process
from tests.support.cli import CliResult, invoke
from tests.support.subsonic_world import SLASH_EMOJI, TWIN_NAME, World, build_library, emulator
from tests.support.supysonic_server import Supysonic

CONTROL = dict.fromkeys((*range(0x20), 0x7F), " ")


def push(
    db: str | Path, server: Supysonic, user: tuple[str, str], *args: str, command: str = "push"
) -> CliResult:
    name, password = user
    return invoke(
        ["--db", str(db), "server", command, server.url, "--user", name, *args],
        env={"AMSYNC_SUBSONIC_PASSWORD": password},
    )


def push_json(
    db: str | Path, server: Supysonic, user: tuple[str, str], *args: str
) -> dict[str, Any]:
    result = push(db, server, user, *args, "--json")
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def mirror_rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(sql).fetchall()
    connection.close()
    return rows


def expected_playlists(
    world: World, server: Supysonic, db: Path, *, folders: bool = False
) -> dict[str, tuple[str, list[str]]]:
    """Apple playlist id → (server name, server song ids in order), from the music folder's
    truth: the file of each track, found on the server by its path. The server name is the
    Apple playlist's (with ``--folders``: its folder path first)."""
    by_path = {s["path"]: s["id"] for s in server.songs()}
    heads = mirror_rows(db, "SELECT library_id, name, folder FROM playlists_v")
    tracks = mirror_rows(
        db, "SELECT playlist_id, library_id FROM playlist_tracks_v ORDER BY playlist_id, position"
    )
    found: dict[str, tuple[str, list[str]]] = {}
    for library_id, name, folder in heads:
        full = f"{folder}/{name}" if folder and folders else name
        found[library_id] = (full.translate(CONTROL).strip(), [])
    known = locally_matched(world, db)
    for playlist_id, track in tracks:
        path = world.truth.path_of(track)
        if path is not None and (track in known or track in world.truth.late):
            found[playlist_id][1].append(by_path[unicodedata.normalize("NFC", path)])
    return found


def locally_matched(world: World, db: Path) -> set[str]:
    """The songs ``amsync local match`` found a file for (each the right one)."""
    rows = mirror_rows(db, "SELECT library_id, path FROM local_matches_v")
    for library_id, path in rows:
        assert path == str(world.music / (world.truth.path_of(library_id) or "?"))
    return {library_id for library_id, _ in rows}


def server_state(server: Supysonic, user: str) -> dict[str, Any]:
    playlists = {
        p["id"]: (p["name"], [e["id"] for e in server.playlist_songs(user, p["id"])])
        for p in server.playlists(user)
    }
    return {"playlists": playlists, "stars": server.starred(user)}


def test_first_push_writes_what_apple_has_and_a_second_writes_nothing(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], tmp_path: Path
) -> None:
    user = server_user[0]
    db = world.database(tmp_path)
    # a playlist of the user's own, named like an Apple playlist: never touched
    songs = supysonic.songs()
    supysonic.call("createPlaylist", user, name="Broken Garden", songId=songs[0]["id"])
    mine = supysonic.playlists(user)[0]["id"]
    # a favourite artist (Apple's API has none: amsync keeps them), and one the server lacks
    artist = next(s["artist"] for s in songs if "feat." not in s["artist"])
    artist_id = mirror_rows(db, f"SELECT library_id FROM artists WHERE name = '{artist}'")[0][0]
    assert invoke(["--db", str(db), "favourites", "add", "artist", artist_id]).exit_code == 0

    report = push_json(db, supysonic, server_user, "--favourites", "--ratings")

    expected = expected_playlists(world, supysonic, db)
    made = {p["library_id"]: p for p in report["playlists"]}
    assert set(made) == set(expected)
    for library_id, (name, song_ids) in expected.items():
        line = made[library_id]
        assert line["action"] == "create" and line["done"], line
        assert line["server_name"] == name
        entries = supysonic.playlist_songs(user, line["server_playlist_id"])
        assert [e["id"] for e in entries] == song_ids, name  # order and duplicates kept
    on_server = {p["id"]: p for p in supysonic.playlists(user)}
    names = Counter(p["name"] for p in on_server.values() if p["id"] != mine)
    assert names == Counter(name for name, _ in expected.values())
    assert names[TWIN_NAME] == 2
    assert names[SLASH_EMOJI] == 1, names  # a playlist in a folder: its name alone
    # the comment says amsync made it (Supysonic fails to take one on an empty playlist)
    assert all(
        "amsync" in on_server[p["server_playlist_id"]].get("comment", "")
        for p in report["playlists"]
        if p["written"]
    )
    assert on_server[mine]["name"] == "Broken Garden" and on_server[mine]["songCount"] == 1
    assert any("did not make" in w for w in report["warnings"])
    assert any(TWIN_NAME in w for w in report["warnings"])

    # every track with a file amsync knows is found by its path; the others by their tags
    known = locally_matched(world, db)
    for line in report["playlists"]:
        tracks = mirror_rows(
            db,
            f"SELECT library_id FROM playlist_tracks_v WHERE playlist_id = '{line['library_id']}'",
        )
        assert line["by_method"]["path"] == sum(1 for (t,) in tracks if t in known)
        assert line["by_method"]["tags"] == sum(1 for (t,) in tracks if t in world.truth.late)
    ambiguous = [m for p in report["playlists"] for m in p["not_written"] if m["ambiguous"]]
    assert ambiguous and {m["library_id"] for m in ambiguous} == {world.truth.ambiguous}

    # stars and ratings, read back
    by_path = {s["path"]: s["id"] for s in songs}
    favourite_songs = mirror_rows(
        db, "SELECT library_id FROM favourites WHERE item_type = 'song' AND local = 'favourite'"
    )
    wanted_stars = {
        by_path[world.truth.path_of(i)] for (i,) in favourite_songs if world.truth.path_of(i)
    }
    starred = supysonic.starred(user)
    assert starred["song"] == wanted_stars and wanted_stars
    assert starred["album"] and len(starred["album"]) == report["stars"][1]["found"]
    assert {s["artistId"] for s in songs if s["artist"] == artist} <= starred["artist"]
    disliked = mirror_rows(
        db, "SELECT library_id FROM favourites WHERE item_type = 'song' AND local = 'disliked'"
    )
    rated = [by_path[world.truth.path_of(i)] for (i,) in disliked if world.truth.path_of(i)]
    assert rated
    for song_id in rated:
        assert supysonic.call("getSong", user, id=song_id)["song"]["userRating"] == 1

    # a second push with nothing changed writes nothing
    before = server_state(supysonic, user)
    again = push_json(db, supysonic, server_user, "--favourites", "--ratings")
    assert again["writes"] == 0, again
    assert {p["action"] for p in again["playlists"]} == {"unchanged"}
    assert again["catalogue"]["source"] == "cache"
    assert server_state(supysonic, user) == before


def test_status_lists_the_match_report_and_writes_nothing(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], tmp_path: Path
) -> None:
    db = world.database(tmp_path)
    before = db.read_bytes()
    result = push(db, supysonic, server_user, "--format", "tsv", command="status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == [
        "playlist",
        "library_id",
        "server_name",
        "server_playlist_id",
        "action",
        "tracks",
        "written",
        "path",
        "isrc",
        "mbid",
        "tags",
        "missing",
        "ambiguous",
    ]
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == len(mirror_rows(db, "SELECT 1 FROM playlists_v"))
    assert {row[4] for row in rows} == {"create"}
    assert sum(int(row[12]) for row in rows) >= 1  # the ambiguous track
    missing = push(db, supysonic, server_user, "--missing", "--format", "csv", command="status")
    assert missing.exit_code == 0 and missing.stdout.startswith("playlist,position,name,")
    assert "ambiguous: 2 songs on the server fit" in missing.stdout
    assert supysonic.playlists(server_user[0]) == []
    assert db.read_bytes() == before
    dry = push(db, supysonic, server_user, "--dry-run")
    assert dry.exit_code == 0 and "dry run" in dry.stdout
    assert supysonic.playlists(server_user[0]) == [] and db.read_bytes() == before


def test_changes_follow_and_only_what_amsync_did_is_taken_back(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], tmp_path: Path
) -> None:
    user = server_user[0]
    db = world.database(tmp_path)
    library = build_library()
    favourites = sorted(
        i
        for i in library.songs
        if library.rating_of("library-songs", i) == 1 and world.truth.path_of(i)
    )
    by_path = {s["path"]: s["id"] for s in supysonic.songs()}
    yours = by_path[world.truth.path_of(favourites[0]) or ""]
    supysonic.call("star", user, id=yours)  # starred by the user before amsync came
    first = push_json(db, supysonic, server_user, "--favourites")
    made = {p["name"]: p for p in first["playlists"]}

    playlists = {p.name: p for p in library.playlists.values()}
    library.rename_playlist(playlists["Broken Garden"].id, "Broken Garden (renamed)")
    reordered = playlists["Wild Window (Remastered)"]
    library.set_playlist_tracks(reordered.id, list(reversed(reordered.tracks)))
    library.remove_playlist(playlists["Golden Song"].id)
    for song in favourites[:2]:  # the user's star and one of amsync's
        library.set_rating("library-songs", song, None)
    sync_in_process(emulator(library), str(db))

    second = push_json(db, supysonic, server_user, "--favourites")
    actions = {p["name"]: p["action"] for p in second["playlists"]}
    assert actions["Broken Garden (renamed)"] == "rename"
    assert actions["Wild Window (Remastered)"] == "update"
    assert actions["Golden Song"] == "orphaned"
    assert any("--prune" in w for w in second["warnings"])
    on_server = {p["id"]: p["name"] for p in supysonic.playlists(user)}
    assert on_server[made["Broken Garden"]["server_playlist_id"]] == "Broken Garden (renamed)"
    expected = expected_playlists(world, supysonic, db)
    reordered_id = made["Wild Window (Remastered)"]["server_playlist_id"]
    assert [e["id"] for e in supysonic.playlist_songs(user, reordered_id)] == expected[
        reordered.id
    ][1]
    golden = made["Golden Song"]["server_playlist_id"]
    assert golden in on_server
    stars = supysonic.starred(user)["song"]
    assert yours in stars, "a star the user set was taken back"
    assert by_path[world.truth.path_of(favourites[1]) or ""] not in stars
    assert second["stars"][0]["remove"] == 1

    pruned = push_json(db, supysonic, server_user, "--prune")
    assert [p["action"] for p in pruned["playlists"] if p["name"] == "Golden Song"] == ["delete"]
    assert golden not in {p["id"] for p in supysonic.playlists(user)}
    assert push_json(db, supysonic, server_user, "--prune", "--favourites")["writes"] == 0


def test_a_wrong_password_is_exit_3_and_the_password_shows_nowhere(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], tmp_path: Path, home: Path
) -> None:
    db = world.database(tmp_path)
    wrong = "not-the-password-4711"
    result = push(db, supysonic, (server_user[0], wrong), "-v")
    assert result.exit_code == 3, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("amsync: error:")]
    assert len(errors) == 1 and "refused the credentials" in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert "hex-encoded password" in result.stderr  # -v says how it signed in, and why
    for text in (result.output, *(p.read_text() for p in home.rglob("*.log"))):
        assert wrong not in text and wrong.encode().hex() not in text
    assert wrong.encode() not in db.read_bytes()
    right = push(db, supysonic, server_user, "-v", "--playlist", "Golden Song")
    assert right.exit_code == 0, right.output
    log = (home / "logs" / "amsync.log").read_text()
    assert "server push ended" in log and server_user[1] not in log


def test_a_long_playlist_with_duplicates_on_a_real_server(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], tmp_path: Path
) -> None:
    """600 tracks in one POST body, order and duplicates kept (the 5,000-track case runs on the
    stand-in, ``test_push_faults``: Supysonic takes minutes to list 5,000 entries)."""
    library = build_library()
    db = world.database(tmp_path)
    with_files = sorted(locally_matched(world, db))
    tracks = [with_files[(n * 7) % len(with_files)] for n in range(600)]
    big = library.add_playlist("Six Hundred", tracks=tracks)
    sync_in_process(emulator(library), str(db))
    report = push_json(db, supysonic, server_user, "--playlist", "Six Hundred")
    line = report["playlists"][0]
    assert line["library_id"] == big.id
    assert (line["tracks"], line["written"], line["by_method"]["path"]) == (600, 600, 600)
    by_path = {s["path"]: s["id"] for s in supysonic.songs()}
    entries = supysonic.playlist_songs(server_user[0], line["server_playlist_id"])
    assert [e["id"] for e in entries] == [by_path[world.truth.early[t]] for t in tracks]
    assert push_json(db, supysonic, server_user, "--playlist", "Six Hundred")["writes"] == 0


@pytest.mark.postgres
def test_push_from_a_postgresql_mirror(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], postgres_url: str
) -> None:
    sync_in_process(emulator(), postgres_url)
    store = open_store(postgres_url)
    try:
        scan(store, FolderSource([str(world.music)]))
        run_match(store, store.account_id("default"))
    finally:
        store.close()
    first = push_json(postgres_url, supysonic, server_user, "--favourites", "--ratings")
    assert first["writes"] > 0 and first["counts"]["written"] > 0
    assert first["counts"]["written"] == sum(p["by_method"]["path"] for p in first["playlists"])
    assert len(supysonic.playlists(server_user[0])) == len(first["playlists"])
    again = push_json(postgres_url, supysonic, server_user, "--favourites", "--ratings")
    assert again["writes"] == 0


def test_songs_lost_on_a_real_server_since_the_last_run(
    world: World, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A Supysonic of its own (its files are deleted): three songs of a playlist vanish, the
    server rescans; the next push leaves them out and says so, and duplicates nothing."""
    import shutil

    from tests.support.supysonic_server import running_supysonic

    music = tmp_path_factory.mktemp("lost-music") / "music"
    shutil.copytree(world.music, music)
    db = world.database(tmp_path)
    with running_supysonic(tmp_path_factory.mktemp("lost-supysonic"), music) as server:
        user = ("lost", "lost-password-1")
        server.add_user(*user)
        first = push_json(db, server, user)
        biggest = max(first["playlists"], key=lambda p: p["written"])
        known = locally_matched(world, db)
        tracks = [
            t
            for (t,) in mirror_rows(
                db,
                "SELECT library_id FROM playlist_tracks_v "
                f"WHERE playlist_id = '{biggest['library_id']}' ORDER BY position",
            )
            if t in known
        ]
        lost = list(dict.fromkeys(tracks))[:3]
        for library_id in lost:
            (music / world.truth.early[library_id]).unlink()
        server.scan()
        second = push_json(db, server, user)
        assert second["catalogue"]["source"] == "server"
        line = next(p for p in second["playlists"] if p["library_id"] == biggest["library_id"])
        missing = {m["library_id"] for m in line["not_written"]}
        assert set(lost) <= missing
        gone = sum(1 for t in tracks if t in lost)
        assert line["written"] == biggest["written"] - gone
        entries = server.playlist_songs(user[0], line["server_playlist_id"])
        assert len(entries) == line["written"]
        assert len(server.playlists(user[0])) == len(first["playlists"])
        assert push_json(db, server, user)["writes"] == 0


def test_folders_put_the_folder_path_before_the_name_and_a_switch_renames(
    world: World, supysonic: Supysonic, server_user: tuple[str, str], tmp_path: Path
) -> None:
    """By default a server playlist carries the Apple playlist's name alone; ``--folders``
    puts its folder path first — switching renames the server's playlists in place (an empty
    one, which Supysonic will not rename, is made again under the new name)."""
    user = server_user[0]
    db = world.database(tmp_path)
    plain = push_json(db, supysonic, server_user)
    before = {p["library_id"]: p["server_playlist_id"] for p in plain["playlists"]}
    foldered = push_json(db, supysonic, server_user, "--folders")
    expected = expected_playlists(world, supysonic, db, folders=True)
    after = {p["library_id"]: p["server_playlist_id"] for p in foldered["playlists"]}
    renamed = {p["library_id"] for p in foldered["playlists"] if p["action"] == "rename"}
    heads = mirror_rows(db, "SELECT library_id, folder FROM playlists_v")
    assert renamed and renamed == {library_id for library_id, folder in heads if folder}
    on_server = {p["id"]: p["name"] for p in supysonic.playlists(user)}
    assert {i: on_server[after[i]] for i in expected} == {i: n for i, (n, _) in expected.items()}
    for library_id in renamed:
        if expected[library_id][1]:  # a playlist with songs keeps its id
            assert after[library_id] == before[library_id]
    assert len(on_server) == len(expected)  # nothing left behind under an old name
    assert push_json(db, supysonic, server_user, "--folders")["writes"] == 0
