"""Which proxy amsync's HTTP client goes through (the same rules as httpx with trust_env)."""

from __future__ import annotations

import base64

import pytest

from amsync.api.network_checks import Endpoint, proxy_check, proxy_for, without_password

API = "https://api.music.apple.com"


def test_no_variables_means_direct() -> None:
    assert proxy_for(API, {}) is None
    assert proxy_check(API, {}).detail == "no proxy variables set: direct connection"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HTTPS_PROXY": "http://proxy.example:3128"}, ("proxy.example", 3128)),
        ({"https_proxy": "proxy.example:8080"}, ("proxy.example", 8080)),
        ({"ALL_PROXY": "http://all.example"}, ("all.example", 80)),
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, ("lower", 2)),
        ({"HTTP_PROXY": "http://plain.example:3128"}, None),  # only for http:// URLs
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "music.apple.com"}, None),
        ({"HTTPS_PROXY": "http://p:1", "no_proxy": ".apple.com,localhost"}, None),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "notapple.com"}, ("p", 1)),
    ],
)
def test_proxy_for_the_api(environ: dict[str, str], expected: tuple[str, int] | None) -> None:
    proxy = proxy_for(API, environ)
    assert (None if proxy is None else (proxy.host, proxy.port)) == expected


def test_credentials_are_sent_but_never_shown() -> None:
    proxy = proxy_for(API, {"HTTPS_PROXY": "http://me:p%40ss@proxy.example:3128"})
    assert proxy is not None
    assert proxy.authorization == "Basic " + base64.b64encode(b"me:p@ss").decode()
    assert "p%40ss" not in proxy.shown and "***@proxy.example:3128" in proxy.shown
    check = proxy_check(API, {"HTTPS_PROXY": "http://me:p%40ss@proxy.example:3128"})
    assert "p%40ss" not in check.detail and "through http://***@proxy.example:3128" in check.detail
    assert without_password("http://proxy.example:1") == "http://proxy.example:1"


def test_bypassed_host_is_reported_as_direct() -> None:
    environ = {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "api.music.apple.com"}
    assert "api.music.apple.com directly (NO_PROXY)" in proxy_check(API, environ).detail


def test_endpoint_defaults() -> None:
    assert Endpoint.of(API) == Endpoint("api.music.apple.com", 443, True)
    assert Endpoint.of("http://127.0.0.1:8080/x") == Endpoint("127.0.0.1", 8080, False)
