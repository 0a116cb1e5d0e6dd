"""``--path-template``: M3U locations for local files, built from track fields.

``"{artist}/{album}/{disc}-{track:02d} {name}.m4a"`` — only the fields in ``FIELDS`` may be
used, with an optional format spec; no attribute or index access, no conversions. Every field
value becomes one safe path component (``file_names.safe_name``: a ``/`` in a name cannot make a
folder, ``..`` cannot climb), the template may not be absolute, and a rendered ``.``/``..``/empty
component is dropped — so every location stays below the playlist's folder.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Final

from amsync.errors import UsageError
from amsync.export.file_names import safe_name

TEXT_FIELDS: Final = ("artist", "album", "name", "library_id", "catalog_id", "isrc", "playlist")
NUMBER_FIELDS: Final = ("disc", "track", "position")
FIELDS: Final = TEXT_FIELDS + NUMBER_FIELDS
UNKNOWN_TEXT: Final = "Unknown"
_COMPONENT_BYTES: Final = 120


@dataclass(frozen=True)
class PathTemplate:
    template: str
    _parts: tuple[tuple[str, str | None, str], ...]

    def render(self, values: dict[str, Any]) -> str:
        """The location for a track; ``values`` maps field names to values (None: unknown)."""
        out: list[str] = []
        for literal, field_name, spec in self._parts:
            out.append(literal)
            if field_name is None:
                continue
            value = values.get(field_name)
            if field_name in NUMBER_FIELDS:
                number = value if isinstance(value, int) else 0
                out.append(safe_name(format(number, spec), max_bytes=_COMPONENT_BYTES))
            else:
                text = format(str(value) if value not in (None, "") else UNKNOWN_TEXT, spec)
                out.append(safe_name(text, max_bytes=_COMPONENT_BYTES))
        parts = [p for p in "".join(out).replace("\\", "/").split("/") if p not in ("", ".", "..")]
        location = "/".join(parts) or UNKNOWN_TEXT
        if location.startswith("#"):  # would read as an M3U comment line
            location = "./" + location
        return location


def compile_template(template: str) -> PathTemplate:
    """Check ``template`` once; a ``UsageError`` says what is wrong with it."""
    if not template.strip():
        raise UsageError("--path-template is empty")
    if template.startswith(("/", "\\", "~")) or (len(template) > 1 and template[1] == ":"):
        raise UsageError(
            "--path-template must be relative (locations are relative to the playlist file)"
        )
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in template):
        raise UsageError("--path-template may not contain control characters")
    parts: list[tuple[str, str | None, str]] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise UsageError(f"--path-template is not a valid template: {exc}") from None
    for literal, field_name, spec, conversion in parsed:
        if any(p == ".." for p in literal.replace("\\", "/").split("/")):
            raise UsageError("--path-template may not contain '..'")
        if field_name is None:
            parts.append((literal, None, ""))
            continue
        if field_name not in FIELDS or conversion is not None:
            raise UsageError(
                f"--path-template: unknown field {{{field_name}}}; use {', '.join(FIELDS)}"
            )
        spec = spec or ""
        if "{" in spec:
            raise UsageError("--path-template: nested fields are not allowed")
        if re.search(r"\d{3,}", spec):
            raise UsageError(f"--path-template: format of {{{field_name}}} is too wide")
        sample: Any = 1 if field_name in NUMBER_FIELDS else "x"
        try:
            format(sample, spec)
        except ValueError as exc:
            raise UsageError(f"--path-template: bad format for {{{field_name}}}: {exc}") from None
        parts.append((literal, field_name, spec))
    return PathTemplate(template, tuple(parts))
