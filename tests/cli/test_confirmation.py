"""Commands that write to Apple Music or delete local data ask on a terminal and need --yes
otherwise (issue 14, item 17). Which commands do is listed in docs/reference/exit-codes.md
"Confirmation" and in ``ASKING`` here; every other command runs without a terminal and without --yes
(the walker runs them all that way), so the line ``amsync schedule print`` writes runs
unattended."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from amsync.cli import confirmation
from amsync.cli.logfile import detach_log_files
from amsync.db.store import open_store
from amsync.emulator import LibrarySpec
from tests.backup.conftest import amsync, only_backup, sync_in_process
from tests.sync.conftest import make_emulator

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "exit-codes.md").read_text(
    encoding="utf-8"
)


@pytest.fixture(autouse=True)
def _detach() -> Iterator[None]:
    yield
    detach_log_files()


@pytest.fixture
def mirror(tmp_path: Path, home: Path) -> Iterator[tuple[str, str, Path, object]]:
    emulator = make_emulator(LibrarySpec(songs=50, playlists=3, seed=4))
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    assert amsync(["--db", db, "accounts", "add", "spare"]).exit_code == 0
    with emulator.serve() as server:
        assert amsync(["--db", db, "backup"], server.url).exit_code == 0
        backup = only_backup(home / "backups" / "default")
        with emulator.lock:
            emulator.library.remove_playlist(sorted(emulator.library.playlists)[0])
        emulator.log.clear()
        yield db, server.url, backup, emulator


def _accounts(db: str) -> list[str]:
    store = open_store(db)
    try:
        with store.engine.connect() as connection:
            return [r[0] for r in connection.exec_driver_sql("SELECT name FROM accounts")]
    finally:
        store.close()


ASKING = {
    "restore": ["restore", "--from", "{backup}"],
    "accounts remove": ["accounts", "remove", "spare"],
}


def _args(name: str, backup: Path) -> list[str]:
    return [part.format(backup=backup) for part in ASKING[name]]


def test_the_reference_lists_the_commands_that_ask() -> None:
    section = PAGE.split("## Confirmation", 1)[1].split("\n## ", 1)[0]
    for name in ASKING:
        assert f"`amsync {name}`" in section, name


@pytest.mark.parametrize("name", sorted(ASKING))
def test_without_a_terminal_and_without_yes_nothing_happens(
    name: str, mirror: tuple[str, str, Path, object]
) -> None:
    db, url, backup, emulator = mirror
    result = amsync(["--db", db, *_args(name, backup)], url)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--yes" in lines[0], result.stderr
    assert "spare" in _accounts(db)
    assert emulator.log.count() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(ASKING))
def test_with_yes_it_is_done_without_a_question(
    name: str, mirror: tuple[str, str, Path, object]
) -> None:
    db, url, backup, emulator = mirror
    result = amsync(["--db", db, *_args(name, backup), "--yes"], url)
    assert result.exit_code == 0, result.output
    assert "?" not in result.output
    if name == "accounts remove":
        assert "spare" not in _accounts(db)
    else:
        assert emulator.log.writes()  # type: ignore[attr-defined]


@pytest.mark.parametrize("answer", ["n", "y"])
@pytest.mark.parametrize("name", sorted(ASKING))
def test_on_a_terminal_it_asks(
    name: str,
    answer: str,
    mirror: tuple[str, str, Path, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.cli import invoke
    from tests.sync.conftest import DEV, USER

    db, url, backup, emulator = mirror
    monkeypatch.setattr(confirmation, "can_ask", lambda: True)  # stdin stands for a terminal
    env = {"AMSYNC_API_URL": url, "AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER}
    result = invoke(["--db", db, *_args(name, backup)], env=env, input=f"{answer}\n")
    assert result.exit_code == 0, result.output
    assert "[y/N]" in result.stderr, "the question goes to stderr"
    done = (
        "spare" not in _accounts(db)
        if name == "accounts remove"
        else bool(
            emulator.log.writes()  # type: ignore[attr-defined]
        )
    )
    assert done == (answer == "y")


@pytest.mark.parametrize(
    "args",
    [["sync", "--backup"], ["sync", "--push-favourites"], ["favourites", "push"]],
    ids=" ".join,
)
def test_scheduled_steps_never_ask(args: list[str], mirror: tuple[str, str, Path, object]) -> None:
    """What a schedule runs (``schedule print`` writes ``sync --backup``), and pushes of the
    user's own favourite changes, run without a terminal and without --yes."""
    db, url, _, _ = mirror
    result = amsync(["--db", db, *args], url)
    assert result.exit_code == 0, result.output
    assert "--yes" not in result.output
