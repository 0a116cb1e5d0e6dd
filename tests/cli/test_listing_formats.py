"""Every listing command speaks ``--format table|tsv|csv|json`` (issue 15, "output for people
and for programs"), on a mirror of the emulator's awkward library — names with tabs, line
breaks, carriage returns, NUL and other control characters, right-to-left overrides, emoji.

- piped (stdout is not a terminal here), the default is TSV: a header, then every line has the
  header's number of fields, no raw control character, and unescaping gives back the exact
  values (checked against the JSON of the same query);
- ``--format json`` (and its synonym ``--json``) is valid JSON; ``--format csv`` parses;
- ``--format table`` fits ``COLUMNS`` by cutting text columns, never ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

import amsync.db.reading as reading
from amsync.db.store import open_store
from amsync.emulator import Emulator, awkward_spec
from amsync.sync.runner import run_sync
from tests.support.cli import CliResult, invoke
from tests.support.subsonic_standin import StandinState, serving, songs_of
from tests.sync.conftest import in_process_client, make_emulator

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
SUBSONIC_PASSWORD = "lister-password"


def tsv_unescape(field: str) -> str:
    """The inverse of ``amsync.cli.tabular.tsv_field`` (documented in docs/reference/output.md)."""
    return re.sub(
        r"\\(x[0-9a-f]{2}|.)",
        lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3 else _UNESCAPES[m.group(1)],
        field,
    )


def _sync(emulator: Emulator, db: str) -> None:
    store = open_store(db)

    async def go() -> None:
        async with in_process_client(emulator) as client:
            assert (await run_sync(client, store, "default")).status == "succeeded"

    try:
        asyncio.run(go())
    finally:
        store.close()


class Mirror:
    def __init__(self, db: str, home: str, emulator: Emulator) -> None:
        self.db, self.home, self.emulator = db, home, emulator
        self.subsonic = ""  # a Subsonic server with the library's songs (for `server status`)

    def run(self, *args: str, env: dict[str, str] | None = None) -> CliResult:
        env = {"AMSYNC_SUBSONIC_PASSWORD": SUBSONIC_PASSWORD, **(env or {})}
        return invoke(["--db", self.db, "--home", self.home, *args], env=env)


@pytest.fixture(scope="module")
def awkward_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mirror]:
    """The awkward library synced twice (with changes between: history has rows), a local
    favourite waiting to be pushed, and a backup."""
    folder = tmp_path_factory.mktemp("listing")
    db, home = str(folder / "mirror.db"), str(folder / "home")
    emulator = make_emulator(awkward_spec(seed=11))
    _sync(emulator, db)
    library = emulator.library
    renamed = next(p for p in library.playlists.values() if set(p.tracks) & set(library.songs))
    library.rename_playlist(renamed.id, "Renamed\tWith\nBreaks")
    library.remove_song(next(t for t in renamed.tracks if t in library.songs))
    _sync(emulator, db)
    mirror = Mirror(db, home, emulator)
    assert mirror.run("favourites", "add", "song", sorted(library.songs)[1]).exit_code == 0
    assert mirror.run("backup").exit_code == 0
    songs = songs_of(library)[::2]  # the server has half: the report lists missing tracks
    with serving(StandinState(songs, {"lister": SUBSONIC_PASSWORD})) as url:
        mirror.subsonic = url
        yield mirror


def _biggest_playlist(mirror: Mirror) -> str:
    playlists = mirror.emulator.library.playlists.values()
    return max(playlists, key=lambda p: len(p.tracks)).id


def _commands(mirror: Mirror) -> dict[str, list[str]]:
    return {
        "search": ["search", "line break tab", "--limit", "50"],
        "show playlist": ["show", "playlist", _biggest_playlist(mirror)],
        "stats": ["stats"],
        "history": ["history"],
        "health": ["health"],
        "lost": ["lost"],
        "favourites list": ["favourites", "list"],
        "accounts list": ["accounts", "list"],
        "query": ["query", "SELECT library_id, name, artist, album, genres FROM songs_v"],
        "backup list": ["backup", "list"],
        "local unmatched": ["local", "unmatched"],
        "server status": ["server", "status", mirror.subsonic, "--user", "lister"],
        "server status --missing": [
            "server",
            "status",
            mirror.subsonic,
            "--user",
            "lister",
            "--missing",
        ],
    }


LISTINGS = [
    "search",
    "show playlist",
    "stats",
    "history",
    "health",
    "lost",
    "favourites list",
    "accounts list",
    "query",
    "backup list",
    "local unmatched",
    "server status",
    "server status --missing",
]


def _tsv(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.split("\n")
    assert lines[-1] == "", "TSV ends with a newline"
    header, *rows = (line.split("\t") for line in lines[:-1])
    return header, rows


@pytest.mark.parametrize("name", LISTINGS)
def test_piped_output_is_tsv_with_the_header_field_count_on_every_line(
    awkward_mirror: Mirror, name: str
) -> None:
    result = awkward_mirror.run(*_commands(awkward_mirror)[name])
    assert result.exit_code == 0, result.output
    assert not CONTROL.search(result.stdout), "control characters are escaped"
    assert "─" not in result.stdout and "│" not in result.stdout, "no box drawing"
    header, rows = _tsv(result.stdout)
    assert len(header) >= 2 and rows, result.stdout[:300]
    for row in rows:
        assert len(row) == len(header), row


@pytest.mark.parametrize("name", LISTINGS)
def test_json_and_csv_of_every_listing_parse(awkward_mirror: Mirror, name: str) -> None:
    command = _commands(awkward_mirror)[name]
    as_format = awkward_mirror.run(*command, "--format", "json")
    assert as_format.exit_code == 0, as_format.output
    document = json.loads(as_format.stdout)
    assert document, "something was listed"
    as_flag = awkward_mirror.run(*command, "--json")
    assert json.loads(as_flag.stdout) == document, "--json is --format json"
    as_csv = awkward_mirror.run(*command, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    header, *rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows and all(len(row) == len(header) for row in rows)


def test_tsv_escaping_gives_back_the_exact_values(awkward_mirror: Mirror) -> None:
    sql = "SELECT library_id, name, artist, album FROM songs_v ORDER BY library_id"
    tsv = awkward_mirror.run("query", sql)
    header, rows = _tsv(tsv.stdout)
    exact = json.loads(awkward_mirror.run("query", sql, "--format", "json").stdout)
    assert header == ["library_id", "name", "artist", "album"]
    assert len(rows) == len(exact)
    for row, item in zip(rows, exact, strict=True):
        assert [tsv_unescape(f) for f in row] == [item[c] or "" for c in header]
    assert "\\t" in tsv.stdout and "\\n" in tsv.stdout and "\\r" in tsv.stdout
    assert any("\t" in (item["name"] or "") for item in exact), "the awkward names are there"


def test_stats_keeps_its_json_object_and_lists_key_value_rows(awkward_mirror: Mirror) -> None:
    data = json.loads(awkward_mirror.run("stats", "--json").stdout)
    assert isinstance(data, dict) and data["counts"]["songs"]["live"] > 0
    header, rows = _tsv(awkward_mirror.run("stats").stdout)
    assert header == ["key", "value"]
    values = dict(rows)
    assert values["counts.songs.live"] == str(data["counts"]["songs"]["live"])
    assert values["last_runs.0.status"] == data["last_runs"][0]["status"]


def test_history_lists_one_event_a_line(awkward_mirror: Mirror) -> None:
    header, rows = _tsv(awkward_mirror.run("history").stdout)
    assert header[:3] == ["at", "change", "type"]
    changes = {row[1] for row in rows}
    assert {"removed", "renamed"} <= changes, changes
    renamed = next(row for row in rows if row[1] == "renamed")
    assert tsv_unescape(renamed[4]) == "Renamed\tWith\nBreaks"


def test_search_names_each_part_once(awkward_mirror: Mirror) -> None:
    """A playlist's description is ``description``, never ``album`` (issue 14, item 14)."""
    library = awkward_mirror.emulator.library
    playlist = next(p for p in library.playlists.values() if p.description)
    word = re.findall(r"\w+", playlist.name)[0]
    hits: list[dict[str, Any]] = json.loads(
        awkward_mirror.run("search", word, "--type", "playlist", "--json", "--limit", "100").stdout
    )
    found = next(h for h in hits if h["library_id"] == playlist.id)
    assert set(found) == {"type", "library_id", "name", "artist", "album", "description"}
    assert found["album"] is None and found["description"] == playlist.description
    songs = json.loads(awkward_mirror.run("search", "a", "--type", "song", "--json").stdout)
    assert all(h["description"] is None for h in songs)
    assert any(h["album"] for h in songs)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_tables_fit_the_width_and_never_cut_ids(awkward_mirror: Mirror, width: int) -> None:
    result = awkward_mirror.run(
        "search", "a", "--limit", "40", "--format", "table", env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= width for line in lines), max(map(cell_len, lines))
    assert not CONTROL.search(result.stdout)
    hits = json.loads(awkward_mirror.run("search", "a", "--limit", "40", "--json").stdout)
    for hit in hits:
        assert hit["library_id"] in result.stdout, "ids are never cut"
    assert "…" in result.stdout, "long names are cut with an ellipsis"


def test_wide_query_on_a_narrow_terminal_shows_records(awkward_mirror: Mirror) -> None:
    result = awkward_mirror.run(
        "query",
        "SELECT * FROM songs_v ORDER BY library_id LIMIT 2",
        "--format",
        "table",
        env={"COLUMNS": "80"},
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("-[ RECORD 1 ]")
    assert any(line.startswith("-[ RECORD 2 ]") for line in lines)
    assert any(re.match(r"^library_id +\| ", line) for line in lines)
    assert all(cell_len(line) <= 80 for line in lines)


HELP_PATHS = [
    ["search"],
    ["show", "playlist"],
    ["stats"],
    ["history"],
    ["health"],
    ["lost"],
    ["favourites", "list"],
    ["accounts", "list"],
    ["query"],
    ["backup", "list"],
    ["local", "unmatched"],
    ["top"],
    ["server", "status"],
]


@pytest.mark.parametrize("path", HELP_PATHS, ids=" ".join)
def test_listing_commands_show_format_in_their_help(path: list[str]) -> None:
    help_text = invoke([*path, "--help"]).stdout
    assert "--format [table|tsv|csv|json]" in help_text
    assert "--json" in help_text


def test_fast_and_usual_ways_give_the_same_answers(
    awkward_mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite at head is read through the standard library; the same commands through
    SQLAlchemy (the way for PostgreSQL and for SQLite files that need an upgrade) print the
    same: one implementation of each query."""
    commands = [
        ["search", "line break tab", "--json"],
        ["stats", "--json"],
        ["show", "playlist", _biggest_playlist(awkward_mirror), "--json"],
        ["query", "SELECT * FROM playlists_v ORDER BY library_id", "--json"],
    ]
    fast = [awkward_mirror.run(*c).stdout for c in commands]

    @contextlib.contextmanager
    def never(_path: Path) -> Iterator[None]:
        yield None

    monkeypatch.setattr(reading, "open_sqlite_reader", never)
    usual = [awkward_mirror.run(*c).stdout for c in commands]
    assert usual == fast
