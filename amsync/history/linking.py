"""Linking what Apple's export names to the mirrored songs.

Apple's files rarely carry the ids the API uses: ``Apple Music Library Tracks.json`` gives the
catalog id (``Apple Music Track Identifier``) of each library track, the Play Activity file
gives a song name and an album name (and, in older exports, an artist name), the daily history
a library track identifier and ``"Artist - Title"``. The rules, in order, and never a guess:

1. **Catalog id** — a catalog id from the file equal to a mirrored song's ``catalog_id``.
2. **Name and album** — the normalised song name and album name (and the artist, when the file
   has one) equal those of exactly one mirrored song whose duration, when both are known, is
   within ``DURATION_TOLERANCE_MS`` of the played media's duration. (Durations tell apart the
   same title on an album of the same name by two artists, and keep a song that only shares
   its name and album name with a library song from being taken for it.)
3. **Name and artist** — only when the file names no album: the normalised name and artist of
   exactly one mirrored song (durations checked the same way).

Anything else stays unlinked (``library_id`` NULL), so a same-titled song on another album is
never taken for the one in the library.

**Corroboration.** A play linked by its names (rules 2 and 3) must agree with the daily history
when the export has one (``HeardDays``): the daily history lists, per day, the library tracks
played (by track identifier, so by catalog id or by all of name, album and artist); if it
covers the play's day and names the linked song neither that day nor the day before or after
(the daily file's dates may be local), the play is left unlinked. This catches the song of
another artist that shares a title, an album name and about the same length with a library
song — which a Play Activity file without artists cannot tell apart.

Normalised means: Unicode NFKC, case folded, curly quotes and dashes made plain, white space
collapsed; album names also lose Apple's ``" - Single"`` / ``" - EP"`` suffixes. Live songs
are preferred to removed (tombstoned) ones; removed songs are still linked when they are the
only match, since the play happened.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, and_, func, select

from amsync.db.models import CatalogSong, Song

DURATION_TOLERANCE_MS: Final = 2_000
_SPACE: Final = re.compile(r"\s+")
_PLAIN: Final = str.maketrans(
    {
        "\x00": "\ufffd",
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
    }
)
_ALBUM_SUFFIXES: Final = (" - single", " - ep")

# how a row was linked (the ``linked_by`` column)
BY_CATALOG: Final = "catalog"
BY_NAME_ALBUM: Final = "name+album"
BY_NAME_ARTIST: Final = "name+artist"
BY_LIBRARY_TRACK: Final = "library-track"


@functools.lru_cache(maxsize=200_000)
def normalise(text: str | None) -> str:
    """The form names are compared in (empty for None)."""
    if not text:
        return ""
    # made plain before NFKC too: NFKC turns an acute accent used as an apostrophe ("Don´t")
    # into a space and a combining accent
    plain = unicodedata.normalize("NFKC", text.translate(_PLAIN)).translate(_PLAIN)
    folded = plain.casefold()
    return _SPACE.sub(" ", folded).strip()


@functools.lru_cache(maxsize=100_000)
def normalise_album(text: str | None) -> str:
    album = normalise(text)
    for suffix in _ALBUM_SUFFIXES:
        if album.endswith(suffix):
            return album[: -len(suffix)].rstrip()
    return album


@dataclass(frozen=True, slots=True)
class Candidate:
    library_id: str
    artist: str  # normalised
    duration_ms: int | None
    live: bool


@dataclass(frozen=True, slots=True)
class Link:
    library_id: str
    by: str


class MirrorIndex:
    """The account's mirrored songs, indexed for the rules above."""

    def __init__(self) -> None:
        self.by_catalog: dict[str, tuple[str, bool]] = {}
        self.by_name_album: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
        self.by_name_artist: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
        self.songs = 0

    def add(
        self,
        library_id: str,
        name: str,
        artist: str | None,
        album: str | None,
        catalog_id: str | None,
        duration_ms: int | None,
        live: bool,
    ) -> None:
        self.songs += 1
        candidate = Candidate(library_id, normalise(artist), duration_ms, live)
        if catalog_id:
            known = self.by_catalog.get(catalog_id)
            if known is None or (live and not known[1]):
                self.by_catalog[catalog_id] = (library_id, live)
        key_name = normalise(name)
        if album:
            self.by_name_album[(key_name, normalise_album(album))].append(candidate)
        if candidate.artist:
            self.by_name_artist[(key_name, candidate.artist)].append(candidate)

    def link(
        self,
        name: str | None,
        album: str | None,
        artist: str | None = None,
        catalog_id: str | None = None,
        media_ms: int | None = None,
    ) -> Link | None:
        if catalog_id:
            found = self.by_catalog.get(catalog_id)
            if found is not None:
                return Link(found[0], BY_CATALOG)
        if not name:
            return None
        key_name = normalise(name)
        key_artist = normalise(artist)
        if album:
            candidates = self.by_name_album.get((key_name, normalise_album(album)))
            if not candidates:
                return None
            if key_artist:
                candidates = [c for c in candidates if c.artist == key_artist]
            chosen = _one(candidates, media_ms)
            return None if chosen is None else Link(chosen, BY_NAME_ALBUM)
        if key_artist:
            chosen = _one(self.by_name_artist.get((key_name, key_artist), ()), media_ms)
            return None if chosen is None else Link(chosen, BY_NAME_ARTIST)
        return None

    def link_description(self, description: str | None) -> Link | None:
        """``"Artist - Title"`` (either part may itself hold ``" - "``): linked when exactly one
        way of splitting it names exactly one mirrored song by artist and title."""
        if not description:
            return None
        parts = description.split(" - ")
        found: list[str] = []
        for cut in range(1, len(parts)):
            artist, title = " - ".join(parts[:cut]), " - ".join(parts[cut:])
            chosen = _one(self.by_name_artist.get((normalise(title), normalise(artist)), ()), None)
            if chosen is not None:
                found.append(chosen)
        if len(set(found)) == 1:
            return Link(found[0], BY_NAME_ARTIST)
        return None


def _one(candidates: Iterable[Candidate], media_ms: int | None) -> str | None:
    """The one candidate meant, or None when there is none or no telling them apart."""
    pool = list(candidates)
    if media_ms:
        pool = [
            c
            for c in pool
            if c.duration_ms is None or abs(c.duration_ms - media_ms) <= DURATION_TOLERANCE_MS
        ]
    if len(pool) > 1:
        live = [c for c in pool if c.live]
        pool = live or pool
    if len({c.library_id for c in pool}) == 1:
        return pool[0].library_id
    return None


def load_mirror_index(connection: Connection, account_id: int) -> MirrorIndex:
    """Every song of the account (removed ones too), streamed into an index."""
    index = MirrorIndex()
    statement = (
        select(
            Song.library_id,
            Song.name,
            Song.artist,
            Song.album,
            Song.catalog_id,
            func.coalesce(Song.duration_ms, CatalogSong.duration_ms),
            Song.removed_at.is_(None),
        )
        .outerjoin(
            CatalogSong,
            and_(
                CatalogSong.account_id == Song.account_id,
                CatalogSong.catalog_id == Song.catalog_id,
            ),
        )
        .where(Song.account_id == account_id)
        .order_by(Song.id)
        .execution_options(stream_results=True, max_row_buffer=2000)
    )
    result = connection.execute(statement)
    for library_id, name, artist, album, catalog_id, duration, live in result:
        index.add(library_id, name, artist, album, catalog_id, duration, bool(live))
    return index


class HeardDays:
    """Which mirrored songs the daily history says were played on which days (by linked
    library track), and the span of days it covers."""

    def __init__(self) -> None:
        self._songs: dict[str, int] = {}
        self._heard: set[int] = set()
        self._unsure: set[tuple[int, str]] = set()
        self.first: int | None = None
        self.last: int | None = None

    def cover(self, day: int) -> None:
        """The history has a row of ``day`` (a ``date.toordinal()``)."""
        if self.first is None or day < self.first:
            self.first = day
        if self.last is None or day > self.last:
            self.last = day

    def add(self, day: int, library_id: str) -> None:
        """The history shows ``library_id`` played on ``day``."""
        number = self._songs.setdefault(library_id, len(self._songs))
        self._heard.add(day << 24 | number)
        self.cover(day)

    def unsure(self, day: int, title: str) -> None:
        """The history shows on ``day`` a track titled ``title`` that it could not link, but
        that may be in the library (so it may be any song of that title)."""
        self._unsure.add((day, normalise(title)))
        self.cover(day)

    def contradicts(self, day: int, library_id: str, name: str) -> bool:
        """True when the history covers ``day`` and shows neither ``library_id`` nor an
        unlinked track of the same name played then or on the day before or after."""
        if self.first is None or self.last is None or not self.first <= day <= self.last:
            return False
        days = (day - 1, day, day + 1)
        number = self._songs.get(library_id)
        if number is not None and any((d << 24 | number) in self._heard for d in days):
            return False
        title = normalise(name)
        return not any((d, title) in self._unsure for d in days)

    def __bool__(self) -> bool:
        return self.first is not None
