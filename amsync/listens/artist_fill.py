"""The artist filler: pure functions that decide, from Apple's catalog search and the daily
history, the artist of a play Apple's export names only by song and album — never a guess.

**Names compared.** Song and album names are compared in the local matcher's normalised form
(``amsync.local.normalise.title_key``: Unicode-folded, case and accents off, punctuation a
space; "(Remastered)", "(Deluxe Edition)", " - Single", "feat. …" parts set aside; "live",
"remix", "acoustic", "demo", … kept as the *version*, which must be equal). A catalog song
matches a play when its normalised title and its album's normalised name both equal the
play's — "Song (Live)" on "Album (Live)" is not "Song" on "Album" — and, when the export gives
the media's duration, its length is within ``DURATION_TOLERANCE_MS``.

**Deciding** (``decide``), for one play:

1. the catalog songs that match name with **one** artist: that artist (``catalog``), with the
   song's ISRC, length, album name, catalog id and URL when all matching songs agree on them
   (an explicit and a clean version agree on the artist, not always on the ISRC) — unless the
   daily history names the title that day by other artists only: then ``conflict``;
2. matches by **several** artists: the one the daily history names that day, when it names
   exactly one of them; else ``ambiguous``;
3. no match (or no look-up: no album, no searchable words): the daily history's artist, when
   it names exactly one for the title that day (``daily``); several: ``ambiguous``; none:
   ``not-found`` (looked up) or ``not-looked-up``.

**The daily history** (``DailyEvidence``): ``Track Description`` is ``"Artist - Title"``, and
either part may hold ``" - "``; every split whose title part equals the play's title names a
candidate artist, as does the artist of the Library Tracks.json entry the row was linked
through. Its days may be local dates, so the play's UTC day and the days either side count.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

from amsync.domain.catalog import CatalogSong
from amsync.local.normalise import fold, title_key

DURATION_TOLERANCE_MS: Final = 2_000
TERM_LIMIT: Final = 200
_ALBUM_SUFFIXES: Final = (" - single", " - ep")

# where a value came from (``play_fills.*_source``, ``plays_v.artist_source``)
CATALOG: Final = "catalog"
DAILY: Final = "daily"

# a play's outcome (``play_fills.status``)
FILLED: Final = "filled"
AMBIGUOUS: Final = "ambiguous"
CONFLICT: Final = "conflict"
NOT_FOUND: Final = "not-found"
NOT_LOOKED_UP: Final = "not-looked-up"

# a look-up's outcome (``listen_lookups.state``)
MATCHED: Final = "matched"
NONE: Final = "none"
FAILED: Final = "failed"

NameForm = tuple[str, frozenset[str]]


def name_form(text: str | None) -> NameForm | None:
    """A song or album name as compared: its normalised core and its versions (``None`` for
    an empty name); Apple's " - Single" / " - EP" album suffix is left out. A name of symbols
    only keeps its case-folded text as the core."""
    if not text or not text.strip():
        return None
    stripped = text.strip()
    if stripped.lower().endswith(_ALBUM_SUFFIXES):
        text = stripped[: stripped.rfind(" - ")]
    key = title_key(text)
    core = key.core or " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return core, key.versions


def pair_key(name: str, album: str) -> str:
    """The key of a song/album pair: equal for names that compare equal."""
    song, disc = name_form(name), name_form(album)
    text = repr((song[0], sorted(song[1])) if song else None) + repr(
        (disc[0], sorted(disc[1])) if disc else None
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()  # repr: no lone surrogates


def search_term(name: str, album: str | None) -> str | None:
    """What to ask Apple's search: the song's and the album's words (the album without Apple's
    " - Single" / " - EP"), at most ``TERM_LIMIT`` characters, cut between words; ``None``
    when the song's name has nothing to search for."""
    if not any(c.isalnum() for c in name):
        return None
    disc = (album or "").strip()
    if disc.lower().endswith(_ALBUM_SUFFIXES):
        disc = disc[: disc.rfind(" - ")]
    kept: list[str] = []
    length = -1  # the spaces between words
    for word in f"{name} {disc}".split():
        length += len(word) + 1
        if length > TERM_LIMIT:
            break
        kept.append(word)
    return " ".join(kept) or name[:TERM_LIMIT].strip() or None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A catalog song whose name and album match a pair exactly."""

    catalog_id: str
    artist: str
    album: str | None = None
    isrc: str | None = None
    duration_ms: int | None = None
    url: str | None = None
    name: str | None = None  # the catalog's spelling of the song's name

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        return cls(
            catalog_id=str(data["catalog_id"]),
            artist=str(data["artist"]),
            album=data.get("album"),
            isrc=data.get("isrc"),
            duration_ms=data.get("duration_ms"),
            url=data.get("url"),
            name=data.get("name"),
        )


def exact_matches(name: str, album: str, songs: Iterable[CatalogSong]) -> list[Candidate]:
    """The catalog songs whose normalised title and album equal ``name`` and ``album`` and that
    name an artist, in Apple's order."""
    want_song, want_album = name_form(name), name_form(album)
    if want_song is None or want_album is None:
        return []
    found: list[Candidate] = []
    for song in songs:
        if not song.artist or not song.artist.strip():
            continue
        if name_form(song.name) != want_song or name_form(song.album) != want_album:
            continue
        found.append(
            Candidate(
                song.catalog_id,
                song.artist,
                song.album,
                song.isrc,
                song.duration_ms,
                song.url,
                song.name,
            )
        )
    return found


def lookup_state(candidates: Sequence[Candidate]) -> str:
    """``matched`` (one artist), ``ambiguous`` (several) or ``none``."""
    artists = {fold(c.artist) for c in candidates}
    if not artists:
        return NONE
    return MATCHED if len(artists) == 1 else AMBIGUOUS


@dataclass(frozen=True, slots=True)
class Fill:
    """The outcome for one play: ``status`` and, when filled, the values and their source
    (``album``, ``isrc``, ``duration_ms``, ``catalog_id``, ``url`` and ``name``, the song's
    name as the catalog spells it, come from the catalog)."""

    status: str
    artist: str | None = None
    source: str | None = None
    album: str | None = None
    isrc: str | None = None
    duration_ms: int | None = None
    catalog_id: str | None = None
    url: str | None = None
    name: str | None = None


def _fits(candidate: Candidate, media_ms: int | None) -> bool:
    if media_ms is None or media_ms <= 0 or candidate.duration_ms is None:
        return True
    return abs(candidate.duration_ms - media_ms) <= DURATION_TOLERANCE_MS


def _distinct(names: Iterable[str]) -> list[str]:
    """Names without repeats (compared folded), in first-seen order and spelling."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(name), name)
    return list(seen.values())


def _shared(values: Iterable[Any]) -> Any:
    """The one value all of ``values`` have, else ``None``."""
    found = set(values)
    return found.pop() if len(found) == 1 else None


def _from_catalog(artist: str, candidates: Sequence[Candidate]) -> Fill:
    return Fill(
        FILLED,
        artist,
        CATALOG,
        album=_shared(c.album for c in candidates),
        isrc=_shared(c.isrc for c in candidates),
        duration_ms=_shared(c.duration_ms for c in candidates),
        catalog_id=_shared(c.catalog_id for c in candidates),
        url=_shared(c.url for c in candidates),
        name=_shared(c.name for c in candidates),
    )


def decide(
    candidates: Sequence[Candidate] | None, media_ms: int | None, daily: Sequence[str]
) -> Fill:
    """The fill of one play (see the module docstring): ``candidates`` are the exact matches
    of its song/album pair (``None``: not looked up), ``media_ms`` Apple's length of the
    media played, ``daily`` the artists the daily history names for its title that day."""
    daily_artists = _distinct(daily)
    daily_keys = {fold(a) for a in daily_artists}
    fitting = [c for c in candidates or () if _fits(c, media_ms)]
    artists = _distinct(c.artist for c in fitting)
    if len(artists) == 1:
        if daily_keys and fold(artists[0]) not in daily_keys:
            return Fill(CONFLICT)
        return _from_catalog(artists[0], fitting)
    if artists:
        told = [a for a in artists if fold(a) in daily_keys]
        if len(told) == 1:
            key = fold(told[0])
            return _from_catalog(told[0], [c for c in fitting if fold(c.artist) == key])
        return Fill(AMBIGUOUS)
    if len(daily_artists) == 1:
        return Fill(FILLED, daily_artists[0], DAILY)
    if daily_artists:
        return Fill(AMBIGUOUS)
    return Fill(NOT_LOOKED_UP if candidates is None else NOT_FOUND)


def description_splits(description: str | None) -> list[tuple[str, str]]:
    """Every ``(artist, title)`` reading of ``"Artist - Title"`` (either part may hold
    ``" - "``); none without the separator."""
    if not description:
        return []
    parts = description.split(" - ")
    found = []
    for cut in range(1, len(parts)):
        artist, title = " - ".join(parts[:cut]).strip(), " - ".join(parts[cut:]).strip()
        if artist and title:
            found.append((artist, title))
    return found


class DailyEvidence:
    """The daily history's artists per day and title, kept only for the titles asked about."""

    def __init__(self, titles: Iterable[str]) -> None:
        self._wanted = {form for t in titles if (form := name_form(t)) is not None}
        self._by_day: dict[tuple[int, NameForm], list[str]] = {}

    def add(
        self, day: int, description: str | None, artist: str | None = None, title: str | None = None
    ) -> None:
        """A daily row of ``day`` (a ``date.toordinal()``): its description, and the artist
        and title of the library track it was linked through, when known."""
        readings = description_splits(description)
        if artist and title and artist.strip():
            readings.append((artist.strip(), title))
        for name, song in readings:
            form = name_form(song)
            if form is None or form not in self._wanted:
                continue
            known = self._by_day.setdefault((day, form), [])
            if name not in known:
                known.append(name)

    def artists(self, day: int, title: str) -> list[str]:
        """The artists named for ``title`` on ``day`` or the day before or after."""
        form = name_form(title)
        if form is None:
            return []
        found: list[str] = []
        for near in (day - 1, day, day + 1):
            found += self._by_day.get((near, form), ())
        return _distinct(found)
