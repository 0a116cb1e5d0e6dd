"""What an import read, stored, linked, could not link and skipped (the CLI renders it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from amsync.domain.reasons import ReasonCounts

UNLINKED_SHOWN: Final = 10


class Skips(ReasonCounts[str]):
    """Rows or entries not imported, grouped by reason, with the first few places."""


@dataclass
class Tally:
    """One kind of record: how many were read; how many were new and how many already
    stored (play events: left as they were; daily rows and library tracks: replaced by this
    export's values); how many were linked to a mirrored song and how many not; and, for play
    events, how many of earlier imports were linked now, and how many a name matched but the
    daily history contradicted (left unlinked, counted in ``unlinked``)."""

    read: int = 0
    new: int = 0
    known: int = 0
    linked: int = 0
    unlinked: int = 0
    relinked: int = 0
    contradicted: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class FileRead:
    file: str
    kind: str
    rows: int = 0
    written: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "rows": self.rows}


@dataclass
class ImportReport:
    source: str
    account: str
    dry_run: bool
    keep_personal: bool
    import_id: int | None = None
    files: list[FileRead] = field(default_factory=list)
    not_imported: list[dict[str, str]] = field(default_factory=list)
    plays: Tally = field(default_factory=Tally)
    daily: Tally = field(default_factory=Tally)
    library_tracks: Tally = field(default_factory=Tally)
    mirror_songs: int = 0
    skipped: Skips = field(default_factory=Skips)
    unlinked_songs: Counter[tuple[str, str | None, str | None]] = field(default_factory=Counter)

    def unlinked_top(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "artist": artist, "album": album, "plays": count}
            for (name, artist, album), count in self.unlinked_songs.most_common(UNLINKED_SHOWN)
        ]

    def counts(self) -> dict[str, Any]:
        """The figures kept with the import's row."""
        return {
            "plays": self.plays.as_dict(),
            "daily": self.daily.as_dict(),
            "library_tracks": self.library_tracks.as_dict(),
            "skipped": dict(self.skipped.counts),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "account": self.account,
            "dry_run": self.dry_run,
            "keep_personal": self.keep_personal,
            "import_id": self.import_id,
            "mirror_songs": self.mirror_songs,
            "files": [f.as_dict() for f in self.files],
            "not_imported": self.not_imported,
            "plays": self.plays.as_dict(),
            "daily": self.daily.as_dict(),
            "library_tracks": self.library_tracks.as_dict(),
            "unlinked_top": self.unlinked_top(),
            "skipped": self.skipped.as_list(),
        }
