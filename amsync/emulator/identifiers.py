"""Identifier factories that produce ids shaped like Apple Music's.

Library ids: ``i.`` + 14 base62 characters for songs and music videos, ``l.`` albums,
``r.`` artists ([UNCERTAIN] prefix, reference §2.5), ``p.`` playlists and playlist folders.
Catalog ids: numeric strings; catalog playlists ``pl.`` + 32 lowercase hex digits.
"""

from __future__ import annotations

import random
import string

BASE62 = string.digits + string.ascii_letters
LIBRARY_ID_LENGTH = 14


class IdFactory:
    """Hands out unique, seeded ids; never reuses one (a re-added item gets a new id)."""

    def __init__(self, rng: random.Random, first_catalog_id: int = 1_100_000_000) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._next_catalog = first_catalog_id

    def library(self, prefix: str) -> str:
        """A new library id such as ``i.PkdJNdAIrQozOW``."""
        choices = self._rng.choices
        while True:
            candidate = prefix + "".join(choices(BASE62, k=LIBRARY_ID_LENGTH))
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate

    def catalog(self) -> str:
        """A new numeric catalog id (strictly increasing, gaps of 1..9)."""
        self._next_catalog += 1 + self._rng.randrange(9)
        return str(self._next_catalog)

    def global_playlist(self) -> str:
        """A new catalog playlist id ``pl.<32 hex>``."""
        while True:
            candidate = f"pl.{self._rng.getrandbits(128):032x}"
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate

    def reserve(self, identifier: str) -> None:
        """Mark an id (for example one chosen by a test) as taken."""
        self._used.add(identifier)
