"""The two sources of local files (``amsync.domain.ports.LocalFileSource``): folders whose
audio files are read with mutagen, and a beets library database (``beets_library``)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from amsync.audiotags.folder_walk import FolderWalk, FoundFile
from amsync.audiotags.tag_reading import MutagenTagReader
from amsync.domain.local_files import ScanItem, UnchangedFile
from amsync.domain.ports import KnownFiles

FOLDERS_SOURCE = "folders"


class FolderSource:
    """The audio files below ``roots`` (made absolute; not resolved, so that a music folder
    reached through a link keeps the path its player knows)."""

    name = FOLDERS_SOURCE

    def __init__(self, roots: Sequence[str], reader: MutagenTagReader | None = None) -> None:
        self.roots = tuple(dict.fromkeys(os.path.abspath(root) for root in roots))  # noqa: PTH100
        self.reader = reader or MutagenTagReader()
        self._incomplete: list[str] = []

    def scope(self) -> Sequence[str]:
        return self.roots

    def incomplete_folders(self) -> Sequence[str]:
        return tuple(self._incomplete)

    def items(self, known: KnownFiles) -> Iterator[ScanItem]:
        for root in self.roots:
            walk = FolderWalk(root)
            for found in walk.files():
                if not isinstance(found, FoundFile):
                    yield found
                elif known.is_unchanged(found.path, found.size, found.mtime_ns):
                    yield UnchangedFile(found.path)
                else:
                    yield self.reader.read(found.path, found.size, found.mtime_ns)
            self._incomplete.extend(walk.incomplete)
