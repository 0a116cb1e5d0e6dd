"""``amsync datasette-metadata`` has a canned query for each section of the report, and each
gives the report's numbers when run by SQLite on the same mirror (as Datasette runs it)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from amsync.query.datasette import datasette_metadata
from amsync.query.report_queries import LOST_QUERY, REPORT_QUERIES
from tests.report.conftest import YEAR, Scene, report_json
from tests.support.cli import invoke

PERIOD = {"start": f"{YEAR}-01-01", "end": f"{YEAR + 1}-01-01", "year": str(YEAR)}


@pytest.fixture(scope="module")
def numbers(scene: Scene) -> dict[str, Any]:
    return report_json(scene.db, "--year", str(YEAR), "--no-artwork")


@pytest.fixture
def run(scene: Scene) -> Iterator[Any]:
    connection = sqlite3.connect(scene.db)

    def query(name: str) -> list[dict[str, Any]]:
        sql = REPORT_QUERIES[name]["sql"]
        wanted = {k: v for k, v in PERIOD.items() if f":{k}" in sql}
        cursor = connection.execute(sql, wanted)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    yield query
    connection.close()


def test_the_metadata_holds_a_query_for_each_section(scene: Scene) -> None:
    result = invoke(["--db", scene.db, "datasette-metadata"])
    assert result.exit_code == 0, result.output
    queries = json.loads(result.stdout)["databases"]["mirror"]["queries"]
    assert set(REPORT_QUERIES) <= set(queries)
    assert set(LOST_QUERY) <= set(queries), "lost_v is part of the schema"
    with_lost = datasette_metadata("mirror", {"lost_v": ["name"]})
    assert set(LOST_QUERY) <= set(with_lost["databases"]["mirror"]["queries"])


def test_headline(run: Any, numbers: dict[str, Any]) -> None:
    (row,) = run("report_headline")
    head = numbers["headline"]
    for key in ("plays", "skips", "hours", "songs", "artists", "albums"):
        assert row[key] == head[key], key
    assert row["days_with_music"] == head["days"]
    assert row["account"] == "default"


@pytest.mark.parametrize(
    ("name", "kind", "column"),
    [
        ("report_top_songs", "songs", "name"),
        ("report_top_artists", "artists", "artist"),
        ("report_top_albums", "albums", "album"),
    ],
)
def test_top_lists(run: Any, numbers: dict[str, Any], name: str, kind: str, column: str) -> None:
    rows = run(name)
    expected = numbers["top"][kind]["by_plays"]["rows"]
    assert [(r[column], r["plays"], r["hours"]) for r in rows] == [
        (e[column], e["plays"], e["hours"]) for e in expected
    ]


def test_listening_and_skips_per_month(run: Any, numbers: dict[str, Any]) -> None:
    expected = {p["label"]: (p["plays"], p["skips"]) for p in numbers["skips"]["by_time"]}
    for name in ("report_listening_per_month", "report_skips_per_month"):
        assert {r["month"]: (r["plays"], r["skips"]) for r in run(name)} == expected


def test_listening_clock(run: Any, numbers: dict[str, Any]) -> None:
    clock = numbers["clock"]["plays"]  # Monday first
    found = [[0] * 24 for _ in range(7)]
    for row in run("report_listening_clock"):
        found[(row["weekday"] + 6) % 7][row["hour"]] += row["plays"]  # SQLite: Sunday is 0
    assert found == clock


def test_top_artists_by_month(run: Any, numbers: dict[str, Any]) -> None:
    over = numbers["artists_over_time"]
    expected = {
        (label, a["artist"]): plays
        for a in over["artists"]
        for label, plays in zip(over["labels"], a["plays"], strict=True)
        if plays
    }
    found = {
        (r["month"], r["artist"]): r["plays"]
        for r in run("report_top_artists_by_month")
        if r["plays"]
    }
    assert found == expected


def test_discoveries(run: Any, numbers: dict[str, Any]) -> None:
    rows = run("report_discoveries")
    top = numbers["discoveries"]["top_new"]
    assert [(r["name"], r["plays"]) for r in rows[: len(top)]] == [
        (t["name"], t["plays"]) for t in top
    ]


def test_library_sections(run: Any, numbers: dict[str, Any]) -> None:
    library = numbers["library"]
    added = {a["month"]: a["songs"] for a in library["added_by_month"] if a["songs"]}
    assert {r["month"]: r["songs"] for r in run("report_songs_added")} == added
    assert len(run("report_playlist_changes")) == library["playlists_changed"]
    favourites = [(r["name"], r["plays"]) for r in run("report_favourites_played") if r["plays"]]
    assert favourites[:10] == [(f["name"], f["plays"]) for f in library["favourites_played"]]


def test_replay(run: Any, numbers: dict[str, Any]) -> None:
    rows = run("report_replay")
    songs = numbers["replay"]["lists"]["songs"]
    assert [(r["apple_rank"], r["name"], r["amsync_plays"] or 0) for r in rows] == [
        (s["rank"], s["name"], s["amsync_plays"]) for s in songs
    ]
