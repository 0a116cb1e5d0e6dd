"""End to end over the emulator on a real socket: sync, back up, lose three playlists, 50
songs and the favourites on Apple's side, then ``restore --dry-run``, ``restore``, and a second
``restore`` that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amsync.emulator import Emulator, Library, LibrarySpec
from tests.backup.conftest import amsync, json_of, only_backup, sync_in_process
from tests.sync.conftest import make_emulator

SPEC = LibrarySpec(songs=400, playlists=12, folders=3, seed=21, favourite_fraction=0.1)
RATED_KINDS = ("song:", "album:", "playlist:")


def _track_key(library: Library, track_id: str) -> str:
    """What identifies a playlist track across a restore: its catalog id, else its id."""
    song = library.songs.get(track_id) or library.music_videos.get(track_id)
    assert song is not None, track_id
    return song.catalog_id or track_id


def _pick_playlists(library: Library) -> list[str]:
    """Three of the user's own playlists: the biggest (> 100 tracks), one in a folder, one
    more."""
    own = [p for p in library.playlists.values() if p.can_edit and p.tracks]
    biggest = max(own, key=lambda p: len(p.tracks))
    assert len(biggest.tracks) > 100
    in_folder = next(p for p in own if p.parent_id and p is not biggest)
    other = next(p for p in own if p not in (biggest, in_folder))
    return [biggest.id, in_folder.id, other.id]


def _pick_songs(library: Library, count: int) -> list[str]:
    candidates = [
        s.id
        for s in sorted(library.songs.values(), key=lambda s: s.id)
        if s.catalog_id and not library.catalog_songs[s.catalog_id].withdrawn
    ]
    return candidates[::3][:count]


def _lose_things(emulator: Emulator) -> dict[str, Any]:
    library = emulator.library
    playlists = _pick_playlists(library)
    lost_playlists = {
        library.playlists[p].name: [
            _track_key(library, t) for t in library.playlists[p].tracks if t in library.songs
        ]
        for p in playlists
    }
    folders = {library.playlists[p].name: library.playlists[p].parent_id for p in playlists}
    favourite_playlists = {
        library.playlists[p].name for p in playlists if library.ratings.get(f"playlist:{p}") == 1
    }
    songs = _pick_songs(library, 50)
    lost_songs = {library.songs[s].catalog_id for s in songs}
    cleared = {
        key for key, value in library.ratings.items() if value == 1 and key.startswith(RATED_KINDS)
    }
    with emulator.lock:
        for playlist_id in playlists:
            library.remove_playlist(playlist_id)
        for song_id in songs:
            library.remove_song(song_id)
        for key in cleared:
            del library.ratings[key]
        library.ratings_version += 1
    return {
        "playlists": lost_playlists,
        "folders": folders,
        "songs": lost_songs,
        "ratings": cleared,
        "favourite_playlists": favourite_playlists,
    }


@pytest.fixture
def scenario(tmp_path: Path) -> tuple[Emulator, str]:
    emulator = make_emulator(SPEC)
    assert any(v == 1 for v in emulator.library.ratings.values())
    return emulator, str(tmp_path / "mirror.db")


def test_restore_recreates_what_was_lost_and_is_idempotent(
    scenario: tuple[Emulator, str], home: Path
) -> None:
    emulator, db = scenario
    library = emulator.library
    library.set_rating("library-playlists", _pick_playlists(library)[1], 1)
    with emulator.serve() as server:
        url = server.url
        sync_in_process(emulator, db)
        assert amsync(["--db", db, "backup"], url).exit_code == 0
        backup = only_backup(home / "backups" / "default")
        lost = _lose_things(emulator)
        assert lost["favourite_playlists"]
        emulator.log.clear()

        plan = json_of(
            amsync(["--db", db, "restore", "--from", str(backup), "--dry-run", "--json"], url)
        )["plan"]
        assert emulator.log.writes() == []
        added = {(a["kind"], a["catalog_id"]) for a in plan["additions"]}
        assert added == {("song", c) for c in lost["songs"]}
        assert {p["name"] for p in plan["playlists"]} == set(lost["playlists"])
        planned_ratings = {
            (f["resource_type"], f["item_id"]) for f in plan["favourites"] if f["value"] == 1
        }
        assert len(planned_ratings) + sum(p["rating"] == 1 for p in plan["playlists"]) == len(
            lost["ratings"]
        )

        text = amsync(["--db", db, "restore", "--from", str(backup), "--dry-run"], url)
        assert text.exit_code == 0, text.output
        assert "dry run: nothing was written" in text.stdout
        for name in lost["playlists"]:
            assert f"create playlist {name!r}" in text.stdout
        assert emulator.log.writes() == []

        result = amsync(["--db", db, "restore", "--from", str(backup), "--yes", "--json"], url)
        outcome = json_of(result)
        assert outcome["status"] == "restored", outcome
        assert outcome["failed"] == [] and outcome["unconfirmed"] == []

        in_library = {s.catalog_id for s in library.songs.values()}
        assert lost["songs"] <= in_library
        by_name = {p.name: p for p in library.playlists.values()}
        for name, tracks in lost["playlists"].items():
            recreated = by_name[name]
            assert [_track_key(library, t) for t in recreated.tracks] == tracks, name
            assert recreated.parent_id == lost["folders"][name]
        for key in lost["ratings"]:
            kind, _, ident = key.partition(":")
            if kind == "playlist" and ident.startswith("p."):
                continue  # a recreated playlist has a new id: checked by name below
            assert library.ratings.get(key) == 1, key
        for name in lost["favourite_playlists"]:
            assert library.rating_of("library-playlists", by_name[name].id) == 1, name
        add_requests = [e for e in emulator.log.writes() if e.path.endswith("/tracks")]
        assert add_requests, "the big playlist needs chunked track additions"

        emulator.log.clear()
        again = json_of(
            amsync(["--db", db, "restore", "--from", str(backup), "--yes", "--json"], url)
        )
        assert again["status"] == "nothing-to-do", again["plan"]
        assert emulator.log.writes() == []
        assert emulator.log.count("GET") > 0  # it did look at the live library


def test_restore_from_an_export_file_with_selected_playlists(
    scenario: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, db = scenario
    library = emulator.library
    export = tmp_path / "library.json"
    with emulator.serve() as server:
        url = server.url
        sync_in_process(emulator, db)
        assert amsync(["--db", db, "export", "json", "-o", str(export)]).exit_code == 0
        lost = _lose_things(emulator)
        name = sorted(lost["playlists"])[0]
        emulator.log.clear()
        outcome = json_of(
            amsync(
                [
                    *("--db", db, "restore", "--from", str(export)),
                    *("--playlists", name, "--yes", "--json"),
                ],
                url,
            )
        )
        plan = outcome["plan"]
        assert [p["name"] for p in plan["playlists"]] == [name]
        assert plan["additions"] == [] and plan["favourites"] == []
        assert [p.name for p in library.playlists.values()].count(name) == 1
        writes = {e.endpoint for e in emulator.log.writes()}
        assert writes <= {
            "POST /v1/me/library/playlists",
            "POST /v1/me/library/playlists/{id}/tracks",
        }
        unknown = amsync(
            ["--db", db, "restore", "--from", str(export), "--playlists", "No such", "--yes"], url
        )
        assert unknown.exit_code == 2
        assert "no playlist named 'No such'" in unknown.stderr


def test_uploads_and_withdrawn_songs_are_reported_not_restored(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(LibrarySpec(songs=200, playlists=4, seed=8, upload_fraction=0.1))
    library = emulator.library
    db = str(tmp_path / "mirror.db")
    with emulator.serve() as server:
        url = server.url
        sync_in_process(emulator, db)
        assert amsync(["--db", db, "backup"], url).exit_code == 0
        backup = only_backup(home / "backups" / "default")
        upload = next(s for s in library.songs.values() if s.catalog_id is None)
        withdrawn = next(
            s
            for s in library.songs.values()
            if s.catalog_id and not library.catalog_songs[s.catalog_id].withdrawn
        )
        playlist = library.add_playlist("Mixed", tracks=[upload.id, withdrawn.id])
        sync_in_process(emulator, db)
        assert amsync(["--db", db, "backup"], url).exit_code == 0
        backup = sorted(p for p in (home / "backups" / "default").iterdir())[-1]
        with emulator.lock:
            library.withdraw_catalog_song(withdrawn.catalog_id or "")
            library.remove_song(upload.id)
            library.remove_song(withdrawn.id)
            library.remove_playlist(playlist.id)
        emulator.log.clear()
        plan = json_of(
            amsync(["--db", db, "restore", "--from", str(backup), "--dry-run", "--json"], url)
        )["plan"]
        reasons = {(u["item_type"], u["name"]): u["reason"] for u in plan["unrestorable"]}
        assert "upload" in reasons[("song", upload.name)]
        assert "withdrawn" in reasons[("song", withdrawn.name)]
        assert "upload" in reasons[("track", upload.name)]
        assert "withdrawn" in reasons[("track", withdrawn.name)]
        assert plan["additions"] == []
        [mixed] = plan["playlists"]
        assert mixed["name"] == "Mixed" and mixed["tracks"] == [] and mixed["backup_tracks"] == 2
        text = amsync(["--db", db, "restore", "--from", str(backup), "--dry-run"], url)
        assert "cannot be restored: 4 item(s)" in text.stdout
        assert emulator.log.writes() == []


def test_a_damaged_backup_is_refused_before_anything_is_written(
    scenario: tuple[Emulator, str], home: Path
) -> None:
    emulator, db = scenario
    with emulator.serve() as server:
        url = server.url
        sync_in_process(emulator, db)
        assert amsync(["--db", db, "backup"], url).exit_code == 0
        backup = only_backup(home / "backups" / "default")
        data = json.loads((backup / "library.json").read_text())
        data["playlists"] = []
        (backup / "library.json").write_text(json.dumps(data))
        emulator.log.clear()
        result = amsync(["--db", db, "restore", "--from", str(backup), "--yes"], url)
        assert result.exit_code == 1
        assert "damaged" in result.stderr
        assert emulator.log.count() == 0
        not_json = home / "notes.txt"
        not_json.write_text("hello")
        assert amsync(["restore", "--from", str(not_json), "--yes"], url).exit_code == 2
