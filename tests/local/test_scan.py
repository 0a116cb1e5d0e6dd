"""``amsync local scan``: incremental on SQLite and PostgreSQL, and every kind of bad input
counted and listed — never a crash, never a write outside the database."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from amsync.db import tables
from amsync.db.store import open_store
from tests.local.conftest import put, tree_state
from tests.support.cli import invoke


def _scan(db: str, *folders: Path) -> dict[str, object]:
    result = invoke(["--db", db, "local", "scan", *map(str, folders), "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


def _gone(db: str) -> set[str]:
    store = open_store(db)
    try:
        with store.session() as session:
            t = tables.local_files
            rows = session.execute(select(t.c.path).where(t.c.gone_at.is_not(None)))
            return {Path(row[0]).name for row in rows}
    finally:
        store.close()


def test_scans_are_incremental(db_url: str, music: Path) -> None:
    first = _scan(db_url, music)
    assert (first["found"], first["new"], first["read"]) == (5, 5, 5)
    again = _scan(db_url, music)
    assert (again["found"], again["read"], again["unchanged"], again["gone"]) == (5, 0, 5, 0)

    changed = music / "Unrelated" / "Song.mp3"
    put(changed.parent, changed.name, 181_000, title="Song", artist="Somebody")
    os.utime(changed, ns=(1, 1_000_000_000))
    moved = music / "Other" / "Hello.opus"
    kept = moved.read_bytes()
    moved.unlink()
    third = _scan(db_url, music)
    assert (third["read"], third["changed"], third["gone"]) == (1, 1, 1)
    assert _gone(db_url) == {"Hello.opus"}

    moved.write_bytes(kept)
    fourth = _scan(db_url, music)
    assert (fourth["read"], fourth["revived"], fourth["gone"]) == (1, 1, 0)
    assert _gone(db_url) == set()


def test_scanning_one_folder_leaves_the_others_alone(sqlite_path: str, music: Path) -> None:
    _scan(sqlite_path, music)
    shutil.rmtree(music / "Other")
    report = _scan(sqlite_path, music / "Adele")
    assert report["gone"] == 0, "Other/ is not below the scanned folder"
    assert _scan(sqlite_path, music)["gone"] == 1


def _hostile_folder(root: Path) -> Path:
    put(root / "good", "a.mp3", title="Good", artist="A")
    zero = root / "zeros"
    zero.mkdir()
    for n in range(5):
        (zero / f"{n}.flac").write_bytes(b"")
    (root / "corrupt.flac").write_bytes(b"fLaC" + b"\x00garbage" * 10)
    whole = put(root, "whole.m4a", title="T", artist="A").read_bytes()
    (root / "whole.m4a").write_bytes(whole[:100])  # truncated
    put(root, "untagged.mp3")
    mojibake = put(root, "mojibake.flac", artist="x")
    from mutagen.flac import FLAC

    flac = FLAC(mojibake)
    flac["TITLE"] = "CafÃ© del Mar"
    flac.save()
    (root / "loop").mkdir()
    (root / "loop" / "back").symlink_to(root)
    (root / "broken.mp3").symlink_to(root / "nowhere.mp3")
    os.mkdir(os.fsencode(root) + b"/bad\xffname")
    fd = os.open(os.fsencode(root) + b"/bad\xfe.mp3", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, put(root / "tmp", "x.mp3", title="X").read_bytes())
    os.close(fd)
    shutil.rmtree(root / "tmp")
    (root / "._resource-fork.mp3").write_bytes(b"\x00\x05\x16\x07")  # macOS AppleDouble
    (root / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    return root


def test_bad_input_is_counted_listed_and_harmless(tmp_path: Path) -> None:
    music = _hostile_folder(tmp_path / "music")
    data = tmp_path / "data"
    data.mkdir()
    db = str(data / "amsync.db")
    before = tree_state(music)
    report = _scan(db, music)
    assert tree_state(music) == before, "a scan writes nothing to the music folder"
    assert sorted(p.name for p in data.iterdir()) == sorted(
        n for n in ("amsync.db", "amsync.db-wal", "amsync.db-shm") if (data / n).exists()
    )
    assert report["problem_counts"] == {
        "corrupt": 2,
        "empty": 5,
        "no_tags": 1,
        "non_utf8_name": 2,
        "odd_encoding": 1,
        "symlink_loop": 1,
        "unreadable": 1,
    }
    assert report["found"] == 3, "good, untagged and mojibake files are stored"
    problems = report["problems"]
    assert isinstance(problems, list)
    listed = {(Path(p["path"]).name, p["kind"]) for p in problems}
    assert ("broken.mp3", "unreadable") in listed
    assert ("bad\\xfe.mp3", "non_utf8_name") in listed
    assert ("bad\\xffname", "non_utf8_name") in listed
    assert ("back", "symlink_loop") in listed
    text = invoke(["--db", db, "local", "scan", str(music)])
    assert text.exit_code == 0 and "Traceback" not in text.output
    assert "problems: 2 corrupt, 5 empty" in text.stderr
    assert tree_state(music) == before


_WITHOUT_DAC_OVERRIDE = """
import ctypes, sys

class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

class Data(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

libc = ctypes.CDLL(None, use_errno=True)
header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
if libc.capget(ctypes.byref(header), data) != 0:
    sys.exit("capget failed")
for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    data[0].effective &= ~(1 << cap)
    data[0].permitted &= ~(1 << cap)
if libc.capset(ctypes.byref(header), data) != 0:
    sys.exit("capset failed")
from amsync.cli import run
sys.exit(run(sys.argv[1:]))
"""


def _scan_unable_to_list(db: str, music: Path) -> dict[str, object]:
    """The real scan, in a process that file permissions stop: as root, without the two
    capabilities that let root read any folder (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) — it
    still reads what root owns, such as this checkout and its interpreter wherever the clone
    lives; as any other user, as that user. Issue 22, item 13: the test used to drop to
    ``nobody``, who cannot reach a checkout inside a private (0700) folder."""
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_DAC_OVERRIDE, "--db", db, "local", "scan", str(music),
         "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_files_below_an_unlistable_folder_are_not_taken_for_gone(tmp_path: Path) -> None:
    music = tmp_path / "music"
    put(music / "open", "a.mp3", title="A", artist="X")
    put(music / "closed", "b.mp3", title="B", artist="X")
    db = str(tmp_path / "amsync.db")
    assert _scan(db, music)["found"] == 2
    (music / "closed").chmod(0)
    try:
        report = _scan_unable_to_list(db, music)
    finally:
        (music / "closed").chmod(stat.S_IRWXU)
    assert report["problem_counts"] == {"permission_denied": 1}, report
    assert report["gone"] == 0
    assert _gone(db) == set(), "b.mp3 is still there, only unlistable"


def test_a_scan_shows_its_progress_on_a_terminal(tmp_path: Path, music: Path) -> None:
    """Issue 22, item 12: `local scan` showed no progress on a terminal. It draws the files
    found so far on stderr (a terminal only: piped, nothing)."""
    from tests.support.terminal import on_terminal

    db = str(tmp_path / "amsync.db")
    env = {**os.environ, "AMSYNC_HOME": str(tmp_path / "home")}
    shown = on_terminal(["--db", db, "local", "scan", str(music)], env)
    assert shown.exit_code == 0, shown.screen
    assert re.search(r"audio files\s+█+\s+5 / 5", shown.screen), shown.screen
    assert " req " not in shown.screen, "a scan makes no requests"
    piped = invoke(["--db", db, "local", "scan", str(music)])
    assert "█" not in piped.output
