"""``favourites import FILE``: favourites from a CSV or JSON file, matched against the mirror.

A file is a list of rows: a CSV with a header row, or a JSON array of objects (or of
``"Artist - Title"`` strings; an object ``{"favourites": [...]}`` works too). Each row names
an item by one of, in this order of preference:

- ``library_id`` / ``catalog_id`` / ``id`` (with ``type``: song, album, playlist or artist;
  default song) — ``favourites.csv`` from ``amsync export csv`` imports as it is;
- ``isrc`` (songs);
- ``artist`` and ``title`` (or ``name``), or one ``title`` of the form ``Artist - Title``,
  compared without regard to case (playlists by name; artists by ``artist`` or ``name``).

``state`` (favourite, disliked or none; also true/false, 1/-1) defaults to favourite. Rows
that match nothing are reported with why; the rest set the user's wish (``local``) as
``favourites add`` would, all in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, select

from amsync.db import tables
from amsync.db.locks import acquire_run_lock
from amsync.db.store import Store
from amsync.domain import FavouriteState, ItemType
from amsync.errors import UsageError
from amsync.favourites.edits import MAX_ID_LENGTH, set_local
from amsync.favourites.mirror import MirrorItem, find_items, items_with_catalog_ids, live_items

MAX_FILE_BYTES: Final = 64 * 1024 * 1024
_ALIASES: Final = {
    "item_type": "type",
    "kind": "type",
    "title": "title",
    "name": "name",
    "song": "title",
    "artist_name": "artist",
    "favourite": "state",
    "favorite": "state",
}
_STATES: Final = {
    "favourite": FavouriteState.FAVOURITE,
    "favorite": FavouriteState.FAVOURITE,
    "true": FavouriteState.FAVOURITE,
    "yes": FavouriteState.FAVOURITE,
    "1": FavouriteState.FAVOURITE,
    "love": FavouriteState.FAVOURITE,
    "loved": FavouriteState.FAVOURITE,
    "disliked": FavouriteState.DISLIKED,
    "dislike": FavouriteState.DISLIKED,
    "-1": FavouriteState.DISLIKED,
    "none": FavouriteState.NONE,
    "false": FavouriteState.NONE,
    "no": FavouriteState.NONE,
    "0": FavouriteState.NONE,
}
_KNOWN: Final = {"type", "id", "library_id", "catalog_id", "isrc", "artist", "title", "name"}


@dataclass(frozen=True, slots=True)
class ImportRow:
    number: int  # 1-based, counting data rows (CSV: not the header)
    fields: Mapping[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.fields.items() if v.strip())
        return shown[:200]


@dataclass(frozen=True, slots=True)
class Unmatched:
    number: int
    row: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.number, "fields": self.row, "reason": self.reason}


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    matched_rows: int = 0
    items: int = 0  # items matched (a row can match several: duplicates in the library)
    changed: int = 0  # items whose wish changed
    unmatched: list[Unmatched] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "matched_rows": self.matched_rows,
            "items": self.items,
            "changed": self.changed,
            "unmatched": [u.as_dict() for u in self.unmatched],
        }


def import_favourites(
    store: Store, account: str, path: Path, *, wait_s: float = 0.0
) -> ImportReport:
    """Read ``path``, match its rows against the mirror, set the matched items' wish."""
    rows = read_rows(path)
    account_id = store.account_id(account, create=False)
    report = ImportReport(rows=len(rows))
    lock = acquire_run_lock(store, account_id, account, command="favourites import", wait_s=wait_s)
    try:
        with store.writing() as session:
            connection = session.connection()
            matcher = _Matcher(connection, account_id)
            wanted: dict[FavouriteState, dict[tuple[ItemType, str], MirrorItem]] = defaultdict(dict)
            for row in rows:
                try:
                    state, items = matcher.match(row)
                except _NoMatch as exc:
                    report.unmatched.append(Unmatched(row.number, row.describe(), str(exc)))
                    continue
                report.matched_rows += 1
                for item in items:
                    for other in wanted.values():  # a later row wins for the same item
                        other.pop((item.item_type, item.library_id), None)
                    wanted[state][(item.item_type, item.library_id)] = item
            now = datetime.now(UTC)
            for state, items_by_key in wanted.items():
                result = set_local(connection, account_id, items_by_key.values(), state, now)
                report.items += len(result.changes)
                report.changed += result.changed
    finally:
        lock.release()
    return report


# --- reading the file --------------------------------------------------------------------------


def read_rows(path: Path) -> list[ImportRow]:
    """The rows of a CSV or JSON file (``UsageError`` for a file that is neither)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(f"{path} is too big to import ({size} bytes)")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text", hint="save it as UTF-8 CSV or JSON") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith(("[", "{")):
        return _json_rows(path, text)
    return _csv_rows(path, text)


def _json_rows(path: Path, text: str) -> list[ImportRow]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if isinstance(document, dict):
        document = document.get("favourites", document.get("items"))
    if not isinstance(document, list):
        raise UsageError(
            f"{path}: expected a JSON list of rows",
            hint='e.g. [{"type": "song", "id": "i.abc"}, {"isrc": "USRC1..."}, "Artist - Title"]',
        )
    rows: list[ImportRow] = []
    for number, entry in enumerate(document, start=1):
        if isinstance(entry, str):
            rows.append(ImportRow(number, {"title": entry}))
        elif isinstance(entry, dict):
            rows.append(ImportRow(number, _normalise(entry)))
        else:
            rows.append(ImportRow(number, {"?": json.dumps(entry)[:80]}))
    return rows


def _csv_rows(path: Path, text: str) -> list[ImportRow]:
    header_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in header_line:
        delimiter = "\t" if "\t" in header_line else ";" if ";" in header_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_column(name) for name in reader.fieldnames or []]
        if not _KNOWN.intersection(header):
            raise UsageError(
                f"{path}: the CSV needs a header row naming its columns",
                hint="e.g. type,id — or isrc — or artist,title (state optional)",
            )
        return [
            ImportRow(number, _normalise(row))
            for number, row in enumerate(reader, start=1)
            if any((value or "").strip() for value in row.values() if isinstance(value, str))
        ]
    except csv.Error as exc:
        raise UsageError(
            f"{path} is not a readable CSV file (line {reader.line_num}: {exc})"
        ) from None


def _column(name: str | None) -> str:
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, key)


def _normalise(entry: Mapping[Any, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in entry.items():
        if name is None or value is None or isinstance(value, (list, dict)):
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        fields[_column(str(name))] = text
    return fields


# --- matching ------------------------------------------------------------------------------------


class _NoMatch(Exception):
    pass


@dataclass
class _Matcher:
    connection: Connection
    account_id: int
    _by_name: dict[ItemType, dict[tuple[str, str], list[MirrorItem]]] = field(default_factory=dict)

    def match(self, row: ImportRow) -> tuple[FavouriteState, list[MirrorItem]]:
        item_type = self._type(row)
        state = self._state(row)
        for column in ("library_id", "catalog_id", "id"):
            item_id = row.get(column)
            if item_id:
                if len(item_id) > MAX_ID_LENGTH:
                    raise _NoMatch(f"{column} is too long")
                found = find_items(self.connection, self.account_id, item_type, item_id)
                if not found:
                    raise _NoMatch(f"no {item_type.value} with id {item_id!r} in the mirror")
                return state, found
        isrc = row.get("isrc").upper()
        if isrc:
            return state, self._by_isrc(item_type, isrc)
        return state, self._by_names(row, item_type)

    def _type(self, row: ImportRow) -> ItemType:
        raw = row.get("type").lower().rstrip("s") or "song"
        try:
            return ItemType(raw)
        except ValueError:
            raise _NoMatch(
                f"unknown type {row.get('type')[:40]!r} (song, album, playlist or artist)"
            ) from None

    def _state(self, row: ImportRow) -> FavouriteState:
        raw = row.get("state").lower()
        if not raw:
            return FavouriteState.FAVOURITE
        if raw not in _STATES:
            raise _NoMatch(f"unknown state {raw[:40]!r} (favourite, disliked or none)")
        return _STATES[raw]

    def _by_isrc(self, item_type: ItemType, isrc: str) -> list[MirrorItem]:
        if item_type is not ItemType.SONG:
            raise _NoMatch("an ISRC names a song, not a " + item_type.value)
        catalog = tables.catalog_songs
        catalog_ids = self.connection.execute(
            select(catalog.c.catalog_id).where(
                catalog.c.account_id == self.account_id, catalog.c.isrc == isrc
            )
        ).scalars()
        found = items_with_catalog_ids(self.connection, self.account_id, item_type, catalog_ids)
        if not found:
            raise _NoMatch(f"no song with ISRC {isrc[:20]!r} in the mirror")
        return found

    def _by_names(self, row: ImportRow, item_type: ItemType) -> list[MirrorItem]:
        artist, title = row.get("artist"), row.get("title") or row.get("name")
        if item_type is ItemType.ARTIST:
            title, artist = title or artist, ""
        elif not artist and " - " in title:
            artist, title = (part.strip() for part in title.split(" - ", 1))
        if not title:
            raise _NoMatch("no id, ISRC, or artist and title to match")
        if item_type is ItemType.PLAYLIST:
            artist = ""
        index = self._index(item_type)
        found = index.get((title.casefold(), artist.casefold()), [])
        if not found:
            by = f" by {artist!r}" if artist else ""
            raise _NoMatch(f"no {item_type.value} {title[:80]!r}{by} in the mirror")
        return found

    def _index(self, item_type: ItemType) -> dict[tuple[str, str], list[MirrorItem]]:
        if item_type not in self._by_name:
            index: dict[tuple[str, str], list[MirrorItem]] = defaultdict(list)
            keyed = item_type in (ItemType.SONG, ItemType.ALBUM)
            for item in live_items(self.connection, self.account_id, item_type):
                artist = (item.artist or "").casefold() if keyed else ""
                index[(item.name.casefold(), artist)].append(item)
            self._by_name[item_type] = dict(index)
        return self._by_name[item_type]


def describe_unmatched(unmatched: Sequence[Unmatched]) -> Iterable[str]:
    for entry in unmatched:
        yield f"row {entry.number}: {entry.reason} ({entry.row})"
