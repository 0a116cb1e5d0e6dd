"""``amsync local scan | match | link | unlink | unmatched`` end to end, on the sample mirror
with real tagged files, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from amsync.db.store import open_store
from amsync.query.snapshot import snapshot
from tests.local.conftest import put
from tests.support.cli import invoke

VIEW_COLUMNS = [
    "account_id", "account", "library_id", "catalog_id", "name", "artist", "path", "method",
    "score", "album", "file_isrc", "format", "matched_at",
]  # fmt: skip


def ok(*args: str) -> str:
    result = invoke(list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def matches(db: str) -> dict[str, tuple[str, str]]:
    out = ok("--db", db, "query", "SELECT library_id, path, method FROM local_matches_v",
             "--format", "json")  # fmt: skip
    return {row["library_id"]: (Path(row["path"]).name, row["method"]) for row in json.loads(out)}


def test_scan_match_and_the_view(sample_db: str, music: Path) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    report = json.loads(ok("--db", sample_db, "local", "match", "--json"))
    assert report["songs"] == 5 and report["files"] == 5
    assert report["by_method"] == {"isrc": 2, "tags": 1}
    assert matches(sample_db) == {
        "i.S1": ("01 Hello.flac", "isrc"),
        "i.S6": ("01 Hello.flac", "isrc"),
        "i.S3": ("Gone Song.m4a", "tags"),
    }
    rows = json.loads(ok("--db", sample_db, "query", "SELECT * FROM local_matches_v", "--format",
                          "json"))  # fmt: skip
    assert list(rows[0]) == VIEW_COLUMNS
    assert all(row["account"] == "default" for row in rows)
    assert rows[0]["matched_at"].endswith("Z") and "T" in rows[0]["matched_at"]
    text = invoke(["--db", sample_db, "local", "match"])
    assert "matched 3 of 5 songs" in text.stdout


def test_unmatched_lists_the_best_candidate_and_why(sample_db: str, music: Path) -> None:
    put(music / "evil", "evil.mp3", title="=HYPERLINK(http://evil) second line", artist="-evil",
        duration_ms=30_000)  # fmt: skip
    before = json.loads(ok("--db", sample_db, "local", "unmatched", "--json"))
    assert {row["reason"] for row in before} == {"not matched yet (run `amsync local match`)"}
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    rows = {r["library_id"]: r for r in json.loads(ok("--db", sample_db, "local", "unmatched",
                                                      "--format", "json"))}  # fmt: skip
    assert set(rows) == {"i.S2", "i.S5"}
    assert rows["i.S2"]["reason"] == "no file with a similar title"
    assert rows["i.S5"]["candidate"].endswith("evil.mp3")
    assert "differ" in rows["i.S5"]["reason"]
    tsv = ok("--db", sample_db, "local", "unmatched", "--format", "tsv")
    assert tsv.splitlines()[0].split("\t")[:3] == ["library_id", "catalog_id", "name"]
    assert len(tsv.splitlines()) == 3, "one line per song, even with line breaks in names"
    listed = ok("--db", sample_db, "local", "unmatched", "--playlist", "Road Trip", "--format",
                "csv")  # fmt: skip
    table = list(csv.DictReader(io.StringIO(listed)))
    assert [(r["position"], r["library_id"]) for r in table] == [("1", "i.S2"), ("4", "i.S5")]


def test_link_and_unlink_win_and_survive_rescans(sample_db: str, music: Path) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    chosen = put(music / "Mine", "demo take.flac", title="Untitled", artist="Me")
    out = ok("--db", sample_db, "local", "link", "i.S2", str(chosen))
    assert "i.S2" in out and str(chosen) in out
    assert matches(sample_db)["i.S2"] == ("demo take.flac", "link")
    ok("--db", sample_db, "local", "unlink", "100")  # a catalog id: i.S1 and i.S6
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    found = matches(sample_db)
    assert found["i.S2"] == ("demo take.flac", "link"), "the link survives a rescan and match"
    assert "i.S1" not in found and "i.S6" not in found, "so does the unlink"
    unmatched = json.loads(ok("--db", sample_db, "local", "unmatched", "--json"))
    assert {r["library_id"]: r["reason"] for r in unmatched}["i.S1"] == "unlinked by you"
    ok("--db", sample_db, "local", "unlink", "i.S1", "--forget")
    ok("--db", sample_db, "local", "match")
    assert matches(sample_db)["i.S1"] == ("01 Hello.flac", "isrc")


def test_mistakes_are_one_line_errors(sample_sqlite: str, tmp_path: Path, music: Path) -> None:
    cases = [
        (["local", "link", "i.S1", str(tmp_path / "missing.mp3")], "no file at"),
        (["local", "link", "nope", str(music / "Other" / "Hello.opus")], "no song"),
        (["local", "link", "i.S1", str(music)], "not a file"),
        (["local", "scan"], "give one or more FOLDERs"),
        (["local", "scan", str(tmp_path / "absent")], "no folder at"),
        (["local", "scan", "--beets", str(tmp_path / "absent.db")], "no beets library"),
        (["local", "unmatched", "--playlist", "No Such"], "no playlist"),
        (["export", "m3u", "--local", "--path-template", "{name}"], "give one"),
        (["export", "m3u", "--relative"], "applies to file locations"),
        (["export", "m3u", "--local", "--relative", "--path-prefix", "/a=/b"], "relative"),
        (["export", "m3u", "--local", "--path-prefix", "a=/b"], "absolute path"),
        (["export", "m3u", "--local", "--path-prefix", "/a"], "OLD=NEW"),
    ]
    bad = tmp_path / "not-audio.mp3"
    bad.write_text("hello")
    cases.append((["local", "link", "i.S1", str(bad)], "cannot use"))
    for args, message in cases:
        result = invoke(["--db", sample_sqlite, *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") <= 2 and "Traceback" not in result.output, args


def test_a_beets_library_is_a_source(sample_db: str, music: Path, tmp_path: Path) -> None:
    """A real beets library (made by beets itself, which stores paths relative to its music
    folder) scanned instead of the files."""
    from beets.library import Item, Library

    library = Library(str(tmp_path / "library.db"), directory=str(music))
    for path in sorted(music.rglob("*.*")):
        library.add(Item.from_path(str(path)))
    library._close()
    (tmp_path / "config.yaml").write_text(f"directory: {music}\nlibrary: library.db\n")
    report = json.loads(ok("--db", sample_db, "local", "scan", "--beets",
                           str(tmp_path / "library.db"), "--json"))  # fmt: skip
    assert report["found"] == 5 and report["source"].startswith("beets:")
    assert report["problem_counts"] == {}
    ok("--db", sample_db, "local", "match")
    assert matches(sample_db)["i.S3"] == ("Gone Song.m4a", "tags")
    store = open_store(sample_db)
    try:
        with snapshot(store) as connection:
            paths = connection.exec_driver_sql("SELECT path FROM local_files").scalars().all()
    finally:
        store.close()
    assert all(Path(p).is_absolute() and Path(p).exists() for p in paths)
    (tmp_path / "config.yaml").unlink()
    result = invoke(["--db", sample_db, "local", "scan", "--beets", str(tmp_path / "library.db")])
    assert result.exit_code == 2 and "--beets-music-dir" in result.stderr
    again = json.loads(ok("--db", sample_db, "local", "scan", "--beets",
                          str(tmp_path / "library.db"), "--beets-music-dir", str(music),
                          "--json"))  # fmt: skip
    assert (again["unchanged"], again["read"]) == (5, 0)
    not_beets = tmp_path / "notes.db"
    not_beets.write_bytes(b"SQLite format 3\x00" + bytes(200))
    result = invoke(["--db", sample_db, "local", "scan", "--beets", str(not_beets)])
    assert result.exit_code == 2 and "beets library" in result.stderr


def test_a_moved_or_retagged_file_is_found_again_by_its_recording_id(
    sample_db: str, tmp_path: Path
) -> None:
    music = tmp_path / "Music"
    mbid = "0b6f5a2e-1234-4cde-9abc-0123456789ab"
    old = put(music / "Someone", "Gone Song.m4a", 200_500, title="Gone Song", artist="Someone",
              mb_recording_id=mbid)  # fmt: skip
    mine = put(music / "Mine", "demo.flac", 61_000, title="Demo", artist="Me",
               mb_recording_id="11111111-2222-4333-8444-555555555555")  # fmt: skip
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    ok("--db", sample_db, "local", "link", "i.S2", str(mine))
    assert matches(sample_db)["i.S3"] == ("Gone Song.m4a", "tags")
    # re-encoded under another name, with tags that no longer say what it is; the demo moved
    old.unlink()
    put(music / "Archive", "track07.mp3", 200_400, title="Track 07", mb_recording_id=mbid)
    (music / "Archive" / "moved demo.flac").write_bytes(mine.read_bytes())
    mine.unlink()
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    found = matches(sample_db)
    assert found["i.S3"] == ("track07.mp3", "mbid")
    assert found["i.S2"] == ("moved demo.flac", "link"), "the link follows the moved file"


def test_a_local_export_before_any_match_says_what_to_do(sample_sqlite: str) -> None:
    result = invoke(["--db", sample_sqlite, "export", "m3u", "--local", "--playlist", "p.P1"])
    assert result.exit_code == 0
    assert "run `amsync local scan FOLDER` and `amsync local match`" in result.stderr
    assert result.stdout.count("# no local file:") == 5
