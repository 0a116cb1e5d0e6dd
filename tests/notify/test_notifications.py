"""Notifications through Apprise, delivered to real local receivers (an HTTP endpoint for
``json://``, an SMTP server for ``mailto://``): the test message, a failed run, newly lost
songs, an expiring token (once a day) — never a token in any of them — and the failure paths
(an unreachable target, a typo in a URL), which only warn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from amsync.cli.logfile import detach_log_files
from amsync.config.settings import shown_url, split_notify_urls
from amsync.emulator import Emulator
from amsync.emulator.lost_music import withdraw_songs
from tests.lost.conftest import small_library
from tests.notify.conftest import Inbox, Receivers
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import DEV, USER

UNREACHABLE = "json://127.0.0.1:9/nobody"


@dataclass
class Scene:
    emulator: Emulator
    url: str
    home: Path
    developer_token: str = DEV

    def amsync(self, *args: str, **env: str) -> CliResult:
        environment = {
            "AMSYNC_API_URL": self.url,
            "AMSYNC_DEVELOPER_TOKEN": self.developer_token,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
            "AMSYNC_HOME": str(self.home),
            "AMSYNC_RETRY_BUDGET": "2",
        } | env
        result = invoke(list(args), env=environment)
        detach_log_files()
        return result


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    emulator = small_library(seed=31, songs=60)
    with emulator.serve() as server:
        yield Scene(emulator, server.url, tmp_path / "home")


def _no_token(inbox: Inbox, *tokens: str) -> None:
    text = inbox.everything()
    assert text, "nothing arrived"
    for token in tokens:
        assert token not in text, "a token reached a notification"
    assert "eyJ" not in text, "something shaped like a JWT reached a notification"


def test_notify_test_reaches_both_receivers(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    result = scene.amsync("notify", "test", "--notify", receivers.both)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"sent to {shown_url(receivers.json_url)}",
        f"sent to {shown_url(receivers.mailto_url)}",
    ]
    (post,) = inbox.posts
    assert post["title"] == "amsync: test message" and post["path"] == "/amsync"
    (mail,) = inbox.mails
    assert "Subject: amsync: test message" in mail and "To: me@example.org" in mail
    assert "a sync finds lost songs" in mail
    _no_token(inbox, DEV, USER)


def test_the_setting_comes_from_the_environment_and_config_too(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    assert scene.amsync("notify", "test", AMSYNC_NOTIFY=receivers.json_url).exit_code == 0
    scene.home.mkdir(parents=True, exist_ok=True)
    (scene.home / "config.toml").write_text(f'notify = ["{receivers.json_url}"]\n')
    assert scene.amsync("notify", "test").exit_code == 0
    assert len(inbox.posts) == 2


def test_notify_test_failure_paths(scene: Scene, receivers: Receivers, inbox: Inbox) -> None:
    nothing = scene.amsync("notify", "test")
    assert nothing.exit_code == 2 and "no notify setting" in nothing.stderr
    typo = scene.amsync("notify", "test", "--notify", "jsn://127.0.0.1:1/secret-path")
    assert typo.exit_code == 2
    assert "jsn://127.0.0.1:1 is not a URL Apprise understands" in typo.stderr
    assert "secret-path" not in typo.output
    unreachable = scene.amsync("notify", "test", "--notify", f"{UNREACHABLE}, {receivers.json_url}")
    assert unreachable.exit_code == 75
    assert "not delivered to json://127.0.0.1:9" in unreachable.stderr
    assert len(inbox.posts) == 1, "the reachable one still got it"
    broken = scene.amsync("notify", "test", AMSYNC_NOTIFY="json:/127.0.0.1/hook-token-123")
    assert broken.exit_code == 2 and "AMSYNC_NOTIFY (environment)" in broken.stderr
    assert "hook-token-123" not in broken.output
    for result in (nothing, typo, unreachable, broken):
        assert result.stderr.count("amsync: error:") == 1 and "Traceback" not in result.output


def test_a_failed_run_sends_one_message_saying_what_to_do(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    scene.emulator.revoke_music_user_token()
    result = scene.amsync("sync", "--notify", receivers.both)
    assert result.exit_code == 3, result.output
    (post,) = inbox.posts
    assert post["title"] == "amsync sync failed (exit 3)"
    assert post["type"] == "failure"
    message = post["message"]
    assert "ended with exit code 3" in message
    assert "What failed: music user token rejected" in message
    assert "amsync auth login" in message
    (mail,) = inbox.mails
    assert "Subject: amsync sync failed (exit 3)" in mail
    _no_token(inbox, DEV, USER)


def test_a_run_that_succeeds_sends_nothing(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    assert scene.amsync("-q", "sync", "--notify", receivers.json_url).exit_code == 0
    assert inbox.posts == []


def test_a_temporary_failure_says_the_next_run_tries_again(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    result = scene.amsync(
        "sync", AMSYNC_NOTIFY=receivers.json_url, AMSYNC_API_URL="http://127.0.0.1:9"
    )
    assert result.exit_code == 75, result.output
    (post,) = inbox.posts
    assert post["title"] == "amsync sync failed (exit 75)"
    assert "the next scheduled run tries again" in post["message"]


def test_every_unattended_command_is_announced(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    broken = str(scene.home / "not-a-database.db")
    scene.home.mkdir(parents=True, exist_ok=True)
    Path(broken).write_text("not a database")
    result = scene.amsync("backup", AMSYNC_NOTIFY=receivers.json_url, AMSYNC_DB=broken)
    assert result.exit_code == 2, result.output
    (post,) = inbox.posts
    assert post["title"] == "amsync backup failed (exit 2)"
    assert "What to do: a usage or configuration problem" in post["message"]


def test_newly_lost_songs_are_announced(scene: Scene, receivers: Receivers, inbox: Inbox) -> None:
    assert scene.amsync("-q", "sync").exit_code == 0
    with scene.emulator.lock:
        plans = withdraw_songs(scene.emulator.library, 3, seed=4, replaced=1.0)
    result = scene.amsync("sync", "--notify", receivers.both)
    assert result.exit_code == 0, result.output
    (post,) = inbox.posts
    assert post["title"] == "amsync: 3 song(s) lost from your library"
    message = post["message"]
    names = {scene.emulator.library.songs[p.library_ids[0]].name for p in plans}
    assert all(name in message for name in names)
    assert "(withdrawn)" in message
    assert "See them: amsync lost --since " in message
    assert "amsync lost restore" in message
    _no_token(inbox, DEV, USER)
    assert scene.amsync("-q", "sync", "--notify", receivers.both).exit_code == 0
    assert len(inbox.posts) == 1, "the same losses are not announced twice"


def test_an_unreachable_notification_never_fails_a_run(scene: Scene, inbox: Inbox) -> None:
    assert scene.amsync("-q", "sync").exit_code == 0
    with scene.emulator.lock:
        withdraw_songs(scene.emulator.library, 1, seed=8, replaced=1.0)
    result = scene.amsync("sync", "--notify", f"{UNREACHABLE} jsn://typo")
    assert result.exit_code == 0, result.output
    assert "notification json://127.0.0.1:9: not delivered" in result.stderr
    assert "notification jsn://…: not a URL Apprise understands" in result.stderr
    assert "Traceback" not in result.output


def test_an_expiring_token_is_announced_once_a_day(
    scene: Scene, receivers: Receivers, inbox: Inbox
) -> None:
    scene.developer_token = scene.emulator.issue_developer_token(10 * 86_400)
    for _ in range(2):
        result = scene.amsync("-q", "sync", "--notify", receivers.json_url)
        assert result.exit_code == 0, result.output
    (post,) = inbox.posts
    assert post["title"] == "amsync: a token expires soon"
    assert "developer token expires in 10 days" in post["message"]
    state = json.loads((scene.home / "notify-state.json").read_text())
    assert list(state["token_expiry"]) == ["default"]
    assert (scene.home / "notify-state.json").stat().st_mode & 0o077 == 0
    _no_token(inbox, scene.developer_token, USER)


def test_schedule_print_names_the_targets_never_their_secrets(scene: Scene, tmp_path: Path) -> None:
    secret = "mailto://me:hunter2@mail.example.org?to=a@example.org"
    from_env = scene.amsync("schedule", "print", AMSYNC_NOTIFY=f"{secret} ntfy://alerts-7f3a")
    assert from_env.exit_code == 0, from_env.output
    assert "hunter2" not in from_env.stdout and "alerts-7f3a" not in from_env.stdout
    assert "AMSYNC_NOTIFY names 2 Apprise URL(s) (mailto://mail.example.org, ntfy://…)" in " ".join(
        from_env.stdout.split()
    )
    assert "config.toml" in from_env.stdout
    scene.home.mkdir(parents=True, exist_ok=True)
    (scene.home / "config.toml").write_text(f'notify = "{secret}"\n')
    for kind in ("cron", "systemd", "launchd"):
        from_config = scene.amsync("schedule", "print", "--kind", kind)
        assert from_config.exit_code == 0, from_config.output
        assert "hunter2" not in from_config.stdout
        assert "mailto://mail.example.org" in from_config.stdout
    plain = scene.amsync("schedule", "print", AMSYNC_HOME=str(tmp_path / "other"))
    assert "Notifications" not in plain.stdout


SPLITS = {
    "spaces": ("json://a/x mailto://b", ["json://a/x", "mailto://b"]),
    "commas": ("json://a/x,mailto://b , ntfy://c", ["json://a/x", "mailto://b", "ntfy://c"]),
    "a URL's own commas stay": (
        "mailto://u@h?to=a@x.org,b@y.org, json://a",
        ["mailto://u@h?to=a@x.org,b@y.org", "json://a"],
    ),
    "stray separators": (" ,json://a,, ", ["json://a"]),
}


@pytest.mark.parametrize(("text", "urls"), SPLITS.values(), ids=SPLITS.keys())
def test_urls_are_split_at_spaces_and_commas(text: str, urls: list[str]) -> None:
    assert split_notify_urls(text) == urls


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mailto://me:pw@mail.example.org:587/x?to=y", "mailto://mail.example.org:587"),
        ("tgram://123456:ABCDEF/987", "tgram://…"),
        ("ntfy://alerts-7f3a", "ntfy://…"),
        ("ntfy://ntfy.example.org/alerts", "ntfy://ntfy.example.org"),
        ("json://localhost:9/x", "json://localhost:9"),
        ("json://[::1]:9/x", "json://[::1]:9"),
        ("json://127.0.0.1:8080/hook?token=s3cret", "json://127.0.0.1:8080"),
        ("ntfy://", "ntfy://"),
    ],
)
def test_a_url_is_shown_by_scheme_and_host(url: str, shown: str) -> None:
    assert shown_url(url) == shown
