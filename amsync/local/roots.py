"""Scanned folders under their real names, and folders to forget (issue 22, item 2).

A folder scanned under two names — through a link, or by an older amsync that kept the name it
was given — stored every file twice, and a file under the second name was never marked gone.
Files are now stored by their real paths (``amsync.audiotags.folder_walk``), and what an older
scan stored under another name is reconciled before a scan walks: a row whose real path nobody
holds yet is renamed (its matches and links follow it, nothing is read again); a row whose
real path is stored too is a duplicate, merged into that row (matches and links moved to it)
and deleted. Only rows of the folders being scanned are looked at: those below a root, as
given or resolved, or whose real path is.

``forget`` marks the files below folders gone without walking them (a folder that is no longer
music, or no longer there); ``files_below`` counts what the database holds below folders, so
that a missing folder that holds nothing is reported as a mistyped name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, or_, select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain.local_files import FOLDERS_SOURCE

files = tables.local_files
matches = tables.local_matches
links = tables.local_links
BATCH: Final = 5000


class DirectoryResolver:
    """Real paths of stored file paths, one ``lstat`` per distinct folder (remembered), and a
    ``realpath`` only where a folder or the file is a link."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def folder(self, folder: str) -> str:
        found = self._folders.get(folder)
        if found is None:
            parent, name = os.path.split(folder)
            if not name or parent == folder:
                found = folder
            else:
                found = _resolved(os.path.join(self.folder(parent), name))  # noqa: PTH118
            self._folders[folder] = found
        return found

    def real(self, path: str) -> str:
        folder, name = os.path.split(path)
        return _resolved(os.path.join(self.folder(folder), name))  # noqa: PTH118


def _resolved(candidate: str) -> str:
    """``candidate`` (whose folder is real) resolved if it is a link itself."""
    return os.path.realpath(candidate) if os.path.islink(candidate) else candidate  # noqa: PTH114


def under(path: str, folders: Iterable[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def below(folder: str) -> ColumnElement[bool]:
    """``local_files.path`` is ``folder`` or lies below it (compared as a prefix of exact
    characters: no ``LIKE`` wildcard in a name can widen it, and no collation can reorder it)."""
    prefix = folder.rstrip("/") + "/"
    return or_(files.c.path == folder, func.substr(files.c.path, 1, len(prefix)) == prefix)


def both_names(folders: Iterable[str]) -> tuple[str, ...]:
    """Each folder as given (absolute) and resolved."""
    names: dict[str, None] = {}
    for folder in folders:
        given = os.path.abspath(os.path.expanduser(folder))  # noqa: PTH100, PTH111
        names[given] = None
        names[os.path.realpath(given)] = None
    return tuple(names)


def files_below(store: Store, folders: Sequence[str]) -> int:
    """The files of folder scans stored below ``folders`` (as given or resolved) and not
    gone."""
    names = both_names(folders)
    with store.session() as session:
        found = session.scalar(
            select(func.count())
            .select_from(files)
            .where(
                files.c.source == FOLDERS_SOURCE,
                files.c.gone_at.is_(None),
                or_(*(below(name) for name in names)),
            )
        )
    return int(found or 0)


def forget(store: Store, folders: Sequence[str], now: datetime) -> int:
    """Mark every file of folder scans below ``folders`` (as given or resolved) gone; the
    number marked."""
    names = both_names(folders)
    with store.writing() as session:
        result = session.connection().execute(
            update(files)
            .where(
                files.c.source == FOLDERS_SOURCE,
                files.c.gone_at.is_(None),
                or_(*(below(name) for name in names)),
            )
            .values(gone_at=now)
        )
    return int(result.rowcount or 0)


def aliases(stored: Iterable[tuple[str, str, bool]], roots: Sequence[str]) -> list[tuple[str, str]]:
    """``(stored path, real path)`` for the live rows of folder scans, given as ``(path,
    source, gone)``, that are stored under another name than their real one and belong to
    ``roots`` (by either name)."""
    resolver = DirectoryResolver()
    found: list[tuple[str, str]] = []
    for path, source, gone in stored:
        if gone or source != FOLDERS_SOURCE:
            continue
        real = resolver.real(path)
        if real != path and (under(path, roots) or under(real, roots)):
            found.append((path, real))
    return found


def reconcile(store: Store, ids: dict[str, int], pairs: Sequence[tuple[str, str]]) -> int:
    """Rename or merge each ``(alias, real)`` pair (see the module docstring); ``ids`` maps
    every stored path to its row (and is kept up to date). The number of rows reconciled."""
    renames: list[dict[str, Any]] = []
    merges: list[dict[str, Any]] = []
    for alias, real in pairs:
        alias_id = ids.pop(alias)
        twin = ids.get(real)
        if twin is None:
            ids[real] = alias_id
            renames.append({"row": alias_id, "real": real})
        else:
            merges.append({"row": alias_id, "twin": twin})
    with store.writing() as session:
        connection = session.connection()
        for start in range(0, len(renames), BATCH):
            connection.execute(
                update(files).where(files.c.id == bindparam("row")).values(path=bindparam("real")),
                renames[start : start + BATCH],
            )
        if merges:
            connection.execute(
                update(matches)
                .where(matches.c.file_id == bindparam("row"))
                .values(file_id=bindparam("twin")),
                merges,
            )
            for start in range(0, len(merges), BATCH):
                chunk = [merge["row"] for merge in merges[start : start + BATCH]]
                connection.execute(delete(files).where(files.c.id.in_(chunk)))
        _move_links(connection, dict(pairs))
    return len(pairs)


def _move_links(connection: Connection, real_of: dict[str, str]) -> None:
    """Links name files by path: a link to a stored alias names the real path now."""
    linked = {row[0] for row in connection.execute(select(links.c.path).distinct())}
    moves = [{"alias": path, "real": real_of[path]} for path in linked if path in real_of]
    if moves:
        connection.execute(
            update(links).where(links.c.path == bindparam("alias")).values(path=bindparam("real")),
            moves,
        )
