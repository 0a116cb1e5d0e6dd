"""Small, direct regression tests for defects the reliability suites found."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from amsync.api import AppleMusicClient
from amsync.api.documents import decode_json
from amsync.api.retry import DEFAULT_RULES
from amsync.db.store import open_store
from amsync.errors import StoreUnavailable
from tests.sync.conftest import FAST, client_config

FAST_RULES = {
    failure: replace(rule, backoff_base_s=0.001, backoff_cap_s=0.002)
    for failure, rule in DEFAULT_RULES.items()
}


def test_throttling_does_not_use_up_the_attempts_of_other_failures() -> None:
    """Ten 429s, then a 503 and a dropped connection: each kind has its own attempts."""
    answers: list[int | None] = [429] * 10 + [503, None]

    def handler(request: httpx.Request) -> httpx.Response:
        if answers:
            status = answers.pop(0)
            if status is None:
                raise httpx.RemoteProtocolError("dropped", request=request)
            return httpx.Response(status, json={"errors": []})
        return httpx.Response(200, json={"data": [{"id": "gb", "type": "storefronts"}]})

    async def go() -> str:
        config = client_config(
            "https://api.test", rate=FAST, retry_rules=FAST_RULES, storefront=None
        )
        async with AppleMusicClient(config, transport=httpx.MockTransport(handler)) as client:
            return (await client.get_storefront()).id

    assert asyncio.run(go()) == "gb"
    assert answers == []


def test_lone_surrogate_escapes_become_replacement_characters() -> None:
    body = b'{"data": [{"id": "i.1", "attributes": {"name": "a\\ud800b \\ud83d\\ude00"}}]}'
    document = decode_json(body, "GET /v1/me/library/songs")
    assert document["data"][0]["attributes"]["name"] == "a\ufffdb \U0001f600"  # type: ignore[index]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_db_path_that_is_not_a_regular_file_is_refused_at_once(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "pipe"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would block forever
    else:
        path = Path("/dev/null")
    with pytest.raises(StoreUnavailable, match="not a regular file"):
        open_store(str(path))
