"""Hostile and wrong inputs to ``amsync import apple-data``: each ends in one clear line (exit 2)
or a counted, listed skip — never a traceback, never a file written anywhere, never a
half-imported history."""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator.privacy_export import PLAY_ACTIVITY, generate_listening
from tests.history.conftest import SMALL, files, import_json, one_line_error, run_import
from tests.support.cli import invoke
from tests.support.listening import build_listening_mirror
from tests.support.mirror_builder import build_sample_mirror

ACTIVITY = f"Apple Music Activity/{PLAY_ACTIVITY}"


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _activity(plays: int = 120) -> bytes:
    export = generate_listening(dataclasses.replace(SMALL, plays=plays))
    return export.files[PLAY_ACTIVITY]


def _history_rows(db: str) -> dict[str, int]:
    store = open_store(db)
    try:
        with store.session() as session:
            return {
                name: int(
                    session.scalar(select(func.count()).select_from(getattr(tables, name))) or 0
                )
                for name in (
                    "play_events",
                    "play_days",
                    "library_track_counts",
                    "listening_imports",
                )
            }
    finally:
        store.close()


def _patch_central(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Set a field of the first central directory entry (offsets per APPNOTE 4.3.12)."""
    at = data.index(b"PK\x01\x02")
    patched = bytearray(data)
    struct.pack_into(fmt, patched, at + offset, value)
    return bytes(patched)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_entries_climbing_out_are_skipped_and_listed_never_written(
    sqlite_path: str, work: Path, tmp_path: Path
) -> None:
    archive = work / "export.zip"
    archive.write_bytes(
        _zip(
            {
                "../escaped.csv": b"x\n",
                "/etc/amsync-evil/Apple Music Play Activity.csv": b"Song Name\nx\n",
                "a/../../Apple Music Library Tracks.json": b"[]",
                ACTIVITY: _activity(),
            }
        )
    )
    before = files(tmp_path)
    report = import_json(sqlite_path, archive)
    assert report["plays"]["new"] == 120
    unsafe = [s for s in report["skipped"] if s["reason"].startswith("unsafe entry name")]
    assert unsafe and unsafe[0]["count"] == 3
    assert any("../escaped.csv" in e for e in unsafe[0]["examples"])
    after = set(files(tmp_path)) - set(before)
    assert all(p.startswith(("mirror.db", "home")) for p in after), after
    assert not Path("/etc/amsync-evil").exists()
    assert not (tmp_path / "escaped.csv").exists()


def test_an_archive_of_only_unsafe_entries_is_refused(sqlite_path: str, work: Path) -> None:
    archive = work / "evil.zip"
    archive.write_bytes(_zip({"../../Apple Music Play Activity.csv": _activity(10)}))
    error = one_line_error(run_import(sqlite_path, archive))
    assert "none of Apple Music's activity files" in error and "unsafe entry name" in error


def test_a_zip_bomb_by_ratio_is_refused_before_reading(sqlite_path: str, work: Path) -> None:
    bomb = work / "bomb.zip"
    bomb.write_bytes(_zip({ACTIVITY: b"Song Name\n" + b"0" * (20 << 20)}))
    assert bomb.stat().st_size < 100_000
    error = one_line_error(run_import(sqlite_path, bomb))
    assert "zip bomb" in error
    assert _history_rows(sqlite_path)["play_events"] == 0


def test_a_zip_declaring_sizes_beyond_the_archive_is_refused(sqlite_path: str, work: Path) -> None:
    data = _zip({ACTIVITY: _activity(20)}, zipfile.ZIP_STORED)
    # uncompressed size (offset 24) and compressed size (offset 20) of the entry: 3.9 GB
    huge = _patch_central(_patch_central(data, 24, "<I", 0xF0000000), 20, "<I", 0xF0000000)
    archive = work / "liar.zip"
    archive.write_bytes(huge)
    error = one_line_error(run_import(sqlite_path, archive))
    assert "zip bomb" in error


def test_a_nested_zip_bomb_is_refused(sqlite_path: str, work: Path) -> None:
    inner = _zip({ACTIVITY: b"Song Name\n" + b"0" * (20 << 20)})
    archive = work / "export.zip"
    archive.write_bytes(_zip({"Apple_Media_Services.zip": inner}, zipfile.ZIP_STORED))
    assert "zip bomb" in one_line_error(run_import(sqlite_path, archive))


def test_an_encrypted_member_is_refused(sqlite_path: str, work: Path) -> None:
    data = _zip({ACTIVITY: _activity(20)})
    encrypted = _patch_central(data, 8, "<H", 0x0001)  # general purpose flag: encrypted
    archive = work / "locked.zip"
    archive.write_bytes(encrypted)
    error = one_line_error(run_import(sqlite_path, archive))
    assert "encrypted" in error


def test_zips_nested_too_deep_are_skipped_and_listed(sqlite_path: str, work: Path) -> None:
    data = _zip({ACTIVITY: _activity(10)})
    for level in range(4):
        data = _zip({f"level{level}.zip": data}, zipfile.ZIP_STORED)
    archive = work / "deep.zip"
    archive.write_bytes(data)
    error = one_line_error(run_import(sqlite_path, archive))
    assert "nested more than 3 deep" in error


def test_a_truncated_zip_is_one_line(sqlite_path: str, work: Path) -> None:
    data = _zip({ACTIVITY: _activity()})
    archive = work / "cut.zip"
    archive.write_bytes(data[: len(data) // 2])
    error = one_line_error(run_import(sqlite_path, archive))
    assert "not a zip file" in error or "not a readable zip" in error


def test_damaged_member_data_stores_nothing(sqlite_path: str, work: Path) -> None:
    """The daily history is damaged after the play activity was read: the whole import is
    rolled back (one transaction), not half kept."""
    export = generate_listening(dataclasses.replace(SMALL, plays=300))
    build_listening_mirror(sqlite_path, export)
    members = {f"Apple Music Activity/{n}": d for n, d in export.files.items()}
    data = bytearray(_zip(members, zipfile.ZIP_STORED))
    daily = data.index(b"Country,Track Identifier")
    data[daily + 5000 : daily + 5010] = b"XXXXXXXXXX"  # the CRC no longer matches
    archive = work / "damaged.zip"
    archive.write_bytes(bytes(data))
    error = one_line_error(run_import(sqlite_path, archive))
    assert "Play History Daily Tracks.csv" in error and "CRC" in error
    assert _history_rows(sqlite_path) == {
        "play_events": 0,
        "play_days": 0,
        "library_track_counts": 0,
        "listening_imports": 0,
    }


def test_a_cut_csv_and_unreadable_timestamps_are_counted_skips(
    sqlite_path: str, work: Path
) -> None:
    spec = dataclasses.replace(SMALL, plays=300, cut_mid_row=True, bad_timestamps=5)
    export = generate_listening(spec)
    report = import_json(sqlite_path, export.write(work / "export.zip"))
    skipped = {s["reason"]: s for s in report["skipped"]}
    assert skipped["cut off row"]["count"] == 1
    assert skipped["unreadable timestamp"]["count"] == 5
    assert all(":" in e for e in skipped["unreadable timestamp"]["examples"])
    assert report["plays"]["new"] == 300 - 1 - 5


def test_a_csv_without_its_required_column_is_one_line(sqlite_path: str, work: Path) -> None:
    path = work / PLAY_ACTIVITY
    path.write_text("Album Name,Event Start Timestamp\nX,2024-01-01T00:00:00.000Z\n")
    error = one_line_error(run_import(sqlite_path, path))
    assert "no column for the song's name ('Song Name', 'Content Name'" in error, error
    assert _history_rows(sqlite_path)["listening_imports"] == 0


def test_a_missing_column_is_named_by_the_headers_that_give_it(
    sqlite_path: str, work: Path
) -> None:
    """Issue 22, item 7: a Play Activity file without timestamps was told "expected e.g. 'Song
    Name'" — which it had. Every missing column is named, with the headers amsync takes."""
    path = work / PLAY_ACTIVITY
    path.write_text("Song Name,Album Name\nHello,25\n")
    error = one_line_error(run_import(sqlite_path, path))
    assert (
        "no column for when it was played ('Event Start Timestamp', 'Play Date Time' or "
        "'Event End Timestamp')"
    ) in error, error
    assert "Song Name'" not in error.split("played", 1)[0], "the present column is not named"
    neither = work / "neither" / PLAY_ACTIVITY
    neither.parent.mkdir()
    neither.write_text("Album Name\n25\n")
    both = one_line_error(run_import(sqlite_path, neither))
    assert "the song's name" in both and "nor for when it was played" in both, both


def test_the_docs_list_every_column_amsync_recognises() -> None:
    from amsync.history.columns import (
        DAILY_TRACKS_COLUMNS,
        LIBRARY_TRACK_KEYS,
        PLAY_ACTIVITY_COLUMNS,
        header_name,
    )

    page = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "listening-history.md"
    section = page.read_text(encoding="utf-8").split("**The columns amsync reads.**", 1)[1]
    section = " ".join(section.split("\n## ", 1)[0].split())  # a line break inside `…` is a space
    for known in (PLAY_ACTIVITY_COLUMNS, DAILY_TRACKS_COLUMNS, LIBRARY_TRACK_KEYS):
        for aliases in known.values():
            for alias in aliases:
                assert f"`{header_name(alias)}`" in section, header_name(alias)


def test_a_random_zip_is_one_line(sqlite_path: str, work: Path) -> None:
    archive = work / "photos.zip"
    archive.write_bytes(_zip({"IMG_0001.jpg": os.urandom(2000), "notes.txt": b"hello"}))
    error = one_line_error(run_import(sqlite_path, archive))
    assert "none of Apple Music's activity files" in error


def test_random_bytes_are_one_line(sqlite_path: str, work: Path) -> None:
    path = work / "export.zip"
    path.write_bytes(os.urandom(5000))
    assert "not a zip file" in one_line_error(run_import(sqlite_path, path))


def test_a_missing_path_is_one_line(sqlite_path: str, work: Path) -> None:
    assert "does not exist" in one_line_error(run_import(sqlite_path, work / "nope.zip"))


def test_an_amsync_backup_is_recognised(sqlite_path: str, tmp_path: Path) -> None:
    build_sample_mirror(sqlite_path)
    backups = tmp_path / "backups"
    made = invoke(["--db", sqlite_path, "backup", "--dir", str(backups)])
    assert made.exit_code == 0, made.output
    (backup,) = [p for p in backups.iterdir() if p.is_dir()]
    error = one_line_error(run_import(sqlite_path, backup))
    assert "amsync backup" in error
    exported = tmp_path / "library.json"
    invoke(["--db", sqlite_path, "export", "json", "-o", str(exported)])
    assert "not a zip file" in one_line_error(run_import(sqlite_path, exported))


def test_a_cut_library_tracks_json_is_one_line_and_stores_nothing(
    sqlite_path: str, work: Path
) -> None:
    export = generate_listening(dataclasses.replace(SMALL, plays=100))
    tracks = export.files["Apple Music Library Tracks.json"]
    archive = work / "export.zip"
    archive.write_bytes(
        _zip(
            {
                ACTIVITY: export.files[PLAY_ACTIVITY],
                "Apple Music Activity/Apple Music Library Tracks.json": tracks[: len(tracks) // 2],
            }
        )
    )
    error = one_line_error(run_import(sqlite_path, archive))
    assert "Library Tracks.json" in error and "cut off" in error
    assert _history_rows(sqlite_path)["play_events"] == 0


def test_hostile_names_and_values_are_stored_safely(db_url: str, work: Path) -> None:
    """NUL characters, lone surrogate escapes, 100,000-character values, formula starts."""
    header = (
        "Song Name,Album Name,Event Start Timestamp,Play Duration Milliseconds,End Reason Type\n"
    )
    rows = [
        "A\x00B,Album,2024-01-01T00:00:00.000Z,1000,NATURAL_END_OF_TRACK",
        "\"=cmd|' /C calc'!A0\",Album,2024-01-01T00:01:00.000Z,abc," + "R" * 500,
        f"{'x' * 100_000},Album,2024-01-01T00:02:00.000Z,-5,",
        '"line\nbreak",Album,2024-01-01T00:03:00.000Z,99999999999999999999999,',
    ]
    path = work / PLAY_ACTIVITY
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    tracks = work / "Apple Music Library Tracks.json"
    tracks.write_text('[{"Track Identifier": 1, "Title": "\\ud800 lone", "Artist": null}]')
    report = import_json(db_url, path)
    assert report["plays"]["new"] == 4
    assert import_json(db_url, tracks)["library_tracks"]["new"] == 1
    store = open_store(db_url)
    try:
        with store.session() as session:
            names = set(session.scalars(select(tables.play_events.c.name)))
            title = session.scalar(select(tables.library_track_counts.c.title))
            reasons = set(session.scalars(select(tables.play_events.c.end_reason)))
            durations = set(session.scalars(select(tables.play_events.c.play_ms)))
    finally:
        store.close()
    assert "A\ufffdB" in names and "line\nbreak" in names
    assert title == "\ufffd lone"
    assert max(len(r or "") for r in reasons) == 64
    assert durations == {1000, None}


def test_an_import_waits_for_the_accounts_run_lock(sqlite_path: str, work: Path) -> None:
    from amsync.db.locks import acquire_run_lock

    archive = work / "export.zip"
    archive.write_bytes(_zip({ACTIVITY: _activity(30)}))
    store = open_store(sqlite_path)
    account_id = store.account_id("default")
    lock = acquire_run_lock(store, account_id, "default", command="sync")
    try:
        error = one_line_error(run_import(sqlite_path, archive), code=4)
        assert "holds the lock" in error and "`sync`" in error
        assert import_json(sqlite_path, archive, "--dry-run")["plays"]["read"] == 30
    finally:
        lock.release()
        store.close()
    assert import_json(sqlite_path, archive)["plays"]["new"] == 30
