"""A beets library database as a source of local files: beets users already have every tag.

The database is opened read-only (``sqlite3``, ``mode=ro``) and only its ``items`` table is
read: ``path`` (a BLOB of bytes), ``title``, ``artist``, ``albumartist``, ``album``, ``track``,
``disc``, ``length`` (seconds, a float), ``isrc``, ``mb_trackid`` (the MusicBrainz recording
id), ``mtime`` — the columns of beets 2.14. ``artists`` (beets' multi-valued artist field,
values joined by ``\\␀``) is read when present.

Recent beets (2.14 does) stores a path inside the library's music folder relative to it
(beets' ``directory`` setting, which lives in beets' ``config.yaml``, not in the database). The
folder is taken from ``music_dir`` when given, else from a ``directory:`` line of the
``config.yaml`` beside the database (where beets keeps both by default); a relative path with
neither is a configuration error that says what to pass.

A file the database names but this disk does not hold is stored all the same (a playlist for a
server that mounts the library elsewhere still needs it) and reported as ``missing``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from amsync.audiotags.tag_reading import printable_path
from amsync.audiotags.tag_text import clean_value, clean_values, first_number
from amsync.domain.local_files import (
    AudioTags,
    ProblemKind,
    ScanItem,
    ScannedFile,
    ScanProblem,
    UnchangedFile,
)
from amsync.domain.ports import KnownFiles
from amsync.errors import ConfigError

BEETS_MULTI_VALUE: Final = "\\␀"
REQUIRED: Final = ("path", "title", "artist", "album", "length")
OPTIONAL: Final = (
    "albumartist",
    "track",
    "disc",
    "isrc",
    "mb_trackid",
    "mtime",
    "artists",
    "format",
)
_DIRECTORY_LINE: Final = re.compile(r"^directory:\s*(?P<value>.+?)\s*$", re.MULTILINE)


def _config_directory(database: Path) -> str | None:
    config = database.parent / "config.yaml"
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _DIRECTORY_LINE.search(text)
    if match is None:
        return None
    value = match.group("value").strip("'\"")
    return os.path.expanduser(value) if value else None  # noqa: PTH111


class BeetsLibrarySource:
    """The items of a beets library (satisfies ``amsync.domain.ports.LocalFileSource``)."""

    def __init__(self, database: str, music_dir: str | None = None) -> None:
        self.database = Path(database).absolute()
        self.name = f"beets:{self.database}"
        self._music_dir = music_dir
        self._columns: list[str] = list(REQUIRED)

    def scope(self) -> Sequence[str]:
        return ()

    def aliases(self) -> Sequence[str]:
        return ()

    def missing_folders(self) -> Sequence[str]:
        return ()

    def incomplete_folders(self) -> Sequence[str]:
        return ()

    def _connect(self) -> sqlite3.Connection:
        if not self.database.is_file():
            raise ConfigError(f"no beets library at {self.database}")
        uri = f"file:{quote(str(self.database))}?mode=ro"
        try:
            connection = sqlite3.connect(uri, uri=True)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(items)")}
        except sqlite3.Error as exc:
            raise ConfigError(
                f"cannot read {self.database} as a beets library: {exc}",
                hint="pass the library.db file beets uses (`beet config` shows `library`)",
            ) from None
        if not set(REQUIRED) <= columns:
            connection.close()
            raise ConfigError(
                f"{self.database} is not a beets library (no items table with "
                f"{', '.join(REQUIRED)})",
                hint="pass the library.db file beets uses (`beet config` shows `library`)",
            )
        connection.text_factory = lambda data: data.decode("utf-8", "replace")
        self._columns = [*REQUIRED, *(name for name in OPTIONAL if name in columns)]
        return connection

    def items(self, known: KnownFiles) -> Iterator[ScanItem]:
        connection = self._connect()
        try:
            query = f"SELECT {', '.join(self._columns)} FROM items ORDER BY id"
            rows = connection.execute(query)
            music_dir = self._music_dir
            looked_up = music_dir is not None
            while True:
                try:
                    batch = rows.fetchmany(1000)
                except sqlite3.Error as exc:
                    raise ConfigError(f"cannot read {self.database}: {exc}") from None
                if not batch:
                    return
                for row in batch:
                    record = dict(zip(self._columns, row, strict=True))
                    path = self._path(record["path"])
                    if path is None:
                        yield ScanProblem(
                            printable_path(os.fsdecode(bytes(record["path"] or b""))),
                            ProblemKind.NON_UTF8_NAME,
                            "path is not UTF-8; skipped",
                        )
                        continue
                    if not os.path.isabs(path):  # noqa: PTH117
                        if not looked_up:
                            music_dir = _config_directory(self.database)
                            looked_up = True
                        if music_dir is None:
                            raise ConfigError(
                                f"{self.database} stores paths relative to its music folder",
                                hint="give that folder with --beets-music-dir "
                                "(beets' `directory` setting)",
                            )
                        path = os.path.normpath(os.path.join(music_dir, path))  # noqa: PTH118
                    yield self._item(path, record, known)
        finally:
            connection.close()

    @staticmethod
    def _path(value: Any) -> str | None:
        if isinstance(value, str):
            return value
        raw = bytes(value or b"")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _item(self, path: str, record: dict[str, Any], known: KnownFiles) -> ScanItem:
        mtime = record.get("mtime")
        mtime_ns = round(float(mtime) * 1e9) if isinstance(mtime, int | float) else None
        try:
            size: int | None = Path(path).stat().st_size
        except OSError:
            size = None
        if known.is_unchanged(path, size, mtime_ns):
            return UnchangedFile(path)
        repaired = False

        def text(name: str) -> str | None:
            nonlocal repaired
            value = record.get(name)
            if value is None or value == "":
                return None
            cleaned, fixed = clean_value(value)
            repaired = repaired or fixed
            return cleaned

        artist = text("artist")
        artists: tuple[str, ...] = ()
        if record.get("artists"):
            artists, fixed = clean_values(str(record["artists"]).split(BEETS_MULTI_VALUE))
            repaired = repaired or fixed
        length = record.get("length")
        duration_ms = round(float(length) * 1000) if isinstance(length, int | float) else None
        isrc = (text("isrc") or "").replace("-", "").upper() or None
        tags = AudioTags(
            title=text("title"),
            artist=artist,
            artists=artists or ((artist,) if artist else ()),
            album=text("album"),
            album_artist=text("albumartist"),
            track_number=first_number(record.get("track")),
            disc_number=first_number(record.get("disc")),
            duration_ms=duration_ms if duration_ms and duration_ms > 0 else None,
            isrc=isrc,
            mb_recording_id=(text("mb_trackid") or "").lower() or None,
        )
        problems: list[ScanProblem] = []
        if size is None:
            problems.append(ScanProblem(path, ProblemKind.MISSING, "not on this disk"))
        if repaired:
            problems.append(ScanProblem(path, ProblemKind.ODD_ENCODING, "tag text repaired"))
        if tags.empty:
            problems.append(ScanProblem(path, ProblemKind.NO_TAGS, "no title, artist or album"))
        kind = str(record.get("format") or "").lower() or Path(path).suffix.lstrip(".").lower()
        return ScannedFile(path, size, mtime_ns, kind, tags, tuple(problems))
