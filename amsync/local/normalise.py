"""Turning song and file tags into comparable keys (matching rule 3 of issue 16).

- Text is folded: Unicode NFKC, casefold, accents removed, ``&``/``+`` read as "and",
  apostrophes dropped, other punctuation a space — so NFD file names, "Don’t" and "Dont",
  "AC/DC" and "AC-DC" compare equal.
- "feat./ft./featuring" artists (and "(with X)") are moved out of the title and compared as
  a set with the artist field, wherever each side put them.
- Bracketed parts ``(…)``/``[…]`` and dash suffixes `` - …`` are classified: remaster,
  remastered, deluxe, edition, anniversary, bonus, mono, stereo, "from …" and years are
  *ignorable*; live, remix, acoustic, demo, extended, instrumental, edit (and their spellings)
  name a *different recording*, kept as the title's ``versions``, which must be equal on both
  sides. Anything else stays part of the title ("(Part 2)", "(I Can't Get No)").
- Numbers in a title must agree ("Symphony No. 5" is not "Symphony No. 9", however close the
  fuzzy score).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

_FEAT_WORD: Final = r"(?:feat\.?|ft\.?|featuring|feats\.?)"
_BRACKETED_FEAT: Final = re.compile(rf"[\(\[]\s*(?:{_FEAT_WORD}|with)\s+([^\)\]]+)[\)\]]")
_BARE_FEAT: Final = re.compile(rf"\s{_FEAT_WORD}\s+(.+?)(?=\s*[\(\[]|\s+[-–—]\s+|$)")
_BRACKET: Final = re.compile(r"[\(\[]([^\(\)\[\]]*)[\)\]]")
_DASH: Final = re.compile(r"\s+[-–—]\s+")
_APOSTROPHES: Final = re.compile(r"['’‘`´]")
_NON_WORD: Final = re.compile(r"[\W_]+")
_DIGITS: Final = re.compile(r"\d+")
_ARTIST_SEPARATORS: Final = re.compile(
    rf"\s*(?:,|;|/|&|\+|\band\b|\bx\b|\bvs\.?|\bwith\b|{_FEAT_WORD})\s*"
)

VERSION_WORDS: Final = {
    "live": "live",
    "remix": "remix",
    "rmx": "remix",
    "remixed": "remix",
    "acoustic": "acoustic",
    "unplugged": "acoustic",
    "demo": "demo",
    "extended": "extended",
    "instrumental": "instrumental",
    "karaoke": "instrumental",
    "edit": "edit",
    "acapella": "a cappella",
    "acappella": "a cappella",
}
IGNORABLE_WORDS: Final = frozenset(
    (
        "remaster",
        "remastered",
        "remasters",
        "remastering",
        "deluxe",
        "edition",
        "expanded",
        "anniversary",
        "bonus",
        "track",
        "mono",
        "stereo",
        "version",
        "single",
        "album",
        "original",
        "explicit",
        "clean",
        "digital",
        "digitally",
        "special",
        "collectors",
        "collector",
        "legacy",
        "reissue",
        "re",
        "issue",
        "super",
        "the",
        "a",
        "of",
        "and",
        "in",
        "mix",
        "th",
        "st",
        "nd",
        "rd",
        "year",
        "years",
    )
)
_ALWAYS_IGNORABLE: Final = ("remaster", "deluxe", "edition", "anniversary", "bonus track")


def fold(text: str | None) -> str:
    """Comparable text: NFKC, casefold, accents off, punctuation a space, one space between
    words."""
    if not text:
        return ""
    if text.isascii():  # the common case, without the Unicode passes
        text = _APOSTROPHES.sub("", text.lower()).replace("&", " and ").replace("+", " and ")
        return " ".join(_NON_WORD.sub(" ", text).split())
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text).replace("&", " and ").replace("+", " and ")
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class TitleKey:
    core: str  # folded title without featured artists, ignorable and version parts
    versions: frozenset[str]  # live, remix, … (empty for the studio recording)
    featured: tuple[str, ...]  # artist names found in the title
    numbers: tuple[str, ...]  # the numbers in the core
    tokens: frozenset[str]  # the words of the core


def _classify(segment: str) -> tuple[str, frozenset[str]]:
    """``("version", words)``, ``("ignorable", ∅)`` or ``("keep", ∅)`` for a bracket or dash
    part of a title."""
    words = fold(segment).split()
    versions = frozenset(VERSION_WORDS[w] for w in words if w in VERSION_WORDS)
    if not versions and "cappella" in words:
        versions = frozenset({"a cappella"})
    if versions:
        return "version", versions
    if not words:
        return "ignorable", frozenset()
    joined = " ".join(words)
    if (
        all(w in IGNORABLE_WORDS or w.isdigit() or _DIGITS.fullmatch(w[:-2] or "x") for w in words)
        or any(marker in joined for marker in _ALWAYS_IGNORABLE)
        or words[0] == "from"
    ):
        return "ignorable", frozenset()
    return "keep", frozenset()


@functools.lru_cache(maxsize=65_536)
def title_key(title: str | None) -> TitleKey:
    """The comparable parts of a title (see the module docstring)."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    featured: list[str] = []
    versions: set[str] = set()

    def take_feat(match: re.Match[str]) -> str:
        featured.extend(artist_names(match.group(1)))
        return " "

    text = _BRACKETED_FEAT.sub(take_feat, text)
    text = _BARE_FEAT.sub(take_feat, text)

    def bracket(match: re.Match[str]) -> str:
        kind, found = _classify(match.group(1))
        if kind == "keep":
            return f" {match.group(1)} "
        versions.update(found)
        return " "

    for _ in range(3):  # nested brackets, innermost first
        replaced = _BRACKET.sub(bracket, text)
        if replaced == text:
            break
        text = replaced
    parts = _DASH.split(text)
    kept = [parts[0]]
    for part in parts[1:]:
        kind, found = _classify(part)
        if kind == "keep":
            kept.append(part)
        else:
            versions.update(found)
    core = fold(" ".join(kept)) or fold(title)
    return TitleKey(
        core=core,
        versions=frozenset(versions),
        featured=tuple(featured),
        numbers=tuple(_DIGITS.findall(core)),
        tokens=frozenset(core.split()),
    )


@functools.lru_cache(maxsize=65_536)
def artist_names(artist: str | None) -> tuple[str, ...]:
    """The folded names in an artist field ("A feat. B & C" → a, b, c; a leading "the" off)."""
    if not artist:
        return ()
    text = unicodedata.normalize("NFKC", artist).casefold()
    names: list[str] = []
    for part in _ARTIST_SEPARATORS.split(text):
        name = fold(part)
        if name.startswith("the "):
            name = name[4:]
        if name and name not in names:
            names.append(name)
    return tuple(names)


def album_key(album: str | None) -> str:
    """An album's core: ``"25 (Deluxe Edition)"`` and ``"25"`` compare equal."""
    return title_key(album).core if album else ""
