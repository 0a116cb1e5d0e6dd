"""Issue 14 item 19 (the data and messages part): a misspelt query is a syntax error, not a
refusal; ``restore --from amsync.db`` says it is a database; ``sync --dry-run`` on a fresh home
creates neither the home nor the database (and adds no account to an existing one)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from amsync.emulator import LibrarySpec
from tests.hardening.conftest import synced_mirror
from tests.support.cli import invoke
from tests.sync.conftest import make_emulator

Env = Callable[[str], dict[str, str]]


def _one_line(stderr: str) -> None:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("selec * from songs", "syntax error: 'SELEC' does not begin an SQL statement"),
        ("  (slect 1)", "syntax error: 'SLECT'"),
        ("explain selct 1", "syntax error: 'SELCT'"),
        ("songs", "syntax error: 'SONGS'"),
    ],
)
def test_a_misspelt_statement_is_a_syntax_error_not_a_refusal(
    sqlite_path: str, sql: str, words: str
) -> None:
    synced_mirror(sqlite_path)
    result = invoke(["--db", sqlite_path, "query", sql])
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert "refused" not in result.stderr
    _one_line(result.stderr)


def test_a_writing_statement_is_still_refused(sqlite_path: str) -> None:
    synced_mirror(sqlite_path)
    result = invoke(["--db", sqlite_path, "query", "delete from songs"])
    assert result.exit_code == 2
    assert "DELETE is refused" in result.stderr


def test_a_syntax_error_later_in_the_statement_says_what_the_database_says(
    sqlite_path: str,
) -> None:
    synced_mirror(sqlite_path)
    result = invoke(["--db", sqlite_path, "query", "select * fro songs"])
    assert result.exit_code == 2
    assert "syntax error" in result.stderr and "refused" not in result.stderr
    _one_line(result.stderr)


def test_restore_from_the_database_file_says_it_is_a_database(sqlite_path: str) -> None:
    synced_mirror(sqlite_path)
    before = hashlib.sha256(Path(sqlite_path).read_bytes()).hexdigest()
    result = invoke(["--db", sqlite_path, "restore", "--from", sqlite_path])
    assert result.exit_code == 2, result.output
    assert f"{sqlite_path} is an SQLite database" in result.stderr
    assert "not a backup folder or a JSON export" in result.stderr
    assert "codec" not in result.stderr
    _one_line(result.stderr)
    assert hashlib.sha256(Path(sqlite_path).read_bytes()).hexdigest() == before


def test_restore_from_a_binary_file_says_it_is_not_an_export(tmp_path: Path) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    result = invoke(["restore", "--from", str(binary)])
    assert result.exit_code == 2
    assert "is not a JSON export (it is not UTF-8 text)" in result.stderr
    _one_line(result.stderr)


def test_dry_run_on_a_fresh_home_creates_nothing(tmp_path: Path, cli_env: Env) -> None:
    home = tmp_path / "fresh-home"
    emulator = make_emulator(LibrarySpec(songs=40, playlists=2, seed=6))
    with emulator.serve() as server:
        result = invoke(["--home", str(home), "sync", "--dry-run"], env=cli_env(server.url))
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was changed" in result.stdout
    listed = len(emulator.library.songs) + len(emulator.library.music_videos)
    assert re.search(rf"songs +{listed} listed: {listed} added", result.stdout), result.stdout
    assert "nothing was created" in result.stdout
    assert not home.exists(), "a dry run must not create the home (or the database in it)"


def test_dry_run_of_a_new_account_adds_no_account(sqlite_path: str, cli_env: Env) -> None:
    emulator = synced_mirror(sqlite_path)
    with sqlite3.connect(sqlite_path) as connection:
        accounts_before = connection.execute("SELECT name FROM accounts").fetchall()
    with emulator.serve() as server:
        result = invoke(
            ["--db", sqlite_path, "--account", "newcomer", "sync", "--dry-run", "--json"],
            env=cli_env(server.url),
        )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(sqlite_path) as connection:
        assert connection.execute("SELECT name FROM accounts").fetchall() == accounts_before
        assert connection.execute("SELECT count(*) FROM sync_runs").fetchone()[0] == 2
