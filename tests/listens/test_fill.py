"""``amsync listens fill`` end to end: a generated listener's newer export (no artist column)
imported into a mirror on SQLite and PostgreSQL, the emulator serving the listener's catalog
over real HTTP — artists filled against the generator's truth, look-ups cached and resumed,
the daily history as evidence, ambiguity recorded, ``plays_v``'s new column."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator.privacy_catalog import NO_DECOYS, CatalogDecoys
from amsync.listens.artist_fill import pair_key
from tests.listens.conftest import SMALL, Listener, catalog_emulator, make_listener
from tests.support.cli import invoke
from tests.support.listening import artist_truth, check_artists
from tests.sync.conftest import DEV, USER

SEARCH = "GET /v1/catalog/{storefront}/search"


def emulator_env(url: str) -> dict[str, str]:
    return {"AMSYNC_API_URL": url, "AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER}


def rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    store = open_store(db)
    try:
        with store.session() as session:
            return [tuple(r) for r in session.execute(text(sql)).all()]
    finally:
        store.close()


def distinct_pairs(listener: Listener) -> int:
    found = rows(
        listener.db,
        "SELECT e.name, e.album FROM play_events e LEFT JOIN songs s "
        "ON s.account_id = e.account_id AND s.library_id = e.library_id "
        "WHERE s.artist IS NULL AND e.album IS NOT NULL",
    )
    return len({pair_key(name, album) for name, album in found if album.strip()})


def test_fill_gives_plays_their_artist_from_the_catalog(listener: Listener) -> None:
    emulator = catalog_emulator(listener.export)
    with emulator.serve() as server:
        report = listener.json("listens", "fill", env=emulator_env(server.url))
    searches = emulator.log.by_endpoint().get(SEARCH, 0)
    check = check_artists(listener.db, artist_truth(listener.export), listener.account_id)
    assert check.wrong == 0
    assert check.catalog_rate >= 0.99, check
    pairs = distinct_pairs(listener)
    assert 0 < searches <= pairs
    assert report["lookups"]["made"] == report["pairs"] == pairs
    assert report["artist_from"]["catalog"] > 0
    assert report["artist_from"]["mirror"] > 0
    assert report["status"] == "succeeded" and report["exit_code"] == 0
    sources = dict(rows(listener.db, "SELECT artist_source, count(*) FROM plays_v GROUP BY 1"))
    assert set(sources) <= {"mirror", "catalog", "daily", None}
    assert sources["mirror"] == report["artist_from"]["mirror"]
    assert sources["catalog"] == report["artist_from"]["catalog"]
    linked = rows(
        listener.db,
        "SELECT count(*) FROM plays_v WHERE library_id IS NOT NULL AND "
        "(artist_source IS NULL OR artist_source <> 'mirror')",
    )
    assert linked == [(0,)]


def test_where_each_value_came_from_is_stored(sqlite_listener: Listener) -> None:
    listener = sqlite_listener
    emulator = catalog_emulator(listener.export, NO_DECOYS)
    with emulator.serve() as server:
        listener.json("listens", "fill", env=emulator_env(server.url))
    catalog = {song.id: song for song in emulator.library.catalog_songs.values()}
    filled = rows(
        listener.db,
        "SELECT f.artist, f.artist_source, f.album_source, f.isrc, f.isrc_source, f.duration_ms,"
        " f.duration_source, f.catalog_id, f.catalog_url, f.name FROM play_fills f "
        "WHERE f.artist_source = 'catalog'",
    )
    assert filled
    for (
        artist,
        source,
        album_source,
        isrc,
        isrc_source,
        length,
        length_source,
        cid,
        url,
        name,
    ) in filled:
        song = catalog[cid]
        assert (artist, isrc, length, url, name) == (
            song.artist_name,
            song.isrc,
            song.duration_ms,
            song.url,
            song.name,
        )
        assert source == album_source == isrc_source == length_source == "catalog"


def test_a_second_fill_asks_apple_nothing(sqlite_listener: Listener) -> None:
    listener = sqlite_listener
    emulator = catalog_emulator(listener.export)
    with emulator.serve() as server:
        first = listener.json("listens", "fill", env=emulator_env(server.url))
        before = emulator.log.by_endpoint().get(SEARCH, 0)
        second = listener.json("listens", "fill", env=emulator_env(server.url))
        after = emulator.log.by_endpoint().get(SEARCH, 0)
    assert after == before
    assert second["lookups"]["made"] == 0
    assert second["lookups"]["cached"] == first["pairs"]
    assert second["artist_from"] == first["artist_from"]
    # everything cached: no credentials needed at all
    third = listener.json("listens", "fill")
    assert third["artist_from"] == first["artist_from"]


def test_top_counts_unlinked_plays_under_the_artist_fill_found(listener: Listener) -> None:
    """``amsync top`` reads the same artist as ``plays_v``: before the fill the unlinked plays
    of the newer layout have none; after it, every artist ``top artists`` lists is one that
    ``plays_v`` gives the same plays."""
    emulator = catalog_emulator(listener.export)
    before = {row["artist"] for row in listener.json("top", "artists", "--limit", "1000")}
    with emulator.serve() as server:
        listener.json("listens", "fill", env=emulator_env(server.url))
    after = listener.json("top", "artists", "--limit", "1000")
    expected = dict(
        rows(
            listener.db,
            "SELECT artist, SUM(CASE WHEN skipped THEN 0 ELSE 1 END) FROM plays_v "
            "WHERE artist IS NOT NULL AND artist <> '' GROUP BY artist",
        )
    )
    assert {row["artist"]: row["plays"] for row in after} == expected
    assert set(expected) - before  # the fill named artists that top could not show before


def test_a_dry_run_asks_nothing_and_writes_nothing(sqlite_listener: Listener) -> None:
    listener = sqlite_listener
    before = Path(listener.db).read_bytes()
    report = listener.json("listens", "fill", "--dry-run")  # no credentials: none needed
    assert report["dry_run"] is True
    assert report["lookups"]["to_make"] == report["pairs"] > 0
    assert report["lookups"]["made"] == 0 and report["requests"] == 0
    assert Path(listener.db).read_bytes() == before
    text = listener.amsync("listens", "fill", "--dry-run")
    assert text.exit_code == 0
    assert "dry run: nothing was looked up or written" in text.stdout
    assert f"a real run would look up {report['pairs']:,}" in text.stdout


def test_a_stopped_fill_resumes_where_it_stopped(sqlite_listener: Listener) -> None:
    listener = sqlite_listener
    pairs = distinct_pairs(listener)
    assert pairs > 60, "the spec must need more than one chunk of look-ups"
    emulator = catalog_emulator(listener.export)
    emulator.faults.developer_token_expires_after = 60  # the storefront and 59 searches
    with emulator.serve() as server:
        stopped = listener.amsync("listens", "fill", env=emulator_env(server.url))
        assert stopped.exit_code == 3, stopped.output
        assert stopped.stderr.count("amsync: error:") == 1
        kept = rows(listener.db, "SELECT count(*) FROM listen_lookups")[0][0]
        assert kept == 48  # the first chunk, committed; the second was cut short
        emulator.restore_tokens()
        emulator.log.clear()
        resumed = listener.json("listens", "fill", env=emulator_env(server.url))
        again = emulator.log.by_endpoint().get(SEARCH, 0)
    assert resumed["lookups"]["cached"] == 48
    assert resumed["lookups"]["made"] == pairs - 48 == again
    check = check_artists(listener.db, artist_truth(listener.export), listener.account_id)
    assert check.wrong == 0 and check.catalog_rate >= 0.99


def test_without_credentials_a_fill_that_must_look_up_is_exit_3(
    sqlite_listener: Listener,
) -> None:
    """A missing token is a person's to give: exit 3, as from every command (issue 22)."""
    result = sqlite_listener.amsync("listens", "fill")
    assert result.exit_code == 3
    assert result.stderr.startswith("amsync: error: no developer token")
    assert "Traceback" not in result.output
    assert rows(sqlite_listener.db, "SELECT count(*) FROM play_fills") == [(0,)]


def test_the_daily_history_fills_what_the_catalog_lacks(tmp_path: Path) -> None:
    listener = make_listener(str(tmp_path / "m.db"), tmp_path, SMALL)
    library_only = [s for s in listener.export.songs if s.library_id is not None]
    emulator = catalog_emulator(replace(listener.export, songs=library_only))
    with emulator.serve() as server:
        report = listener.json("listens", "fill", env=emulator_env(server.url))
    assert report["artist_from"]["catalog"] == 0
    assert report["artist_from"]["daily"] > 0
    check = check_artists(listener.db, artist_truth(listener.export), listener.account_id)
    assert check.wrong == 0 and check.catalog_rate >= 0.99


def test_ambiguous_titles_are_recorded_never_guessed(tmp_path: Path) -> None:
    spec = replace(SMALL, daily=False, library_tracks=False)
    listener = make_listener(str(tmp_path / "m.db"), tmp_path, spec)
    twins = CatalogDecoys(live=1.0, remaster=0.0, near_miss=1.0, ambiguous=1.0, length_twin=1.0)
    emulator = catalog_emulator(listener.export, twins)
    with emulator.serve() as server:
        report = listener.json("listens", "fill", env=emulator_env(server.url))
    check = check_artists(listener.db, artist_truth(listener.export), listener.account_id)
    assert check.wrong == 0
    assert report["without_artist"]["ambiguous"] > 0
    assert report["lookups"]["states"]["ambiguous"] > 0
    statuses = dict(rows(listener.db, "SELECT status, count(*) FROM play_fills GROUP BY 1"))
    assert statuses["ambiguous"] == report["without_artist"]["ambiguous"]
    unresolved = report["unresolved"]
    assert {u["why"] for u in unresolved} >= {"ambiguous"}
    store = open_store(listener.db)
    try:
        with store.session() as session:
            artists = session.execute(
                select(tables.play_fills.c.artist).where(tables.play_fills.c.status == "ambiguous")
            ).scalars()
            assert set(artists) == {None}
    finally:
        store.close()


def test_an_older_export_needs_no_filling(tmp_path: Path) -> None:
    from amsync.emulator.privacy_export import old_export_spec

    spec = replace(old_export_spec(seed=5), library_songs=60, other_songs=30, plays=300)
    listener = make_listener(str(tmp_path / "m.db"), tmp_path, spec)
    report = listener.json("listens", "fill")  # no credentials: nothing to look up
    assert report["pairs"] == 0
    assert report["artist_from"]["export"] > 0
    assert report["with_artist"] == report["plays"]
    sources = dict(rows(listener.db, "SELECT artist_source, count(*) FROM plays_v GROUP BY 1"))
    assert set(sources) == {"mirror", "export"}


def test_plays_v_keeps_every_column_and_adds_artist_source(sqlite_listener: Listener) -> None:
    result = sqlite_listener.amsync("query", "SELECT * FROM plays_v LIMIT 1", "--format", "json")
    assert result.exit_code == 0, result.output
    columns = list(json.loads(result.stdout)[0])
    assert columns == [
        "account_id",
        "account",
        "id",
        "played_at",
        "name",
        "artist",
        "album",
        "library_id",
        "catalog_id",
        "play_ms",
        "media_ms",
        "end_reason",
        "skipped",
        "event_type",
        "feature",
        "source_type",
        "media_type",
        "container_type",
        "container_name",
        "linked_by",
        "import_id",
        "artist_source",
    ]


def test_import_offers_the_fill(tmp_path: Path) -> None:
    from amsync.emulator.privacy_export import generate_listening

    export = generate_listening(SMALL)
    archive = export.write(tmp_path / "export.zip")
    result = invoke(["--db", str(tmp_path / "m.db"), "import", "apple-data", str(archive)])
    assert result.exit_code == 0, result.output
    assert "amsync listens fill" in result.stdout
    quiet = invoke(["--db", str(tmp_path / "m.db"), "import", "apple-data", str(archive), "--json"])
    assert "listens fill" not in quiet.stdout


def test_no_history_is_nothing_to_fill(tmp_path: Path) -> None:
    result = invoke(["--db", str(tmp_path / "m.db"), "listens", "fill"])
    assert result.exit_code == 0, result.output
    assert "no listening history yet" in result.stdout
