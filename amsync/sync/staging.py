"""Where fetched items wait for the apply step: a private SQLite file in a temporary folder.

A sync of a large library must run in bounded memory (DESIGN §2, issue 5), yet the mirror may
change only once every listing is complete and the deletion guard has spoken. So each page is
written here as it arrives; memory holds only ids and fingerprints; the apply step reads the
rows back in chunks inside its one transaction. Rows are pickled (the file is private to
this process and never read by anything else); the file is removed when the sync ends.

A sync killed with SIGKILL cannot remove its folder (``$TMPDIR/amsync-sync-*``). Each folder
names its owner (an ``owner`` file: host and pid), and a later sync removes the folders whose
owner on this host is gone — as a stale run lock is cleared. A folder of another host (a
shared temporary folder), of a live process, or without an owner file (one being made, or
left by an older amsync) is left alone.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import socket
import sqlite3
import tempfile
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from amsync.sync.rows import Row

logger = logging.getLogger("amsync.sync")

CHUNK = 1000
LOOKUP_MAX = 900  # below SQLite's limit of bound parameters per statement


PREFIX = "amsync-sync-"
OWNER_FILE = "owner"


def _owner() -> str:
    return f"{socket.gethostname()}\n{os.getpid()}\n"


def remove_orphans(directory: Path | None = None) -> list[Path]:
    """Remove the staging folders in ``directory`` (the temporary folder by default) whose
    owning process on this host no longer exists; returns them."""
    from amsync.db.locks import pid_alive

    base = Path(directory or tempfile.gettempdir())
    host = socket.gethostname()
    removed: list[Path] = []
    for folder in base.glob(PREFIX + "*"):
        try:
            owner_host, pid = (folder / OWNER_FILE).read_text(encoding="utf-8").splitlines()[:2]
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if owner_host != host or not pid.isdigit() or pid_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class Staging:
    def __init__(self, directory: Path | None = None) -> None:
        for folder in remove_orphans(directory):
            logger.info("removed the staging folder %s of a sync that was killed", folder)
        self._tmp = tempfile.TemporaryDirectory(prefix=PREFIX, dir=directory)
        (Path(self._tmp.name) / OWNER_FILE).write_text(_owner(), encoding="utf-8")
        self.path = Path(self._tmp.name) / "staging.db"
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE staged (collection TEXT NOT NULL, key TEXT NOT NULL, "
            "payload BLOB NOT NULL, PRIMARY KEY (collection, key)) WITHOUT ROWID"
        )
        self._db.execute("BEGIN")

    def put_many(self, collection: str, rows: Iterable[tuple[str, Row | list[Row]]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO staged (collection, key, payload) VALUES (?, ?, ?)",
            (
                (collection, key, pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL))
                for key, row in rows
            ),
        )

    def get(self, collection: str, key: str) -> Any:
        found = self._db.execute(
            "SELECT payload FROM staged WHERE collection = ? AND key = ?", (collection, key)
        ).fetchone()
        return pickle.loads(found[0]) if found else None  # noqa: S301 - our own file

    def rows(
        self, collection: str, keys: Collection[str] | None = None
    ) -> Iterator[tuple[str, Any]]:
        """The staged rows of ``collection`` (only ``keys`` if given), in key order."""
        if keys is not None and len(keys) <= LOOKUP_MAX:
            marks = ",".join("?" * len(keys))
            cursor = self._db.execute(
                f"SELECT key, payload FROM staged WHERE collection = ? AND key IN ({marks}) "
                "ORDER BY key",
                (collection, *keys),
            )
            keys = None
        else:
            cursor = self._db.execute(
                "SELECT key, payload FROM staged WHERE collection = ? ORDER BY key", (collection,)
            )
        while batch := cursor.fetchmany(CHUNK):
            for key, payload in batch:
                if keys is None or key in keys:
                    yield key, pickle.loads(payload)  # noqa: S301 - our own file

    def close(self) -> None:
        try:
            self._db.close()
        finally:
            self._tmp.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
