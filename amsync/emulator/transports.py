"""In-process httpx transports that call :meth:`Emulator.handle` directly.

A dropped connection raises ``httpx.RemoteProtocolError``; a truncated answer keeps the full
``Content-Length`` header but delivers only half the body (httpx then raises on read, like on a
socket). Latency sleeps with ``time.sleep`` / ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from amsync.emulator.messages import Request, Response

if TYPE_CHECKING:
    from amsync.emulator.emulator import Emulator

REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content"}


def to_request(request: httpx.Request, body: bytes) -> Request:
    url = request.url
    return Request(
        method=request.method,
        path=url.path,
        query_string=url.query.decode("ascii", "replace"),
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw},
        body=body,
    )


class _Truncated(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, part: bytes) -> None:
        self._part = part

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield self._part
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield self._part
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )


def to_response(answer: Response, request: httpx.Request) -> httpx.Response:
    if answer.action == "drop":
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    headers = [*answer.all_headers(), ("Content-Length", str(len(answer.body)))]
    if answer.action == "truncate":
        stream = _Truncated(answer.body[: len(answer.body) // 2])
        return httpx.Response(answer.status, headers=headers, stream=stream, request=request)
    return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)


class EmulatorTransport(httpx.BaseTransport):
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._emulator.handle(to_request(request, request.read()))
        if answer.delay:
            time.sleep(answer.delay)
        return to_response(answer, request)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._emulator.handle(to_request(request, await request.aread()))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return to_response(answer, request)
