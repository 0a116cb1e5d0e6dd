"""The sign-in callback on the wire: who may load the page and who may answer it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from amsync.cli.login_server import LoginServer, start_login_server
from amsync.config.secret import Secret

DEV = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJUIn0.c2lnbmF0dXJl</script><script>alert(1)</script>"
MUT = "music-user-token-SECRET-callback"


@pytest.fixture
def server() -> Iterator[LoginServer]:
    running = start_login_server(Secret(DEV), musickit_js_url="http://127.0.0.1:9/musickit.js")
    yield running
    running.close()


def post(server: LoginServer, body: object, **headers: str) -> httpx.Response:
    sent = {"Origin": server.origin, "Content-Type": "application/json", **headers}
    with httpx.Client(trust_env=False) as http:
        return http.post(f"{server.origin}/callback", content=json.dumps(body), headers=sent)


def test_page_holds_its_settings_in_a_json_block_no_value_can_escape(server: LoginServer) -> None:
    with httpx.Client(trust_env=False) as http:
        page = http.get(server.url)
        script = http.get(f"{server.origin}/login.js")
    assert page.status_code == 200 and script.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    block = re.search(
        r'<script id="settings" type="application/json">(.*?)</script>', page.text, re.S
    )
    assert block is not None
    settings = json.loads(block.group(1))
    assert settings["developerToken"] == DEV and settings["state"] == server.state
    assert settings["musickitUrl"] == "http://127.0.0.1:9/musickit.js"
    assert settings["scriptTimeoutMs"] == 15_000
    assert "<script>alert(1)" not in page.text  # the token's "</script>" stayed inside the JSON


def test_foreign_host_gets_nothing(server: LoginServer) -> None:
    port = server.server_address[1]
    with httpx.Client(trust_env=False) as http:
        for host in (f"localhost:{port}", f"attacker.example:{port}", "127.0.0.1"):
            assert http.get(server.url, headers={"Host": host}).status_code == 404
    assert (
        post(server, {"state": server.state, "music_user_token": MUT}, Host="x:1").status_code
        == 404
    )
    assert not server.done.is_set()


REFUSED = {
    "no Origin": ({}, {"Origin": ""}, 403),
    "another origin": ({}, {"Origin": "https://attacker.example"}, 403),
    "same host, other port": ({}, {"Origin": "http://127.0.0.1:1"}, 403),
    "form post content type": ({}, {"Content-Type": "text/plain"}, 415),
    "wrong state": ({"state": "guess"}, {}, 403),
    "no state": ({"state": None}, {}, 403),
    "empty token": ({"music_user_token": "  "}, {}, 400),
    # issue 22, item 12: a JWT (a developer token) is no music user token
    "a JWT as the token": ({"music_user_token": "eyJhbGciOi.eyJpc3MiOiJU.c2lnbmF0dXJl"}, {}, 400),
    "a private key as the token": (
        {"music_user_token": "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----"},
        {},
        400,
    ),
    "unknown error code": ({"music_user_token": None, "error": "whatever"}, {}, 400),
}


@pytest.mark.parametrize(("change", "headers", "status"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_answers_store_nothing(
    server: LoginServer, change: dict[str, object], headers: dict[str, str], status: int
) -> None:
    body = {"state": server.state, "music_user_token": MUT, **change}
    sent = {k: v for k, v in headers.items() if v}
    if headers.get("Origin") == "":
        with httpx.Client(trust_env=False) as http:
            answer = http.post(
                f"{server.origin}/callback",
                content=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )
    else:
        answer = post(server, body, **sent)
    assert answer.status_code == status
    assert not server.done.is_set() and server.outcome is None


def test_first_answer_wins_a_second_is_refused(server: LoginServer) -> None:
    assert post(server, {"state": server.state, "music_user_token": MUT}).status_code == 204
    assert server.done.is_set() and server.token == MUT
    again = post(server, {"state": server.state, "music_user_token": "other-token"})
    assert again.status_code == 409 and server.token == MUT
    late_error = post(server, {"state": server.state, "error": "musickit-unavailable"})
    assert late_error.status_code == 409 and server.token == MUT


def test_page_reports_musickit_errors(server: LoginServer) -> None:
    answer = post(
        server, {"state": server.state, "error": "musickit-unavailable", "detail": "x" * 999}
    )
    assert answer.status_code == 204
    assert server.outcome is not None and server.outcome.error == "musickit-unavailable"
    assert server.outcome.token is None and len(server.outcome.detail or "") == 200
