"""``amsync search | stats | show playlist | history | health`` on the sample mirror."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import select, text, update

from amsync.db.models import Song
from amsync.db.store import open_store
from amsync.query.search import search
from tests.support.cli import invoke
from tests.support.mirror_builder import mirror


def _json(db: str, *args: str) -> Any:
    result = invoke(["--db", db, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_search_finds_by_word_prefixes(sample_db: str) -> None:
    hits = _json(sample_db, "search", "hel")
    assert hits[0]["library_id"] == "i.S1"
    assert [h["library_id"] for h in hits if h["type"] == "song"] == ["i.S1", "i.S6"]
    assert ("album", "l.A1") in {(h["type"], h["library_id"]) for h in hits}
    adele = _json(sample_db, "search", "hello adele", "--type", "song")
    assert {h["library_id"] for h in adele} == {"i.S1", "i.S6"}
    assert _json(sample_db, "search", "road trip")[0]["library_id"] == "p.P1"
    assert _json(sample_db, "search", "old song") == [], "removed items are not found"
    assert _json(sample_db, "search", "adele", "--type", "artist")[0]["library_id"] == "r.R1"
    assert len(_json(sample_db, "search", "hel", "--limit", "1")) == 1


def test_search_text_cannot_inject_query_syntax(sample_db: str) -> None:
    for hostile in ['"', "' OR 1=1 --", "NEAR(a b)", "*", "%", "_", "hel*lo", "\\"]:
        result = invoke(["--db", sample_db, "search", hostile, "--json"])
        assert result.exit_code == 0, (hostile, result.output)
        json.loads(result.stdout)


def test_search_index_follows_every_writer(sqlite_path: str) -> None:
    """Triggers keep the FTS5 tables in step with inserts, updates and deletes."""
    with mirror(sqlite_path) as m:
        m.song("i.1", "Yellow Submarine", artist="The Beatles")
    store = open_store(sqlite_path)
    try:
        account = store.account_id("default")
        assert [h.library_id for h in search(store, account, "submarine")] == ["i.1"]
        with store.session() as session:
            session.execute(update(Song).where(Song.library_id == "i.1").values(name="Blue Moon"))
        assert search(store, account, "submarine") == []
        assert [h.library_id for h in search(store, account, "moon beatles")] == ["i.1"]
        with store.session() as session:
            song = session.scalars(select(Song)).one()
            session.delete(song)
        assert search(store, account, "moon") == []
        with store.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM search_songs")).scalar()
        assert count == 0
    finally:
        store.close()


def test_search_ignores_accents_and_case(sample_sqlite: str) -> None:
    with mirror(sample_sqlite, account="default") as m:
        m.song("i.B", "Déjà Vu", artist="Beyoncé")
    hits = _json(sample_sqlite, "search", "DEJA beyonce")
    assert [h["library_id"] for h in hits] == ["i.B"]


def test_stats(sample_db: str) -> None:
    stats = _json(sample_db, "stats")
    assert stats["storefront"] == "gb"
    assert stats["counts"]["songs"] == {"live": 5, "removed": 1}
    assert stats["counts"]["playlists"] == {"live": 3, "removed": 1}
    assert stats["playlist_tracks"] == 6
    assert stats["unavailable_songs"] == 1
    assert stats["favourites"]["pending_pushes"] == 2
    assert stats["favourites"]["by_type"]["song"] == {"favourite": 1, "disliked": 1}
    assert [run["id"] for run in stats["last_runs"]] == [2, 1]
    assert stats["database"]["size_bytes"] > 0
    text_output = invoke(["--db", sample_db, "stats", "--format", "table"])
    assert text_output.exit_code == 0 and "songs: 5 (1 removed)" in text_output.stdout


def test_show_playlist(sample_db: str) -> None:
    view = _json(sample_db, "show", "playlist", "Road Trip")
    assert view["folder"] == "Parent/Child" and view["track_count"] == 5
    assert [t["position"] for t in view["tracks"]] == [0, 1, 2, 3, 4]
    assert [t["library_id"] for t in view["tracks"]] == ["i.S1", "i.S2", "i.S1", "i.S3", "i.S5"]
    shown = invoke(["--db", sample_db, "show", "playlist", "p.P1", "--format", "table"])
    assert shown.exit_code == 0 and "Road Trip" in shown.stdout
    assert "\x1b" not in shown.stdout, "library text is made safe for the terminal"
    missing = invoke(["--db", sample_db, "show", "playlist", "No Such List"])
    assert missing.exit_code == 2 and "no playlist" in missing.stderr


def test_history_names_what_vanished(sample_db: str) -> None:
    report = _json(sample_db, "history", "--since", "2026-03-01", "--change", "removed")
    assert report["changes"] == [
        {
            "recorded_at": "2026-03-15T12:00:00Z",
            "run_id": 2,
            "type": "song",
            "library_id": "i.S4",
            "change": "removed",
            "name": "Old Song",
            "artist": "Oldie",
        }
    ]
    [playlist] = report["playlists"]
    assert playlist["library_id"] == "p.P1"
    assert [(t["library_id"], t["name"]) for t in playlist["removed"]] == [("i.S4", "Old Song")]
    assert playlist["added"] == []
    full = _json(sample_db, "history", "--playlist", "Road Trip")
    assert [p["first_revision"] for p in full["playlists"]] == [True, False]
    assert full["playlists"][1]["renamed_from"] == "Roadtrip"
    added = {t["library_id"]: t["count"] for t in full["playlists"][1]["added"]}
    assert added == {"i.S1": 1, "i.S2": 1, "i.S3": 1, "i.S5": 1}
    since_run = _json(sample_db, "history", "--since", "2")
    assert {c["run_id"] for c in since_run["changes"]} == {2}
    text_output = invoke(
        ["--db", sample_db, "history", "--since", "2026-03-01", "--format", "table"]
    )
    assert "Old Song — Oldie" in text_output.stdout


def test_history_rejects_bad_since(sample_sqlite: str) -> None:
    for value in ("yesterday", "99"):
        result = invoke(["--db", sample_sqlite, "history", "--since", value])
        assert result.exit_code == 2, result.output


def test_health(sample_db: str) -> None:
    checks = {c["check"]: c for c in _json(sample_db, "health")}
    assert [i["library_id"] for i in checks["unavailable"]["items"]] == ["i.S3"]
    assert [i["library_id"] for i in checks["uploads_without_catalog"]["items"]] == ["i.S2"]
    assert checks["duplicate_catalog_ids"]["items"][0]["catalog_id"] == "100"
    assert checks["duplicate_names"]["items"][0]["copies"] == 2
    assert checks["duplicate_playlist_entries"]["items"][0]["library_id"] == "i.S1"
    assert [i["library_id"] for i in checks["empty_playlists"]["items"]] == ["p.P2"]
    missing = {i["library_id"]: i["missing"] for i in checks["missing_metadata"]["items"]}
    assert missing["i.S2"] == ["artist", "album"]
    assert checks["missing_metadata"]["count"] == 2
    limited = {c["check"]: c for c in _json(sample_db, "health", "--limit", "0")}
    assert limited["missing_metadata"]["count"] == 2 and limited["missing_metadata"]["items"] == []


@pytest.mark.parametrize("kind", ["left", "joined", "renamed", "created", "removed", "added"])
def test_history_takes_every_kind_it_prints(sample_db: str, kind: str) -> None:
    """Issue 22, item 12: `history --change` refused the kinds history prints (joined, left,
    created, renamed). Each is taken, and the events listed are of that kind (a playlist's
    tracks that left are also what `--change removed` asks, those that joined `added`)."""
    result = invoke(["--db", sample_db, "history", "--change", kind, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows, f"the sample mirror has {kind} events"
    also = {"removed": {"left"}, "added": {"joined", "created"}}.get(kind, set())
    assert {row["change"] for row in rows} <= {kind, *also}, rows


def test_health_names_its_checks_alike_in_json_and_tsv(sample_sqlite: str) -> None:
    """Issue 22, item 12: the check's name was ``name`` in JSON and ``check`` in TSV."""
    as_json = _json(sample_sqlite, "health")
    tsv = invoke(["--db", sample_sqlite, "health", "--format", "tsv"]).stdout.splitlines()
    header = tsv[0].split("\t")
    assert header[0] == "check" and all("check" in c and "name" not in c for c in as_json)
    listed = {line.split("\t")[0] for line in tsv[1:]}
    assert listed <= {c["check"] for c in as_json} and listed
