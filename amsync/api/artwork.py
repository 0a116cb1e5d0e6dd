"""Artwork images from Apple's image servers (or any http(s) URL the mirror holds), for the
thumbnails of ``amsync report``: fetched concurrently, each at most ``max_bytes``, the whole
batch within ``deadline_s``. Failures are left out of the answer, never raised: a report
without a picture is still a report (the page shows a placeholder). Proxies are respected
(``HTTPS_PROXY``/``NO_PROXY``), as for the API. No token is sent: artwork is public."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Final

import httpx

logger = logging.getLogger("amsync.api")
AT_ONCE: Final = 8


class ArtworkDownloader:
    """``fetch_images(urls)`` → ``{url: bytes}`` for those that could be fetched."""

    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        deadline_s: float = 30.0,
        max_bytes: int = 512 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
        runner: Callable[[Coroutine[Any, Any, dict[str, bytes]]], dict[str, bytes]] = asyncio.run,
    ) -> None:
        """``runner`` runs the fetching coroutine (the CLI passes its signal-aware one)."""
        self.timeout_s = timeout_s
        self._runner = runner
        self.deadline_s = deadline_s
        self.max_bytes = max_bytes
        self._transport = transport

    def fetch_images(self, urls: Sequence[str]) -> dict[str, bytes]:
        wanted = [u for u in dict.fromkeys(urls) if u.startswith(("https://", "http://"))]
        if not wanted:
            return {}
        return self._runner(self._all(wanted))

    async def _all(self, urls: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        gate = asyncio.Semaphore(AT_ONCE)
        timeout = httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 5.0))
        async with httpx.AsyncClient(
            timeout=timeout, transport=self._transport, follow_redirects=True
        ) as client:

            async def one(url: str) -> None:
                async with gate:
                    data = await self._one(client, url)
                if data is not None:
                    found[url] = data

            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.deadline_s), asyncio.TaskGroup() as group:
                    for url in urls:
                        group.create_task(one(url))
        return found

    async def _one(self, client: httpx.AsyncClient, url: str) -> bytes | None:
        try:
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    return None
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        return None
                return bytes(body)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            logger.debug("artwork %s not fetched: %s", url[:200], type(exc).__name__)
            return None
