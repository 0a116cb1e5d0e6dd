"""Cover images for the emulator's artwork URLs (``GET /image/thumb/…/{W}x{H}bb.jpg``): a
PNG of the asked size, coloured by a hash of the path — so a report made from an emulated
library shows covers that differ from one another, without a network.

Apple's artwork URLs point at its image servers (``is1-ssl.mzstatic.com``); ``rehost``
points a library's at an emulator instead (``amsync demo`` does, so that its report has
pictures). No token is needed for images, as with Apple's. Sizes are capped at 600 px.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from typing import Any, Final

from amsync.emulator.library import Library
from amsync.emulator.messages import Response, error

PREFIX: Final = "/image/thumb/"
_SIZE: Final = re.compile(r"/(\d{1,4})x(\d{1,4})[a-z]*\.(?:jpg|jpeg|png|webp)$")
_APPLE_HOST: Final = re.compile(r"^https://is\d-ssl\.mzstatic\.com(?=/image/thumb/)")
MAX_PX: Final = 600
COLLECTIONS: Final = (
    "catalog_songs",
    "catalog_music_videos",
    "catalog_albums",
    "catalog_artists",
    "catalog_playlists",
    "songs",
    "music_videos",
    "albums",
    "playlists",
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def cover_png(path: str, width: int, height: int) -> bytes:
    """A ``width``×``height`` PNG: a diagonal blend of two colours taken from ``path``."""
    digest = hashlib.blake2b(path.encode(), digest_size=6).digest()
    first, second = digest[:3], digest[3:]
    rows = bytearray()
    span = max(1, width + height - 2)
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            share = (x + y) / span
            rows.extend(int(a + (b - a) * share) for a, b in zip(first, second, strict=True))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def image(path: str) -> Response:
    """The response to ``GET`` of an artwork path."""
    found = _SIZE.search(path)
    if found is None:
        return error(404)
    width, height = int(found[1]), int(found[2])
    if not (1 <= width <= MAX_PX and 1 <= height <= MAX_PX):
        return error(404)
    body = cover_png(path, width, height)
    headers = [("Content-Type", "image/png"), ("Cache-Control", "max-age=86400")]
    return Response(200, body, headers, endpoint="GET /image/thumb/{path}")


def rehost(library: Library, base_url: str) -> int:
    """Point every artwork URL of ``library`` at ``base_url`` (an emulator) instead of Apple's
    image servers; returns how many were changed."""
    changed = 0
    base = base_url.rstrip("/")
    for name in COLLECTIONS:
        items: dict[str, Any] = getattr(library, name)
        for item in items.values():
            url = getattr(item, "artwork_url", None)
            if isinstance(url, str) and _APPLE_HOST.match(url):
                item.artwork_url = _APPLE_HOST.sub(base, url)
                changed += 1
    library.touch()
    return changed
