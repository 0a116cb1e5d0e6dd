"""The two sources of local files (``amsync.domain.ports.LocalFileSource``): folders whose
audio files are read with mutagen, and a beets library database (``beets_library``)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from amsync.audiotags.folder_walk import FolderWalk, FoundFile
from amsync.audiotags.tag_reading import MutagenTagReader
from amsync.domain.local_files import FOLDERS_SOURCE, ScanItem, UnchangedFile, nothing_at
from amsync.domain.ports import KnownFiles


class FolderSource:
    """The audio files below ``roots``, by their real paths (``os.path.realpath``: a music
    folder reached through a link, or named twice, is one folder, and each file is stored once).

    ``given`` keeps each root as given (absolute, not resolved): files stored under that name
    by an older amsync are the same files (``amsync.local.scan`` reconciles them). A root that
    does not exist is ``missing``: it is walked as an empty folder, so the files stored below it
    are marked gone."""

    name = FOLDERS_SOURCE

    def __init__(self, roots: Sequence[str], reader: MutagenTagReader | None = None) -> None:
        self.given = tuple(dict.fromkeys(os.path.abspath(root) for root in roots))  # noqa: PTH100
        self.roots = tuple(dict.fromkeys(os.path.realpath(root) for root in self.given))
        self.missing = tuple(root for root in self.roots if nothing_at(root))
        self.reader = reader or MutagenTagReader()
        self._incomplete: list[str] = []
        self._followed: list[str] = []

    def scope(self) -> Sequence[str]:
        """The resolved roots, and after the walk the real paths of the linked folders it
        followed."""
        return (*self.roots, *dict.fromkeys(self._followed))

    def aliases(self) -> Sequence[str]:
        """The roots as given where they differ from their real paths."""
        return tuple(root for root in self.given if root not in self.roots)

    def missing_folders(self) -> Sequence[str]:
        return self.missing

    def incomplete_folders(self) -> Sequence[str]:
        return tuple(self._incomplete)

    def items(self, known: KnownFiles) -> Iterator[ScanItem]:
        visited: set[tuple[int, int]] = set()  # a folder reached from two roots: walked once
        for root in self.roots:
            if root in self.missing:
                continue
            walk = FolderWalk(root, visited=visited)
            for found in walk.files():
                if not isinstance(found, FoundFile):
                    yield found
                elif known.is_unchanged(found.path, found.size, found.mtime_ns):
                    yield UnchangedFile(found.path)
                else:
                    yield self.reader.read(found.path, found.size, found.mtime_ns)
            self._incomplete.extend(walk.incomplete)
            self._followed.extend(walk.followed)
