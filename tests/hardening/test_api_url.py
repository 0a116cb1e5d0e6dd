"""Issue 14 item 7: a URL that is not the Apple Music API is a configuration error (exit 2)
naming the URL, not "Apple Music has no /v1/me/storefront for that id (404)" (exit 1) — while
Apple's own 404s (an unknown id, an empty listing, a transient mid-list 404) keep working.
Also item 19: the retry-budget message names the budget in force and where it came from."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from amsync.api import AppleMusicClient
from amsync.db.store import open_store
from amsync.emulator import FaultConfig, LibrarySpec
from amsync.errors import NotFound
from amsync.sync.runner import run_sync
from tests.support.cli import invoke
from tests.sync.conftest import client_config, make_emulator

Env = Callable[[str], dict[str, str]]
BASE = "http://api.test"
RATING = f"{BASE}/v1/me/ratings/library-songs/i.missing"
APPLE_404 = {
    "errors": [
        {
            "id": "CEINRKVIRDMQCTVOHAO35AQ4SU",
            "title": "Resource Not Found",
            "detail": "Resource with requested id was not found",
            "status": "404",
            "code": "40400",
        }
    ]
}


def _one_error_line(stderr: str) -> None:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr


# --- over real HTTP, through the command line ---------------------------------------------------


def test_a_path_after_the_emulators_port_is_a_configuration_error(
    tmp_path: Path, cli_env: Env
) -> None:
    emulator = make_emulator(LibrarySpec(songs=30, seed=2))
    with emulator.serve() as server:
        result = invoke(["--db", str(tmp_path / "m.db"), "sync"], env=cli_env(f"{server.url}/foo"))
    assert result.exit_code == 2, result.output
    assert f"{server.url}/foo does not answer like the Apple Music API" in result.stderr
    assert "GET /v1/me/storefront answered HTTP 404" in result.stderr
    assert "GET /v1/test HTTP 404" in result.stderr
    assert "AMSYNC_API_URL" in result.stderr  # where the URL came from
    assert "for that id" not in result.stderr
    _one_error_line(result.stderr)


def test_a_wrong_path_with_a_preset_storefront_is_not_an_empty_library(
    tmp_path: Path, cli_env: Env
) -> None:
    """Without the storefront request the first answer is a listing's 404, which Apple also
    gives for an empty collection: today such a sync 'succeeded' with an empty mirror."""
    db = tmp_path / "m.db"
    emulator = make_emulator(LibrarySpec(songs=30, seed=2))
    with emulator.serve() as server:
        env = {**cli_env(f"{server.url}/v2"), "AMSYNC_STOREFRONT": "us"}
        result = invoke(["--db", str(db), "sync", "--json"], env=env)
    assert result.exit_code == 2, result.output
    assert "does not answer like the Apple Music API" in result.stderr


class _Html(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = b"<!doctype html><html><body>Welcome to nginx!</body></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Html404(_Html):
    status = 404


@contextmanager
def _web_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("handler", "words"), [(_Html, "HTTP 200"), (_Html404, "HTTP 404")])
def test_a_web_server_answering_html_is_a_configuration_error(
    tmp_path: Path, cli_env: Env, handler: type[BaseHTTPRequestHandler], words: str
) -> None:
    with _web_server(handler) as url:
        result = invoke(["--db", str(tmp_path / "m.db"), "sync"], env=cli_env(url))
    assert result.exit_code == 2, result.output
    assert f"{url} does not answer like the Apple Music API" in result.stderr
    assert f"{words} with an HTML page" in result.stderr
    _one_error_line(result.stderr)


def test_the_retry_budget_message_names_the_value_in_force_and_its_source(
    tmp_path: Path, cli_env: Env
) -> None:
    env = {**cli_env("http://127.0.0.1:9"), "AMSYNC_RETRY_BUDGET": "1.5"}
    result = invoke(["--db", str(tmp_path / "m.db"), "sync"], env=env)
    assert result.exit_code == 75, result.output
    assert "the retry budget is 1.5 s, from AMSYNC_RETRY_BUDGET" in result.stderr
    assert "is AMSYNC_RETRY_BUDGET seconds" not in result.stderr
    _one_error_line(result.stderr)


# --- Apple's own 404s still work -----------------------------------------------------------------


def test_an_empty_collection_first_with_a_preset_storefront_syncs(tmp_path: Path) -> None:
    """The first answer is Apple's 404 for an empty listing: /v1/test says it is the API."""
    emulator = make_emulator(LibrarySpec(songs=0, albums=0, artists=0, playlists=0, seed=2))
    store = open_store(str(tmp_path / "m.db"))

    async def go() -> str:
        config = client_config(storefront="us")
        async with AppleMusicClient(config, transport=emulator.async_transport()) as client:
            return (await run_sync(client, store, "default")).status

    try:
        assert asyncio.run(go()) == "succeeded"
    finally:
        store.close()
    first = emulator.log.entries[0]
    assert first.status == 404, first  # Apple's answer for an empty listing came first
    assert emulator.log.count(endpoint="/v1/test") == 1, "the API is asked once, not per 404"


def test_transient_mid_list_404s_are_still_retried(tmp_path: Path) -> None:
    spec = LibrarySpec(songs=450, seed=4)

    def songs_added(faults: FaultConfig, db: Path) -> tuple[int, int]:
        emulator = make_emulator(spec, faults)
        store = open_store(str(db))

        async def go() -> int:
            async with AppleMusicClient(
                client_config(storefront="us"), transport=emulator.async_transport()
            ) as client:
                report = await run_sync(client, store, "default")
                return report.collections["songs"]["added"]

        try:
            return asyncio.run(go()), emulator.log.count(status=404)
        finally:
            store.close()

    clean, _ = songs_added(FaultConfig(seed=3), tmp_path / "clean.db")
    faulty, not_found = songs_added(FaultConfig(seed=3, transient_404_rate=0.5), tmp_path / "m.db")
    assert not_found > 0, "the faults must have struck"
    assert faulty == clean > 400


def _client(**overrides: object) -> AppleMusicClient:
    return AppleMusicClient(client_config(BASE, storefront="us", **overrides))


def test_apples_404_for_an_unknown_id_is_still_not_found(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="PUT", url=RATING, status_code=404, json=APPLE_404)
    httpx_mock.add_response(url=f"{BASE}/v1/test", json={})

    async def go() -> None:
        async with _client() as client:
            await client.put_rating("library-songs", "i.missing", 1)

    with pytest.raises(NotFound, match="for that id"):
        asyncio.run(go())


def test_the_same_404_where_v1_test_fails_is_not_apple(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="PUT", url=RATING, status_code=404, json=APPLE_404)
    httpx_mock.add_response(url=f"{BASE}/v1/test", status_code=404, json=APPLE_404)

    from amsync.errors import NotAppleMusicApi  # new in issue 14

    async def go() -> None:
        async with _client(api_url_source="option --api-url") as client:
            await client.put_rating("library-songs", "i.missing", 1)

    with pytest.raises(NotAppleMusicApi) as caught:
        asyncio.run(go())
    assert caught.value.exit_code == 2
    assert "option --api-url" in str(caught.value)
