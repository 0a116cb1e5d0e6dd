"""Tag text as amsync stores it: one clean line per value, repaired where a tagger wrote it in
the wrong encoding.

What files carry in practice: UTF-8 bytes declared as Latin-1 (ID3v2.3 frames with encoding 0
written by old taggers read as ``"BjÃ¶rk"``), Windows-1252 punctuation decoded the same way
(``"Donâ€™t"``), NUL-separated lists in one frame, unpaired surrogates from broken UTF-16, and
control characters. ``clean_values`` splits, repairs and trims them, and says whether it had to
repair anything (the scan reports such files as ``odd_encoding``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
# Characters that only appear when UTF-8 bytes were decoded as Latin-1 / Windows-1252.
_CP1252_HIGH: Final = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_HINT: Final = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]")


def _unmojibake(text: str) -> str | None:
    """``text`` decoded again when it is UTF-8 that was read as Latin-1 or Windows-1252."""
    if not _MOJIBAKE_HINT.search(text):
        return None
    for codec in ("latin-1", "cp1252"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return fixed
    return None


def clean_value(value: object) -> tuple[str | None, bool]:
    """One tag value as one clean line (or ``None`` when blank) and whether it was repaired."""
    text = value if isinstance(value, str) else str(value)
    repaired = False
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
        repaired = True
    fixed = _unmojibake(text)
    if fixed is not None:
        text, repaired = fixed, True
    if _CONTROL.search(text):
        if "\x00" in text.strip("\x00"):
            repaired = True
        text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    return (text or None), repaired


def clean_values(values: Iterable[object]) -> tuple[tuple[str, ...], bool]:
    """Every non-blank value (a value holding NUL-separated parts counts as several)."""
    out: list[str] = []
    repaired = False
    for value in values:
        raw = value if isinstance(value, str) else str(value)
        for part in raw.split("\x00"):
            text, fixed = clean_value(part)
            repaired = repaired or fixed
            if text is not None and text not in out:
                out.append(text)
    return tuple(out), repaired


def first_number(value: object) -> int | None:
    """The number in ``"3"``, ``"3/12"``, ``(3, 12)`` or ``3``; ``None`` when there is none or
    it is out of range."""
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        match = re.match(r"\s*(\d{1,6})", str(value or ""))
        if match is None:
            return None
        number = int(match.group(1))
    return number if 0 < number < 100_000 else None
