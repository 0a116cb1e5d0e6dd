"""Every command, walked with hostile input (issue 14: the walker).

The command list comes from the command tree itself (``amsync.cli.command_table`` and each
group's subcommands), so a new command is walked as soon as it exists — and fails
``test_every_command_has_a_row`` until ``ROWS`` says how to run it. Each command meets:

- ``closed-stdout``: stdout is a pipe whose reader has gone (EPIPE);
- ``dev-full``: stdout is ``/dev/full`` (every write fails with ENOSPC);
- ``fifo`` / ``symlink``: its output path (``-o``, ``--dir``) is a FIFO or a symbolic link;
- ``read-only-home``: the home, with the database in it, on a read-only mount;
- ``corrupt-db``: the database has a damaged page;
- ``busy-port``: its ``--port`` is taken.

and the walker asserts: no traceback, the documented exit code, one error line when it fails,
and nothing outside the intended output changed (the database byte for byte where the command
must not write it). Commands run in-process (``tests.support.cli.invoke``); the emulator serves
over real HTTP from a thread. A case that does not apply to a command (no output path, no port)
is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from amsync.backup import BackupOptions, take_backup
from amsync.cli import cli
from amsync.cli.logfile import detach_log_files
from amsync.db.store import open_store
from amsync.emulator import LibrarySpec
from amsync.emulator.privacy_export import PrivacyExportSpec, generate_listening
from tests.backup.conftest import sync_in_process
from tests.support.cli import CliResult, invoke
from tests.support.reliability import FIGURES, emulator_for
from tests.sync.conftest import DEV, USER

pytestmark = pytest.mark.slow

HOSTILE = (
    "closed-stdout",
    "dev-full",
    "fifo",
    "symlink",
    "read-only-home",
    "corrupt-db",
    "busy-port",
)
BROKEN_PIPE = 141


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command: leaves, and groups that run without a subcommand."""
    found: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                found.append(path)
            found += command_paths(command, path)
        else:
            found.append(path)
    return found


@dataclass(frozen=True)
class Row:
    """How the walker runs one command. Placeholders in ``args``: {song} {playlist} {out}
    {backup} {import_file} {port} {music} (a folder of local files) {music_file} (one)
    {apple_export} (Apple's privacy export, a zip)."""

    args: tuple[str, ...] = ()
    db: bool = False  # writes the database: refused when it is damaged or read-only
    home: bool = False  # writes the home (log, credentials): refused on a read-only home
    output: str | None = None  # "file" or "folder": what {out} must be
    port: bool = False  # has --port (the busy-port case)
    stdin: str | None = None
    finite: bool = True  # False: runs until stopped (only its refusals are walked)
    damaged_code: int = 2  # its exit code when it notices a damaged database
    reports: bool = False  # reports problems as its output (doctor, db check), not as an error
    before: Callable[[Scene], None] | None = None


ROWS: dict[tuple[str, ...], Row] = {
    ("accounts", "add"): Row(("spare",), db=True),
    ("accounts", "list"): Row(),  # reads only: with no database it lists none
    ("accounts", "remove"): Row(
        ("spare", "--yes"),
        db=True,
        home=True,
        before=lambda s: s.amsync(["accounts", "add", "spare"]),
    ),
    ("auth", "login"): Row(
        ("--port", "{port}", "--no-browser", "--timeout", "10"), port=True, finite=False
    ),
    ("auth", "logout"): Row(),
    ("auth", "set"): Row(("--stdin",), home=True, stdin=f"{DEV}\n{USER}\n"),
    ("auth", "status"): Row(),
    ("backup",): Row(("--dir", "{out}"), db=True, home=True, output="folder"),
    ("backup", "list"): Row(),
    ("backup", "verify"): Row(("{backup}",)),
    ("completion",): Row(("bash",)),
    ("datasette-metadata",): Row(),
    ("db", "check"): Row(damaged_code=1, reports=True),
    ("db", "current"): Row(),
    ("db", "upgrade"): Row(db=True),
    ("demo",): Row(("--dir", "{out}", "--songs", "30"), output="folder"),
    ("doctor",): Row(("--offline",), reports=True),  # a damaged database: a FAIL, exit 2
    ("emulator", "serve"): Row(("--port", "{port}", "--songs", "5"), port=True, finite=False),
    ("export", "csv"): Row(("-o", "{out}"), output="folder"),
    ("export", "json"): Row(("-o", "{out}"), output="file"),
    ("export", "m3u"): Row(("--playlist", "{playlist}", "-o", "{out}"), output="file"),
    ("export", "xspf"): Row(("--playlist", "{playlist}", "-o", "{out}"), output="file"),
    ("favourites", "add"): Row(("song", "{song}"), db=True),
    ("favourites", "diff"): Row(),
    ("favourites", "import"): Row(("{import_file}",), db=True),
    ("favourites", "list"): Row(),
    ("favourites", "push"): Row(db=True, home=True),
    ("favourites", "remove"): Row(("song", "{song}"), db=True),
    ("health",): Row(),
    ("import", "apple-data"): Row(("{apple_export}",), db=True),
    ("local", "link"): Row(("{song}", "{music_file}"), db=True),
    ("local", "match"): Row(db=True),
    ("local", "scan"): Row(("{music}",), db=True),
    ("local", "unlink"): Row(("{song}",), db=True),
    ("local", "unmatched"): Row(),
    ("history",): Row(),
    ("query",): Row(("SELECT name, artist FROM songs_v",)),
    ("restore",): Row(("--from", "{backup}", "--yes"), home=True),  # never opens the database
    ("schedule", "print"): Row(),
    ("search",): Row(("a",)),
    ("show", "playlist"): Row(("{playlist}",)),
    ("show", "song"): Row(("{song}",)),
    ("stats",): Row(),
    ("sync",): Row(db=True, home=True),
    ("top",): Row(("songs",)),
    ("report",): Row(("-o", "{out}"), output="file"),
}


# --- the scene ---------------------------------------------------------------------------------


@dataclass
class Golden:
    db: Path
    backup: Path
    apple_export: Path
    song: str
    playlist: str
    url: str


@dataclass
class Scene:
    root: Path
    home: Path
    golden: Golden
    port: int = 0

    @property
    def db(self) -> Path:
        return self.home / "amsync.db"

    def env(self, home: Path | None = None) -> dict[str, str]:
        return {
            "AMSYNC_HOME": str(home or self.home),
            "AMSYNC_API_URL": self.golden.url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }

    def amsync(self, args: list[str]) -> CliResult:
        return invoke(args, env=self.env())

    def fill(self, row: Row, out: Path) -> list[str]:
        values = {
            "song": self.golden.song,
            "playlist": self.golden.playlist,
            "out": str(out),
            "backup": str(self.golden.backup),
            "import_file": str(self.root / "wishes.csv"),
            "port": str(self.port),
            "music": str(self.root / "music"),
            "music_file": str(self.root / "music" / "track.mp3"),
            "apple_export": str(self.golden.apple_export),
        }
        return [part.format(**values) for part in row.args]


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Golden]:
    folder = tmp_path_factory.mktemp("golden")
    emulator = emulator_for(LibrarySpec(songs=40, playlists=4, folders=2, seed=21))
    db = folder / "amsync.db"
    sync_in_process(emulator, str(db))
    store = open_store(str(db))
    try:
        backup = take_backup(store, "default", BackupOptions(folder / "backups")).path
    finally:
        store.close()
    song = sorted(emulator.library.songs)[0]
    playlist = sorted(p.name for p in emulator.library.playlists.values())[0]
    spec = PrivacyExportSpec(seed=3, library_songs=20, other_songs=5, plays=60)
    apple_export = generate_listening(spec).write(folder / "apple-privacy-export.zip")
    with emulator.serve() as server:
        yield Golden(db, backup, apple_export, song, playlist, server.url)
    detach_log_files()


@pytest.fixture
def scene(golden: Golden, tmp_path: Path) -> Iterator[Scene]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(golden.db, home / "amsync.db")
    _props(tmp_path, golden)
    yield Scene(tmp_path, home, golden)
    detach_log_files()


def _props(root: Path, golden: Golden) -> None:
    """What the rows' placeholders name: a favourites file, a folder with one (untagged) file."""
    (root / "wishes.csv").write_text(f"type,id\nsong,{golden.song}\n", encoding="utf-8")
    (root / "music").mkdir()
    (root / "music" / "track.mp3").write_bytes(b"not really audio")


_BASELINE: dict[tuple[str, ...], int] = {}


def baseline(path: tuple[str, ...], scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The command's exit code on ordinary input (run once, on a scene of its own)."""
    if path not in _BASELINE:
        root = tmp_path_factory.mktemp("baseline")
        home = root / "home"
        home.mkdir()
        shutil.copyfile(scene.golden.db, home / "amsync.db")
        _props(root, scene.golden)
        plain = Scene(root, home, scene.golden)
        row = ROWS[path]
        if row.before:
            row.before(plain)
        out = root / ("out" if row.output == "folder" else "out.txt")
        result = invoke([*path, *plain.fill(row, out)], env=plain.env(), input=row.stdin)
        detach_log_files()
        _no_traceback(result)
        _BASELINE[path] = result.exit_code
    return _BASELINE[path]


# --- checks ------------------------------------------------------------------------------------


def _no_traceback(result: CliResult) -> None:
    assert "Traceback" not in result.output, result.output
    assert "Cannot operate on a closed database" not in result.output, result.output
    assert "Error closing cursor" not in result.output, result.output


def _one_error_line(result: CliResult) -> None:
    errors = [line for line in result.stderr.splitlines() if line.startswith("amsync: error:")]
    assert len(errors) == 1, result.stderr


def _tree(root: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, tuple[str, str]]:
    """Every path below ``root`` with its kind and content hash (logs and SQLite's -wal/-shm,
    which readers may create, left out)."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(root.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        if path.name.endswith(("-wal", "-shm")) or "logs" in path.relative_to(root).parts:
            continue
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            found[str(path)] = ("link", os.readlink(path))
        elif stat.S_ISREG(mode):
            found[str(path)] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
        elif stat.S_ISDIR(mode):
            found[str(path)] = ("dir", "")
        else:
            found[str(path)] = ("special", "")
    return found


@dataclass
class Walk:
    path: tuple[str, ...]
    row: Row
    scene: Scene
    normal: int

    def run(self, out: Path, *, stdout: Any = None, home: Path | None = None) -> CliResult:
        args = [*self.path, *self.scene.fill(self.row, out)]
        result = invoke(args, env=self.scene.env(home), input=self.row.stdin, stdout=stdout)
        _no_traceback(result)
        FIGURES["hostile walk runs"] += 1
        return result


def _damage(db: Path) -> None:
    """Ruin pages in the middle of the file (the header stays an SQLite header)."""
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2 - (size // 2) % 4096)
        handle.write(b"\xa5" * 4096)


# --- the cases ---------------------------------------------------------------------------------


def _closed_stdout(walk: Walk) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        result = walk.run(walk.scene.root / "out-cs", stdout=stream)
    finally:
        with contextlib.suppress(OSError):
            stream.close()
    assert result.exit_code in (walk.normal, BROKEN_PIPE), result.stderr
    if result.exit_code == BROKEN_PIPE:
        assert "error" not in result.stderr, result.stderr


def _dev_full(walk: Walk) -> None:
    with open("/dev/full", "w", encoding="utf-8") as stream:
        result = walk.run(walk.scene.root / "out-df", stdout=stream)
    assert result.exit_code in (walk.normal, 2), result.stderr
    if result.exit_code == 2 and walk.normal != 2:
        _one_error_line(result)
        assert "No space left on device" in result.stderr, result.stderr


def _fifo(walk: Walk) -> None:
    fifo = walk.scene.root / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def drain() -> None:  # a reader, so that opening the FIFO for writing does not block
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    result = walk.run(fifo)
    if walk.row.output == "folder":
        assert result.exit_code == 2, result.output
        _one_error_line(result)
        with open(fifo, "wb"):  # let the reader finish
            pass
    else:
        assert result.exit_code == walk.normal, result.output
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced"
    if walk.row.output == "file":
        assert received and received[0], "nothing was written into the FIFO"


def _symlink(walk: Walk) -> None:
    elsewhere = walk.scene.root / "elsewhere"
    elsewhere.mkdir()
    link = walk.scene.root / "out.link"
    if walk.row.output == "file":
        target = elsewhere / "real.txt"
        target.write_text("old\n", encoding="utf-8")
    else:
        target = elsewhere / "real-folder"
        target.mkdir()
    link.symlink_to(target)
    before = _tree(walk.scene.root, skip=(elsewhere, link, walk.scene.home))
    result = walk.run(link)
    assert result.exit_code == walk.normal, result.output
    assert link.is_symlink() and os.readlink(link) == str(target), "the link was replaced"
    if walk.row.output == "file":
        assert target.read_text(encoding="utf-8") != "old\n", "the link's target was not written"
        assert sorted(p.name for p in elsewhere.iterdir()) == ["real.txt"], "temporary left"
    else:
        assert any(target.iterdir()), "nothing was written into the linked folder"
    assert _tree(walk.scene.root, skip=(elsewhere, link, walk.scene.home)) == before


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _read_only_home(walk: Walk) -> None:
    view = walk.scene.root / "ro-home"
    view.mkdir()
    if not _mount("--bind", str(walk.scene.home), str(view)):
        pytest.skip("cannot bind-mount here")
    try:
        if not _mount("-o", "remount,ro,bind", str(view)):
            pytest.skip("cannot remount read-only here")
        before = _tree(walk.scene.home)
        result = walk.run(walk.scene.root / "out-ro", home=view)
    finally:
        subprocess.run(["umount", str(view)], check=False)
    if walk.row.db or walk.row.home:
        assert result.exit_code == 2, result.output
        _one_error_line(result)
    else:
        assert result.exit_code == walk.normal, result.output
    assert _tree(walk.scene.home) == before


def _corrupt_db(walk: Walk) -> None:
    _damage(walk.scene.db)
    damaged = walk.scene.db.read_bytes()
    out = walk.scene.root / ("out" if walk.row.output == "folder" else "out.txt")
    before = _tree(walk.scene.root, skip=(out,))
    result = walk.run(out)
    assert walk.scene.db.read_bytes() == damaged, "a damaged database was written to"
    if walk.row.db:
        assert result.exit_code == 2, result.output
        _one_error_line(result)
        assert "is damaged" in result.stderr, result.stderr
    else:  # a reader refuses the damage when it meets it, or never meets it
        assert result.exit_code in (walk.normal, walk.row.damaged_code), result.output
        if result.exit_code == 2 and not walk.row.reports:
            _one_error_line(result)
    after = _tree(walk.scene.root, skip=(out,))
    if walk.path == ("demo",):  # the demo works in its own folder: nothing else changes
        after = {k: v for k, v in after.items() if k in before}
    assert after == before


def _busy_port(walk: Walk) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        walk.scene.port = taken.getsockname()[1]
        before = _tree(walk.scene.root)
        result = walk.run(walk.scene.root / "out-port")
    assert result.exit_code == 2, result.output
    _one_error_line(result)
    assert str(walk.scene.port) in result.stderr and "--port" in result.stderr
    assert _tree(walk.scene.root) == before


CASES: dict[str, Callable[[Walk], None]] = {
    "closed-stdout": _closed_stdout,
    "dev-full": _dev_full,
    "fifo": _fifo,
    "symlink": _symlink,
    "read-only-home": _read_only_home,
    "corrupt-db": _corrupt_db,
    "busy-port": _busy_port,
}
assert tuple(CASES) == HOSTILE

PATHS = command_paths()


def _applies(row: Row, case: str) -> bool:
    if not row.finite:  # runs until stopped: only its refusals are walked
        return case == "busy-port"
    if case in ("fifo", "symlink"):
        return row.output is not None
    if case == "busy-port":
        return row.port
    return True


WALK = [
    pytest.param(path, case, id=f"{' '.join(path)}-{case}")
    for path in PATHS
    for case in HOSTILE
    if _applies(ROWS.get(path, Row()), case)
]


def test_every_command_has_a_row() -> None:
    missing = [" ".join(p) for p in PATHS if p not in ROWS]
    assert not missing, f"add a row to ROWS for: {missing}"
    stale = [" ".join(p) for p in ROWS if p not in PATHS]
    assert not stale, f"ROWS names commands that do not exist: {stale}"


@pytest.mark.parametrize(("path", "case"), WALK)
def test_hostile_input(
    path: tuple[str, ...],
    case: str,
    scene: Scene,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    row = ROWS.get(path)
    if row is None:
        pytest.fail(f"no row for {' '.join(path)}")
    normal = 0 if not row.finite else baseline(path, scene, tmp_path_factory)
    if row.before:
        row.before(scene)
    CASES[case](Walk(path, row, scene, normal))
