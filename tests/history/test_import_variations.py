"""Importing generated exports in every layout and column variation, on SQLite and PostgreSQL:
every readable play stored once, ≥ 98 % of the plays of mirrored songs linked, none to the
wrong song; importing again adds nothing; a newer, overlapping export adds only its new plays."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator.privacy_export import (
    LAYOUTS,
    ListeningExport,
    PrivacyExportSpec,
    generate_listening,
    old_export_spec,
    render_export,
)
from tests.history.conftest import SMALL, import_json, plays_stored
from tests.support.listening import build_listening_mirror, check_links


def _count(db: str, table: str) -> int:
    store = open_store(db)
    try:
        with store.session() as session:
            return int(
                session.scalar(select(func.count()).select_from(getattr(tables, table))) or 0
            )
    finally:
        store.close()


def _check(
    db: str, export: ListeningExport, account_id: int, path: Path, *, rate: float = 0.98
) -> dict[str, object]:
    first = import_json(db, path)
    expected = plays_stored(export)
    assert first["plays"]["new"] == expected
    assert _count(db, "play_events") == expected
    links = check_links(db, export, account_id)
    assert links.in_mirror > 0.6 * expected
    assert links.wrong == 0, links
    assert links.rate >= rate, links
    again = import_json(db, path)
    assert again["plays"] == {
        "read": expected,
        "new": 0,
        "known": expected,
        "linked": 0,
        "unlinked": 0,
        "relinked": 0,
        "contradicted": 0,
    }
    assert again["daily"]["new"] == 0 and again["library_tracks"]["new"] == 0
    assert _count(db, "play_events") == expected
    return first


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout(db_url: str, tmp_path: Path, layout: str) -> None:
    spec = old_export_spec(seed=3) if layout == "2018" else SMALL
    export = generate_listening(dataclasses.replace(spec, plays=500))
    account_id = build_listening_mirror(db_url, export)
    path = export.write(tmp_path / ("export" if layout == "folder" else "export.zip"), layout)
    report = _check(db_url, export, account_id, path)
    kinds = sorted(f["kind"] for f in report["files"])  # type: ignore[index]
    if layout == "2018":
        assert kinds == ["play activity"]
    else:
        assert kinds == ["daily tracks", "library tracks", "play activity"]
        assert report["library_tracks"]["linked"] == len(export.library)  # type: ignore[index]
        not_imported = report["not_imported"]
        assert len(not_imported) == 3  # type: ignore[arg-type]


VARIATIONS = {
    "shuffled columns": {"shuffle_columns": True},
    "missing optional columns": {
        "empty_start_fraction": 0.0,  # without an end time, an empty start leaves no time
        "drop_columns": (
            "Event End Timestamp",
            "Media Duration In Milliseconds",
            "Feature Name",
            "End Reason Type",
            "Container Album Name",
        ),
    },
    "extra columns": {"extra_columns": 5, "shuffle_columns": True},
    "no byte-order mark": {"bom": False},
    "old column names": {"columns": "old"},
    "no Library Tracks.json": {"library_tracks": False},
    "bad rows": {"bad_timestamps": 4, "negative_durations": 6, "cut_mid_row": True},
}


@pytest.mark.parametrize("variation", VARIATIONS, ids=list(VARIATIONS))
def test_column_variations(db_url: str, tmp_path: Path, variation: str) -> None:
    spec = dataclasses.replace(SMALL, seed=11, plays=500, **VARIATIONS[variation])  # type: ignore[arg-type]
    export = generate_listening(spec)
    account_id = build_listening_mirror(db_url, export)
    # Without the media's duration, the same title on an album of the same name by two
    # artists (the generator makes a few) cannot be told apart: those plays stay unlinked.
    rate = 0.95 if variation == "missing optional columns" else 0.98
    report = _check(db_url, export, account_id, export.write(tmp_path / "export.zip"), rate=rate)
    skipped = {item["reason"]: item["count"] for item in report["skipped"]}  # type: ignore[attr-defined]
    if variation == "bad rows":
        assert skipped["unreadable timestamp"] == 4
        assert skipped["cut off row"] == 1
    if variation == "no Library Tracks.json":
        # the daily history is linked by "Artist - Title" instead
        assert report["daily"]["linked"] > 0.6 * report["daily"]["read"]  # type: ignore[index]


def test_a_newer_overlapping_export_adds_only_its_new_plays(db_url: str, tmp_path: Path) -> None:
    spec = dataclasses.replace(SMALL, plays=900, no_album_fraction=0.0, empty_start_fraction=0.0)
    full = generate_listening(spec)
    account_id = build_listening_mirror(db_url, full)
    older = render_export(full.songs, full.plays[:600], dataclasses.replace(spec, columns="old"))
    newer = render_export(
        full.songs,
        full.plays[300:],
        dataclasses.replace(spec, seed=99, shuffle_columns=True, extra_columns=2),
    )
    first = import_json(db_url, older.write(tmp_path / "2024.zip", "zip"))
    assert first["plays"]["new"] == 600
    second = import_json(db_url, newer.write(tmp_path / "2026.zip"))
    assert second["plays"]["read"] == 600
    assert second["plays"]["new"] == 300
    assert second["plays"]["known"] == 300
    assert _count(db_url, "play_events") == 900
    links = check_links(db_url, full, account_id)
    assert links.wrong == 0 and links.rate >= 0.98, links


def test_a_single_file_and_the_inner_zip_are_accepted(sqlite_path: str, tmp_path: Path) -> None:
    export = generate_listening(dataclasses.replace(SMALL, plays=200))
    build_listening_mirror(sqlite_path, export)
    csv_path = tmp_path / "Apple Music Play Activity.csv"
    csv_path.write_bytes(export.files["Apple Music Play Activity.csv"])
    report = import_json(sqlite_path, csv_path)
    assert report["plays"]["new"] == 200
    assert [f["kind"] for f in report["files"]] == ["play activity"]


def test_plays_are_kept_per_account(sqlite_path: str, tmp_path: Path) -> None:
    export = generate_listening(dataclasses.replace(SMALL, plays=300))
    build_listening_mirror(sqlite_path, export, account="alice")
    build_listening_mirror(sqlite_path, export, account="bob")
    path = export.write(tmp_path / "export.zip")
    from tests.history.conftest import run_import

    assert run_import(sqlite_path, path, account="alice").exit_code == 0
    assert run_import(sqlite_path, path, account="bob").exit_code == 0
    assert _count(sqlite_path, "play_events") == 600


def test_unlinked_plays_are_linked_once_their_songs_are_mirrored(
    sqlite_path: str, tmp_path: Path
) -> None:
    export = generate_listening(dataclasses.replace(SMALL, plays=400))
    path = export.write(tmp_path / "export.zip")
    before = import_json(sqlite_path, path)  # no mirror yet: nothing to link to
    assert before["plays"]["linked"] == 0 and before["plays"]["new"] == 400
    account_id = build_listening_mirror(sqlite_path, export)
    after = import_json(sqlite_path, path)
    links = check_links(sqlite_path, export, account_id)
    assert after["plays"]["new"] == 0
    assert after["plays"]["relinked"] == links.linked > 0
    assert links.wrong == 0 and links.rate >= 0.98


def test_spec_defaults_hold_every_variation() -> None:
    """The generator makes what the tests above rely on (twins, uploads, non-play rows)."""
    export = generate_listening(PrivacyExportSpec(seed=1))
    library = export.library
    assert any(s.catalog_id is None for s in library), "uploads"
    titles = [(s.name, s.album) for s in export.songs]
    names = [s.name for s in export.songs]
    assert len(set(names)) < len(names), "same-titled songs"
    assert len(set(titles)) < len(titles) or any(
        a.name == b.name and a.album == b.album and a.artist != b.artist
        for a in library
        for b in library
        if a is not b
    )
    text = export.files["Apple Music Play Activity.csv"].decode("utf-8")
    assert "PLAY_START" in text and "LYRIC_DISPLAY" in text
    assert generate_listening(PrivacyExportSpec(seed=1)).files == export.files


def test_a_song_sharing_title_album_and_length_is_caught_by_the_daily_history(
    sqlite_path: str, tmp_path: Path
) -> None:
    """A song of another artist, not in the library, with the title, album name and (nearly)
    the length of a library song: the Play Activity file (no artists) cannot tell them apart,
    the daily history can."""
    from datetime import timedelta

    from amsync.emulator.privacy_export import ListenedSong, Play

    export = generate_listening(dataclasses.replace(SMALL, plays=300))
    mine = next(s for s in export.library if s.catalog_id)
    other = ListenedSong(
        mine.name, "Someone Else", mine.album, mine.duration_ms + 700, "9", None, 7
    )
    days_mine = {p.start.date() for p in export.plays if p.song == mine}
    when = next(
        p.start + timedelta(hours=1)
        for p in export.plays[50:]
        if not {p.start.date() + timedelta(days=d) for d in (-1, 0, 1)} & days_mine
    )
    plays = sorted([*export.plays, Play(other, when, 1000, "PLAY")], key=lambda p: p.start)
    both = render_export([*export.songs, other], plays, export.spec)
    account_id = build_listening_mirror(sqlite_path, both)
    report = import_json(sqlite_path, both.write(tmp_path / "export.zip"))
    links = check_links(sqlite_path, both, account_id)
    assert links.wrong == 0, links
    assert report["plays"]["contradicted"] == 1
