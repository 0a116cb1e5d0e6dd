"""Helpers for the API client tests: fake time, a scripted library server, resources."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from amsync.api import AppleMusicClient

DEV_TOKEN = "dev-token-SECRET-aaaaaaaaaaaaaaaaaaaaaaaa"
USER_TOKEN = "user-token-SECRET-bbbbbbbbbbbbbbbbbbbbbbbb"
BASE = "https://api.test"


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


ClientFactory = Callable[..., AppleMusicClient]


def library_song(index: int, **attributes: Any) -> dict[str, Any]:
    song_id = f"i.song{index:05d}"
    attrs: dict[str, Any] = {
        "name": f"Song {index}",
        "artistName": "Artist",
        "albumName": "Album",
        "durationInMillis": 200_000 + index,
        "genreNames": ["Pop"],
        "playParams": {"id": song_id, "kind": "song", "isLibrary": True, "catalogId": str(index)},
    }
    attrs.update(attributes)
    return {"id": song_id, "type": "library-songs", "attributes": attrs}


def json_response(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=_JSON)


_JSON = {"content-type": "application/json;charset=utf-8"}


def error_response(
    status: int, code: str, title: str = "Error", detail: str = ""
) -> httpx.Response:
    body = {
        "errors": [
            {"id": "X" * 26, "title": title, "detail": detail, "status": str(status), "code": code}
        ]
    }
    return json_response(body, status)


@dataclass
class FakeLibrary:
    """A paged collection served like Apple does, with scripted faults.

    ``short[offset] = n`` drops the last ``n`` items of that page the first time it is served;
    ``missing[offset] = k`` answers 404 the first ``k`` times; ``total`` overrides ``meta.total``
    (``None`` in ``total_override`` hides it when ``hide_total``); 404 past the end.
    ``GET /v1/test`` answers 200 as Apple's does (not recorded in ``requests``).
    """

    items: list[dict[str, Any]]
    path: str = "/v1/me/library/songs"
    limit: int = 100
    short: dict[int, int] = field(default_factory=dict)
    missing: dict[int, int] = field(default_factory=dict)
    total_override: int | None = None
    hide_total: bool = False
    extra_next_after_end: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/test":  # Apple's check that this is the API (200)
            return json_response({})
        self.requests.append(request)
        if request.url.path != self.path:
            return error_response(404, "40400")
        limit = int(request.url.params.get("limit", "25"))
        if limit > self.limit:
            return error_response(400, "40005", "Invalid Parameter Value")
        offset = int(request.url.params.get("offset", "0"))
        if self.missing.get(offset, 0) > 0:
            self.missing[offset] -= 1
            return json_response({}, 404)
        page = self.items[offset : offset + limit]
        if not page:
            return json_response({}, 404)
        drop = self.short.pop(offset, 0)
        if drop:
            page = page[: len(page) - drop]
        body: dict[str, Any] = {"data": page}
        if offset + limit < len(self.items) or self.extra_next_after_end:
            body["next"] = f"{self.path}?offset={offset + limit}"
        if not self.hide_total:
            body["meta"] = {"total": self.total_override or len(self.items)}
        return json_response(body)

    def offsets(self) -> list[int]:
        return [int(r.url.params.get("offset", "0")) for r in self.requests]
