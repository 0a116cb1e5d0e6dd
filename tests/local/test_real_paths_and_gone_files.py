"""Playlists never point at files that are gone (issue 22, item 2).

The issue's findings: a folder scanned under two names (a link, a second mount) stored every
file twice; a folder that was no longer there could not be rescanned to mark its files gone
(`local scan MISSING` was an error); and `local match` and `export m3u|xspf --local` then chose
those stale rows, so the M3U8 named files that did not exist. Now files are stored by their real
paths (rows an older scan stored under a link are reconciled), a missing folder's files are
marked gone with a warning, `local scan --forget DIR` drops a folder, and matching and exports
look at each file they choose.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from amsync.db import tables
from amsync.db.store import open_store
from tests.support.cli import CliResult, invoke

files = tables.local_files


def ok(*args: str) -> CliResult:
    result = invoke(list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def _json(*args: str) -> dict[str, object]:
    report: dict[str, object] = json.loads(ok(*args, "--json").stdout)
    return report


def _stored(db: str) -> dict[str, bool]:
    """Every stored path, and whether it is live (not gone)."""
    store = open_store(db)
    try:
        with store.session() as session:
            rows = session.execute(select(files.c.path, files.c.gone_at.is_(None)))
            return {row[0]: bool(row[1]) for row in rows}
    finally:
        store.close()


def _matched(db: str) -> dict[str, str]:
    out = ok(
        "--db", db, "query", "SELECT library_id, path FROM local_matches_v", "--format", "json"
    )
    return {row["library_id"]: row["path"] for row in json.loads(out.stdout)}


@pytest.fixture
def linked(music: Path, tmp_path: Path) -> Path:
    """A second name of the music folder: a link to it."""
    link = tmp_path / "link-to-music"
    link.symlink_to(music)
    return link


def test_one_folder_under_two_names_is_stored_once(
    sample_db: str, music: Path, linked: Path
) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    again = _json("--db", sample_db, "local", "scan", str(linked))
    assert (again["new"], again["unchanged"]) == (0, 5), again
    both = _json("--db", sample_db, "local", "scan", str(linked), str(music))
    assert both["found"] == 5
    stored = _stored(sample_db)
    assert len(stored) == 5 and all(stored.values())
    real = os.path.realpath(music)
    assert all(path.startswith(real + "/") for path in stored), stored


def _as_an_older_scan_stored_them(db: str, real: Path, link: Path) -> None:
    """What an amsync that kept the given name stored: every path under the link."""
    store = open_store(db)
    try:
        with store.writing() as session:
            session.execute(
                update(files).values(
                    path=func.replace(files.c.path, str(real) + "/", str(link) + "/")
                )
            )
    finally:
        store.close()


def test_rows_stored_under_a_link_are_renamed_and_keep_their_matches(
    sample_db: str, music: Path, linked: Path
) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    before = {song: Path(path).name for song, path in _matched(sample_db).items()}
    real = Path(os.path.realpath(music))
    _as_an_older_scan_stored_them(sample_db, real, linked)
    assert all(path.startswith(str(linked)) for path in _stored(sample_db))
    report = _json("--db", sample_db, "local", "scan", str(linked))
    assert report["reconciled"] == 5, report
    assert (report["read"], report["unchanged"], report["gone"]) == (0, 5, 0), report
    stored = _stored(sample_db)
    assert len(stored) == 5 and all(path.startswith(str(real) + "/") for path in stored)
    after = _matched(sample_db)
    assert {song: Path(path).name for song, path in after.items()} == before
    assert all(path.startswith(str(real) + "/") for path in after.values()), "matches follow"


def test_duplicates_an_older_scan_stored_are_merged(
    sample_db: str, music: Path, linked: Path
) -> None:
    """Scanned under both names by an older amsync: ten rows for five files, matches on the
    link's rows. A scan of the real folder merges them: five rows, the matches moved."""
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    real = Path(os.path.realpath(music))
    _as_an_older_scan_stored_them(sample_db, real, linked)
    ok("--db", sample_db, "local", "scan", str(music))  # the real name again: five more rows
    assert len(_stored(sample_db)) == 5, "this amsync reconciled them already"
    _as_an_older_scan_stored_them(sample_db, real, linked)
    store = open_store(sample_db)
    try:  # put the real-path twins back, as a second (older) scan had stored them
        with store.writing() as session:
            connection = session.connection()
            rows = [dict(r._mapping) for r in connection.execute(select(files))]
            for row in rows:
                row.pop("id")
                row["path"] = row["path"].replace(str(linked) + "/", str(real) + "/")
            connection.execute(files.insert(), rows)
    finally:
        store.close()
    assert len(_stored(sample_db)) == 10
    report = _json("--db", sample_db, "local", "scan", str(music))
    assert report["reconciled"] == 5 and report["new"] == 0, report
    stored = _stored(sample_db)
    assert len(stored) == 5 and all(path.startswith(str(real) + "/") for path in stored)
    assert all(path.startswith(str(real) + "/") for path in _matched(sample_db).values())


def test_a_folder_that_is_gone_marks_its_files_gone_with_a_warning(
    sample_db: str, music: Path
) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    shutil.rmtree(music)
    result = ok("--db", sample_db, "local", "scan", str(music))
    assert "warning: no folder at" in result.stderr and "5 file(s) are marked gone" in result.stderr
    assert not any(_stored(sample_db).values())
    typo = invoke(["--db", sample_db, "local", "scan", str(music) + "-typo"])
    assert typo.exit_code == 2 and "no folder at" in typo.stderr, typo.output


def test_forget_drops_a_folder_without_scanning_it(sample_db: str, music: Path) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    result = ok("--db", sample_db, "local", "scan", "--forget", str(music / "Adele"))
    assert "forgot" in result.stdout and "2 file(s) marked gone" in result.stdout
    live = {Path(path).name for path, alive in _stored(sample_db).items() if alive}
    assert live == {"Gone Song.m4a", "Hello.opus", "Song.mp3"}
    again = invoke(["--db", sample_db, "local", "scan", "--forget", str(music / "Adele")])
    assert again.exit_code == 2 and "no scanned files below" in again.stderr
    ok("--db", sample_db, "local", "scan", str(music))  # still there: scanning revives them
    assert all(_stored(sample_db).values())


def test_matching_never_chooses_a_file_that_is_gone(sample_db: str, music: Path) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    (music / "Adele" / "25" / "01 Hello.flac").unlink()  # no rescan: the row looks alive
    report = _json("--db", sample_db, "local", "match")
    assert report["missing_files"] == 1, report
    chosen = _matched(sample_db)
    assert chosen and all(Path(path).exists() for path in chosen.values()), chosen
    shutil.rmtree(music)  # the whole folder: one look per chosen file, none chosen
    report = _json("--db", sample_db, "local", "match")
    # the chosen files are looked at, and their folders: the files of gone folders go too
    assert report["matched"] == 0 and report["missing_files"] == 3, report
    assert _matched(sample_db) == {}


@pytest.mark.parametrize("fmt", ["m3u", "xspf"])
def test_exports_never_name_a_file_that_is_gone(
    fmt: str, sample_db: str, music: Path, tmp_path: Path
) -> None:
    ok("--db", sample_db, "local", "scan", str(music))
    ok("--db", sample_db, "local", "match")
    out = tmp_path / f"road.{fmt}"
    args = ["--db", sample_db, "export", fmt, "--local", "--playlist", "Road Trip", "-o", str(out)]
    ok(*args)
    named = "01%20Hello.flac" if fmt == "xspf" else "/01 Hello.flac"  # XSPF: a file: URI
    assert named in out.read_text(encoding="utf-8")
    (music / "Adele" / "25" / "01 Hello.flac").unlink()  # no rescan, no rematch
    result = ok(*args)
    text = out.read_text(encoding="utf-8")
    assert named not in text, text
    assert "no longer on disk" in result.stderr, result.stderr
    report = json.loads(ok(*args, "--json").stdout)
    assert report["files_missing"] == 2, report  # i.S1 twice in Road Trip


def test_a_link_through_a_link_names_the_real_file(
    sample_db: str, music: Path, linked: Path
) -> None:
    ok("--db", sample_db, "local", "link", "i.S2", str(linked / "Other" / "Hello.opus"))
    real = os.path.realpath(music / "Other" / "Hello.opus")
    assert _matched(sample_db)["i.S2"] == real
    assert list(_stored(sample_db)) == [real]
