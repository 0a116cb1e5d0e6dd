"""``amsync report`` (issue 26): the pinned contract — periods, the file and its printed path,
exit 2 for a period with bad syntax, an empty period still written — and what the report says:
the same top lists as ``amsync top`` (on SQLite and PostgreSQL), names as text, artwork
fetched once and cached, Apple's Replay beside amsync's count, the lost-songs section only
where ``lost_v`` exists, and the listening clock in the listener's local time."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from amsync.emulator import LibrarySpec
from tests.backup.conftest import sync_in_process
from tests.report.conftest import HOSTILE, YEAR, Scene, report, report_json, top_json
from tests.report.page_text import top_lists
from tests.sync.conftest import make_emulator

KINDS = ("songs", "artists", "albums")


def _copy(scene: Scene, tmp_path: Path, name: str = "mirror.db") -> str:
    db = str(tmp_path / name)
    shutil.copyfile(scene.db, db)
    return db


def test_the_default_is_the_last_complete_year_written_here_and_its_path_printed(
    scene: Scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy(scene, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = report(db, "--no-artwork")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"amsync-report-{YEAR}.html\n"
    page = (work / f"amsync-report-{YEAR}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f"Your {YEAR} in music" in page


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--month", "2025-03"], "amsync-report-2025-03.html"),
        (["--all"], "amsync-report-all.html"),
        (["--year", "2024", "--format", "json"], "amsync-report-2024.json"),
    ],
)
def test_each_period_has_its_own_file_name(
    scene: Scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], name: str
) -> None:
    db = _copy(scene, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = report(db, "--no-artwork", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == name
    assert (tmp_path / name).stat().st_size > 1000


def test_o_names_the_file(scene: Scene, tmp_path: Path) -> None:
    target = tmp_path / "out" / "my year.html"
    target.parent.mkdir()
    result = report(scene.db, "--no-artwork", "--year", "2024", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert "Your 2024 in music" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "20x5"],
        ["--year", "25"],
        ["--year", "0000"],
        ["--month", "2025-13"],
        ["--month", "2025/03"],
        ["--month", "March"],
        ["--year", "2025", "--all"],
        ["--year", "2025", "--month", "2025-03"],
        ["--tz", "Not/A_Zone"],
    ],
)
def test_a_period_with_bad_syntax_is_exit_2_and_writes_nothing(
    scene: Scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = report(scene.db, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("amsync: error: ")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_period_still_writes_a_report_that_says_so(scene: Scene, tmp_path: Path) -> None:
    page_path = tmp_path / "2019.html"
    result = report(scene.db, "--year", "2019", "-o", str(page_path))
    assert result.exit_code == 0, result.output
    page = page_path.read_text(encoding="utf-8")
    assert "Nothing to show for 2019" in page
    assert "No plays in 2019" in page
    data = report_json(scene.db, "--year", "2019")
    assert data["empty"] is True
    assert data["headline"]["plays"] == 0


def test_an_empty_period_is_a_warning_that_says_what_the_report_shows(scene: Scene) -> None:
    result = report(scene.db, "--year", "2019", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    assert "amsync: warning: no plays in 2019 in the imported listening history" in result.stderr
    assert "Traceback" not in result.stderr
    full = report(scene.db, "--year", str(YEAR), "--format", "json", "-o", "-")
    assert "warning" not in full.stderr


def test_an_output_that_cannot_be_written_fails_before_any_picture_is_fetched(
    scene: Scene, tmp_path: Path
) -> None:
    log = scene.emulator.log
    before = len(log.entries)
    result = report(scene.db, "--year", str(YEAR), "-o", str(tmp_path / "no" / "such" / "r.html"))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("amsync: error: cannot write ")
    assert "does not exist" in result.stderr and "pictures" not in result.stderr
    assert log.entries[before:] == [], "nothing was fetched for a file that cannot be written"


def test_without_any_listening_history_the_report_says_how_to_get_one(tmp_path: Path) -> None:
    db = str(tmp_path / "mirror.db")
    sync_in_process(make_emulator(LibrarySpec(songs=20, playlists=2, seed=3)), db)
    out = tmp_path / "r.html"
    result = report(db, "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "No listening history yet" in page and "amsync import apple-data" in page
    assert "no listening history is imported" in result.stderr
    assert report_json(db)["listening_history"] is False


@pytest.mark.parametrize("by", ["plays", "time"])
def test_the_top_lists_are_amsync_tops_for_the_same_period(listened_db: str, by: str) -> None:
    data = report_json(listened_db, "--year", str(YEAR), "--no-artwork")
    for kind in KINDS:
        expected = top_json(listened_db, kind, "--year", str(YEAR), "--by", by)
        assert expected, kind
        assert data["top"][kind][f"by_{by}"]["rows"] == expected, kind
    plays = sum(
        row["plays"]
        for row in top_json(listened_db, "songs", "--year", str(YEAR), "--limit", "100000")
    )
    assert data["headline"]["plays"] == plays


def test_the_page_holds_the_top_lists_as_text_in_rank_order(scene: Scene, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert report(scene.db, "--year", str(YEAR), "--no-artwork", "-o", str(out)).exit_code == 0
    lists = top_lists(out.read_text(encoding="utf-8"))
    columns = {"songs": "name", "artists": "artist", "albums": "album"}
    for kind in KINDS:
        for by, shown in (("plays", "by-plays"), ("time", "by-time")):
            rows = top_json(scene.db, kind, "--year", str(YEAR), "--by", by)
            assert lists.names[(f"top-{kind}", shown)] == [r[columns[kind]] for r in rows], kind
        counts = lists.counts[(f"top-{kind}", "by-plays")]
        plays = top_json(scene.db, kind, "--year", str(YEAR))
        assert counts == [f"{r['plays']:,} play" + ("" if r["plays"] == 1 else "s") for r in plays]


def test_a_hostile_name_is_text_never_markup(scene: Scene, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert report(scene.db, "--year", str(YEAR), "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    lists = top_lists(page)
    assert HOSTILE in lists.names[("top-songs", "by-plays")], "the hostile song is a top song"
    assert "<script" not in page.lower(), "no script element, of ours or of a name"
    assert "<img src=x" not in page and "onerror=" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_no_artwork_makes_a_text_only_file(scene: Scene, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    before = len(scene.emulator.log.entries)
    assert report(scene.db, "--year", str(YEAR), "--no-artwork", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert (
        "<img" not in page
        and "data:image" not in page
        and "placeholder" not in page.split("</style>")[1]
    )
    assert len(scene.emulator.log.entries) == before, "no network at all"


def test_artwork_is_fetched_once_cached_and_a_missing_one_is_a_placeholder(
    scene: Scene, tmp_path: Path, home: Path
) -> None:
    db = _copy(scene, tmp_path)
    album = top_json(db, "albums")[0]["album"]
    with sqlite3.connect(db) as connection:  # a top album's cover that the server does not have
        connection.execute(
            "UPDATE albums SET artwork_url = ? WHERE name = ?",
            (scene.url + "/image/thumb/nothing/here.txt", album),
        )
    connection.close()
    log = scene.emulator.log

    def images() -> list[str]:
        return [e.path for e in log.entries if e.path.startswith("/image/thumb/")]

    first_out, second_out = tmp_path / "1.html", tmp_path / "2.html"
    before = len(images())
    first = report(db, "--all", "-o", str(first_out))
    assert first.exit_code == 0, first.output
    fetched = images()[before:]
    assert "/image/thumb/nothing/here.txt" in fetched
    page = first_out.read_text(encoding="utf-8")
    assert page.count('<img class="art" src="data:image/png;base64,') > 0
    assert page.count('class="art placeholder"') >= 1
    assert "1 of" in first.stderr and "could not be fetched" in first.stderr
    cached = list((home / "cache" / "artwork").glob("*.img"))
    assert len(cached) == len(set(fetched)) - 1, "every picture fetched is cached"
    second = report(db, "--all", "-o", str(second_out))
    assert second.exit_code == 0, second.output
    assert images()[before + len(fetched) :] == ["/image/thumb/nothing/here.txt"], (
        "the second report took the pictures from the cache (and tried the missing one again)"
    )
    assert second_out.read_text(encoding="utf-8").count("data:image/png") == page.count(
        "data:image/png"
    )


def test_a_missing_picture_is_a_placeholder_with_a_warning(scene: Scene, tmp_path: Path) -> None:
    db = _copy(scene, tmp_path)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE songs SET artwork_url = ? ", (scene.url + "/image/thumb/x.txt",))
        connection.execute("UPDATE albums SET artwork_url = NULL")
        connection.execute("UPDATE catalog_songs SET artwork_url = NULL")
        connection.execute("UPDATE catalog_artists SET artwork_url = NULL")
    connection.close()
    out = tmp_path / "r.html"
    result = report(db, "--year", str(YEAR), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "could not be fetched" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "data:image" not in page
    assert page.count('class="art placeholder"') >= 20


def test_apples_replay_is_shown_beside_amsyncs_count(scene: Scene) -> None:
    data = report_json(scene.db, "--year", str(YEAR), "--no-artwork")
    replay = data["replay"]
    assert replay["kept"] is True and replay["year"] == YEAR
    apple = scene.emulator.library.replay
    assert apple is not None
    assert [i["catalog_id"] for i in replay["lists"]["songs"]] == apple.songs
    ours = {
        r["library_id"]: r
        for r in top_json(scene.db, "songs", "--year", str(YEAR), "--limit", "100000")
    }
    catalog_to_library = {s.catalog_id: s.id for s in scene.emulator.library.songs.values()}
    for item in replay["lists"]["songs"]:
        row = ours[catalog_to_library[item["catalog_id"]]]
        assert (item["amsync_plays"], item["amsync_rank"]) == (row["plays"], row["rank"])
    assert report_json(scene.db, "--year", "2024", "--no-artwork")["replay"]["kept"] is False


LOST_V = """CREATE TABLE lost_v (library_id TEXT, catalog_id TEXT, name TEXT, artist TEXT,
    album TEXT, playlist_id TEXT, playlist_name TEXT, position INTEGER, lost_at TEXT,
    cause TEXT, replacement_catalog_id TEXT)"""


def test_songs_lost_are_shown_only_when_songs_were_lost(listened_db: str, tmp_path: Path) -> None:
    """The section reads ``lost_v`` (the lost-songs work's view; here replaced by a table of
    its shape holding chosen losses) and is shown only when the period lost songs."""
    from sqlalchemy import create_engine, text

    from amsync.db.engine import database_url

    db = listened_db
    out = tmp_path / "r.html"
    assert report(db, "--year", str(YEAR), "--no-artwork", "-o", str(out)).exit_code == 0
    assert 'id="lost"' not in out.read_text(encoding="utf-8")
    assert report_json(db, "--year", str(YEAR))["library"]["lost"] is None
    rows = [
        (
            "i.1",
            "111",
            "Gone <b>Song</b>",
            "An Artist",
            "An Album",
            None,
            None,
            None,
            "2025-03-04T05:06:07Z",
            "withdrawn",
            "999",
        ),
        (
            "i.2",
            "222",
            "Other",
            "B",
            "C",
            "p.1",
            "Road Trip",
            3,
            "2025-07-01T00:00:00Z",
            "unplayable",
            None,
        ),
        (
            "i.3",
            "333",
            "Older",
            "B",
            "C",
            None,
            None,
            None,
            "2024-12-31T23:59:59Z",
            "removed",
            None,
        ),
    ]
    columns = (
        "library_id",
        "catalog_id",
        "name",
        "artist",
        "album",
        "playlist_id",
        "playlist_name",
        "position",
        "lost_at",
        "cause",
        "replacement_catalog_id",
    )
    engine = create_engine(database_url(db))
    with engine.begin() as connection:
        connection.execute(text("DROP VIEW lost_v"))
        connection.execute(text(LOST_V))
        connection.execute(
            text(f"INSERT INTO lost_v VALUES ({', '.join(':' + c for c in columns)})"),
            [dict(zip(columns, row, strict=True)) for row in rows],
        )
    engine.dispose()
    lost = report_json(db, "--year", str(YEAR))["library"]["lost"]
    assert lost["lost"] == 2 and lost["replaced"] == 1
    assert lost["by_cause"] == {"unplayable": 1, "withdrawn": 1}
    assert [s["name"] for s in lost["songs"]] == ["Gone <b>Song</b>", "Other"]
    assert report(db, "--year", str(YEAR), "--no-artwork", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert 'id="lost"' in page and "Gone &lt;b&gt;Song&lt;/b&gt;" in page and "Road Trip" in page


def test_the_clock_is_local_time_from_the_exports_offset_else_the_time_zone(scene: Scene) -> None:
    kept = report_json(scene.db, "--year", str(YEAR), "--no-artwork")["clock"]
    assert kept["from_export_offset"] == kept["from_export_offset"] > 0
    assert kept["from_time_zone"] == 0
    same_zone = report_json(scene.plain_db, "--year", str(YEAR), "--tz", "Etc/GMT-1")["clock"]
    assert same_zone["from_time_zone"] > 0 and same_zone["from_export_offset"] == 0
    assert same_zone["plays"] == kept["plays"], "UTC+1 either way"
    utc = report_json(scene.plain_db, "--year", str(YEAR), "--tz", "UTC")["clock"]
    assert utc["plays"] != kept["plays"]
    # the generated listener is quiet at night and busiest in the evening, local time
    hours = [sum(day[h] for day in kept["plays"]) for h in range(24)]
    assert max(range(24), key=hours.__getitem__) in range(17, 23)
    assert hours[3] < hours[20] / 5


def test_json_to_standard_output_is_one_document(scene: Scene) -> None:
    data = report_json(scene.db, "--month", "2025-03", "--no-artwork")
    assert data["format"] == "amsync.report" and data["period"]["name"] == "2025-03"
    assert data["over_time"]["unit"] == "day" and len(data["over_time"]["points"]) == 31
    assert data["previous"]["period"] == "2025-02"
    assert json.loads(json.dumps(data)) == data


def test_the_headline_compares_with_the_year_before(scene: Scene) -> None:
    data = report_json(scene.db, "--year", str(YEAR), "--no-artwork")
    before = report_json(scene.db, "--year", str(YEAR - 1), "--no-artwork")
    assert data["previous"]["period"] == str(YEAR - 1)
    for key in ("plays", "hours", "songs", "artists", "albums", "days", "longest_streak"):
        assert data["previous"][key] == before["headline"][key], key
