"""`amsync demo`: emulator → sync → exports, all inside its folder."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert names == {".amsync-demo", "amsync.db", "exports", "music"}
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
