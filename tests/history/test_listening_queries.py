"""After an import: the views, ``amsync top``, ``stats``, ``show song``, the exports' plays,
personal columns, dry runs and account removal — on SQLite and PostgreSQL, checked against the
generator's truth."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator.privacy_export import ListeningExport, Play
from tests.history.conftest import ISO_SECOND, import_json, run_import
from tests.support.cli import invoke
from tests.support.listening import link_of, stored, stored_links


def _query(db: str, sql: str, *extra: str, options: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    result = invoke(["--db", db, *extra, "query", sql, "--format", "json", *options])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _skipped(play: Play) -> bool:
    reason = play.end_reason
    skip = "SKIP" in reason or reason == "MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM"
    return skip and play.play_ms * 2 < play.song.duration_ms


def _imported(mirrored: tuple[str, ListeningExport, int], tmp_path: Path) -> str:
    db, export, _ = mirrored
    import_json(db, export.write(tmp_path / "export.zip"))
    return db


def _played(db: str, export: ListeningExport, account_id: int) -> Counter[str]:
    """Plays (not skipped) per song, as the generator made them and the import linked them
    (the few plays it could not link are not any song's)."""
    links = stored_links(db, account_id)
    linked = ((link_of(links, p), p) for p in export.plays if not _skipped(p))
    return Counter(library_id for library_id, _ in linked if library_id)


def test_views_have_the_documented_columns_and_iso_times(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db = _imported(mirrored, tmp_path)
    export = mirrored[1]
    plays = _query(db, "SELECT * FROM plays_v ORDER BY played_at")
    assert len(plays) == len(export.plays)
    assert {
        "account_id",
        "account",
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
    } <= set(plays[0])
    assert all(ISO_SECOND.match(p["played_at"]) for p in plays)
    linked = [p for p in plays if p["library_id"] is not None]
    assert linked and all(p["artist"] for p in linked), "linked plays show the song's artist"
    assert all(p["catalog_id"] is None for p in plays if p["library_id"] is None)
    counts = _query(db, "SELECT * FROM play_counts_v")
    assert {"plays", "skips", "first_played_at", "last_played_at", "play_ms_total"} <= set(
        counts[0]
    )
    assert sum(c["plays"] + c["skips"] for c in counts) == len(export.plays)
    assert sum(c["skips"] for c in counts) == sum(1 for p in export.plays if _skipped(p))
    truth = _played(db, export, mirrored[2])
    by_song = {c["library_id"]: c["plays"] for c in counts if c["library_id"] and c["plays"]}
    assert by_song == dict(truth)
    daily = _query(db, "SELECT * FROM daily_plays_v")
    assert daily and all(len(d["played_on"]) == 10 for d in daily)
    assert sum(d["plays"] + d["skips"] for d in daily) == len(export.plays)
    assert _query(db, "SELECT count(*) AS n FROM library_track_counts_v")[0]["n"] == len(
        export.library
    )


def test_views_show_only_the_current_account(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db = _imported(mirrored, tmp_path)
    assert invoke(["--db", db, "accounts", "add", "other"]).exit_code == 0
    other = _query(db, "SELECT count(*) AS n FROM plays_v", "--account", "other")
    assert other[0]["n"] == 0
    mine = _query(db, "SELECT count(*) AS n FROM plays_v")
    assert mine[0]["n"] == len(mirrored[1].plays)


def test_top_songs_artists_and_albums_match_the_truth(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db = _imported(mirrored, tmp_path)
    export = mirrored[1]
    year = max(p.start.year for p in export.plays) - 1
    links = stored_links(db, mirrored[2])
    in_year = [p for p in export.plays if p.start.year == year and not _skipped(p)]
    truth = Counter(link_of(links, p) for p in in_year if link_of(links, p))
    result = invoke(["--db", db, "top", "songs", "--year", str(year), "--limit", "5", "--json"])
    assert result.exit_code == 0, result.output
    top = json.loads(result.stdout)
    assert [row["rank"] for row in top] == list(range(1, len(top) + 1))
    plays = [row["plays"] for row in top]
    assert plays == sorted(plays, reverse=True)
    linked_top = next(row for row in top if row["library_id"])
    assert linked_top["plays"] == truth[linked_top["library_id"]]
    assert all(ISO_SECOND.match(row["last_played_at"]) for row in top)
    piped = invoke(["--db", db, "top", "artists", "--since", f"{year}-01-01"])
    lines = piped.stdout.splitlines()
    assert lines[0].split("\t") == ["rank", "plays", "skips", "hours", "artist", "songs"]
    assert piped.stderr == ""
    assert all(len(line.split("\t")) == 6 for line in lines)
    by_time = invoke(["--db", db, "top", "albums", "--by", "time", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(by_time.stdout)))
    hours = [float(r["hours"]) for r in rows]
    assert hours == sorted(hours, reverse=True)


def test_top_refuses_bad_periods_in_one_line(sqlite_path: str) -> None:
    invoke(["--db", sqlite_path, "db", "upgrade"])
    invoke(["--db", sqlite_path, "accounts", "add", "default"])
    for args in (
        ["--year", "20x5"],
        ["--since", "last week"],
        ["--year", "2025", "--since", "2025-01-01"],
    ):
        result = invoke(["--db", sqlite_path, "top", "songs", *args])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
    empty = invoke(["--db", sqlite_path, "top", "songs", "--format", "table"])
    assert empty.exit_code == 0 and "amsync import apple-data" in empty.stdout
    # piped, a script gets the header alone and the person behind the pipe the reason
    piped = invoke(["--db", sqlite_path, "top", "songs"])
    assert piped.exit_code == 0
    assert piped.stdout.splitlines() == [piped.stdout.splitlines()[0]]
    assert piped.stdout.startswith("rank\tplays\t")
    assert piped.stderr.startswith("amsync: no listening history yet")
    as_json = invoke(["--db", sqlite_path, "top", "songs", "--json"])
    assert json.loads(as_json.stdout) == [] and "amsync import apple-data" in as_json.stderr


def test_stats_and_show_song(mirrored: tuple[str, ListeningExport, int], tmp_path: Path) -> None:
    db = _imported(mirrored, tmp_path)
    export = mirrored[1]
    stats = json.loads(invoke(["--db", db, "stats", "--json"]).stdout)
    listening = stats["listening"]
    assert listening["play_events"] == len(export.plays)
    assert listening["skips"] == sum(1 for p in export.plays if _skipped(p))
    assert listening["imports"] == 1 and ISO_SECOND.match(listening["last_import_at"])
    text = invoke(["--db", db, "stats", "--format", "table"]).stdout
    assert "listening:" in text
    piped = invoke(["--db", db, "stats"]).stdout
    assert f"listening.play_events\t{len(export.plays)}" in piped
    links = stored_links(db, mirrored[2])
    library_id, plays = _played(db, export, mirrored[2]).most_common(1)[0]
    song = next(s for s in export.library if s.library_id == library_id)
    shown = json.loads(invoke(["--db", db, "show", "song", library_id, "--json"]).stdout)
    assert shown["listening"]["plays"] == plays
    last = max(
        p.start if p.start in links else p.start + timedelta(milliseconds=p.play_ms)
        for p in export.plays
        if link_of(links, p) == library_id
    )
    assert shown["listening"]["last_played_at"] == last.strftime("%Y-%m-%dT%H:%M:%SZ")
    apple = sum(1 for p in export.plays if p.song == song and not _skipped(p))
    assert shown["listening"]["apple_play_count"] == apple  # Apple's own counter
    if song.catalog_id is not None:
        by_catalog = invoke(["--db", db, "show", "song", song.catalog_id, "--format", "table"])
        assert f"plays: {plays}," in by_catalog.stdout
    unknown = invoke(["--db", db, "show", "song", "i.nothing"])
    assert unknown.exit_code == 2 and "no song" in unknown.stderr


def test_exports_gain_plays_and_last_played(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db, export, _ = mirrored
    before = json.loads(invoke(["--db", db, "export", "json"]).stdout)
    assert "plays" not in before["songs"][0], "no listening history: the songs are as before"
    _imported(mirrored, tmp_path)
    document = json.loads(invoke(["--db", db, "export", "json"]).stdout)
    assert document["version"] == 1
    played = _played(db, export, mirrored[2])
    songs = {s["library_id"]: s for s in document["songs"]}
    for library_id, count in played.most_common(5):
        assert songs[library_id]["plays"] == count
        assert ISO_SECOND.match(songs[library_id]["last_played_at"])
    assert sum(s["plays"] for s in document["songs"]) == sum(played.values())
    never = [s for s in document["songs"] if s["library_id"] not in played]
    assert never and all(s["plays"] == 0 for s in never)
    out = tmp_path / "csv"
    assert invoke(["--db", db, "export", "csv", "-o", str(out)]).exit_code == 0
    with (out / "songs.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["library_id"]: r for r in csv.DictReader(handle)}
    top_id, top_count = played.most_common(1)[0]
    assert rows[top_id]["plays"] == str(top_count)
    assert rows[top_id]["last_played_at"] == songs[top_id]["last_played_at"]


def test_personal_columns_are_stored_only_when_asked(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db, export, _ = mirrored
    path = export.write(tmp_path / "export.zip")
    import_json(db, path)
    store = open_store(db)
    try:
        with store.session() as session:
            kept = list(session.scalars(select(tables.play_events.c.personal)))
    finally:
        store.close()
    assert set(kept) == {None}
    if not db.startswith("postgresql"):
        raw = b"".join(p.read_bytes() for p in Path(db).parent.glob("mirror.db*"))
        assert b"203.0.113." not in raw and b"Berlin" not in raw
    other = tmp_path / "other.db"
    from tests.support.listening import build_listening_mirror

    build_listening_mirror(str(other), export)
    import_json(str(other), path, "--keep-personal")
    store = open_store(str(other))
    try:
        with store.session() as session:
            personal = session.scalars(
                select(tables.play_events.c.personal).where(
                    tables.play_events.c.personal.is_not(None)
                )
            ).first()
    finally:
        store.close()
    assert personal is not None and personal["Client IP Address"].startswith("203.0.113.")
    assert personal["IP City"] == "Berlin" and "Song Name" not in personal


def test_a_dry_run_stores_nothing_and_reports_the_same(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db, export, _ = mirrored
    path = export.write(tmp_path / "export.zip")
    dry = import_json(db, path, "--dry-run")
    assert dry["dry_run"] is True and dry["import_id"] is None
    assert _query(db, "SELECT count(*) AS n FROM play_events")[0]["n"] == 0
    assert _query(db, "SELECT count(*) AS n FROM listening_imports")[0]["n"] == 0
    real = import_json(db, path)
    for key in ("plays", "daily", "library_tracks", "skipped", "unlinked_top"):
        assert dry[key] == real[key], key


def test_a_dry_run_without_a_database_creates_none(tmp_path: Path) -> None:
    from amsync.emulator.privacy_export import generate_listening
    from tests.history.conftest import SMALL

    export = generate_listening(SMALL)
    path = export.write(tmp_path / "export.zip")
    db = tmp_path / "never.db"
    home = tmp_path / "home"
    result = invoke(
        ["--home", str(home), "--db", str(db), "import", "apple-data", str(path), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "dry run" in result.stdout
    assert not db.exists()
    assert list(home.iterdir()) == []


def test_removing_an_account_removes_its_history(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db, export, _ = mirrored
    path = export.write(tmp_path / "export.zip")
    assert run_import(db, path).exit_code == 0
    assert invoke(["--db", db, "accounts", "add", "keep"]).exit_code == 0
    assert run_import(db, path, account="keep").exit_code == 0
    assert invoke(["--db", db, "accounts", "remove", "default", "--yes"]).exit_code == 0
    rows = _query(
        db,
        "SELECT (SELECT count(*) FROM play_events) AS e, (SELECT count(*) FROM play_days) AS d,"
        " (SELECT count(*) FROM library_track_counts) AS t,"
        " (SELECT count(*) FROM listening_imports) AS i",
        options=("--all-accounts",),
    )[0]
    assert rows["e"] == len(export.plays) and rows["i"] == 1
    assert rows["d"] > 0 and rows["t"] == len(export.library)


def test_the_text_report_names_what_it_could_not_link_and_skipped(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    db, export, _ = mirrored
    result = run_import(db, export.write(tmp_path / "export.zip"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "play events:" in out and "linked to mirrored songs" in out
    assert "not linked, most played" in out
    assert "not a play: event type PLAY_START" in out
    assert "personal columns" in out and "not stored" in out
    assert "Traceback" not in result.output


PAGE_QUERIES = (  # docs/how-to/listening-history.md
    "SELECT name, artist, count(*) AS plays FROM plays_v WHERE NOT skipped\n"
    "  AND played_at >= '2025-01-01' AND played_at < '2026-01-01'\n"
    "  GROUP BY library_id, name, artist ORDER BY plays DESC LIMIT 10",
    "SELECT s.name, s.artist FROM songs_v s LEFT JOIN play_counts_v c\n"
    "  ON c.library_id = s.library_id WHERE c.library_id IS NULL",
    "SELECT name, artist, skips, plays FROM play_counts_v ORDER BY skips DESC LIMIT 10",
)


def test_the_guide_example_queries_run(
    mirrored: tuple[str, ListeningExport, int], tmp_path: Path
) -> None:
    guide = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "listening-history.md"
    page = guide.read_text(encoding="utf-8")
    db = _imported(mirrored, tmp_path)
    export = mirrored[1]
    results = []
    for sql in PAGE_QUERIES:
        assert f'amsync query "{sql}"' in page
        results.append(_query(db, sql))
    top_2025, never, skipped = results
    links = stored_links(db, mirrored[2])
    heard = {link_of(links, p) for p in export.plays}
    assert len(top_2025) == 10
    assert sorted(r["name"] for r in never) == sorted(
        stored(s.name) for s in export.library if s.library_id not in heard
    )
    most = max(r["skips"] for r in _query(db, "SELECT skips FROM play_counts_v"))
    assert skipped[0]["skips"] == most > 0
