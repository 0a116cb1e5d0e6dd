"""``amsync auth login`` end to end in headless Chromium, against the emulator's MusicKit stand-in.

Each test runs the real command (``python -m amsync auth login --no-browser``) as its own
process, opens the address it prints in Chromium, and acts as the person would: signs in,
declines, or meets a MusicKit script that cannot load. Screenshots of every page state go to
``build/screenshots`` (``AMSYNC_TEST_SCREENSHOTS``); docs/tutorial/real-account.md shows the one
of a finished sign-in (``docs/images/auth-login-done.png``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from amsync.cli.login_server import start_login_server
from amsync.config.credentials import CredentialStore
from amsync.config.secret import Secret
from amsync.emulator import Emulator, LibrarySpec, generate_library
from amsync.emulator.musickit import SCRIPT_PATH
from tests.support.browser import LAUNCH_FLAGS, chromium_executable, screenshot_dir

CHROMIUM = chromium_executable()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (.ci/run installs it)"),
]
AMSYNC = (sys.executable, "-m", "amsync")
REBIND_NAME = "rebind.test"  # resolves to 127.0.0.1 in this browser, as a DNS-rebinding name would


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*LAUNCH_FLAGS, f"--host-resolver-rules=MAP {REBIND_NAME} 127.0.0.1"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 900, "height": 700})
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


def shot(page: Any, state: str) -> Path:
    path = screenshot_dir() / f"auth-login-{state}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class Served:
    emulator: Emulator
    url: str
    developer_token: str

    @property
    def musickit(self) -> str:
        return self.url + SCRIPT_PATH


@pytest.fixture
def served() -> Iterator[Served]:
    emulator = Emulator(generate_library(LibrarySpec(songs=40, playlists=3, seed=5)))
    developer_token = emulator.issue_developer_token()
    with emulator.serve() as server:
        yield Served(emulator, server.url, developer_token)


class Login:
    """``amsync auth login`` running in its own process."""

    def __init__(self, home: Path, env: dict[str, str], timeout: int = 60) -> None:
        self.home = home
        self.process = subprocess.Popen(
            [
                *AMSYNC,
                "--home",
                str(home),
                "auth",
                "login",
                "--no-browser",
                "--timeout",
                str(timeout),
            ],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        first = self.process.stderr.readline()
        found = re.search(r"Sign in at (http://127\.0\.0\.1:(\d+)/)", first)
        if found is None:
            self.process.kill()
            pytest.fail(f"auth login did not print its address: {first!r}")
        self.url, self.port = found.group(1), int(found.group(2))

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()

    def stored_token(self) -> str | None:
        token = CredentialStore(self.home).load("default").music_user_token
        return token.reveal() if token else None


@pytest.fixture
def logins() -> Iterator[list[Login]]:
    started: list[Login] = []
    yield started
    for login in started:
        login.stop()


def login_env(served: Served, musickit: str | None = None, **extra: str) -> dict[str, str]:
    return {
        "AMSYNC_DEVELOPER_TOKEN": served.developer_token,
        "AMSYNC_MUSICKIT_JS_URL": musickit or served.musickit,
        "AMSYNC_API_URL": served.url,
        **extra,
    }


def sign_in(page: Any, *, allow: bool = True, screenshots: bool = False) -> None:
    page.wait_for_selector("body[data-state=ready]")
    if screenshots:
        shot(page, "ready")
    page.click("#signin")
    page.wait_for_selector("#musickit-consent")
    if screenshots:
        shot(page, "consent")
    page.click("#musickit-allow" if allow else "#musickit-deny")


def post_from_page(page: Any, url: str, body: dict[str, str], content_type: str) -> str:
    """POST from the page's own origin; the status, or why the browser gave up."""
    script = """async ([url, body, type]) => {
        try {
            const answer = await fetch(url, {method: "POST", headers: {"Content-Type": type},
                                             body: JSON.stringify(body)});
            return String(answer.status);
        } catch (err) { return "blocked: " + err; }
    }"""
    return str(page.evaluate(script, [url, body, content_type]))


# --- success ------------------------------------------------------------------------------------


def test_sign_in_against_emulator_serve_stores_the_token_and_a_sync_works(
    page: Any, tmp_path: Path, logins: list[Login]
) -> None:
    """The demo user's path: `amsync emulator serve`, then `amsync auth login` in a browser."""
    serve = subprocess.Popen(
        [sys.executable, "-m", "amsync", "emulator", "serve", "--songs", "60", "--seed", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stdout is not None
        url = serve.stdout.readline().strip()
        developer = serve.stdout.readline().strip().removeprefix("developer token: ")
        printed_user = serve.stdout.readline().strip().removeprefix("music user token: ")
        musickit = serve.stdout.readline().strip().removeprefix("musickit: ")
        assert musickit == url + SCRIPT_PATH
        home = tmp_path / "home"
        env = {
            "AMSYNC_DEVELOPER_TOKEN": developer,
            "AMSYNC_MUSICKIT_JS_URL": musickit,
            "AMSYNC_API_URL": url,
        }
        login = Login(home, env)
        logins.append(login)
        page.goto(login.url, wait_until="domcontentloaded")
        page.wait_for_selector("body[data-state=loading], body[data-state=ready]")
        sign_in(page, screenshots=True)
        page.wait_for_selector("body[data-state=done]")
        shot(page, "done")
        assert "Done: amsync has stored your music user token" in page.inner_text("#status")
        code, out, err = login.finish()
        assert code == 0, err
        assert "signed in: stored the music user token for account default" in out
        token = login.stored_token()
        assert token is not None and token.startswith("mut-") and token != printed_user
        assert token not in out + err and developer not in out + err
        assert stat.S_IMODE((home / "credentials.json").stat().st_mode) == 0o600
        # Playwright's event loop runs in this thread: the sync runs as its own process.
        synced = subprocess.run(
            [*AMSYNC, "--home", str(home), "--db", str(tmp_path / "m.db"), "sync", "--json"],
            env={**os.environ, "AMSYNC_DEVELOPER_TOKEN": developer, "AMSYNC_API_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert synced.returncode == 0, synced.stderr
        report = json.loads(synced.stdout)
        assert report["status"] == "succeeded", report
        assert token not in synced.stdout + synced.stderr
    finally:
        serve.terminate()
        serve.wait(timeout=10)


# --- the person declines --------------------------------------------------------------------------


def test_declining_says_so_keeps_waiting_then_times_out_with_exit_3(
    page: Any, served: Served, tmp_path: Path, logins: list[Login]
) -> None:
    login = Login(tmp_path / "home", login_env(served), timeout=8)
    logins.append(login)
    page.goto(login.url, wait_until="domcontentloaded")
    sign_in(page, allow=False)
    page.wait_for_selector("body[data-state=cancelled]")
    shot(page, "cancelled")
    assert "cancelled" in page.inner_text("#status")
    assert page.is_enabled("#signin")  # the person may try again
    time.sleep(1)
    assert login.process.poll() is None, "the command must keep waiting after a decline"
    code, _out, err = login.finish()
    assert code == 3, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("amsync: error: no sign-in arrived within 8 s")
    assert "run `amsync auth login` again" in lines[-1]
    assert "Traceback" not in err
    assert login.stored_token() is None


# --- forged answers -------------------------------------------------------------------------------


def test_a_wrong_state_is_refused_and_the_real_sign_in_still_works(
    page: Any, served: Served, tmp_path: Path, logins: list[Login]
) -> None:
    login = Login(tmp_path / "home", login_env(served))
    logins.append(login)
    page.goto(login.url, wait_until="domcontentloaded")
    page.wait_for_selector("body[data-state=ready]")
    forged = {"state": "forged-state", "music_user_token": "forged-token-0123456789"}
    assert post_from_page(page, "/callback", forged, "application/json") == "403"
    assert login.process.poll() is None and login.stored_token() is None
    sign_in(page)
    page.wait_for_selector("body[data-state=done]")
    code, _out, err = login.finish()
    assert code == 0, err
    token = login.stored_token()
    assert token is not None and token.startswith("mut-")


def test_other_origins_and_rebound_host_names_are_refused(
    page: Any, served: Served, tmp_path: Path, logins: list[Login]
) -> None:
    login = Login(tmp_path / "home", login_env(served))
    logins.append(login)
    with httpx.Client(trust_env=False) as http:  # the worst case: the attacker knows the state
        text = http.get(login.url).text
    state = json.loads(re.search(r'"state": ("[^"]+")', text).group(1))  # type: ignore[union-attr]
    body = {"state": state, "music_user_token": "attacker-token-0123456789"}
    callback = f"{login.url}callback"

    # CSRF: a page of another site posts to the callback.
    page.route(
        "http://attacker.test/",
        lambda route: route.fulfill(body="<h1>attacker</h1>", content_type="text/html"),
    )
    page.goto("http://attacker.test/")
    assert post_from_page(page, callback, body, "application/json").startswith("blocked")
    simple = post_from_page(page, callback, body, "text/plain")
    assert simple.startswith("blocked") or simple in ("403", "415"), simple
    # DNS rebinding: a name of the attacker's that now resolves to 127.0.0.1. The browser
    # talks to the login server under that name (its Host), same-origin from that page.
    answer = page.goto(f"http://{REBIND_NAME}:{login.port}/", wait_until="domcontentloaded")
    assert answer is not None and answer.status == 404  # no page, so no developer token
    assert post_from_page(page, "/callback", body, "application/json") == "404"
    assert login.process.poll() is None and login.stored_token() is None

    page.goto(login.url, wait_until="domcontentloaded")
    sign_in(page)
    page.wait_for_selector("body[data-state=done]")
    code, _out, err = login.finish()
    assert code == 0, err
    assert login.stored_token() != body["music_user_token"]


def test_a_second_answer_after_success_is_refused(page: Any, served: Served) -> None:
    server = start_login_server(Secret(served.developer_token), musickit_js_url=served.musickit)
    try:
        page.goto(server.url, wait_until="domcontentloaded")
        sign_in(page)
        page.wait_for_selector("body[data-state=done]")
        first = server.token
        assert first is not None and first.startswith("mut-")
        state = page.evaluate("JSON.parse(document.getElementById('settings').textContent).state")
        again = {"state": state, "music_user_token": "second-token-0123456789"}
        assert post_from_page(page, "/callback", again, "application/json") == "409"
        assert server.token == first
    finally:
        server.close()


# --- MusicKit cannot load or start -------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_musickit_script_that_cannot_load_ends_the_command_at_once_with_exit_3(
    page: Any, served: Served, tmp_path: Path, logins: list[Login]
) -> None:
    port = _closed_port()
    blocked = f"http://127.0.0.1:{port}/musickit/v3/musickit.js"
    login = Login(tmp_path / "home", login_env(served, blocked), timeout=300)
    logins.append(login)
    page.goto(login.url, wait_until="domcontentloaded")
    page.wait_for_selector("body[data-state=unavailable]", timeout=20_000)
    shown = time.monotonic()
    shot(page, "unavailable")
    status = page.inner_text("#status")
    assert f"MusicKit script could not be loaded from 127.0.0.1:{port}" in status
    assert "firewall" in page.inner_text("#help") and "VPN or a proxy" in page.inner_text("#help")
    code, _out, err = login.finish(timeout=15)
    assert time.monotonic() - shown < 10, "the command must end at once, not wait 5 minutes"
    assert code == 3, err
    line = err.strip().splitlines()[-1]
    assert line.startswith(
        f"amsync: error: Apple's MusicKit script could not be loaded from 127.0.0.1:{port}"
    )
    assert "firewall, VPN, proxy or content blocker" in line and "media-user-token" in line
    assert login.stored_token() is None


@pytest.mark.slow
def test_a_musickit_script_that_never_answers_is_given_up_after_15_s(
    page: Any, served: Served, tmp_path: Path, logins: list[Login]
) -> None:
    with socket.socket() as hole:  # accepts connections into its backlog, never answers
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        url = f"http://127.0.0.1:{hole.getsockname()[1]}/musickit/v3/musickit.js"
        login = Login(tmp_path / "home", login_env(served, url), timeout=300)
        logins.append(login)
        page.goto(login.url, wait_until="domcontentloaded")
        started = time.monotonic()
        page.wait_for_selector("body[data-state=loading]")
        shot(page, "loading")
        assert page.inner_text("#status") == "Loading MusicKit…"
        page.wait_for_selector("body[data-state=unavailable]", timeout=30_000)
        waited = time.monotonic() - started
        assert 12 <= waited <= 22, waited
        assert "no answer within 15 s" in page.inner_text("#status")
        code, _out, err = login.finish(timeout=15)
    assert code == 3 and "could not be loaded" in err


def test_musickit_refusing_the_developer_token_ends_the_command_with_exit_3(
    page: Any, served: Served, tmp_path: Path, logins: list[Login]
) -> None:
    stranger = Emulator(generate_library(LibrarySpec(songs=1))).issue_developer_token()
    env = login_env(served, AMSYNC_DEVELOPER_TOKEN=stranger)
    login = Login(tmp_path / "home", env)
    logins.append(login)
    page.goto(login.url, wait_until="domcontentloaded")
    page.wait_for_selector("body[data-state=failed]")
    shot(page, "failed")
    assert "MusicKit could not start" in page.inner_text("#status")
    code, _out, err = login.finish(timeout=15)
    assert code == 3, err
    assert "MusicKit could not start with the developer token" in err
    assert "amsync doctor" in err and stranger not in err
    assert login.stored_token() is None
