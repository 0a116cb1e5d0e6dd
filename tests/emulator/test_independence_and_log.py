"""The emulator imports nothing else from amsync (nor PyJWT); the request log counts right."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx

import amsync.emulator
from amsync.emulator import Emulator

PACKAGE = Path(amsync.emulator.__file__).parent
ALLOWED = ("amsync.emulator", "httpx", "cryptography")


def test_imports_only_stdlib_httpx_cryptography() -> None:
    import sys

    offenders = []
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if name.startswith(ALLOWED) or top in sys.stdlib_module_names:
                    continue
                offenders.append(f"{source.name}: {name}")
    assert offenders == []


def test_request_log(emu: Emulator, client: httpx.Client) -> None:
    song = next(iter(emu.library.songs))
    client.get("/v1/me/library/songs")
    client.get(f"/v1/me/library/songs/{song}")
    client.get("/v1/me/library/songs/i.unknown0000000")
    client.put(
        f"/v1/me/ratings/library-songs/{song}", json={"type": "ratings", "attributes": {"value": 1}}
    )
    log = emu.log
    assert log.by_endpoint() == {
        "GET /v1/me/library/songs": 1,
        "GET /v1/me/library/songs/{id}": 2,
        "PUT /v1/me/ratings/library-songs/{id}": 1,
    }
    assert log.by_status() == {200: 3, 404: 1}
    assert log.count(method="GET", endpoint="/v1/me/library/songs/{id}", status=404) == 1
    assert [e.method for e in log.writes()] == ["PUT"]
    entry = log.entries[0]
    assert (entry.path, entry.query, entry.status) == ("/v1/me/library/songs", "", 200)
    assert entry.seconds >= 0
    log.clear()
    assert log.entries == []
