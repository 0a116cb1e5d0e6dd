"""The emulator's own ES256 developer tokens, its skewed clock and lapsed subscription, and the
MusicKit stand-in's endpoints (wire level; the page itself is driven in Chromium in
``tests/cli/test_login_browser.py``)."""

from __future__ import annotations

import base64
import json
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from amsync.emulator import Emulator, FaultConfig, Library

from .conftest import USER

BASE = "https://api.music.apple.com"


@pytest.fixture
def own(library: Library) -> Emulator:
    return Emulator(library, music_user_tokens={USER})


def get(emu: Emulator, path: str, developer: str, **headers: str) -> httpx.Response:
    with httpx.Client(transport=emu.transport(), base_url=BASE) as http:
        return http.get(
            path,
            headers={"Authorization": f"Bearer {developer}", "Music-User-Token": USER, **headers},
        )


def parts(token: str) -> tuple[dict[str, object], dict[str, object]]:
    header, claims, _ = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(claims)


def test_issued_tokens_look_like_apples_and_are_accepted(own: Emulator) -> None:
    token = own.issue_developer_token()
    header, claims = parts(token)
    assert header["alg"] == "ES256" and len(str(header["kid"])) == 10
    assert len(str(claims["iss"])) == 10
    assert claims["exp"] - claims["iat"] == 180 * 86_400  # type: ignore[operator]
    assert get(own, "/v1/test", token).status_code == 200
    assert get(own, "/v1/me/storefront", token).status_code == 200


def test_tampered_expired_and_foreign_tokens_are_refused(own: Emulator, library: Library) -> None:
    token = own.issue_developer_token()
    head, body, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert get(own, "/v1/test", f"{head}.{body}.{flipped}").status_code == 401
    expired = own.issue_developer_token(60, issued_at=time.time() - 3600)
    assert get(own, "/v1/test", expired).status_code == 401
    stranger = Emulator(library).issue_developer_token()
    assert get(own, "/v1/test", stranger).status_code == 401


def test_a_skewed_server_clock_shows_in_date_and_in_token_times(own: Emulator) -> None:
    token = own.issue_developer_token()  # issued now, by the real clock
    own.faults = FaultConfig(clock_offset_s=-3600)  # the server thinks it is an hour earlier
    answer = get(own, "/v1/test", token)
    assert answer.status_code == 401  # issued "in the future" as the server sees it
    server_time = parsedate_to_datetime(answer.headers["date"]).timestamp()
    assert server_time == pytest.approx(time.time() - 3600, abs=5)


def test_a_lapsed_subscription_refuses_only_the_library(own: Emulator) -> None:
    token = own.issue_developer_token()
    own.faults = FaultConfig(no_subscription=True)
    assert get(own, "/v1/test", token).status_code == 200
    assert get(own, "/v1/me/storefront", token).status_code == 200
    assert get(own, "/v1/me/library/songs", token).status_code == 401


def test_musickit_stand_in_script_and_endpoints(own: Emulator) -> None:
    token = own.issue_developer_token()
    with own.serve() as server, httpx.Client(base_url=server.url, trust_env=False) as http:
        script = http.get("/musickit/v3/musickit.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        for needle in ("musickitloaded", "configure", "authorize", "window.MusicKit"):
            assert needle in script.text
        plain = {"Content-Type": "text/plain;charset=UTF-8", "Origin": "http://127.0.0.1:1"}
        check = http.post("/musickit/v3/check", content=token, headers=plain)
        assert check.status_code == 200
        assert check.headers["access-control-allow-origin"] == "*"
        refused = http.post("/musickit/v3/check", content="not-a-token", headers=plain)
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
        granted = http.post("/musickit/v3/authorize", content=token, headers=plain)
        user = granted.json()["music_user_token"]
        assert user.startswith("mut-") and user != USER
        library = http.get(
            "/v1/me/library/songs",
            headers={"Authorization": f"Bearer {token}", "Music-User-Token": user},
        )
        assert library.status_code == 200  # the handed-out token is accepted from now on
        assert http.get("/musickit/v3/authorize").status_code == 405
        assert http.get("/musickit/v3/other.js").status_code == 404
