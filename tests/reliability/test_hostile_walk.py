"""Every command, walked with hostile input (issue 14: the walker).

The command list comes from the command tree itself (``amsync.cli.command_table`` and each
group's subcommands), so a new command is walked as soon as it exists — and fails
``test_every_command_has_a_row`` until ``ROWS`` says how to run it. Each command meets:

- ``closed-stdout``: stdout is a pipe whose reader has gone (EPIPE);
- ``dev-full``: stdout is ``/dev/full`` (every write fails with ENOSPC);
- ``fifo`` / ``symlink``: its output path (``-o``, ``--dir``) is a FIFO or a symbolic link;
- ``read-only-home``: the home, with the database in it, on a read-only mount;
- ``corrupt-db``: the database has a damaged page;
- ``busy-port``: its ``--port`` is taken;
- ``empty-db``: the database is an empty (0-byte) read-only file — a command that does not
  write the database leaves it so, and creates nothing beside it (issue 22, item 5);
- ``rehearsal``: the command runs on a copy of the database while the home holds stored tokens
  — the home's tokens and the real database stay as they were, unless the command is one that
  changes tokens (issue 22, item 1: removing an account from a copy took the tokens along);
- ``music-gone``: a song is linked to a music file, then the file's folder is deleted — no
  command fails on it, ``local scan`` of the folder marks its files gone with a warning, and no
  match, playlist or listing names the file (issue 22, item 2).

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
import sqlite3
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import pytest

from amsync.backup import BackupOptions, take_backup
from amsync.cli import cli
from amsync.cli.logfile import detach_log_files
from amsync.db.store import open_store
from amsync.emulator import LibrarySpec
from amsync.emulator.privacy_export import (
    PrivacyExportSpec,
    generate_listening,
    old_export_spec,
)
from tests.backup.conftest import sync_in_process
from tests.support.cli import CliResult, invoke
from tests.support.reliability import FIGURES, emulator_for
from tests.support.subsonic_standin import StandinState, serving, songs_of
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
    "empty-db",
    "rehearsal",
    "music-gone",
)
BROKEN_PIPE = 141
SUBSONIC_PASSWORD = "walker-subsonic-password"


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
    {apple_export} (Apple's privacy export, a zip) {subsonic} (a Subsonic server's URL)."""

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
    credentials: bool = False  # changes the home's stored tokens (auth set, auth logout)
    local: tuple[str, ...] = ()  # more arguments for the music-gone case (exports: --local)


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
    ("auth", "logout"): Row(credentials=True),
    ("auth", "set"): Row(("--stdin",), home=True, stdin=f"{DEV}\n{USER}\n", credentials=True),
    ("auth", "status"): Row(),
    ("backup",): Row(("--dir", "{out}"), db=True, home=True, output="folder"),
    ("backup", "list"): Row(),
    ("backup", "verify"): Row(("{backup}",)),
    ("completion",): Row(("bash",)),
    ("datasette-metadata",): Row(),
    ("db", "check"): Row(reports=True),
    ("db", "current"): Row(),
    ("db", "upgrade"): Row(db=True),
    ("demo",): Row(("--dir", "{out}", "--songs", "30"), output="folder"),
    ("doctor",): Row(("--offline",), reports=True),  # a damaged database: a FAIL, exit 2
    ("emulator", "serve"): Row(("--port", "{port}", "--songs", "5"), port=True, finite=False),
    ("export", "csv"): Row(("-o", "{out}"), output="folder"),
    ("export", "json"): Row(("-o", "{out}"), output="file"),
    ("export", "m3u"): Row(
        ("--playlist", "{playlist}", "-o", "{out}"), output="file", local=("--local",)
    ),
    ("export", "xspf"): Row(
        ("--playlist", "{playlist}", "-o", "{out}"), output="file", local=("--local",)
    ),
    ("favourites", "add"): Row(("song", "{song}"), db=True),
    ("favourites", "diff"): Row(),
    ("favourites", "import"): Row(("{import_file}",), db=True),
    ("favourites", "list"): Row(),
    ("favourites", "push"): Row(db=True, home=True),
    ("favourites", "remove"): Row(("song", "{song}"), db=True),
    ("health",): Row(),
    ("import", "apple-data"): Row(("{apple_export}",), db=True),
    ("listens", "export"): Row(("-o", "{out}"), output="file", before=lambda s: _history(s)),
    ("listens", "fill"): Row(db=True, home=True, before=lambda s: _history(s)),
    ("listens", "push"): Row(
        ("http://127.0.0.1:9/apis/listenbrainz", "--dry-run"), before=lambda s: _history(s)
    ),
    ("local", "link"): Row(("{song}", "{music_file}"), db=True),
    ("local", "match"): Row(db=True),
    ("local", "scan"): Row(("{music}",), db=True),
    ("local", "unlink"): Row(("{song}",), db=True),
    ("local", "unmatched"): Row(),
    ("history",): Row(),
    ("lost",): Row(),
    ("lost", "restore"): Row(("--yes",), db=True, home=True),
    ("notify", "test"): Row(("--notify", "json://127.0.0.1:9/walk")),  # unreachable: exit 75
    ("query",): Row(("SELECT name, artist FROM songs_v",)),
    ("restore",): Row(("--from", "{backup}", "--yes"), home=True),  # never opens the database
    ("schedule", "print"): Row(),
    ("server", "login"): Row(  # refused (exit 3), as `auth set` refuses: it stores nothing
        ("{subsonic}", "--user", "walker", "--stdin"), home=True, stdin="not-the-password\n"
    ),
    ("server", "logout"): Row(("{subsonic}",)),  # nothing stored: it writes nothing
    ("server", "push"): Row(("{subsonic}", "--user", "walker"), db=True, home=True),
    ("server", "status"): Row(("{subsonic}", "--user", "walker")),
    ("search",): Row(("a",)),
    ("show", "playlist"): Row(("{playlist}",)),
    ("show", "song"): Row(("{song}",)),
    ("stats",): Row(),
    ("sync",): Row(db=True, home=True),
    ("top",): Row(("songs",)),
    ("report",): Row(("-o", "{out}"), output="file"),
}


def _history(scene: Scene) -> None:
    """A listening history with artists (an older export names them), for the listens rows."""
    spec = replace(old_export_spec(seed=4), library_songs=10, other_songs=5, plays=40)
    path = generate_listening(spec).write(scene.root / "older-export.zip")
    done = scene.amsync(["import", "apple-data", str(path)])
    assert done.exit_code == 0, done.output


# --- the scene ---------------------------------------------------------------------------------


@dataclass
class Golden:
    db: Path
    backup: Path
    apple_export: Path
    song: str
    playlist: str
    url: str
    subsonic: str


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
            "AMSYNC_SUBSONIC_PASSWORD": SUBSONIC_PASSWORD,
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
            "subsonic": self.golden.subsonic,
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
    subsonic = StandinState(songs_of(emulator.library), {"walker": SUBSONIC_PASSWORD})
    with emulator.serve() as server, serving(subsonic) as subsonic_url:
        yield Golden(db, backup, apple_export, song, playlist, server.url, subsonic_url)
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


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "logs")


def _empty_db(walk: Walk) -> None:
    walk.scene.db.unlink()
    walk.scene.db.touch(mode=0o444)  # root writes it anyway: no command may
    out = walk.scene.root / ("out" if walk.row.output == "folder" else "out.txt")
    result = walk.run(out)
    assert result.exit_code in (walk.normal, 2), result.output
    if result.exit_code == 2 and walk.normal != 2 and not walk.row.reports:
        _one_error_line(result)
    if not walk.row.db:
        assert walk.scene.db.stat().st_size == 0, "a command that only reads wrote the database"
        if not (walk.row.home or walk.row.credentials):
            assert _siblings(walk.scene.home) == ["amsync.db"], "files were made beside it"


def _rehearsal(walk: Walk) -> None:
    from amsync.config.credentials import CredentialStore
    from amsync.config.secret import Secret

    tokens = CredentialStore(walk.scene.home)
    for account in ("default", "spare"):
        tokens.save(account, developer_token=Secret(DEV), music_user_token=Secret(USER))
    copy = walk.scene.root / "rehearsal" / "amsync.db"
    copy.parent.mkdir()
    shutil.copyfile(walk.scene.db, copy)
    before = _tree(walk.scene.home)
    args = [*walk.path, *walk.scene.fill(walk.row, walk.scene.root / "out-rh"), "--db", str(copy)]
    result = invoke(args, env=walk.scene.env(), input=walk.row.stdin)
    _no_traceback(result)
    FIGURES["hostile walk runs"] += 1
    assert result.exit_code == walk.normal, result.output
    after = _tree(walk.scene.home)
    credentials = str(walk.scene.home / "credentials.json")
    if walk.row.credentials:
        before.pop(credentials), after.pop(credentials, None)
    assert after == before, "the home's tokens or its database changed"


def _music_gone(walk: Walk) -> None:
    from amsync.audiotags.sample_files import SampleTags, write_sample_file

    music = walk.scene.root / "music"
    linked = write_sample_file(music / "linked.mp3", SampleTags(title="Linked"), 30_000)
    for setup in (
        ["local", "scan", str(music)],
        ["local", "link", walk.scene.golden.song, str(linked)],
    ):
        assert walk.scene.amsync(setup).exit_code == 0
    shutil.rmtree(music)
    out = walk.scene.root / ("out" if walk.row.output == "folder" else "out.txt")
    args = [*walk.path, *walk.scene.fill(walk.row, out), *walk.row.local]
    result = invoke(args, env=walk.scene.env(), input=walk.row.stdin)
    _no_traceback(result)
    FIGURES["hostile walk runs"] += 1
    assert result.exit_code == walk.normal, result.output
    written = [result.stdout]
    if out.is_file():
        written.append(out.read_text(encoding="utf-8", errors="replace"))
    assert not any("linked.mp3" in text for text in written), "an output names the gone file"
    if walk.path == ("local", "scan"):
        assert "no folder at" in result.stderr and "marked gone" in result.stderr
    connection = sqlite3.connect(f"file:{walk.scene.db}?mode=ro", uri=True)
    try:
        paths = [row[0] for row in connection.execute("SELECT path FROM local_matches_v")]
    finally:
        connection.close()
    if walk.path == ("local", "match"):
        assert paths == [], "a match names the gone file"


CASES: dict[str, Callable[[Walk], None]] = {
    "closed-stdout": _closed_stdout,
    "dev-full": _dev_full,
    "fifo": _fifo,
    "symlink": _symlink,
    "read-only-home": _read_only_home,
    "corrupt-db": _corrupt_db,
    "busy-port": _busy_port,
    "empty-db": _empty_db,
    "rehearsal": _rehearsal,
    "music-gone": _music_gone,
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
