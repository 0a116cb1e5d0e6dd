"""Whether a stored file is still on disk, checked cheaply where a file is chosen (issue 22,
item 2).

The database knows a file is gone only when a scan looked (``gone_at``); a folder that was
deleted, unmounted or renamed since leaves rows that look alive. So ``amsync local match`` and
``amsync export m3u|xspf --local`` never take a stored path on trust: each file they choose is
looked at once (one ``stat``, remembered), and when it is not there its folder is looked at
too — a folder that is gone takes all its files with it, so a whole missing music folder costs
one look per file chosen from it, not a round per file. Only "nothing there" counts as gone; a
file that cannot be looked at (permissions) is taken as present, as a scan does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from amsync.domain.local_files import nothing_at


@dataclass
class Presence:
    """Remembered answers to "is this file (or folder) still there?"."""

    _files: dict[str, bool] = field(default_factory=dict)
    _folders: dict[str, bool] = field(default_factory=dict)
    looked: int = 0  # stat calls made

    def file(self, path: str) -> bool:
        found = self._files.get(path)
        if found is None:
            self.looked += 1
            found = self._files[path] = not nothing_at(path)
        return found

    def folder_gone(self, path: str) -> bool:
        """Whether the folder holding ``path`` is gone too (asked for a file found missing)."""
        folder = os.path.dirname(path)  # noqa: PTH120
        gone = self._folders.get(folder)
        if gone is None:
            self.looked += 1
            gone = self._folders[folder] = nothing_at(folder)
        return gone
