"""Fault matrix: every fault kind aimed at every collection's endpoint, over real HTTP.

A mirror of library v1 exists; the emulator then holds v2 (seeded edits) and serves it with one
fault aimed (``FaultConfig.paths``) at one endpoint. Each run ends in one of two ways only:

- recoverable faults: the run succeeds and the mirror equals v2 (``expected_mirror``);
- terminal faults: the documented exit code (3 authorization, 4 deletion guard, 75 retries
  exhausted) and every mirror table exactly as before (``dump_tables``).

Recoverable runs use the library API with a compressed backoff (the retry *decisions* are the
product's; only the sleeps are shorter); terminal runs go through the real CLI.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from amsync.api import AppleMusicClient
from amsync.api.retry import DEFAULT_RULES
from amsync.cli import client_factory
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, FaultConfig
from amsync.sync.runner import SyncOptions, run_sync
from tests.support.cli import invoke
from tests.support.mirror_compare import actual_mirror, dump_tables, expected_mirror
from tests.support.reliability import FIGURES, emulator_for, force_fault, mutate, tiny_spec
from tests.sync.conftest import FAST, client_config

COLLECTIONS: dict[str, tuple[str, ...]] = {
    "songs": ("/v1/me/library/songs", "/v1/me/library/music-videos"),
    "albums": ("/v1/me/library/albums",),
    "artists": ("/v1/me/library/artists",),
    "playlists": ("/v1/me/library/playlists",),  # the listing and every playlist's tracks
    "folders": ("/v1/me/library/playlist-folders",),
    "ratings": ("/v1/me/ratings",),
    "catalog": ("/v1/catalog",),
    "storefront": ("/v1/me/storefront",),
}
PAGED = {"songs", "albums", "artists", "playlists", "folders"}

# fault → (seeded FaultConfig values, the kind ``force_fault`` makes strike each request's
# first occurrence, so that every case meets its fault even on an endpoint asked once)
RECOVERABLE: dict[str, tuple[dict[str, Any], str | None]] = {
    "latency": ({"latency_ms": 10.0, "jitter_ms": 10.0}, None),
    "429-storm": ({"rate_limit_rps": 40.0, "rate_limit_burst": 2}, "throttle"),
    "5xx": ({"error_rate": 0.3}, "error"),
    "dropped": ({"drop_rate": 0.3}, "drop"),
    "truncated": ({"truncate_rate": 0.3}, "truncate"),
    "short-page": ({"short_page_rate": 0.5}, "short_page"),
    "transient-404": ({"transient_404_rate": 0.5}, "transient_404"),
}
PAGED_ONLY = {"short-page", "transient-404"}

FAST_RULES = {
    failure: replace(rule, backoff_base_s=0.005, backoff_cap_s=0.02)
    for failure, rule in DEFAULT_RULES.items()
}
SEED = 20_261_121


def _cases() -> list[Any]:
    cases = []
    for fault in RECOVERABLE:
        for collection in COLLECTIONS:
            if fault in PAGED_ONLY and collection not in PAGED:
                continue
            cases.append(pytest.param(fault, collection, id=f"{fault}-{collection}"))
    return cases


def _v1_v2(seed: int) -> tuple[Emulator, Emulator]:
    """Two emulators: library v1, and the same library after seeded edits (v2)."""
    v1 = emulator_for(tiny_spec(seed, songs=36))
    v2 = emulator_for(tiny_spec(seed, songs=36))
    for emulator in (v1, v2):  # a withdrawn catalog song: the catalog multi-get confirms it
        library = emulator.library
        first = min(s.catalog_id for s in library.songs.values() if s.catalog_id)
        library.withdraw_catalog_song(first)
    mutate(v2.library, random.Random(seed), steps=6)
    v2.library.set_rating("library-playlists", sorted(v2.library.playlists)[0], 1)
    return v1, v2


async def _sync(
    emulator: Emulator, url: str, store: Store, *, full: bool = False, **config: Any
) -> Any:
    values: dict[str, Any] = {"retry_rules": FAST_RULES, "page_limit": 3, **config}
    async with AppleMusicClient(client_config(url, **values)) as client:
        return await run_sync(client, store, "default", SyncOptions(full=full))


def _met(emulator: Emulator, prefixes: tuple[str, ...], fault: str) -> bool:
    """Whether the aimed fault actually struck (a faulted status, or a page fetched again)."""
    aimed = [e for e in emulator.log.entries if e.path.startswith(prefixes)]
    if not aimed:
        return False
    if fault == "latency":
        return True
    if any(e.status not in (200, 404) for e in aimed):
        return True
    targets = [(e.method, e.path, e.query) for e in aimed]
    return len(set(targets)) < len(targets)


@pytest.mark.parametrize(("fault", "collection"), _cases())
def test_recoverable_fault_ends_equal_to_the_fault_free_mirror(
    fault: str, collection: str, sqlite_path: str
) -> None:
    v1, v2 = _v1_v2(SEED)
    prefixes = COLLECTIONS[collection]
    values, forced = RECOVERABLE[fault]
    v2.faults = FaultConfig(seed=SEED, paths=prefixes, **values)
    if forced:
        force_fault(v2, prefixes, forced)
    store = open_store(sqlite_path)
    try:
        with v1.serve() as first, v2.serve() as second:
            asyncio.run(_sync(v1, first.url, store))
            assert actual_mirror(store) == expected_mirror(v1.library)
            report = asyncio.run(_sync(v2, second.url, store, full=collection == "catalog"))
        assert report.status == "succeeded", report.warnings
        assert all(report.complete.values()), report.warnings
        assert _met(v2, prefixes, fault), f"{fault} never struck {collection}"
        assert actual_mirror(store) == expected_mirror(v2.library)
    finally:
        store.close()
    FIGURES["fault runs (recoverable)"] += 1


@pytest.mark.postgres
@pytest.mark.parametrize("fault", sorted(RECOVERABLE))
def test_recoverable_faults_everywhere_on_postgres(fault: str, postgres_url: str) -> None:
    v1, v2 = _v1_v2(SEED + 1)
    values, forced = RECOVERABLE[fault]
    v2.faults = FaultConfig(seed=SEED, **values)
    if forced:
        force_fault(v2, ["/v1/"], forced)
    store = open_store(postgres_url)
    try:
        with v1.serve() as first, v2.serve() as second:
            asyncio.run(_sync(v1, first.url, store))
            report = asyncio.run(_sync(v2, second.url, store))
        assert report.status == "succeeded", report.warnings
        assert actual_mirror(store) == expected_mirror(v2.library)
    finally:
        store.close()
    FIGURES["fault runs (recoverable)"] += 1


# --- terminal faults: documented exit code, previous mirror intact ----------------------------

Breaker = Callable[[Emulator], None]


def _faults(**values: Any) -> Breaker:
    def apply(emulator: Emulator) -> None:
        emulator.faults = FaultConfig(seed=SEED, **values)

    return apply


def _always(prefixes: tuple[str, ...], kind: str) -> Breaker:
    def apply(emulator: Emulator) -> None:
        force_fault(emulator, prefixes, kind, always=True)

    return apply


def _empty(collection: str) -> Breaker:
    def apply(emulator: Emulator) -> None:
        library = emulator.library
        if collection == "songs":
            for song_id in list(library.songs):
                library.remove_song(song_id)
            library.music_videos.clear()
        elif collection == "folders":
            for folder_id in list(library.folders):
                library.remove_folder(folder_id)
        else:
            getattr(library, collection).clear()
        library.touch()

    return apply


def _terminal_cases() -> list[Any]:
    cases: list[Any] = []
    for collection, prefixes in COLLECTIONS.items():
        for name, kind in (
            ("5xx-exhausted", "error"),
            ("dropped-exhausted", "drop"),
            ("truncated-exhausted", "truncate"),
            ("429-exhausted", "throttle"),
        ):
            cases.append(pytest.param(_always(prefixes, kind), 75, id=f"{name}-{collection}"))
    for after in (0, 1, 4, 9, 14):
        cases.append(
            pytest.param(
                _faults(developer_token_expires_after=after), 3, id=f"developer-expired-{after}"
            )
        )
        cases.append(
            pytest.param(
                _faults(music_user_token_revoked_after=after), 3, id=f"user-revoked-{after}"
            )
        )
    cases.append(pytest.param(_faults(empty_library=True), 4, id="empty-library"))
    for collection in ("songs", "albums", "artists", "playlists", "folders"):
        cases.append(pytest.param(_empty(collection), 4, id=f"empty-{collection}"))
    return cases


PG_TERMINAL = {
    "5xx-exhausted-songs",
    "dropped-exhausted-playlists",
    "truncated-exhausted-ratings",
    "429-exhausted-catalog",
    "developer-expired-4",
    "user-revoked-9",
    "empty-library",
    "empty-playlists",
}


@pytest.mark.parametrize(("breaker", "exit_code"), _terminal_cases())
def test_terminal_fault_exits_with_its_code_and_keeps_the_mirror(
    breaker: Breaker, exit_code: int, sqlite_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal(breaker, exit_code, sqlite_path, monkeypatch)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("breaker", "exit_code"), [c for c in _terminal_cases() if c.id in PG_TERMINAL]
)
def test_terminal_fault_on_postgres(
    breaker: Breaker, exit_code: int, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal(breaker, exit_code, postgres_url, monkeypatch)


def _terminal(
    breaker: Breaker, exit_code: int, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the CLI's client starts at Apple-friendly 8 requests/s; these tiny runs need no pacing
    monkeypatch.setattr(client_factory, "RateSettings", lambda: FAST)
    v1, v2 = _v1_v2(SEED + 2)
    env = {"AMSYNC_RETRY_BUDGET": "0.4"}
    store = open_store(db_url)
    try:
        with v1.serve() as first:
            asyncio.run(_sync(v1, first.url, store))
        before = dump_tables(store)
        assert actual_mirror(store) == expected_mirror(v1.library)
        assert expected_mirror(v2.library) != expected_mirror(v1.library)
        breaker(v2)
        with v2.serve() as second:
            # --full: catalog metadata is fetched again, so catalog faults are met too
            args = ["--db", db_url, "--api-url", second.url, "sync", "--full"]
            result = invoke(args, env=_tokens(env))
        assert result.exit_code == exit_code, result.output
        assert dump_tables(store) == before, "a failed run changed the mirror"
        lines = [line for line in result.stderr.splitlines() if "error" in line]
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    finally:
        store.close()
    FIGURES["fault runs (terminal)"] += 1


def _tokens(extra: dict[str, str]) -> dict[str, str]:
    from tests.sync.conftest import DEV, USER

    return {"AMSYNC_DEVELOPER_TOKEN": DEV, "AMSYNC_MUSIC_USER_TOKEN": USER, **extra}
