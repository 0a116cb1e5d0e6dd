"""A listen in ListenBrainz's JSON format, fitted to the server's limits (``limits``), and
requests' bodies made of them — pure functions, shared by ``listens push`` and ``listens
export``.

One listen (ListenBrainz "Payload JSON details")::

    {"listened_at": 1700000000,
     "track_metadata": {"artist_name": "…", "track_name": "…", "release_name": "…",
                        "additional_info": {"submission_client": "amsync",
                                            "submission_client_version": "0.9.0",
                                            "music_service": "music.apple.com",
                                            "isrc": "…", "duration_ms": 215000,
                                            "origin_url": "https://music.apple.com/…"}}}

``release_name``, ``isrc``, ``duration_ms`` and ``origin_url`` are left out when unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from amsync.domain.listens import Listen
from amsync.listenbrainz.limits import (
    LISTEN_SIZE_TARGET,
    MAX_DURATION_MS_LIMIT,
    MAX_LISTENS_PER_REQUEST,
    NAME_LIMIT,
    PAYLOAD_TARGET,
)

SUBMISSION_CLIENT: Final = "amsync"
MUSIC_SERVICE: Final = "music.apple.com"
_UNSENDABLE: Final = re.compile("[\x00\ud800-\udfff]")
_ISRC: Final = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
_NAMES: Final = ("track_name", "artist_name", "release_name")
_ENVELOPE: Final = b'{"listen_type":"import","payload":['


class Unsendable(ValueError):
    """A listen no server would take (an empty track or artist name)."""


def clean_name(text: str | None, limit: int = NAME_LIMIT) -> str:
    """A name as sent: U+0000 and lone surrogates as U+FFFD, white space stripped, cut to
    ``limit`` characters (at most)."""
    if not text:
        return ""
    if "\x00" in text or not text.isascii():
        text = _UNSENDABLE.sub("\ufffd", text)
    return text.strip()[:limit].strip()


def listen_document(listen: Listen, client_version: str) -> dict[str, Any]:
    """The listen as ListenBrainz's JSON (names cleaned and cut to ``NAME_LIMIT``; see
    ``fitted`` for the size); ``Unsendable`` when a required name is empty."""
    track = clean_name(listen.track_name)
    artist = clean_name(listen.artist_name)
    if not track:
        raise Unsendable("no track name")
    if not artist:
        raise Unsendable("no artist name")
    metadata: dict[str, Any] = {"artist_name": artist, "track_name": track}
    release = clean_name(listen.release_name)
    if release:
        metadata["release_name"] = release
    info: dict[str, Any] = {
        "submission_client": SUBMISSION_CLIENT,
        "submission_client_version": client_version,
        "music_service": MUSIC_SERVICE,
    }
    isrc = (listen.isrc or "").strip().upper()
    if _ISRC.match(isrc):
        info["isrc"] = isrc
    if listen.duration_ms is not None and 0 < listen.duration_ms <= MAX_DURATION_MS_LIMIT:
        info["duration_ms"] = int(listen.duration_ms)
    url = (listen.origin_url or "").strip()
    if url.startswith(("https://", "http://")) and len(url) <= NAME_LIMIT:
        info["origin_url"] = clean_name(url)
    metadata["additional_info"] = info
    return {"listened_at": int(listen.listened_at), "track_metadata": metadata}


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fitted(listen: Listen, client_version: str, limit: int = LISTEN_SIZE_TARGET) -> bytes:
    """The listen's JSON, its longest name cut (by a quarter each round) until the JSON takes
    at most ``limit`` bytes; ``Unsendable`` when it cannot be sent."""
    document = listen_document(listen, client_version)
    body = encoded(document)
    metadata = document["track_metadata"]
    while len(body) > limit:
        longest = max((n for n in _NAMES if n in metadata), key=lambda n: len(metadata[n]))
        text = metadata[longest]
        if len(text) <= 1:
            raise Unsendable("too large even with its names cut short")
        metadata[longest] = text[: len(text) * 3 // 4].strip() or text[:1]
        body = encoded(document)
    return body


@dataclass(frozen=True, slots=True)
class Encoded:
    """A listen and its JSON as sent."""

    listen: Listen
    body: bytes


def request_body(batch: Sequence[Encoded]) -> bytes:
    """A ``submit-listens`` request of ``import`` listens."""
    return _ENVELOPE + b",".join(item.body for item in batch) + b"]}"


def batches(
    items: Iterable[Encoded],
    max_listens: int = MAX_LISTENS_PER_REQUEST,
    max_bytes: int = PAYLOAD_TARGET,
) -> Iterator[list[Encoded]]:
    """``items`` in order, in batches of at most ``max_listens`` listens whose request body
    takes at most ``max_bytes``."""
    batch: list[Encoded] = []
    size = len(_ENVELOPE) + 2
    for item in items:
        extra = len(item.body) + (1 if batch else 0)
        if batch and (len(batch) >= max_listens or size + extra > max_bytes):
            yield batch
            batch, size = [], len(_ENVELOPE) + 2
            extra = len(item.body)
        batch.append(item)
        size += extra
    if batch:
        yield batch


def json_line(listen: Listen, client_version: str) -> str:
    """The listen as one line of JSON (``amsync listens export``)."""
    return fitted(listen, client_version).decode("utf-8")
