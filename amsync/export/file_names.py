"""File and folder names built from library text (DESIGN §4).

``safe_name`` turns any text into one path component that every common file system takes: no
path separators, no ``.``/``..``, no leading dot, no control or bidirectional-override
characters, none of the characters Windows forbids, no reserved device name (``CON``, ``NUL``,
``COM1`` …, also with an extension), no trailing dot or space, and at most ``max_bytes`` bytes
of UTF-8 (cut on a character boundary). ``NameSpace`` keeps the names of one folder unique,
ignoring case and Unicode normalisation (as macOS and Windows do).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Final

MAX_NAME_BYTES: Final = 200
FALLBACK_NAME: Final = "Untitled"

_WINDOWS_FORBIDDEN: Final = frozenset('<>:"/\\|?*')
_BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_REPLACED_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DEVICES: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)


def _clean_char(char: str) -> str:
    if char in _WINDOWS_FORBIDDEN or char in _BIDI_CONTROLS:
        return "_"
    if unicodedata.category(char) in _REPLACED_CATEGORIES:
        return "_"
    return char


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8, on a character boundary."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def is_reserved_device(name: str) -> bool:
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    return stem in _DEVICES


def safe_name(text: str, *, max_bytes: int = MAX_NAME_BYTES, fallback: str = FALLBACK_NAME) -> str:
    """One safe path component for ``text`` (see the module docstring)."""
    cleaned = "".join(_clean_char(c) for c in unicodedata.normalize("NFC", text))
    cleaned = " ".join(cleaned.split())  # tabs, runs of spaces and odd blanks → one space
    cleaned = truncate_utf8(cleaned, max_bytes).rstrip(". ")
    if cleaned.startswith("."):
        cleaned = "_" + cleaned[1:]
    if not cleaned:
        cleaned = fallback
    if is_reserved_device(cleaned):
        cleaned = truncate_utf8("_" + cleaned, max_bytes).rstrip(". ")
    return cleaned


def name_key(name: str) -> str:
    """Two names with the same key are the same file on a case-insensitive file system."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class NameSpace:
    """The names taken in one folder; ``claim`` returns a name not taken yet."""

    max_bytes: int = MAX_NAME_BYTES
    _taken: set[str] = field(default_factory=set)

    def claim(self, text: str, suffix: str = "") -> str:
        """A unique ``safe_name(text) + suffix`` (``Name (2).m3u8`` on a clash)."""
        stem_bytes = self.max_bytes - len(suffix.encode("utf-8"))
        stem = safe_name(text, max_bytes=stem_bytes)
        candidate = stem + suffix
        number = 1
        while name_key(candidate) in self._taken:
            number += 1
            tail = f" ({number})"
            cut = truncate_utf8(stem, stem_bytes - len(tail)).rstrip(". ")
            candidate = f"{cut or FALLBACK_NAME}{tail}{suffix}"
        self._taken.add(name_key(candidate))
        return candidate
