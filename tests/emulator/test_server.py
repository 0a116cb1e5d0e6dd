"""The real-socket server: keep-alive, concurrency, faults on the wire, control endpoints."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from amsync.emulator import Emulator, FaultConfig, Library

from .conftest import AUTH, walk


@pytest.fixture
def url(emu: Emulator) -> Iterator[str]:
    with emu.serve(host="127.0.0.1", port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        yield server.url


def test_listing_over_socket(url: str, library: Library) -> None:
    with httpx.Client(base_url=url, headers=AUTH) as client:
        items, totals = walk(client, "/v1/me/library/songs?limit=100&include=catalog")
    assert len(items) == len(library.songs) and set(totals) == {len(library.songs)}


def test_keep_alive_reuses_one_connection(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    for offset in (0, 25, 50):
        conn.request("GET", f"/v1/me/library/songs?offset={offset}", headers=AUTH)
        response = conn.getresponse()
        body = json.loads(response.read())
        assert response.status == 200 and len(body["data"]) == 25
        assert response.getheader("Content-Type", "").startswith("application/json")
    sock = conn.sock
    conn.request("GET", "/v1/test", headers=AUTH)
    conn.getresponse().read()
    assert conn.sock is sock
    conn.close()


def test_concurrent_clients(url: str, emu: Emulator) -> None:
    errors: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=url, headers=AUTH) as client:
            for offset in range(0, 400, 100):
                response = client.get(f"/v1/me/library/songs?limit=100&offset={offset}")
                if response.status_code != 200:
                    errors.append(response.text)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and emu.log.count(endpoint="GET /v1/me/library/songs") == 24


def test_drop_closes_connection(emu: Emulator, url: str) -> None:
    emu.faults = FaultConfig(drop_rate=1.0)
    with (
        httpx.Client(base_url=url, headers=AUTH) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get("/v1/test")


def test_truncate_sends_content_length_then_closes(emu: Emulator, url: str) -> None:
    emu.faults = FaultConfig(truncate_rate=1.0)
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        headers = "".join(f"{k}: {v}\r\n" for k, v in AUTH.items())
        sock.sendall(f"GET /v1/me/library/songs HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    length = int(lines[0].split(b":")[1])
    assert 0 < len(body) < length


def test_429_on_the_wire_has_no_retry_after(emu: Emulator, url: str) -> None:
    emu.faults = FaultConfig(rate_limit_rps=0.01, rate_limit_burst=1)
    with httpx.Client(base_url=url, headers=AUTH) as client:
        client.get("/v1/test")
        response = client.get("/v1/test")
    assert response.status_code == 429 and "retry-after" not in response.headers


def test_control_endpoints(url: str) -> None:
    with httpx.Client(base_url=url, headers=AUTH) as client:
        client.get("/v1/me/library/songs")
        client.get("/v1/me/library/songs/i.nope0000000000")
        log = client.get("/_emulator/log").json()
        assert log["by_endpoint"]["GET /v1/me/library/songs"] == 1
        assert log["by_status"] == {"200": 1, "404": 1}
        assert client.post("/_emulator/log/reset").status_code == 204
        assert client.get("/_emulator/log").json()["total"] == 1  # the GET /_emulator/log itself
