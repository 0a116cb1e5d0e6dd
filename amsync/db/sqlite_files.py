"""Facts about amsync's SQLite files that need no SQLAlchemy: the header every SQLite file
starts with, the application id that marks a file as amsync's, and the busy timeout of every
connection, and whether a database must be read as immutable. ``amsync.db.engine`` and the fast
read path (``amsync.db.reading``) share them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

SQLITE_HEADER: Final = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS: Final = 15_000
AMSYNC_APPLICATION_ID: Final = 0x414D5359  # "AMSY": marks an SQLite file as amsync's


def read_as_immutable(path: Path) -> bool:
    """A WAL database is read through its ``-shm`` file, which SQLite cannot create in a folder
    that cannot be written (a read-only filesystem, a CD, a snapshot): there nothing can change
    the file either, so it is read as immutable, without the ``-shm``. ``EROFS`` counts even for
    root."""
    if Path(f"{path}-shm").exists():
        return False
    return not os.access(path.absolute().parent, os.W_OK)
