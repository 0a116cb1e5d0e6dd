"""``amsync favourites list | add | remove | diff | import`` on a synced mirror (no network
needed), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest

from amsync.db.store import open_store
from amsync.emulator import Emulator
from amsync.sync.runner import run_sync
from tests.favourites.fakes import outbox_rows, stored_states
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import in_process_client


@pytest.fixture
def mirror(emu: Emulator, db_url: str) -> str:
    async def go() -> None:
        store = open_store(db_url)
        try:
            async with in_process_client(emu) as client:
                assert (await run_sync(client, store, "default")).status == "succeeded"
        finally:
            store.close()

    asyncio.run(go())
    return db_url


def _run(db: str, *args: str) -> CliResult:
    return invoke(["--db", db, "favourites", *args])


@pytest.mark.parametrize("kind", ["song", "album", "playlist", "artist"])
def test_add_then_remove_every_type(emu: Emulator, mirror: str, kind: str) -> None:
    library = emu.library
    item_id = sorted(getattr(library, f"{kind}s"))[0]
    added = _run(mirror, "add", kind, item_id)
    assert added.exit_code == 0, added.output
    assert "none → favourite" in added.stdout
    listed = json.loads(_run(mirror, "list", "--json").stdout)
    assert [(e["type"], e["library_id"], e["state"]) for e in listed] == [
        (kind, item_id, "favourite")
    ]
    expected_status = "local-only" if kind == "artist" else "pending"
    assert listed[0]["status"] == expected_status
    if kind == "artist":
        assert "not supported by the Apple Music API" in added.stderr
    again = _run(mirror, "add", kind, item_id)
    assert "already favourite" in again.stdout

    removed = _run(mirror, "remove", kind, item_id)
    assert removed.exit_code == 0, removed.output
    assert "favourite → none" in removed.stdout
    assert json.loads(_run(mirror, "list", "--json").stdout) == []
    store = open_store(mirror)
    try:
        assert stored_states(store)[(kind, item_id)] == ("none", "none", "none")
        assert outbox_rows(store) == {}, "a wish taken back leaves nothing to push"
    finally:
        store.close()


def test_add_by_catalog_id_and_disliked(emu: Emulator, mirror: str) -> None:
    song_id, song = next(
        (i, s) for i, s in sorted(emu.library.songs.items()) if s.catalog_id is not None
    )
    result = _run(mirror, "add", "song", str(song.catalog_id), "--disliked")
    assert result.exit_code == 0, result.output
    assert song_id in result.stdout
    listed = json.loads(_run(mirror, "list", "--type", "song", "--json").stdout)
    assert any(e["library_id"] == song_id and e["state"] == "disliked" for e in listed)
    assert json.loads(_run(mirror, "list", "--type", "album", "--json").stdout) == []
    text = _run(mirror, "list")
    assert "disliked" in text.stdout and "pending" in text.stdout


@pytest.mark.parametrize("item_id", ["i.does-not-exist", "999999999999"])
def test_an_id_not_in_the_mirror_exits_2(mirror: str, item_id: str) -> None:
    result = _run(mirror, "add", "song", item_id)
    assert result.exit_code == 2, result.output
    assert f"no song with id '{item_id}' in the mirror" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["add", "station", "x"], ["add", "song", " "], ["remove"]])
def test_bad_arguments_exit_2(mirror: str, args: list[str]) -> None:
    result = _run(mirror, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_diff_shows_the_plan_without_acting(emu: Emulator, mirror: str) -> None:
    album = sorted(emu.library.albums)[0]
    artist = sorted(emu.library.artists)[0]
    assert _run(mirror, "add", "album", album).exit_code == 0
    assert _run(mirror, "add", "artist", artist).exit_code == 0
    store = open_store(mirror)
    try:
        before = stored_states(store), outbox_rows(store)
        text = _run(mirror, "diff")
        assert text.exit_code == 0, text.output
        assert "1 to push" in text.stdout and "1 local-only" in text.stdout
        assert "not supported by the Apple Music API" in text.stdout
        plan = json.loads(_run(mirror, "diff", "--json").stdout)
        assert plan["status"] == "planned"
        assert {(i["type"], i["action"]) for i in plan["items"]} == {
            ("album", "push"),
            ("artist", "local-only"),
        }
        assert (stored_states(store), outbox_rows(store)) == before
    finally:
        store.close()


def test_names_are_shown_safely(emu: Emulator, mirror: str) -> None:
    from sqlalchemy import update

    from amsync.db import tables

    song_id = sorted(emu.library.songs)[0]
    store = open_store(mirror)
    try:
        with store.writing() as session:
            session.execute(
                update(tables.songs)
                .where(tables.songs.c.library_id == song_id)
                .values(name="Evil\x1b[2J\nname")
            )
    finally:
        store.close()
    assert _run(mirror, "add", "song", song_id).exit_code == 0
    table = _run(mirror, "list", "--format", "table").stdout
    assert "\x1b" not in table and "Evil\\x1b[2J\\x0aname" in table
    piped = _run(mirror, "list").stdout  # tsv: a newline is \n, other controls \xNN
    assert "\x1b" not in piped and "Evil\\x1b[2J\\nname" in piped


def test_import_csv_and_json(emu: Emulator, mirror: str, tmp_path: Path) -> None:
    library = emu.library
    songs = sorted(library.songs)
    catalog_counts = Counter(song.catalog_id for song in library.songs.values())
    isrc_of = {
        song_id: library.catalog_songs[song.catalog_id].isrc
        for song_id, song in library.songs.items()
        if song.catalog_id and catalog_counts[song.catalog_id] == 1
    }
    with_isrc = next(s for s in songs[1:] if isrc_of.get(s))
    isrc = isrc_of[with_isrc]
    by_name = next(
        s
        for s in songs[5:]
        if sum(1 for o in library.songs.values() if o.name == library.songs[s].name) == 1
    )
    named = library.songs[by_name]
    album = sorted(library.albums)[0]
    playlist = sorted(library.playlists)[0]
    csv_file = tmp_path / "favs.csv"
    csv_file.write_text(
        "type,id,isrc,artist,title,state\n"
        f"song,{songs[0]},,,,\n"
        f"album,{album},,,,disliked\n"
        f",,{isrc.lower()},,,\n"
        f"song,,,{named.artist_name.upper()},{named.name},\n"
        "song,i.nope,,,,\n"
        "song,,,Nobody,Nothing,\n"
        "station,x,,,,\n",
        encoding="utf-8",
    )
    result = _run(mirror, "import", str(csv_file))
    assert result.exit_code == 0, result.output
    assert "7 row(s): 4 matched" in result.stdout
    assert "row 5: no song with id 'i.nope' in the mirror" in result.stdout
    assert "row 6: no song 'Nothing' by 'Nobody' in the mirror" in result.stdout
    assert "row 7: unknown type" in result.stdout
    assert "3 row(s) matched nothing" in result.stderr

    json_file = tmp_path / "favs.json"
    json_file.write_text(
        json.dumps(
            [
                {"type": "playlist", "library_id": playlist},
                f"{named.artist_name} - {named.name}",
                {"type": "song", "id": songs[0], "state": "none"},
            ]
        ),
        encoding="utf-8",
    )
    report = json.loads(_run(mirror, "import", str(json_file), "--json").stdout)
    assert (report["rows"], report["matched_rows"], report["unmatched"]) == (3, 3, [])
    listed = {
        (e["type"], e["library_id"]): e["state"]
        for e in json.loads(_run(mirror, "list", "--json").stdout)
    }
    assert listed == {
        ("album", album): "disliked",
        ("song", with_isrc): "favourite",
        ("song", by_name): "favourite",
        ("playlist", playlist): "favourite",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"a": 1}', "expected a JSON list"),
        ("just,some,words\nx,y,z\n", "needs a header row"),
        (b"\xff\xfe\x00bad", "is not UTF-8"),
    ],
)
def test_import_refuses_unreadable_files(
    mirror: str, tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / ("bad.json" if isinstance(content, str) and "{" in content else "bad.csv")
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = _run(mirror, "import", str(path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    missing = _run(mirror, "import", str(tmp_path / "missing.csv"))
    assert missing.exit_code == 2


def test_favourites_csv_export_shows_the_push_status(
    emu: Emulator, mirror: str, tmp_path: Path
) -> None:
    import csv

    song = sorted(emu.library.songs)[0]
    artist = sorted(emu.library.artists)[0]
    assert _run(mirror, "add", "song", song).exit_code == 0
    assert _run(mirror, "add", "artist", artist).exit_code == 0
    out = tmp_path / "export"
    result = invoke(["--db", mirror, "export", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "favourites.csv").open(encoding="utf-8", newline="") as handle:
        rows = {
            (r["type"], r["library_id"]): (r["state"], r["status"]) for r in csv.DictReader(handle)
        }
    assert rows[("song", song)] == ("favourite", "pending")
    assert rows[("artist", artist)] == ("favourite", "local-only")
