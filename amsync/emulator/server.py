"""A small asyncio HTTP/1.1 server (keep-alive, Content-Length bodies) in a background thread.

Dropped connections close the socket without an answer; truncated answers send the full
``Content-Length`` header, half the body, then close. Latency is an ``asyncio.sleep`` per
request, so slow answers do not block other connections. Chunked request bodies are not
supported (answered 411); pipelined requests are answered in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import unquote

from amsync.emulator.messages import Request, Response

if TYPE_CHECKING:
    from amsync.emulator.emulator import Emulator

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 8 * 1024 * 1024


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def encode_head(response: Response, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
    lines += [f"{k}: {v}" for k, v in response.all_headers()]
    lines.append(f"Content-Length: {len(response.body)}")
    if not any(k.lower() == "date" for k, _ in response.headers):
        lines.append(f"Date: {formatdate(usegmt=True)}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_head(raw: bytes) -> tuple[str, str, str, dict[str, str]] | None:
    """(method, path, query, lower-case headers) or None when malformed."""
    try:
        text = raw.decode("latin-1")
        request_line, *header_lines = text.split("\r\n")
        method, target, version = request_line.split(" ")
    except ValueError:
        return None
    if not version.startswith("HTTP/1."):
        return None
    headers: dict[str, str] = {"_version": version}
    for line in header_lines:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return None
        headers[name.strip().lower()] = value.strip()
    path, _, query = target.partition("?")
    return method, unquote(path), query, headers


class _Connection:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            writer.transport.abort()
        finally:
            if task is not None:
                self.tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        parsed = parse_head(raw[:-4])
        if parsed is None:
            writer.write(encode_head(Response(400), False))
            return False
        method, path, query, headers = parsed
        if "chunked" in headers.get("transfer-encoding", "").lower():
            writer.write(encode_head(Response(411), False))
            return False
        length = int(headers.get("content-length", "0") or 0)
        if length > MAX_BODY_BYTES:
            writer.write(encode_head(Response(413), False))
            return False
        body = await reader.readexactly(length) if length else b""
        keep_alive = (
            headers.get("connection", "").lower() != "close" and headers["_version"] != "HTTP/1.0"
        )
        response = self.emulator.handle(Request(method, path, query, headers, body))
        if response.delay:
            await asyncio.sleep(response.delay)
        if response.action == "drop":
            writer.transport.abort()
            return False
        head = encode_head(response, keep_alive)
        if response.action == "truncate":
            writer.write(head + response.body[: len(response.body) // 2])
            await writer.drain()
            writer.transport.abort()
            return False
        writer.write(head + response.body if method != "HEAD" else head)
        await writer.drain()
        return keep_alive


@dataclass
class RunningServer:
    """A live server: ``url`` like ``http://127.0.0.1:PORT``."""

    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@contextlib.contextmanager
def serve_in_thread(emulator: Emulator, host: str, port: int) -> Iterator[RunningServer]:
    """Run the server on its own event loop in a daemon thread for the ``with`` block."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Event | None = None
    failure: list[BaseException] = []

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        connections = _Connection(emulator)
        server = await asyncio.start_server(connections.run, sock=sock, limit=MAX_HEADER_BYTES)
        ready.set()
        async with server:
            await stop.wait()
        pending = list(connections.tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def runner() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # surfaced to the caller below
            failure.append(exc)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=runner, name="amsync-emulator", daemon=True)
    thread.start()
    ready.wait()
    if failure:
        raise RuntimeError("emulator server failed to start") from failure[0]
    try:
        yield RunningServer(host, sock.getsockname()[1])
    finally:
        if stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=5)
        sock.close()
