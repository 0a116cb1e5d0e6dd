"""``amsync export json``: the document parses and says what the mirror holds (DESIGN §4)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.cli import invoke
from tests.support.mirror_builder import HOSTILE_PLAYLIST_NAME, HOSTILE_SONG_NAME

SONG_KEYS = {
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "track_number",
    "disc_number",
    "genres",
    "release_date",
    "isrc",
    "favourite",
    "date_added",
}
ALBUM_KEYS = {"library_id", "catalog_id", "name", "artist", "track_count", "release_date"}
PLAYLIST_KEYS = {"library_id", "catalog_id", "name", "description", "can_edit", "favourite"}
TRACK_KEYS = {"position", "library_id", "catalog_id", "name", "artist", "album", "duration_ms"}


def _export(db: str, *args: str) -> dict:  # type: ignore[type-arg]
    result = invoke(["--db", db, "export", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_document_matches_the_mirror(sample_db: str) -> None:
    doc = _export(sample_db)
    assert doc["format"] == "amsync.library" and doc["version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["exported_at"])
    assert doc["storefront"] == "gb"
    songs = {s["library_id"]: s for s in doc["songs"]}
    assert set(songs) == {"i.S1", "i.S2", "i.S3", "i.S5", "i.S6"}, "removed i.S4 left out"
    for song in doc["songs"]:
        assert set(song) >= SONG_KEYS
        assert isinstance(song["favourite"], bool)
    hello = songs["i.S1"]
    assert hello["isrc"] == "GBBKS1500214"
    assert hello["genres"] == ["Pop", "Music"]
    assert hello["release_date"] == "2015", "dates stay as Apple gave them"
    assert hello["favourite"] is True and hello["duration_ms"] == 295_000
    upload = songs["i.S2"]
    assert upload["catalog_id"] is None and upload["isrc"] is None and upload["genres"] is None
    assert upload["favourite"] is False, "disliked is not a favourite"
    assert (hello["rating"], upload["rating"], songs["i.S3"]["rating"]) == (1, -1, None)
    assert hello["catalog_url"].startswith("https://") and hello["catalog_available"] is True
    assert "url" not in hello and "available" not in hello, "one name per concept"
    assert songs["i.S5"]["name"] == HOSTILE_SONG_NAME
    assert [a["library_id"] for a in doc["albums"]] == ["l.A1"]
    assert set(doc["albums"][0]) >= ALBUM_KEYS and doc["albums"][0]["favourite"] is True
    assert doc["artists"] == [
        {
            "library_id": "r.R1",
            "catalog_id": "9000",
            "name": "Adele",
            "favourite": True,
            "rating": 1,
        }
    ]


def test_playlists_keep_order_duplicates_and_folders(sample_db: str) -> None:
    doc = _export(sample_db)
    playlists = {p["library_id"]: p for p in doc["playlists"]}
    assert set(playlists) == {"p.P1", "p.P2", "p.P3"}
    road = playlists["p.P1"]
    assert PLAYLIST_KEYS | {"folder", "tracks"} <= set(road)
    assert road["folder"] == "Parent/Child"
    assert road["favourite"] is True
    assert [t["position"] for t in road["tracks"]] == [0, 1, 2, 3, 4]
    assert [t["library_id"] for t in road["tracks"]] == ["i.S1", "i.S2", "i.S1", "i.S3", "i.S5"]
    assert all(TRACK_KEYS | {"isrc"} <= set(t) for t in road["tracks"])
    assert road["tracks"][0]["isrc"] == "GBBKS1500214"
    assert road["tracks"][1]["catalog_id"] is None
    assert playlists["p.P2"]["tracks"] == [] and playlists["p.P2"]["folder"] is None
    assert playlists["p.P2"]["can_edit"] is False
    assert playlists["p.P3"]["name"] == HOSTILE_PLAYLIST_NAME


def test_include_removed_adds_tombstoned_items(sample_db: str) -> None:
    doc = _export(sample_db, "--include-removed")
    assert "i.S4" in {s["library_id"] for s in doc["songs"]}
    removed = next(s for s in doc["songs"] if s["library_id"] == "i.S4")
    assert removed["removed_at"].endswith("Z")
    assert {"l.A1", "l.A2"} == {a["library_id"] for a in doc["albums"]}
    assert "p.P4" in {p["library_id"] for p in doc["playlists"]}


def test_playlist_option_selects_playlists(sample_db: str) -> None:
    doc = _export(sample_db, "--playlist", "road trip", "--playlist", "p.P2")
    assert [p["library_id"] for p in doc["playlists"]] == ["p.P1", "p.P2"]
    assert doc["songs"] == [] and doc["albums"] == [] and doc["artists"] == []


def test_unknown_playlist_is_a_usage_error(sample_sqlite: str) -> None:
    result = invoke(["--db", sample_sqlite, "export", "json", "--playlist", "nope"])
    assert result.exit_code == 2
    assert "no playlist named 'nope'" in result.stderr


def test_output_file_and_json_summary(sample_sqlite: str, tmp_path: Path) -> None:
    target = tmp_path / "library.json"
    result = invoke(["--db", sample_sqlite, "export", "json", "-o", str(target), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files"] == [str(target)]
    assert summary["counts"] == {"songs": 5, "albums": 1, "artists": 1, "playlists": 3, "tracks": 6}
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "amsync.library"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_empty_mirror_exports_empty_lists(sqlite_path: str) -> None:
    from tests.support.mirror_builder import mirror

    with mirror(sqlite_path, storefront=None):
        pass
    doc = _export(sqlite_path)
    assert doc["storefront"] is None
    assert doc["songs"] == doc["albums"] == doc["artists"] == doc["playlists"] == []


def test_accounts_are_kept_apart(sample_sqlite: str) -> None:
    from tests.support.mirror_builder import mirror

    with mirror(sample_sqlite, account="other", storefront="us") as m:
        m.song("i.OTHER", "Someone Else's Song")
    mine = _export(sample_sqlite)
    assert "i.OTHER" not in {s["library_id"] for s in mine["songs"]}
    result = invoke(["--db", sample_sqlite, "--account", "other", "export", "json"])
    assert result.exit_code == 0, result.output
    other = json.loads(result.stdout)
    assert [s["library_id"] for s in other["songs"]] == ["i.OTHER"]
    assert other["storefront"] == "us"
