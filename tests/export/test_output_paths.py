"""The one output-path policy (issue 14, item 1), for every writer and every kind of path.

Table-driven: ``FILE_WRITERS`` are the commands that write one file to ``-o`` (each exporter;
CSV, M3U and XSPF with ``--playlist``), ``KINDS`` what that path can be. A symbolic link is
followed and its target replaced in the target's folder (the link stays a link); a FIFO,
character device or socket is written into and never replaced; a folder, a block device or the
database in use is refused with one line (exit 2) and left as it was. The folder writers
(``export csv|m3u|xspf -o DIR``, ``backup --dir``, ``demo --dir``) and the log file follow the
same policy. Device nodes are made in the test's own folder (``mknod``, as root); the real
``/dev`` is never a target here.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from amsync.cli.logfile import detach_log_files
from amsync.errors import OutputPathError
from amsync.export.atomic_files import (
    OutputKind,
    _descriptor_alias,
    atomic_text_file,
    output_target,
)
from tests.support.cli import CliResult, invoke

FILE_WRITERS: dict[str, list[str]] = {
    "json": ["export", "json", "-o"],
    "csv --playlist": ["export", "csv", "--playlist", "Road Trip", "-o"],
    "m3u --playlist": ["export", "m3u", "--playlist", "Road Trip", "-o"],
    "xspf --playlist": ["export", "xspf", "--playlist", "Road Trip", "-o"],
}


def _run(db: str, writer: str, target: Path | str) -> CliResult:
    return invoke(["--db", db, *FILE_WRITERS[writer], str(target)])


def _one_error(result: CliResult, *words: str) -> None:
    """Exit 2 with one error line (amsync's, or click's for an option it checks itself)."""
    assert result.exit_code == 2, result.output
    lines = [
        line for line in result.stderr.splitlines() if line.startswith(("amsync: error:", "Error:"))
    ]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.output


def _mknod(path: Path, kind: int, major: int, minor: int) -> None:
    try:
        os.mknod(path, kind | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("cannot create device nodes here (not root)")


def _no_temporaries(*folders: Path) -> None:
    for folder in folders:
        left = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        assert not left, f"temporary files left in {folder}: {left}"


# --- file writers × kinds of path --------------------------------------------------------------


def _symlink(db: str, writer: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.out"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "out.link"
    link.symlink_to(target)
    result = _run(db, writer, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.readlink() == target, "the link itself was replaced"
    assert "Road Trip" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640, "the target lost its permissions"
    _no_temporaries(elsewhere, tmp_path)


def _dangling_symlink(db: str, writer: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "new.out"
    link = tmp_path / "out.link"
    link.symlink_to(target)
    result = _run(db, writer, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "Road Trip" in target.read_text(encoding="utf-8")


def _fifo(db: str, writer: str, tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = _run(db, writer, fifo)
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced"
    assert received and b"Road Trip" in received[0]
    _no_temporaries(tmp_path)


def _char_device(db: str, writer: str, tmp_path: Path) -> None:
    node = tmp_path / "null"
    _mknod(node, stat.S_IFCHR, 1, 3)  # what /dev/null is
    result = _run(db, writer, node)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(node.lstat().st_mode), "the device node was replaced"
    _no_temporaries(tmp_path)


def _full_device(db: str, writer: str, tmp_path: Path) -> None:
    node = tmp_path / "full"
    _mknod(node, stat.S_IFCHR, 1, 7)  # what /dev/full is: every write fails with ENOSPC
    result = _run(db, writer, node)
    _one_error(result, "No space left on device")
    assert stat.S_ISCHR(node.lstat().st_mode), "the device node was replaced"


def _socket(db: str, writer: str, tmp_path: Path) -> None:
    path = tmp_path / "out.sock"
    received: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)

        def serve() -> None:
            connection, _ = server.accept()
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                received.append(b"".join(chunks))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        result = _run(db, writer, path)
        thread.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISSOCK(path.lstat().st_mode), "the socket was replaced"
    assert received and b"Road Trip" in received[0]


def _directory(db: str, writer: str, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep", encoding="utf-8")
    if writer != "json":  # with --playlist, -o FOLDER means: write the playlist's file into it
        result = _run(db, writer, folder)
        assert result.exit_code == 0, result.output
        assert len(list(folder.iterdir())) == 2 and (folder / "keep.txt").read_text() == "keep"
        return
    _one_error(_run(db, writer, folder), "is a folder")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


def _block_device(db: str, writer: str, tmp_path: Path) -> None:
    node = tmp_path / "disk"
    _mknod(node, stat.S_IFBLK, 7, 250)  # a loop device number nothing uses
    _one_error(_run(db, writer, node), "block device")
    assert stat.S_ISBLK(node.lstat().st_mode), "the device node was replaced"


def _the_database(db: str, writer: str, tmp_path: Path) -> None:
    before = Path(db).read_bytes()
    _one_error(_run(db, writer, db), "database")
    assert Path(db).read_bytes() == before, "the database was overwritten by an export"


def _missing_folder(db: str, writer: str, tmp_path: Path) -> None:
    _one_error(_run(db, writer, tmp_path / "no" / "such" / "out.txt"), "does not exist")


KINDS: dict[str, Callable[[str, str, Path], None]] = {
    "symlink": _symlink,
    "dangling-symlink": _dangling_symlink,
    "fifo": _fifo,
    "char-device": _char_device,
    "full-device": _full_device,
    "socket": _socket,
    "directory": _directory,
    "block-device": _block_device,
    "the-database": _the_database,
    "missing-folder": _missing_folder,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("writer", sorted(FILE_WRITERS))
def test_every_file_writer_follows_the_output_path_policy(
    writer: str, kind: str, sample_sqlite: str, tmp_path: Path
) -> None:
    out = tmp_path / "targets"
    out.mkdir()
    KINDS[kind](sample_sqlite, writer, out)


@pytest.mark.parametrize("writer", sorted(FILE_WRITERS))
def test_dev_stdout_style_paths_write_into_the_descriptor(
    writer: str, sample_sqlite: str, tmp_path: Path
) -> None:
    """``-o /proc/self/fd/1`` (what ``/dev/stdout`` points to) writes into the process's
    stdout — a pipe here — instead of trying to replace anything."""
    from tests.support.reliability import amsync_env

    env = amsync_env(tmp_path / "home")
    command = [sys.executable, "-m", "amsync", "--db", sample_sqlite, *FILE_WRITERS[writer]]
    done = subprocess.run(
        [*command, "/proc/self/fd/1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Road Trip" in done.stdout


@pytest.mark.parametrize(
    ("path", "descriptor"),
    [("/dev/stdout", 1), ("/dev/stderr", 2), ("/dev/fd/5", 5), ("/proc/self/fd/1", 1)],
)
def test_descriptor_paths_name_a_descriptor(path: str, descriptor: int) -> None:
    target = output_target(Path(path))
    assert (target.kind, target.descriptor) == (OutputKind.DESCRIPTOR, descriptor)


def test_another_process_descriptor_path_is_not_ours() -> None:
    assert _descriptor_alias(Path("/proc/1/fd/1")) is None
    assert _descriptor_alias(Path(f"/proc/{os.getpid()}/fd/3")) == 3


def test_atomic_text_file_replaces_the_end_of_a_chain_of_links(tmp_path: Path) -> None:
    real = tmp_path / "a" / "real.txt"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    middle = tmp_path / "middle.link"
    middle.symlink_to(real)
    first = tmp_path / "first.link"
    first.symlink_to(middle)
    with atomic_text_file(first) as handle:
        handle.write("new")
    assert first.is_symlink() and middle.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_a_loop_of_links_is_one_error(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.symlink_to(two)
    two.symlink_to(one)
    with pytest.raises(OutputPathError, match="cannot write"):
        output_target(one)


# --- folder writers ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "m3u", "xspf"])
def test_a_link_inside_the_output_folder_is_followed(
    fmt: str, sample_sqlite: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = invoke(["--db", sample_sqlite, "export", fmt, "-o", str(out)])
    assert first.exit_code == 0, first.output
    written = sorted(p for p in out.rglob("*") if p.is_file())
    victim = written[0]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "kept.txt"
    target.write_text("old", encoding="utf-8")
    victim.unlink()
    victim.symlink_to(target)
    again = invoke(["--db", sample_sqlite, "export", fmt, "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert victim.is_symlink() and victim.readlink() == target
    assert target.read_text(encoding="utf-8") != "old"
    _no_temporaries(elsewhere, victim.parent)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "csv", "-o"],
        ["export", "m3u", "-o"],
        ["export", "xspf", "-o"],
        ["backup", "--dir"],
        ["demo", "--songs", "20", "--dir"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
@pytest.mark.parametrize("kind", ["fifo", "file"])
def test_a_folder_writer_refuses_what_is_not_a_folder(
    args: list[str], kind: str, sample_sqlite: str, tmp_path: Path
) -> None:
    target = tmp_path / "not-a-folder"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.write_text("keep", encoding="utf-8")
    try:
        result = invoke(["--db", sample_sqlite, *args, str(target)])
    finally:
        detach_log_files()
    _one_error(result)
    if kind == "fifo":
        assert stat.S_ISFIFO(target.lstat().st_mode)
    else:
        assert target.read_text(encoding="utf-8") == "keep"


def test_backup_into_a_linked_folder_writes_into_its_target(
    sample_sqlite: str, tmp_path: Path
) -> None:
    real = tmp_path / "real-backups"
    real.mkdir()
    link = tmp_path / "backups.link"
    link.symlink_to(real)
    try:
        result = invoke(["--db", sample_sqlite, "backup", "--dir", str(link)])
    finally:
        detach_log_files()
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    [backup] = list(real.iterdir())
    assert (backup / "manifest.json").is_file()


# --- the log file ------------------------------------------------------------------------------


def _backup_logging(sample_sqlite: str, home: Path) -> CliResult:
    try:
        return invoke(["--db", sample_sqlite, "backup", "--dir", str(home.parent / "b")])
    finally:
        detach_log_files()


def test_the_log_file_follows_a_link(sample_sqlite: str, home: Path, tmp_path: Path) -> None:
    logs = home / "logs"
    logs.mkdir(parents=True)
    real = tmp_path / "var-log" / "amsync.log"
    real.parent.mkdir()
    (logs / "amsync.log").symlink_to(real)
    result = _backup_logging(sample_sqlite, home)
    assert result.exit_code == 0, result.output
    assert (logs / "amsync.log").is_symlink()
    assert "backup ended" in real.read_text(encoding="utf-8")


def test_the_log_file_can_be_a_fifo(sample_sqlite: str, home: Path) -> None:
    logs = home / "logs"
    logs.mkdir(parents=True)
    fifo = logs / "amsync.log"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = _backup_logging(sample_sqlite, home)
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and b"backup started" in received[0] and b"backup ended" in received[0]


def test_a_folder_at_the_log_file_is_one_warning_and_the_run_goes_on(
    sample_sqlite: str, home: Path
) -> None:
    (home / "logs" / "amsync.log").mkdir(parents=True)
    result = _backup_logging(sample_sqlite, home)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "not logged" in warnings[0], result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
