"""Helpers for the reliability suites (``tests/reliability``): seeded library mutations, real
``amsync`` subprocesses, database health checks and the figures docs/explanation/testing.md quotes.

Nothing here asserts; the suites do. Everything is seeded so that a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from amsync.db import tables
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, FaultConfig, LibrarySpec, generate_library
from amsync.emulator.library import Library
from tests.support.mirror_compare import actual_mirror, dump_tables, expected_mirror
from tests.sync.conftest import DEV, USER

# --- figures for the docs ----------------------------------------------------------------------

FIGURES: Counter[str] = Counter()
"""Counts recorded by the reliability tests and printed at the end of the session (see
``tests/reliability/conftest.py``), e.g. ``FIGURES["fault runs"] += 1``."""


# --- libraries -----------------------------------------------------------------------------------


def tiny_spec(seed: int, songs: int = 30) -> LibrarySpec:
    """A small library with every kind of item (folders, uploads, favourites, withdrawn ids)."""
    return LibrarySpec(
        songs=songs,
        albums=max(3, songs // 8),
        artists=max(4, songs // 8),
        playlists=4,
        folders=4,
        seed=seed,
        upload_fraction=0.1,
        withdrawn_fraction=0.05,
        favourite_fraction=0.2,
        dislike_fraction=0.05,
        hostile_fraction=0.1,
        max_playlist_tracks=30,
        music_videos=1,
    )


def emulator_for(spec: LibrarySpec, faults: FaultConfig | None = None) -> Emulator:
    return Emulator(
        generate_library(spec), developer_tokens={DEV}, music_user_tokens={USER}, faults=faults
    )


def mutate(library: Library, rng: random.Random, steps: int = 4) -> list[str]:
    """Apply ``steps`` seeded, guard-safe edits (add/remove/rename songs, playlist edits,
    renames, new and removed playlists, ratings); returns what was done, for messages."""
    done: list[str] = []
    for _ in range(steps):
        songs = sorted(library.songs)
        playlists = sorted(library.playlists)
        kind = rng.choice(
            [
                "add",
                "upload",
                "remove",
                "rename",
                "tracks",
                "rename-pl",
                "new-pl",
                "drop-pl",
                "rate",
                "rate",
            ]
        )
        if kind == "add":
            in_library = {s.catalog_id for s in library.songs.values()}
            free = sorted(
                c.id
                for c in library.catalog_songs.values()
                if c.id not in in_library and not c.withdrawn
            )
            if free:
                library.add_song(rng.choice(free))
                done.append(kind)
        elif kind == "upload":
            library.add_song(name=f"Upload {rng.randrange(10**6)}", artist_name="Me")
            done.append(kind)
        elif kind == "remove" and len(songs) > 5:
            library.remove_song(rng.choice(songs))
            done.append(kind)
        elif kind == "rename" and songs:
            library.update_song(rng.choice(songs), name=f"Renamed {rng.randrange(10**6)}")
            done.append(kind)
        elif kind == "tracks" and playlists and songs:
            playlist = rng.choice(playlists)
            tracks = list(library.playlists[playlist].tracks)
            rng.shuffle(tracks)
            tracks = tracks[: rng.randrange(len(tracks) + 1)]
            tracks += rng.sample(songs, min(len(songs), rng.randrange(4)))
            library.set_playlist_tracks(playlist, tracks)
            done.append(kind)
        elif kind == "rename-pl" and playlists:
            library.rename_playlist(rng.choice(playlists), f"Playlist {rng.randrange(10**6)}")
            done.append(kind)
        elif kind == "new-pl" and songs:
            picked = [rng.choice(songs) for _ in range(rng.randrange(1, 6))]  # duplicates allowed
            library.add_playlist(f"New {rng.randrange(10**6)}", tracks=picked)
            done.append(kind)
        elif kind == "drop-pl" and len(playlists) > 2:
            library.remove_playlist(rng.choice(playlists))
            done.append(kind)
        elif kind == "rate" and songs:
            library.set_rating("library-songs", rng.choice(songs), rng.choice([1, -1, None]))
            done.append(kind)
    return done


# --- the database ------------------------------------------------------------------------------


def sqlite_integrity(path: str | Path) -> list[str]:
    """Problems ``PRAGMA integrity_check`` and ``foreign_key_check`` report (empty: healthy)."""
    # a read-write connection, as the next amsync run opens (a read-only one cannot recover a
    # WAL that a killed process left behind); the checks themselves write nothing
    connection = sqlite3.connect(path)
    try:
        rows = [str(r[0]) for r in connection.execute("PRAGMA integrity_check")]
        problems = [r for r in rows if r != "ok"]
        problems += [repr(r) for r in connection.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        connection.close()


def duplicate_rows(store: Store) -> dict[str, int]:
    """Per table, how many (account, Apple id) keys occur more than once (empty: none)."""
    keyed: dict[str, Sequence[str]] = {
        "songs": ("account_id", "library_id"),
        "albums": ("account_id", "library_id"),
        "artists": ("account_id", "library_id"),
        "playlists": ("account_id", "library_id"),
        "playlist_folders": ("account_id", "library_id"),
        "catalog_songs": ("account_id", "catalog_id"),
        "catalog_albums": ("account_id", "catalog_id"),
        "catalog_artists": ("account_id", "catalog_id"),
        "favourites": ("account_id", "item_type", "library_id"),
        "favourite_pushes": ("account_id", "item_type", "library_id"),
        "run_locks": ("account_id",),
    }
    found: dict[str, int] = {}
    with store.session() as session:
        for name, columns in keyed.items():
            table = getattr(tables, name)
            cols = [table.c[c] for c in columns]
            dupes = session.execute(select(*cols).group_by(*cols).having(func.count() > 1)).all()
            if dupes:
                found[name] = len(dupes)
        # at most one current revision per playlist, entries positions unique per revision
        e = tables.playlist_entries
        dupes = session.execute(
            select(e.c.revision_id, e.c.position)
            .group_by(e.c.revision_id, e.c.position)
            .having(func.count() > 1)
        ).all()
        if dupes:
            found["playlist_entries"] = len(dupes)
        r = tables.playlist_revisions
        open_revisions = session.execute(
            select(r.c.playlist_id)
            .where(r.c.valid_to.is_(None))
            .group_by(r.c.playlist_id)
            .having(func.count() > 1)
        ).all()
        if open_revisions:
            found["open playlist_revisions"] = len(open_revisions)
    return found


def run_statuses(store: Store) -> list[str]:
    with store.session() as session:
        return list(
            session.execute(select(tables.sync_runs.c.status).order_by(tables.sync_runs.c.id))
            .scalars()
            .all()
        )


def mirror_of(db: str, account: str = "default") -> dict[str, Any]:
    store = open_store(db)
    try:
        return actual_mirror(store, account)
    finally:
        store.close()


def tables_of(db: str) -> dict[str, list[tuple[Any, ...]]]:
    store = open_store(db)
    try:
        return dump_tables(store)
    finally:
        store.close()


def copy_sqlite(source: str | Path, target: str | Path) -> str:
    """A copy of an SQLite mirror (with SQLite's backup API, so WAL content is included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return str(target)


# --- subprocesses --------------------------------------------------------------------------------


def amsync_env(home: Path, url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a real ``amsync`` process: this one's without AMSYNC_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMSYNC_")}
    if os.environ.get("AMSYNC_RATE_MEMORY"):  # the test's own (tests/conftest.py)
        env["AMSYNC_RATE_MEMORY"] = os.environ["AMSYNC_RATE_MEMORY"]
    env.update(
        {
            "AMSYNC_HOME": str(home),
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
    )
    if url is not None:
        env["AMSYNC_API_URL"] = url
    env.update(extra)
    return env


def spawn(
    args: Sequence[str], env: Mapping[str, str], *, fast: bool = False, **popen: Any
) -> subprocess.Popen[str]:
    """``amsync ARGS`` as a real process (stdout and stderr captured as text); ``fast``: with
    the request rate unpaced (``tests.support.fast_amsync``)."""
    module = "tests.support.fast_amsync" if fast else "amsync"
    popen.setdefault("stdout", subprocess.PIPE)
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        env=dict(env),
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def run_amsync(
    args: Sequence[str],
    env: Mapping[str, str],
    timeout: float = 120,
    *,
    fast: bool = False,
    **popen: Any,
) -> subprocess.CompletedProcess[str]:
    process = spawn(args, env, fast=fast, **popen)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"amsync {' '.join(args)} did not finish: {err[-2000:]}") from None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def expected(library: Library) -> dict[str, Any]:
    return expected_mirror(library)


def which(name: str) -> str | None:
    return shutil.which(name)


# --- aimed faults --------------------------------------------------------------------------------

FORCEABLE = ("error", "drop", "truncate", "throttle", "short_page", "transient_404")


def force_fault(
    emulator: Emulator, prefixes: Sequence[str], kind: str, *, always: bool = False
) -> None:
    """Make the emulator's fault decision strike ``kind`` on requests to ``prefixes``: the first
    time each request is seen (a retry then meets the seeded ``FaultConfig`` only), or on every
    request with ``always``. Seeded rates alone may miss an endpoint that a tiny library asks
    only once; this makes every case of the matrix meet its fault."""
    from dataclasses import replace as replace_decision

    from amsync.emulator.faults import Decision

    if kind not in FORCEABLE:
        raise ValueError(kind)
    decider = emulator._decider  # the emulator's one fault decider (see emulator.py)
    original = decider.decide
    seen: set[tuple[str, str]] = set()

    def decide(method: str, path: str, target: str, offset: int | None) -> Decision:
        decision = original(method, path, target, offset)
        if not path.startswith(tuple(prefixes)):
            return decision
        first = (method, target) not in seen
        seen.add((method, target))
        if not (first or always):
            return decision
        if kind == "error":
            return replace_decision(decision, error_status=503)
        if kind == "drop":
            return replace_decision(decision, drop=True)
        if kind == "truncate":
            return replace_decision(decision, truncate=True)
        if kind == "throttle":
            return replace_decision(decision, throttled=True)
        if kind == "short_page" and offset is not None:
            return replace_decision(decision, short_page_drop=(0,))
        if kind == "transient_404" and offset:
            return replace_decision(decision, transient_404=True)
        return decision

    decider.decide = decide  # type: ignore[method-assign]
