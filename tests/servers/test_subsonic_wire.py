"""The Subsonic adapter on the wire (pytest-httpx): how amsync signs in (token, hex password,
API key, and the fall-backs), where the credentials go (never into a URL), and what every
Subsonic error code and HTTP failure turns into — the cases a real server will not produce
on demand."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_httpx import HTTPXMock

from amsync import errors
from amsync.config.secret import Secret
from amsync.domain.media_server import AuthMode
from amsync.subsonic import connect

URL = "http://music.test"
PASSWORD = "correct horse battery"


def envelope(status: str = "ok", version: str = "1.16.1", **data: Any) -> dict[str, Any]:
    return {
        "subsonic-response": {
            "status": status,
            "version": version,
            "openSubsonic": True,
            "type": "navidrome",
            "serverVersion": "0.55",
            **data,
        }
    }


def failed(code: int, message: str = "no", version: str = "1.16.1") -> dict[str, Any]:
    return envelope("failed", version, error={"code": code, "message": message})


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode(), keep_blank_values=True)


Route = Callable[[str, dict[str, list[str]]], dict[str, Any] | httpx.Response]


def serve(httpx_mock: HTTPXMock, route: Route) -> list[httpx.Request]:
    """Answer every request through ``route(endpoint, parameters)``; the requests seen."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        endpoint = request.url.path.rsplit("/", 1)[-1]
        params = form(request) | parse_qs(request.url.query.decode())
        result = route(endpoint, params)
        return result if isinstance(result, httpx.Response) else httpx.Response(200, json=result)

    httpx_mock.add_callback(answer, is_reusable=True, is_optional=True)
    return seen


def navidrome(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
    """A server of API 1.16.1 that checks tokens."""
    if "u" not in params and "apiKey" not in params:
        return failed(10, "missing u")
    if endpoint == "getOpenSubsonicExtensions":
        return envelope(openSubsonicExtensions=[{"name": "formPost", "versions": [1]}])
    if "t" in params:
        salt = params["s"][0]
        if (
            params["t"][0]
            != hashlib.md5((PASSWORD + salt).encode(), usedforsecurity=False).hexdigest()
        ):
            return failed(40, "Wrong username or password")
    return envelope()


def sign_in(**kwargs: Any) -> Any:
    return connect(
        URL,
        kwargs.pop("user", "me"),
        Secret(kwargs.pop("password", PASSWORD)),
        retry_budget_s=kwargs.pop("budget", 0.5),
        sleep=lambda _: None,
        **kwargs,
    )


# --- signing in ------------------------------------------------------------------------------


def test_token_authentication_for_api_1_13_and_later(httpx_mock: HTTPXMock) -> None:
    seen = serve(httpx_mock, navidrome)
    with sign_in() as server:
        assert server.identity.auth is AuthMode.TOKEN
        assert server.identity.server_type == "navidrome"
    signed = form(seen[-1])
    salt = signed["s"][0]
    assert signed["t"] == [
        hashlib.md5((PASSWORD + salt).encode(), usedforsecurity=False).hexdigest()
    ]
    assert "p" not in signed and signed["u"] == ["me"] and signed["v"] == ["1.16.1"]
    for request in seen:
        assert request.method == "POST" and not request.url.query, request.url
        assert PASSWORD.encode() not in request.content
        assert PASSWORD.encode().hex().encode() not in request.content


def test_each_request_has_a_fresh_salt(httpx_mock: HTTPXMock) -> None:
    seen = serve(
        httpx_mock, lambda e, p: envelope(playlists={}) if e == "getPlaylists" else navidrome(e, p)
    )
    with sign_in() as server:
        server.playlists()
        server.playlists()
    salts = [form(r)["s"][0] for r in seen if "s" in form(r)]
    assert len(salts) == 3 and len(set(salts)) == 3


def test_hex_password_for_older_servers_as_supysonic(httpx_mock: HTTPXMock) -> None:
    def supysonic(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if "t" in params or "u" not in params:
            return failed(10, "A required parameter is missing.", "1.12.0")
        ok = params["p"] == ["enc:" + PASSWORD.encode().hex()]
        return envelope(version="1.12.0") if ok else failed(40, version="1.12.0")

    seen = serve(httpx_mock, supysonic)
    with sign_in() as server:
        assert server.identity.auth is AuthMode.PASSWORD
        assert server.identity.api_version == "1.12.0"
    assert all("t" not in form(r) for r in seen)
    assert form(seen[-1])["v"] == ["1.12.0"]


@pytest.mark.parametrize("code", [10, 41, 42])
def test_a_token_refused_falls_back_to_the_password(
    httpx_mock: HTTPXMock, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    def ldap(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if "u" not in params:
            return failed(10)
        if "t" in params:
            return failed(code, "Token authentication not supported for LDAP users")
        return envelope()

    serve(httpx_mock, ldap)
    caplog.set_level("INFO", logger="amsync")
    with sign_in() as server:
        assert server.identity.auth is AuthMode.PASSWORD
    assert "hex-encoded password" in caplog.text and str(code) in caplog.text


def test_an_api_key_when_the_server_offers_them_and_no_user_is_given(httpx_mock: HTTPXMock) -> None:
    def keyed(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if endpoint == "getOpenSubsonicExtensions":
            return envelope(
                openSubsonicExtensions=[{"name": "apiKeyAuthentication", "versions": [1]}]
            )
        if "apiKey" not in params:
            return failed(10)
        if params["apiKey"] != ["the-key"] or "u" in params:
            return failed(44, "Invalid API key")
        if endpoint == "tokenInfo":
            return envelope(tokenInfo={"username": "owner"})
        if endpoint == "getPlaylists":
            return envelope(
                playlists={
                    "playlist": [
                        {"id": "1", "name": "Mine", "owner": "owner", "songCount": 0},
                        {"id": "2", "name": "Theirs", "owner": "someone", "songCount": 0},
                    ]
                }
            )
        return envelope()

    serve(httpx_mock, keyed)
    with sign_in(user=None, password="the-key") as server:
        assert server.identity.auth is AuthMode.API_KEY
        assert [p.name for p in server.playlists()] == ["Mine"]
    with pytest.raises(errors.ServerCredentialsRefused) as refused:
        sign_in(user=None, password="wrong-key")
    assert refused.value.exit_code == 3 and "44" in str(refused.value)


def test_no_user_and_no_api_keys_is_a_usage_error(httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, navidrome)
    with pytest.raises(errors.ConfigError, match="--user"):
        sign_in(user=None)


# --- what each failure becomes ----------------------------------------------------------------

CODES = {
    0: (errors.MediaServerError, 1),
    10: (errors.MediaServerError, 1),
    20: (errors.ServerIncompatible, 2),
    30: (errors.ServerIncompatible, 2),
    40: (errors.ServerCredentialsRefused, 3),
    41: (errors.ServerCredentialsRefused, 3),
    44: (errors.ServerCredentialsRefused, 3),
    50: (errors.ServerCredentialsRefused, 3),
    60: (errors.ServerCredentialsRefused, 3),
    70: (errors.MediaServerError, 1),
}


@pytest.mark.parametrize(("code", "expected"), CODES.items(), ids=[str(c) for c in CODES])
def test_subsonic_error_codes(httpx_mock: HTTPXMock, code: int, expected: tuple[type, int]) -> None:
    def route(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if endpoint == "getPlaylists":
            return failed(code, f"trouble {code}")
        return navidrome(endpoint, params)

    serve(httpx_mock, route)
    with sign_in() as server, pytest.raises(expected[0]) as caught:
        server.playlists()
    assert type(caught.value) is expected[0]
    assert caught.value.exit_code == expected[1]
    assert caught.value.code == code
    assert f"error {code}" in str(caught.value) and "\n" not in str(caught.value)


def test_a_wrong_password_is_exit_3_at_sign_in(httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, navidrome)
    with pytest.raises(errors.ServerCredentialsRefused) as refused:
        sign_in(password="wrong password")
    assert refused.value.exit_code == 3
    assert "wrong password" not in str(refused.value)


def test_a_password_a_server_repeats_is_blanked(httpx_mock: HTTPXMock) -> None:
    def echo(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if "u" not in params:
            return failed(10)
        return failed(40, f"bad password {PASSWORD} (hex {PASSWORD.encode().hex()})", "1.12.0")

    serve(httpx_mock, echo)
    with pytest.raises(errors.ServerCredentialsRefused) as refused:
        sign_in()
    assert PASSWORD not in str(refused.value)
    assert PASSWORD.encode().hex() not in str(refused.value)
    assert "***" in str(refused.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, html="<html>Not Found</html>"),
        httpx.Response(200, html="<html><body>My blog</body></html>"),
        httpx.Response(200, json={"hello": "world"}),
        httpx.Response(200, text='<?xml version="1.0"?><subsonic-response status="ok"/>'),
    ],
    ids=["404 page", "a web page", "other JSON", "XML only"],
)
def test_a_url_that_is_not_a_subsonic_api_is_exit_2(
    httpx_mock: HTTPXMock, response: httpx.Response
) -> None:
    serve(httpx_mock, lambda e, p: response)
    with pytest.raises(errors.NotSubsonicApi) as caught:
        sign_in()
    assert caught.value.exit_code == 2
    assert "Subsonic API" in str(caught.value)


def test_http_authentication_in_front_is_exit_3(httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, lambda e, p: httpx.Response(401, text="auth required"))
    with pytest.raises(errors.ServerCredentialsRefused, match="reverse proxy"):
        sign_in()


def test_server_errors_are_retried_then_exit_75(httpx_mock: HTTPXMock) -> None:
    calls: list[str] = []

    def flaky(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any] | httpx.Response:
        calls.append(endpoint)
        if endpoint == "getPlaylists":
            return httpx.Response(503, text="busy")
        return navidrome(endpoint, params)

    serve(httpx_mock, flaky)
    with sign_in(budget=0.3) as server, pytest.raises(errors.ServerUnavailable) as caught:
        server.playlists()
    assert calls.count("getPlaylists") >= 2
    assert caught.value.exit_code == 75 and "HTTP 503" in str(caught.value)


def test_a_transient_failure_then_success(httpx_mock: HTTPXMock) -> None:
    state = {"n": 0}

    def once(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any] | httpx.Response:
        if endpoint == "getPlaylists":
            state["n"] += 1
            if state["n"] == 1:
                return httpx.Response(200, text='{"subsonic-response": {"status": "ok", "pla')
            return envelope(playlists={"playlist": [{"id": "1", "name": "A", "owner": "me"}]})
        return navidrome(endpoint, params)

    serve(httpx_mock, once)
    with sign_in(budget=5) as server:
        assert [p.id for p in server.playlists()] == ["1"]
        assert server.wire.retries == 1


def test_a_timeout_after_a_create_was_sent_is_not_retried(httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, navidrome)
    with sign_in(budget=5) as server:
        httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=f"{URL}/rest/createPlaylist")
        with pytest.raises(errors.ServerUnavailable) as caught:
            server.create_playlist("Mix", ["1", "2"], existing=set())
        assert "next push" in str(caught.value) and caught.value.exit_code == 75
    creates = [r for r in httpx_mock.get_requests() if r.url.path.endswith("createPlaylist")]
    assert len(creates) == 1


def test_a_server_that_refuses_post_is_called_with_get(httpx_mock: HTTPXMock) -> None:
    def get_only(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any] | httpx.Response:
        return navidrome(endpoint, params)

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST":
            return httpx.Response(405)
        params = parse_qs(request.url.query.decode())
        return httpx.Response(200, json=get_only(request.url.path.rsplit("/", 1)[-1], params))

    httpx_mock.add_callback(answer, is_reusable=True)
    with sign_in() as server:
        assert server.wire.use_get
    assert seen[-1].method == "GET"


def test_createplaylist_without_an_answer_body_finds_the_new_playlist(
    httpx_mock: HTTPXMock,
) -> None:
    lists = iter(
        [[{"id": "1", "name": "Mix", "owner": "me"}, {"id": "2", "name": "Mix", "owner": "me"}]]
    )

    def old(endpoint: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if endpoint == "createPlaylist":
            assert params["songId"] == ["a", "b", "a"]  # order and duplicates, in the body
            return envelope(version="1.13.0")
        if endpoint == "getPlaylists":
            return envelope(playlists={"playlist": next(lists)})
        return navidrome(endpoint, params)

    serve(httpx_mock, old)
    with sign_in() as server:
        assert server.create_playlist("Mix", ["a", "b", "a"], existing={"1"}) == "2"


def test_a_json_body_is_parsed_whatever_the_http_status(httpx_mock: HTTPXMock) -> None:
    def supysonic_404(
        endpoint: str, params: dict[str, list[str]]
    ) -> dict[str, Any] | httpx.Response:
        if endpoint == "getScanStatus":
            return httpx.Response(404, text=json.dumps(failed(0, "Unknown method")))
        return navidrome(endpoint, params)

    serve(httpx_mock, supysonic_404)
    with sign_in() as server, pytest.raises(errors.MediaServerError, match="Unknown method"):
        server.wire.call("getScanStatus")
