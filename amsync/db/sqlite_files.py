"""Facts about amsync's SQLite files that need no SQLAlchemy: the header every SQLite file
starts with, the application id that marks a file as amsync's, and the busy timeout of every
connection. ``amsync.db.engine`` and the fast read path (``amsync.db.reading``) share them."""

from __future__ import annotations

from typing import Final

SQLITE_HEADER: Final = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS: Final = 15_000
AMSYNC_APPLICATION_ID: Final = 0x414D5359  # "AMSY": marks an SQLite file as amsync's
