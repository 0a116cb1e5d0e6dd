"""``amsync lost``: every listing format, newest first, ``--since``, the view's contract
columns on both backends, and ``amsync health`` pointing at it."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from amsync.db.store import Store, open_store
from amsync.domain.timestamps import ISO_UTC_PATTERN
from amsync.emulator.lost_music import carry_out, prepare_withdrawals
from amsync.lost.listing import COLUMNS
from tests.lost.conftest import LOST_V, settle, small_library, sync
from tests.support.cli import CliResult, invoke


def _mirror(store: Store) -> dict[str, str]:
    """Two syncs with losses a second apart: a withdrawal (replaced), then a removal."""
    emulator = small_library(seed=21)
    sync(emulator, store)
    plans = [
        p
        for p in prepare_withdrawals(emulator.library, 10, seed=1, replaced=1.0)
        if p.kind == "isrc"
    ]
    carry_out(emulator.library, plans[:1], leave_playlists=1.0)
    first = sync(emulator, store)
    settle(emulator, store)
    time.sleep(1.1)
    removed = sorted(emulator.library.songs)[0]
    emulator.library.remove_song(removed)
    sync(emulator, store)
    settle(emulator, store)
    return {
        "withdrawn": plans[0].catalog_id,
        "removed": removed,
        "first_sync": str(first.started_at),
    }


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    db = str(tmp_path_factory.mktemp("lost-cli") / "mirror.db")
    store = open_store(db)
    try:
        facts = _mirror(store)
    finally:
        store.close()
    yield db, facts


def run(db: str, *args: str) -> CliResult:
    return invoke(["--db", db, *args])


def test_lost_v_has_the_contract_columns_first_on_both_backends(db_url: str) -> None:
    store = open_store(db_url)
    try:
        _mirror(store)
        with store.engine.connect() as connection:
            result = connection.execute(text("SELECT * FROM lost_v ORDER BY lost_at DESC"))
            columns = list(result.keys())
            rows = [dict(zip(columns, row, strict=True)) for row in result]
    finally:
        store.close()
    assert tuple(columns[: len(LOST_V)]) == LOST_V
    assert rows
    assert all(ISO_UTC_PATTERN.match(str(r["lost_at"])) for r in rows)
    assert {r["cause"] for r in rows} == {"withdrawn", "removed"}
    library_rows = [r for r in rows if r["playlist_id"] is None]
    assert all(r["position"] is None for r in library_rows)
    assert all(r["position"] >= 0 for r in rows if r["playlist_id"] is not None)
    assert all(r["replacement_catalog_id"] is None for r in rows if r["cause"] == "removed")
    assert all(r["replacement_catalog_id"] for r in rows if r["cause"] == "withdrawn")


def test_tsv_csv_and_json_carry_the_same_rows_newest_first(
    mirror: tuple[str, dict[str, str]],
) -> None:
    db, facts = mirror
    tsv = run(db, "lost", "--format", "tsv")
    assert tsv.exit_code == 0, tsv.output
    header, *lines = tsv.stdout.rstrip("\n").split("\n")
    assert header.split("\t") == list(COLUMNS)
    as_json = json.loads(run(db, "lost", "--json").stdout)
    assert [list(item) for item in as_json] == [list(COLUMNS)] * len(as_json)
    as_csv = list(csv.reader(io.StringIO(run(db, "lost", "--format", "csv").stdout)))
    assert len(lines) == len(as_json) == len(as_csv) - 1
    moments = [item["lost_at"] for item in as_json]
    assert moments == sorted(moments, reverse=True), "newest first"
    assert as_json[0]["library_id"] == facts["removed"]
    assert as_json[0]["cause"] == "removed"
    withdrawn = [i for i in as_json if i["catalog_id"] == facts["withdrawn"]]
    assert withdrawn and all(i["replacement_method"] == "isrc" for i in withdrawn)
    assert all(i["replacement_name"] and i["evidence"] for i in withdrawn)
    assert all(i["status"] == "lost" for i in as_json)


def test_since_keeps_the_later_losses(mirror: tuple[str, dict[str, str]]) -> None:
    db, _facts = mirror
    every = json.loads(run(db, "lost", "--json").stdout)
    newest = every[0]["lost_at"]
    later = json.loads(run(db, "lost", "--since", newest, "--json").stdout)
    assert later and all(item["lost_at"] >= newest for item in later)
    assert len(later) < len(every)
    assert json.loads(run(db, "lost", "--since", "2999-01-01", "--json").stdout) == []
    assert run(db, "lost", "--since", "2999-01-01", "--format", "table").stdout == (
        "no lost songs since 2999-01-01T00:00:00Z\n"
    )


def test_a_bad_since_is_one_line_and_exit_2(mirror: tuple[str, dict[str, str]]) -> None:
    db, _facts = mirror
    result = run(db, "lost", "--since", "last tuesday")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not a date or time" in result.stderr
    assert "Traceback" not in result.output


def test_the_table_tells_each_song_s_story(mirror: tuple[str, dict[str, str]]) -> None:
    db, facts = mirror
    lines = run(db, "lost", "--format", "table").stdout.splitlines()
    removed = next(i for i, line in enumerate(lines) if f"[{facts['removed']}" in line)
    assert "  removed  from the library" in lines[removed + 1]
    assert lines[removed + 2].startswith("    why: left while catalog song ")
    assert lines[removed + 3] == (
        "  replacement  none sought: you (or one of your devices) removed it"
    )
    assert lines[removed + 4] == "  status       lost"
    withdrawn = next(
        i for i, line in enumerate(lines) if f"· catalog {facts['withdrawn']}]" in line
    )
    assert " withdrawn  from the library (still there, not playable), '" in lines[withdrawn + 1]
    assert lines[withdrawn + 2] == (
        f"    why: Apple's catalog no longer has catalog song {facts['withdrawn']}"
    )
    assert ", same ISRC, score 1.0" in lines[withdrawn + 3]
    assert lines[-1].endswith("can be put back: amsync lost restore")


def test_health_counts_lost_songs_and_points_to_lost(mirror: tuple[str, dict[str, str]]) -> None:
    db, _facts = mirror
    checks = {c["check"]: c for c in json.loads(run(db, "health", "--json").stdout)}
    assert checks["lost"]["count"] == 1, "the person's own removal is no library problem"
    assert "`amsync lost`" in checks["lost"]["title"]
    greyed = {i["library_id"] for i in checks["lost"]["items"]}
    uploads = {i["library_id"] for i in checks["uploads_without_catalog"]["items"]}
    assert greyed and not greyed & uploads, "a greyed-out song is not an upload"


def test_an_account_without_losses_lists_none(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    sync(small_library(seed=2, songs=20), store := open_store(db))
    store.close()
    assert run(db, "lost", "--format", "table").stdout == "no lost songs\n"
    assert json.loads(run(db, "lost", "--json").stdout) == []


def test_a_sync_that_finds_lost_songs_says_on_a_terminal_that_it_looks_them_up(
    tmp_path: Path,
) -> None:
    """The look-ups after a sync can take a minute on a large first sync (hundreds of songs at
    Apple's rate): on a terminal one line says what the wait is; piped, nothing extra."""
    import os

    from tests.support.terminal import on_terminal
    from tests.sync.conftest import DEV, USER

    emulator = small_library(seed=22)
    db = str(tmp_path / "mirror.db")
    env = {
        **os.environ,
        "AMSYNC_HOME": str(tmp_path / "home"),
        "AMSYNC_DEVELOPER_TOKEN": DEV,
        "AMSYNC_MUSIC_USER_TOKEN": USER,
    }
    with emulator.serve() as server:
        env["AMSYNC_API_URL"] = server.url
        first = on_terminal(["--db", db, "sync"], env)
        assert first.exit_code == 0, first.screen
        assert "looking up replacements" not in first.screen, "nothing lost yet"
        plans = prepare_withdrawals(emulator.library, 10, seed=1, replaced=1.0)
        carry_out(emulator.library, plans[:2], leave_playlists=1.0)
        shown = on_terminal(["--db", db, "sync"], env)
        assert shown.exit_code == 0, shown.screen
        assert "lost songs: looking up replacements for 2 song(s) Apple no longer plays" in (
            shown.screen
        )
        carry_out(emulator.library, plans[2:3], leave_playlists=1.0)
        piped = invoke(["--db", db, "sync"], env=env)
        assert piped.exit_code == 0, piped.output
        assert "looking up replacements" not in piped.output + piped.stderr
