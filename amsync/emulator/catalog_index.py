"""A word index of the emulator's catalog for ``/v1/catalog/{sf}/search``.

Names, artists and albums are folded (NFKD without accents, casefolded) and split at anything
that is not a letter or digit; a resource is a hit when every word of the term is one of its
words. Hits whose *name* holds more of the term's words rank first, then shorter names, then ids.
Withdrawn catalog songs are never found. The index is rebuilt when the library changes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from amsync.emulator.library import Library

SEARCH_TYPES = ("songs", "albums", "artists")
_WORD = re.compile(r"[^\W_]+")


def fold_words(text: str) -> list[str]:
    """Words of ``text`` without accents, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(bare.casefold())


class SearchIndex:
    """Word → ids per resource type, with each resource's name words for ranking."""

    def __init__(self) -> None:
        self._version = -1
        self._postings: dict[str, dict[str, set[str]]] = {}
        self._name_words: dict[str, dict[str, frozenset[str]]] = {}
        self._name_length: dict[str, dict[str, int]] = {}

    def _texts(self, library: Library, rtype: str) -> Iterable[tuple[str, str, str]]:
        if rtype == "songs":
            for sid, song in library.catalog_songs.items():
                if not song.withdrawn:
                    yield sid, song.name, f"{song.artist_name} {song.album_name}"
        elif rtype == "albums":
            for aid, album in library.catalog_albums.items():
                yield aid, album.name, album.artist_name
        else:
            for rid, artist in library.catalog_artists.items():
                yield rid, artist.name, ""

    def _rebuild(self, library: Library) -> None:
        self._postings = {}
        self._name_words = {}
        self._name_length = {}
        for rtype in SEARCH_TYPES:
            postings: dict[str, set[str]] = {}
            names: dict[str, frozenset[str]] = {}
            lengths: dict[str, int] = {}
            for rid, name, rest in self._texts(library, rtype):
                name_words = fold_words(name)
                names[rid] = frozenset(name_words)
                lengths[rid] = len(name_words)
                for word in {*name_words, *fold_words(rest)}:
                    postings.setdefault(word, set()).add(rid)
            self._postings[rtype] = postings
            self._name_words[rtype] = names
            self._name_length[rtype] = lengths
        self._version = library.version

    def hits(self, library: Library, rtype: str, term: str) -> list[str]:
        if library.version != self._version:
            self._rebuild(library)
        words = fold_words(term)
        if not words:
            return []
        postings = self._postings[rtype]
        found: set[str] | None = None
        for word in sorted(set(words), key=lambda w: len(postings.get(w, ()))):
            ids = postings.get(word)
            if not ids:
                return []
            found = set(ids) if found is None else found & ids
            if not found:
                return []
        wanted = set(words)
        names = self._name_words[rtype]
        lengths = self._name_length[rtype]
        return sorted(found or (), key=lambda i: (-len(wanted & names[i]), lengths[i], i))
