"""What an export is asked to do, and what it reports back (the CLI renders the report)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from amsync.domain.timestamps import iso_utc
from amsync.export.atomic_files import atomic_text_file

DEFAULT_STOREFRONT = "us"


@dataclass(frozen=True)
class ExportOptions:
    """``playlists``: names or library ids to export (empty: all). ``raw``: CSV cells verbatim.
    ``path_template``: M3U/XSPF locations built from track fields instead of Apple Music URLs,
    below ``music_root``. ``local``: locations are the matched local files. ``relative``: file
    locations relative to each playlist file (``None``: the default of the kind of location).
    ``path_prefixes``: ``OLD=NEW`` roots to rewrite in absolute paths. ``unicode_form``:
    ``nfc``/``nfd`` for written paths. ``storefront``: overrides the account's storefront in
    URLs. ``layout``: the CSV columns (``amsync``, or a transfer service's). (See
    ``amsync.export.locations``.)"""

    include_removed: bool = False
    playlists: Sequence[str] = ()
    raw: bool = False
    path_template: str | None = None
    storefront: str | None = None
    local: bool = False
    relative: bool | None = None
    path_prefixes: Sequence[str] = ()
    unicode_form: str | None = None
    music_root: str | None = None
    layout: str = "amsync"


@dataclass
class ExportReport:
    format: str
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    tracks_without_location: int = 0
    exported_at: str = ""
    locations: str | None = None  # apple-music, path-template or local (playlist files)
    paths_not_rewritten: int = 0  # absolute paths that no --path-prefix applied to
    files_missing: int = 0  # tracks whose matched local file is no longer on disk (--local)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "exported_at": self.exported_at,
            "files": self.files,
            "counts": self.counts,
            "tracks_without_location": self.tracks_without_location,
            **({"locations": self.locations} if self.locations else {}),
            **(
                {"paths_not_rewritten": self.paths_not_rewritten}
                if self.paths_not_rewritten
                else {}
            ),
            **({"files_missing": self.files_missing} if self.locations == "local" else {}),
        }


def utc_stamp(moment: datetime | None = None) -> str:
    """``2026-11-21T22:00:00Z``."""
    return iso_utc(moment or datetime.now(UTC)) or ""


Destination = Path | TextIO
"""A file path (written atomically) or an open text stream (stdout)."""


@contextmanager
def open_destination(
    destination: Destination, report: ExportReport, *, newline: str | None = None
) -> Iterator[TextIO]:
    if isinstance(destination, Path):
        with atomic_text_file(destination, newline=newline) as handle:
            yield handle
        report.files.append(str(destination))
    else:
        yield destination
        destination.flush()
