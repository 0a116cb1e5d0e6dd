"""Columns of Apple's files, matched by header name — never by position — so that column order,
missing optional columns, extra columns and renamed headers between export years all work.

The names come from public parsers of the export (nobody publishes a real one: it is
personal), checked against each other:

- acoullandreau/apple_music_analyser ``Parser.py``: ``Content Name`` (older exports) and
  ``Song Name`` (newer) for the title, ``Artist Name``, ``Album Name``, ``Event Start
  Timestamp`` falling back to ``Event End Timestamp``, ``Play Duration Milliseconds``, ``Media
  Duration In Milliseconds``, ``End Reason Type``, and its list of columns dropped for analysis
  (``Client IP Address``, ``Device Identifier``, ``Apple Id Number``, ``Build Version``,
  ``Metrics Client Id``, ``Metrics Bucket Id``, ``Store Country Name``, …);
- ftaylor101/spotify ``notes/notes.md``: newer Play Activity files have no artist column;
- dmatica/fitlist ``Step1/Readme.md`` and CypressXt/AppleMusic-Elastic ``README``: the file
  names and the folders they sit in;
- meghpatel/MusicFlow ``docs/Library/LIBRARY_TRACKS.md``: the keys of ``Apple Music Library
  Tracks.json``.

Headers are compared normalised (case folded, white space collapsed, ``_`` as a space, curly
apostrophes plain). A column amsync does not know is ignored (never stored): it might be
personal. A column is *personal* — stored only with ``--keep-personal`` — when its name is in
``PERSONAL_COLUMNS`` or contains one of ``PERSONAL_WORDS`` (IP addresses, device and client
identifiers, user agents, location, time zone, account numbers).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

_SPACE: Final = re.compile(r"\s+")
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")

PLAY_ACTIVITY_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": ("song name", "content name", "track name", "title"),
    "album": ("album name", "album", "container album name"),
    "artist": ("artist name", "artist"),
    "start": ("event start timestamp", "play date time"),
    "end": ("event end timestamp",),
    "event_type": ("event type",),
    "play_ms": ("play duration milliseconds",),
    "media_ms": ("media duration in milliseconds",),
    "end_reason": ("end reason type",),
    "start_position": ("start position in milliseconds",),
    "end_position": ("end position in milliseconds",),
    "feature": ("feature name",),
    "source_type": ("source type",),
    "media_type": ("media type",),
    "container_type": ("container type",),
    "container_name": ("container name",),
    # Assumption: no parser we checked shows a catalog id in Play Activity; if a year's export
    # carries one under the Library Tracks key, it links by catalog id.
    "catalog_id": ("apple music track identifier",),
}
PLAY_ACTIVITY_REQUIRED: Final = (("name",), ("start", "end"))

DAILY_TRACKS_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "track_identifier": ("track identifier",),
    "description": ("track description",),
    "date": ("date played",),
    "hours": ("hours",),
    "play_ms": ("play duration milliseconds",),
    "end_reason": ("end reason type",),
    "plays": ("play count",),
    "skips": ("skip count",),
    "source_type": ("source type",),
    "media_type": ("media type",),
    "ignore": ("ignore for recommendations",),
}
DAILY_TRACKS_REQUIRED: Final = (("date",), ("track_identifier", "description"))

LIBRARY_TRACK_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "track_identifier": ("track identifier",),
    "catalog_id": ("apple music track identifier",),
    "title": ("title", "name"),
    "artist": ("artist",),
    "album": ("album",),
    "content_type": ("content type",),
    "play_count": ("track play count", "play count"),
    "skip_count": ("skip count",),
    "date_added": ("date added to library", "date added to icloud music library"),
    "last_played": ("last played date",),
    "last_modified": ("last modified date",),
    "like_rating": ("track like rating",),
    "duration_ms": ("track duration",),
}

PERSONAL_COLUMNS: Final = frozenset(
    {
        "apple id number",
        "client ip address",
        "device identifier",
        "build version",
        "metrics client id",
        "metrics bucket id",
        "store country name",
        "store front name",
        "country",
        "utc offset in seconds",
        "user agent",
        "client platform",
        "milliseconds since play",
    }
)
PERSONAL_WORDS: Final = (
    "ip ",
    "ip address",
    "device",
    "user agent",
    "city",
    "country",
    "latitude",
    "longitude",
    "location",
    "postal",
    "region",
    "network",
    "apple id",
    "dsid",
    "client id",
    "metrics",
    "time zone",
    "timezone",
    "utc offset",
)


def stored_text(value: str, limit: int | None = None) -> str:
    """Text as the database keeps it: NUL and lone surrogates (which PostgreSQL and UTF-8
    cannot hold) become U+FFFD on every backend alike; ``limit`` cuts it to a column's size."""
    if "\x00" in value or not value.isascii():
        value = _UNSTORABLE.sub("\ufffd", value)
    return value if limit is None else value[:limit]


@functools.lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    cleaned = text.replace("\ufeff", "").replace("_", " ").replace("\u2019", "'")
    return _SPACE.sub(" ", cleaned).strip().casefold()


def is_personal(key: str) -> bool:
    padded = key + " "
    return key in PERSONAL_COLUMNS or any(word in padded for word in PERSONAL_WORDS)


@dataclass(frozen=True)
class Layout:
    """Where each known field is in a file's rows, and where the personal columns are."""

    fields: dict[str, int]
    personal: tuple[tuple[str, int], ...]
    width: int

    def getter(self, names: Sequence[str]) -> Callable[[list[str]], tuple[str, ...]]:
        """A function taking a row to the values of ``names`` (``""`` for a field the file
        lacks), in one step: the row is cut to the header's width and given one empty field
        at the end, where absent fields point."""
        width = self.width
        pick = operator.itemgetter(*(self.fields.get(name, width) for name in names))

        def values(row: list[str]) -> tuple[str, ...]:
            if len(row) != width:
                del row[width:]
            row.append("")
            found: tuple[str, ...] = pick(row)
            return found

        return values

    def personal_values(self, row: Sequence[str]) -> dict[str, str] | None:
        found = {
            column: stored_text(row[i].strip())
            for column, i in self.personal
            if i < len(row) and row[i].strip()
        }
        return found or None

    def get(self, row: Sequence[str], name: str) -> str:
        index = self.fields.get(name)
        if index is None or index >= len(row):
            return ""
        value = row[index].strip()
        return value.replace("\x00", "\ufffd") if "\x00" in value else value


def layout_for(header: Sequence[str], known: Mapping[str, tuple[str, ...]]) -> Layout:
    keys = [header_key(h) for h in header]
    position: dict[str, int] = {}
    for index, key in enumerate(keys):
        position.setdefault(key, index)
    fields: dict[str, int] = {}
    for name, aliases in known.items():
        for alias in aliases:
            if alias in position:
                fields[name] = position[alias]
                break
    taken = set(fields.values())
    personal = tuple(
        (header[i].replace("\ufeff", "").strip(), i)
        for i, key in enumerate(keys)
        if i not in taken and is_personal(key)
    )
    return Layout(fields, personal, len(header))


FIELD_WORDS: Final[Mapping[str, str]] = {
    "name": "the song's name",
    "start": "when it was played",
    "end": "when it was played",
    "date": "the day played",
    "track_identifier": "the track",
    "description": "the track",
}
"""What a required field stands for, in the message that says it is missing."""


def header_name(alias: str) -> str:
    """A known header as Apple writes it (``event start timestamp`` → ``Event Start
    Timestamp``)."""
    return " ".join(word[:1].upper() + word[1:] for word in alias.split(" "))


def either(names: Sequence[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def missing_required(
    layout: Layout, required: Sequence[Sequence[str]], known: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """For each group of which at least one field must be present and is not: what it stands
    for and the headers that give it (``when it was played ('Event Start Timestamp', 'Play
    Date Time' or 'Event End Timestamp')``)."""
    found = []
    for group in required:
        if any(f in layout.fields for f in group):
            continue
        headers = [header_name(alias) for f in group for alias in known.get(f, ())]
        found.append(f"{FIELD_WORDS.get(group[0], group[0])} ({either(headers)})")
    return found


def key_lookup(obj: Mapping[str, object]) -> dict[str, str]:
    """An object's keys by their normalised form (for Library Tracks.json)."""
    return {header_key(k): k for k in obj}
