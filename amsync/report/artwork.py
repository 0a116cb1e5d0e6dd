"""Thumbnails of a report: Apple's artwork at a small size, fetched once through an
``ImageSource`` and kept in a cache folder (``<home>/cache/artwork``), embedded in the page
as ``data:`` URIs — the file needs no network when it is opened.

Apple gives artwork as a URL template (``…/{w}x{h}bb.jpg``); the report asks for ``SIZE_PX``
square (shown at half that, sharp on high-density screens). Only JPEG, PNG, GIF and WebP
bytes are embedded (told by their first bytes, never by what a server claims); anything else
— an error page, an SVG that could carry a script — is treated as missing, and the page
shows a neutral placeholder. A cache that cannot be written (a read-only home) is skipped.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from amsync.domain.ports import ImageSource

SIZE_PX: Final = 96
MAX_BYTES: Final = 512 * 1024
_KINDS: Final = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sized(template: str, px: int = SIZE_PX) -> str:
    """Apple's artwork URL template at ``px``×``px`` (an already sized URL stays as it is)."""
    return (
        template.replace("{w}", str(px))
        .replace("{h}", str(px))
        .replace("{c}", "bb")
        .replace("{f}", "jpg")
    )


def media_type(data: bytes) -> str | None:
    """The image type of ``data`` by its first bytes; ``None`` for anything else."""
    for magic, kind in _KINDS:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def data_uri(data: bytes) -> str | None:
    kind = media_type(data)
    if kind is None or len(data) > MAX_BYTES:
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


class ArtworkCache:
    """Image bytes by URL, one file each, named by a hash of the URL."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, url: str) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return self.folder / f"{name}.img"

    def get(self, url: str) -> bytes | None:
        path = self._path(url)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, url: str, data: bytes) -> None:
        path = self._path(url)
        if path is None:
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            temporary.replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()


@dataclass(slots=True)
class Thumbnails:
    """``images``: artwork URL template → ``data:`` URI, for those that could be had."""

    images: dict[str, str] = field(default_factory=dict)
    cached: int = 0
    fetched: int = 0
    missing: int = 0


def thumbnails(
    templates: Sequence[str], source: ImageSource | None, cache: ArtworkCache
) -> Thumbnails:
    """Every template's thumbnail: from the cache, else fetched (and cached) through
    ``source`` (``None``: from the cache only)."""
    found = Thumbnails()
    wanted: dict[str, str] = {}
    for template in dict.fromkeys(templates):
        url = sized(template)
        data = cache.get(url)
        uri = data_uri(data) if data is not None else None
        if uri is not None:
            found.images[template] = uri
            found.cached += 1
        else:
            wanted[url] = template
    fetched = source.fetch_images(list(wanted)) if source is not None and wanted else {}
    for url, template in wanted.items():
        data = fetched.get(url)
        uri = data_uri(data) if data is not None else None
        if uri is None:
            found.missing += 1
            continue
        assert data is not None
        cache.put(url, data)
        found.images[template] = uri
        found.fetched += 1
    return found
