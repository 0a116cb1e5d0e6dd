"""`amsync demo`: emulator → sync → exports, all inside its folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amsync.db import tables
from amsync.db.store import open_store
from tests.support.cli import invoke


def test_demo_syncs_and_exports_inside_its_folder(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "demo"
    result = invoke(["demo", "--dir", str(folder), "--songs", "300"])
    assert result.exit_code == 0, result.output
    assert "demo finished" in result.stdout and "amsync --db" in result.stdout
    names = {p.name for p in folder.iterdir()} - {"amsync.db-wal", "amsync.db-shm"}
    assert names == {
        ".amsync-demo",
        "amsync.db",
        "exports",
        "music",
        "listening",
        "report.html",
    }
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="top-songs"' in page and "data:image/png;base64," in page, "a report with covers"
    assert not home.exists(), "the demo must not touch the user's amsync home"
    document = json.loads((folder / "exports" / "library.json").read_text(encoding="utf-8"))
    assert document["format"] == "amsync.library"
    assert len(document["songs"]) >= 300
    assert (folder / "exports" / "csv" / "songs.csv").exists()
    assert list((folder / "exports" / "m3u").rglob("*.m3u8"))
    store = open_store(str(folder / "amsync.db"))
    try:
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(tables.songs)) >= 300
    finally:
        store.close()
    again = invoke(["demo", "--dir", str(folder), "--songs", "100"])
    assert again.exit_code == 0, "a folder of an earlier demo is reused"


def test_demo_refuses_a_folder_that_is_not_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    result = invoke(["demo", "--dir", str(folder)])
    assert result.exit_code == 2
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert "not an amsync demo folder" in result.stderr


def test_demo_closing_lines_say_what_there_is_and_what_next(tmp_path: Path) -> None:
    """Issue 15 item 7: the stable views, the real counts (music videos apart from songs), what
    "tracks without a location" means, the amsync that ran, and the next step."""
    folder = tmp_path / "demo"
    result = invoke(["demo", "--dir", str(folder)])  # 2,000 songs: uploads in playlists too
    assert result.exit_code == 0, result.output
    closing = result.stdout.split("demo finished", 1)[1]
    comments = sum(
        line.startswith("# no location")
        for path in (folder / "exports" / "m3u").rglob("*.m3u8")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    assert comments > 0
    with open_store(str(folder / "amsync.db")).session() as session:
        kinds = dict(
            session.execute(
                select(tables.songs.c.kind, func.count())
                .where(tables.songs.c.removed_at.is_(None))
                .group_by(tables.songs.c.kind)
            ).all()
        )
    assert f"the mirror: {kinds['song']} songs, {kinds['music-video']} music videos" in closing
    assert "FROM songs_v" in closing and "FROM songs " not in closing
    assert f"{comments} of their tracks have no location — uploads" in closing
    assert "emulator serve" in closing and "auth login" in closing
    assert "datasette-metadata" in closing
    suggested = next(line for line in closing.splitlines() if " search " in line)
    word = suggested.split(" search ", 1)[1].strip()
    found = invoke(["--db", str(folder / "amsync.db"), "search", word, "--format", "json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout), f"the demo's suggested `search {word}` finds nothing"


def test_the_demo_names_the_amsync_that_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amsync.cli import demo_command

    script = tmp_path / "venv" / "bin" / "amsync"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script)])
    monkeypatch.setattr("shutil.which", lambda _name: None)
    assert demo_command.amsync_program() == "venv/bin/amsync"
    monkeypatch.setattr("shutil.which", lambda _name: str(script))
    assert demo_command.amsync_program() == "amsync", "the one on PATH: its plain name"
    monkeypatch.setattr("sys.argv", ["-c"])
    assert demo_command.amsync_program().endswith(" -m amsync")
