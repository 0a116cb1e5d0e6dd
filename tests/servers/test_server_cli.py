"""``amsync server login | logout | status | push`` as a user meets them: where the password
comes from and where it goes (0600, never echoed), usage errors as one line with exit 2, the
listing formats of ``status``, and ``schedule print --server-push``."""

from __future__ import annotations

import json
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from amsync.config.server_credentials import SERVER_CREDENTIALS_FILE
from tests.support.cli import CliResult, invoke
from tests.support.subsonic_standin import Song, StandinState, serving
from tests.support.subsonic_world import World

USER, PASSWORD = "bob", "bob-password-9876"


@pytest.fixture
def standin() -> Iterator[tuple[StandinState, str]]:
    songs = [Song("1", "Blue Road", "Band", "LP", "al", "ar", 200, "Band/LP/01.mp3")]
    state = StandinState(songs, {USER: PASSWORD})
    with serving(state) as url:
        yield state, url


def error_line(result: CliResult) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("amsync: error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_login_stores_the_password_0600_and_push_uses_it(
    standin: tuple[StandinState, str], home: Path, world: World, tmp_path: Path
) -> None:
    state, url = standin
    done = invoke(
        ["server", "login", url + "/rest/", "--user", USER, "--stdin"], input=PASSWORD + "\n"
    )
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output and "signed in" in done.stdout
    stored = home / SERVER_CREDENTIALS_FILE
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    data = json.loads(stored.read_text())
    assert data["servers"][0]["url"] == url and data["servers"][0]["user"] == USER
    pushed = invoke(["--db", str(world.database(tmp_path)), "server", "push", url, "--json"])
    assert pushed.exit_code == 0, pushed.output
    assert json.loads(pushed.stdout)["server"]["user"] == USER
    assert state.playlists
    gone = invoke(["server", "logout", url])
    assert gone.exit_code == 0 and "forgot 1" in gone.stdout
    again = invoke(["--db", str(world.database(tmp_path, "b.db")), "server", "push", url])
    assert again.exit_code == 3  # a missing password is a person's to give
    assert "AMSYNC_SUBSONIC_PASSWORD" in error_line(again)


def test_a_refused_login_stores_nothing(standin: tuple[StandinState, str], home: Path) -> None:
    _, url = standin
    done = invoke(["server", "login", url, "--user", USER, "--stdin"], input="wrong-password\n")
    assert done.exit_code == 3, done.output
    assert "wrong-password" not in done.output
    error_line(done)
    assert not (home / SERVER_CREDENTIALS_FILE).exists()
    kept = invoke(
        ["server", "login", url, "--user", USER, "--stdin", "--no-check"], input="anything-at-all\n"
    )
    assert kept.exit_code == 0 and (home / SERVER_CREDENTIALS_FILE).exists()


def test_a_password_file(standin: tuple[StandinState, str], world: World, tmp_path: Path) -> None:
    _, url = standin
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\nignored second line\n")
    secret.chmod(0o644)
    db = str(world.database(tmp_path))
    done = invoke(
        [
            "--db",
            db,
            "server",
            "push",
            url,
            "--user",
            USER,
            "--password-file",
            str(secret),
            "--dry-run",
        ]
    )
    assert done.exit_code == 0, done.output
    assert "can be read by other users" in done.stderr and PASSWORD not in done.output
    missing = invoke(
        [
            "--db",
            db,
            "server",
            "push",
            url,
            "--user",
            USER,
            "--password-file",
            str(tmp_path / "nope"),
        ]
    )
    assert missing.exit_code == 2 and "no file at" in error_line(missing)


def test_no_password_at_all_is_exit_3_with_what_to_do(world: World, tmp_path: Path) -> None:
    """A missing password is a person's to give — exit 3, as for Apple's tokens."""
    db = world.database(tmp_path)
    done = invoke(["--db", str(db), "server", "push", "https://music.example.com", "--user", USER])
    assert done.exit_code == 3, done.output
    line = error_line(done)
    assert "no password for" in line and "AMSYNC_SUBSONIC_PASSWORD" in done.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["https://bob:s3cret-in-url@music.example.com"], "must not carry a user or password"),
        (["ftp://music.example.com"], "must start with http:// or https://"),
        (["https://music.example.com/?u=bob&p=s3cret-in-url"], "must not carry a query"),
        (["https://music.example.com", "--no-playlists"], "leaves nothing to push"),
        (["https://music.example.com", "--playlist", "x", "--no-playlists"], "do not go together"),
        (["https://music.example.com", "--path-prefix", "music"], "LOCAL=SERVER"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], expected: str) -> None:
    done = invoke(
        ["server", "push", *args, "--user", "x"], env={"AMSYNC_SUBSONIC_PASSWORD": "irrelevant-pw"}
    )
    assert done.exit_code == 2, done.output
    line = error_line(done)
    assert expected in line and "s3cret-in-url" not in done.output


def test_an_unknown_playlist_is_exit_2(
    standin: tuple[StandinState, str], world: World, tmp_path: Path
) -> None:
    state, url = standin
    done = invoke(
        [
            "--db",
            str(world.database(tmp_path)),
            "server",
            "push",
            url,
            "--user",
            USER,
            "--playlist",
            "No Such Playlist",
        ],
        env={"AMSYNC_SUBSONIC_PASSWORD": PASSWORD},
    )
    assert done.exit_code == 2 and "No Such Playlist" in error_line(done)
    assert not state.playlists


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
def test_status_formats(
    standin: tuple[StandinState, str], world: World, tmp_path: Path, fmt: str
) -> None:
    state, url = standin
    done = invoke(
        [
            "--db",
            str(world.database(tmp_path)),
            "server",
            "status",
            url,
            "--user",
            USER,
            "--format",
            fmt,
        ],
        env={"AMSYNC_SUBSONIC_PASSWORD": PASSWORD},
    )
    assert done.exit_code == 0, done.output
    if fmt == "json":
        assert json.loads(done.stdout)["status"] == "dry-run"
    elif fmt == "table":
        assert "dry run: nothing was written" in done.stdout
    else:
        header = done.stdout.splitlines()[0]
        assert header.replace("\t", ",").startswith("playlist,library_id,server_name")
    assert not state.playlists and state.writes == 0


def test_schedule_print_pushes_after_the_sync(home: Path) -> None:
    done = invoke(
        [
            "schedule",
            "print",
            "--server-push",
            "https://Music.Example.com/rest/",
            "--server-user",
            USER,
            "--server-favourites",
        ],
        env={"AMSYNC_SUBSONIC_PASSWORD": PASSWORD},
    )
    assert done.exit_code == 0, done.output
    line = next(x for x in done.stdout.splitlines() if not x.startswith("#"))
    sync, push = line.split(" ", 5)[5].split(" && ")
    assert shlex.split(sync)[-2:] == ["sync", "--backup"]
    assert shlex.split(push)[1:] == [
        "--home",
        str(home),
        "-q",
        "server",
        "push",
        "https://music.example.com",
        "--user",
        USER,
        "--favourites",
    ]
    assert PASSWORD not in done.output and "amsync server login" in done.stdout
    systemd = invoke(
        ["schedule", "print", "--kind", "systemd", "--server-push", "https://music.example.com"]
    )
    assert systemd.stdout.count("ExecStart=") == 2
    bad = invoke(["schedule", "print", "--server-push", "https://u:pw-in-url@x.example"])
    assert bad.exit_code == 2 and "pw-in-url" not in bad.output
