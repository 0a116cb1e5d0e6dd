"""Kill tests: a real ``amsync`` process SIGKILLed at seeded moments while it lists, applies, or
pushes favourites — and nothing is lost.

Each test is a chain over one database and one emulator: mirror == library v(i); the library
becomes v(i+1); a real ``amsync sync`` (or ``favourites push``) is killed at a seeded moment;
then:

- the database passes ``PRAGMA integrity_check`` (SQLite) and holds no duplicate rows;
- the mirror is v(i) or v(i+1), never a mix (the apply is one transaction);
- no favourite wish is lost (pushes), and the killed run left its ``running`` record;
- the next run clears the stale lock at once (no ``--wait``) and ends with mirror == v(i+1)
  (for pushes: Apple holds every wish and the outbox is empty).

Moments: listing kills strike after a seeded number of API requests; apply kills wait until the
run has made every request a dry run of the same state makes (the fetch is over), then strike
after a seeded share of the measured apply time; push kills strike after a seeded number of
rating writes. The processes run ``tests.support.fast_amsync`` (the real CLI, unpaced).
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amsync.api import AppleMusicClient
from amsync.db.store import Store, open_store
from amsync.domain import FavouriteState, ItemType
from amsync.emulator import Emulator, FaultConfig, LibrarySpec
from amsync.emulator.library import Library
from amsync.favourites.edits import set_favourite
from amsync.favourites.push import push_favourites
from amsync.sync.runner import SyncOptions, run_sync
from tests.favourites.fakes import outbox_rows, stored_states
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.support.reliability import (
    FIGURES,
    amsync_env,
    duplicate_rows,
    emulator_for,
    mutate,
    run_statuses,
    spawn,
    sqlite_integrity,
)
from tests.sync.conftest import client_config

pytestmark = pytest.mark.slow

Say = Callable[[str], None]
RECOVERY_BOUND_S = 60.0  # generous: the contract is "at once", not a timing benchmark


async def _in_process_sync(url: str, store: Store, **options: Any) -> Any:
    async with AppleMusicClient(client_config(url)) as client:
        return await run_sync(client, store, "default", SyncOptions(**options))


def _requests(emulator: Emulator) -> int:
    return len(emulator.log.entries)


def _kill_when(
    process: Any, ready: Callable[[], bool], delay_s: float = 0.0, limit_s: float = 60
) -> bool:
    """SIGKILL ``process`` once ``ready()`` holds (then after ``delay_s``); ``True`` if it was
    still running when the signal went out."""
    deadline = time.monotonic() + limit_s
    while not ready():
        if process.poll() is not None:
            return False
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the run never reached the kill point")
        time.sleep(0.002)
    if delay_s:
        time.sleep(delay_s)
    alive = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.communicate()
    return alive


def _after_kill_checks(db: str, store: Store) -> None:
    if "://" not in db:
        assert sqlite_integrity(db) == [], "the database is damaged after a kill"
    assert duplicate_rows(store) == {}, "a kill left duplicate rows"


def _recover(url: str, store: Store, library: Library) -> int:
    """The next run: succeeds at once despite the killed run's lock; returns its requests."""
    started = time.monotonic()
    report = asyncio.run(_in_process_sync(url, store))
    assert report.status == "succeeded", report.warnings
    assert time.monotonic() - started < RECOVERY_BOUND_S, "the stale lock was not cleared"
    assert actual_mirror(store) == expected_mirror(library)
    assert duplicate_rows(store) == {}
    return int(report.requests)


def _bulk_edit(library: Library, rng: random.Random, fraction: float) -> None:
    """Many changed rows at once, so that the apply step has real work."""
    for song_id in sorted(library.songs):
        if rng.random() < fraction:
            library.update_song(song_id, name=f"Edited {rng.randrange(10**9)}")
    for playlist_id in sorted(library.playlists):
        tracks = list(library.playlists[playlist_id].tracks)
        rng.shuffle(tracks)
        library.set_playlist_tracks(playlist_id, tracks)


# --- listing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "kills", "seed"),
    [("sqlite", 10, 1), pytest.param("postgres", 3, 2, marks=pytest.mark.postgres)],
)
def test_kills_while_listing(
    backend: str, kills: int, seed: int, request: pytest.FixtureRequest, tmp_path: Path, say: Say
) -> None:
    db_url = _database(backend, request, tmp_path)
    rng = random.Random(seed)
    emulator = emulator_for(LibrarySpec(songs=400, playlists=12, folders=3, seed=seed))
    emulator.faults = FaultConfig(latency_ms=3.0)
    store = open_store(db_url)
    moments: list[int] = []
    try:
        with emulator.serve() as server:
            env = amsync_env(tmp_path / "home", server.url)
            expected_requests = _recover(server.url, store, emulator.library)
            for _ in range(kills):
                before = expected_mirror(emulator.library)
                mutate(emulator.library, rng, steps=6)
                after = expected_mirror(emulator.library)
                k = rng.randrange(1, max(2, expected_requests - 2))
                base = _requests(emulator)
                process = spawn(["--db", db_url, "-q", "sync"], env, fast=True)
                alive = _kill_when(process, lambda b=base, k=k: _requests(emulator) >= b + k)
                assert alive, f"the run finished before {k} requests"
                moments.append(k)
                _after_kill_checks(db_url, store)
                assert actual_mirror(store) in (before, after)
                assert actual_mirror(store) == before, "a run killed while listing wrote"
                expected_requests = _recover(server.url, store, emulator.library)
                FIGURES["kill points (listing)"] += 1
            statuses = run_statuses(store)
            assert statuses.count("interrupted") >= kills, statuses
    finally:
        store.close()
    say(f"kills while listing [{_db_kind(db_url)}]: {kills} kills after {moments} requests")


# --- applying --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "kills", "seed"),
    [("sqlite", 8, 3), pytest.param("postgres", 2, 4, marks=pytest.mark.postgres)],
)
def test_kills_while_applying(
    backend: str, kills: int, seed: int, request: pytest.FixtureRequest, tmp_path: Path, say: Say
) -> None:
    db_url = _database(backend, request, tmp_path)
    rng = random.Random(seed)
    emulator = emulator_for(LibrarySpec(songs=2500, playlists=20, folders=3, seed=seed))
    store = open_store(db_url)
    outcomes: list[str] = []
    try:
        with emulator.serve() as server:
            env = amsync_env(tmp_path / "home", server.url)
            # a first, unkilled process run measures the time from its last request to its end
            base = _requests(emulator)
            tail = _tail_time(spawn(["--db", db_url, "-q", "sync"], env, fast=True), emulator)
            assert actual_mirror(store) == expected_mirror(emulator.library)
            for _ in range(kills):
                before = expected_mirror(emulator.library)
                _bulk_edit(emulator.library, rng, fraction=0.3)
                mutate(emulator.library, rng, steps=4)
                after = expected_mirror(emulator.library)
                base = _requests(emulator)
                dry = asyncio.run(_in_process_sync(server.url, store, dry_run=True))
                fetch = _requests(emulator) - base
                assert dry.status == "dry-run"
                base = _requests(emulator)
                process = spawn(["--db", db_url, "-q", "sync"], env, fast=True)
                delay = rng.uniform(0.0, 0.7 * tail)
                alive = _kill_when(
                    process, lambda b=base, n=fetch: _requests(emulator) >= b + n, delay
                )
                _after_kill_checks(db_url, store)
                now = actual_mirror(store)
                assert now in (before, after), "a killed apply left a mix of two states"
                outcomes.append(
                    "exited" if not alive else ("committed" if now == after else "rolled back")
                )
                _recover(server.url, store, emulator.library)
                FIGURES["kill points (applying)"] += 1
    finally:
        store.close()
    assert "rolled back" in outcomes, f"no kill landed inside the apply: {outcomes}"
    say(
        f"kills while applying [{_db_kind(db_url)}]: {kills} kills, apply tail {tail:.2f} s, "
        f"outcomes {outcomes}"
    )


def _tail_time(process: Any, emulator: Emulator) -> float:
    last_count, last_at = _requests(emulator), time.monotonic()
    while process.poll() is None:
        count = _requests(emulator)
        if count != last_count:
            last_count, last_at = count, time.monotonic()
        time.sleep(0.002)
    _, err = process.communicate()
    assert process.returncode == 0, err
    return time.monotonic() - last_at


# --- pushing favourites ----------------------------------------------------------------------

WISHES = (FavouriteState.FAVOURITE, FavouriteState.DISLIKED, FavouriteState.NONE)


@pytest.mark.parametrize(
    ("backend", "kills", "seed"),
    [("sqlite", 6, 5), pytest.param("postgres", 2, 6, marks=pytest.mark.postgres)],
)
def test_kills_while_pushing_favourites(
    backend: str, kills: int, seed: int, request: pytest.FixtureRequest, tmp_path: Path, say: Say
) -> None:
    db_url = _database(backend, request, tmp_path)
    rng = random.Random(seed)
    emulator = emulator_for(LibrarySpec(songs=80, playlists=6, seed=seed))
    emulator.faults = FaultConfig(latency_ms=8.0)
    store = open_store(db_url)
    moments: list[int] = []
    try:
        with emulator.serve() as server:
            env = amsync_env(tmp_path / "home", server.url)
            _recover(server.url, store, emulator.library)
            for _ in range(kills):
                wishes = _wish(store, emulator.library, rng, count=14)
                pushes = sum(1 for r, b, local in stored_states(store).values() if local != b)
                k = rng.randrange(0, max(1, pushes - 1))
                base = _writes(emulator)
                process = spawn(["--db", db_url, "-q", "favourites", "push"], env, fast=True)
                alive = _kill_when(process, lambda b=base, k=k: _writes(emulator) >= b + k)
                assert alive, f"the push finished before {k} writes"
                moments.append(k)
                _after_kill_checks(db_url, store)
                states = stored_states(store)
                for key, wish in wishes.items():
                    local = states.get(key, ("none",) * 3)[2]
                    assert local == wish.value, f"the wish for {key} was lost"
                asyncio.run(_push(server.url, store))
                states = stored_states(store)
                for (kind, library_id), wish in wishes.items():
                    rating = emulator.library.rating_of(f"library-{kind}s", library_id)
                    assert FavouriteState.from_rating(rating) == wish, (kind, library_id)
                    stored = states.get((kind, library_id), ("none",) * 3)
                    assert stored == (wish.value,) * 3, (kind, library_id, stored)
                assert outbox_rows(store) == {}, "pushes stayed pending"
                assert duplicate_rows(store) == {}
                FIGURES["kill points (favourites push)"] += 1
    finally:
        store.close()
    say(
        f"kills while pushing favourites [{_db_kind(db_url)}]: {kills} kills after {moments} "
        "rating writes"
    )


def _writes(emulator: Emulator) -> int:
    return sum(1 for e in emulator.log.entries if e.method in ("PUT", "DELETE"))


def _wish(
    store: Store, library: Library, rng: random.Random, count: int
) -> dict[tuple[str, str], FavouriteState]:
    """Set ``count`` seeded local wishes on songs, albums and playlists (as `favourites add`)."""
    pools = {
        ItemType.SONG: sorted(library.songs),
        ItemType.ALBUM: sorted(library.albums),
        ItemType.PLAYLIST: sorted(library.playlists),
    }
    wishes: dict[tuple[str, str], FavouriteState] = {}
    for _ in range(count):
        kind = rng.choice(list(pools))
        item_id = rng.choice(pools[kind])
        if (kind.value, item_id) in wishes:
            continue
        wish = rng.choice(WISHES)
        set_favourite(store, "default", kind, item_id, wish)
        wishes[(kind.value, item_id)] = wish
    return wishes


async def _push(url: str, store: Store) -> None:
    async with AppleMusicClient(client_config(url)) as client:
        report = await push_favourites(client, store, "default")
    assert not report.pending, [i.error for i in report.pending]


def _db_kind(db_url: str) -> str:
    return "postgres" if "://" in db_url else "sqlite"


def _database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "mirror.db")
