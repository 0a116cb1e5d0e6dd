"""``amsync datasette-metadata`` and the mirror in Datasette (issue 15 item 8): every documented
view and column described, canned queries that run, and — with Datasette itself serving the
sample mirror over HTTP — full-text search on ``songs`` found by Datasette on its own."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amsync.query.datasette import CANNED_QUERIES
from amsync.query.report_queries import LOST_QUERY, REPORT_QUERIES
from amsync.query.view_docs import VIEWS, column_description
from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror

PARAMETERS = {
    "vanished_from_playlist": {"playlist": "Road Trip"},
    "playlist_on_date": {"playlist": "p.P1", "date": "2099-01-01"},
    "withdrawn_songs": {},
    "favourites_pending": {},
    "removed_since": {"since": "2000-01-01"},
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "mirror.db"
    build_sample_mirror(str(path))
    return path


def _metadata(db: Path) -> dict[str, Any]:
    result = invoke(["--db", str(db), "datasette-metadata"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_every_view_and_column_of_the_schema_is_described(sample: Path) -> None:
    with sqlite3.connect(sample) as connection:
        views = {
            name: [c[1] for c in connection.execute(f"PRAGMA table_info({name})")]
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='view'")
        }
    assert set(views) == set(VIEWS), "a view without documentation (amsync.query.view_docs)"
    for view, columns in views.items():
        missing = [c for c in columns if not column_description(view, c)]
        assert missing == [], f"{view}: columns without a description: {missing}"
    tables = _metadata(sample)["databases"]["mirror"]["tables"]
    for view, columns in views.items():
        assert tables[view]["title"] and tables[view]["description"]
        assert list(tables[view]["columns"]) == columns


def test_canned_queries_answer_the_readme_questions(sample: Path) -> None:
    queries = _metadata(sample)["databases"]["mirror"]["queries"]
    # report and lost songs: tests/report, tests/lost
    assert set(queries) == set(CANNED_QUERIES) | set(REPORT_QUERIES) | set(LOST_QUERY)
    assert set(CANNED_QUERIES) == set(PARAMETERS)
    with sqlite3.connect(sample) as connection:
        answers = {
            name: connection.execute(queries[name]["sql"], PARAMETERS[name]).fetchall()
            for name in CANNED_QUERIES
        }
    assert [row[1] for row in answers["vanished_from_playlist"]] == ["i.S4"]
    assert [row[3] for row in answers["playlist_on_date"]] == [
        "i.S1",
        "i.S2",
        "i.S1",
        "i.S3",
        "i.S5",
    ]
    assert [row[1] for row in answers["withdrawn_songs"]] == ["i.S3"]
    pending = {(row[1], row[2], row[4]) for row in answers["favourites_pending"]}
    assert pending == {("song", "i.S3", "none"), ("album", "l.A1", "favourite")}
    assert [row[3] for row in answers["removed_since"]] == ["i.S4"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def datasette(sample: Path, tmp_path: Path) -> Iterator[str]:
    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps(_metadata(sample)), encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(sample),
            "--metadata",
            str(metadata),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{base}/-/versions.json")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise AssertionError(error) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _read(url: str) -> bytes:
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
        return bytes(response.read())


def _get(url: str) -> Any:
    return json.loads(_read(url))


@pytest.mark.slow
def test_datasette_searches_songs_and_runs_canned_queries(datasette: str) -> None:
    page = _read(f"{datasette}/mirror/songs").decode()
    assert 'name="_search"' in page, "Datasette found the full-text index of songs"
    hits = _get(f"{datasette}/mirror/songs.json?_search=hello&_shape=array")
    assert sorted(h["library_id"] for h in hits) == ["i.S1", "i.S6"]
    albums = _get(f"{datasette}/mirror/albums.json?_search=adele&_shape=array")
    assert [a["library_id"] for a in albums] == ["l.A1"]
    query = urllib.parse.urlencode({"playlist": "Road Trip", "_shape": "array"})
    vanished = _get(f"{datasette}/mirror/vanished_from_playlist.json?{query}")
    assert [row["library_id"] for row in vanished] == ["i.S4"]
    withdrawn = _get(f"{datasette}/mirror/withdrawn_songs.json?_shape=array")
    assert [row["library_id"] for row in withdrawn] == ["i.S3"]
    metadata = _get(f"{datasette}/-/metadata.json")
    assert metadata["databases"]["mirror"]["tables"]["songs_v"]["title"] == "Songs"


@pytest.mark.slow
def test_datasette_searches_the_views_too(datasette: str) -> None:
    """Issue 22, item 12: `_search` worked on the base tables but not on the `*_v` views.
    The metadata points each searchable view at its table's full-text index."""
    songs = _get(f"{datasette}/mirror/songs_v.json?_search=hello&_shape=array")
    assert sorted(s["library_id"] for s in songs) == ["i.S1", "i.S6"]
    albums = _get(f"{datasette}/mirror/albums_v.json?_search=adele&_shape=array")
    assert [a["library_id"] for a in albums] == ["l.A1"]
    playlists = _get(f"{datasette}/mirror/playlists_v.json?_search=road&_shape=array")
    assert [p["library_id"] for p in playlists] == ["p.P1"]
    page = _read(f"{datasette}/mirror/artists_v").decode()
    assert 'name="_search"' in page, "the view offers a search box"
