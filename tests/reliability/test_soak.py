"""Soak: many consecutive syncs of one library that keeps changing, under seeded faults.

Each round applies seeded edits (songs added, uploaded, removed, renamed; playlists edited,
renamed, added, removed; ratings), switches to the round's faults (5xx, drops, truncation,
short pages, mid-list 404s, 429s), syncs over real HTTP into a real database and compares the
whole mirror with the emulator's library. The count is bounded so that it runs in CI; the test
prints a one-line summary that docs/explanation/testing.md quotes.
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
from amsync.db.store import open_store
from amsync.emulator import FaultConfig
from amsync.sync.runner import run_sync
from tests.support.mirror_compare import actual_mirror, expected_mirror
from tests.support.reliability import (
    FIGURES,
    duplicate_rows,
    emulator_for,
    mutate,
    run_statuses,
    sqlite_integrity,
    tiny_spec,
)
from tests.sync.conftest import client_config

pytestmark = pytest.mark.slow

ROUNDS = 50
FAST_RULES = {
    failure: replace(rule, backoff_base_s=0.005, backoff_cap_s=0.02)
    for failure, rule in DEFAULT_RULES.items()
}


def _faults(rng: random.Random, round_no: int) -> FaultConfig:
    if round_no % 5 == 0:
        return FaultConfig(seed=round_no)  # every fifth round is fault-free
    return FaultConfig(
        seed=round_no,
        error_rate=rng.choice([0.0, 0.05, 0.1]),
        drop_rate=rng.choice([0.0, 0.05]),
        truncate_rate=rng.choice([0.0, 0.05]),
        short_page_rate=rng.choice([0.0, 0.2]),
        transient_404_rate=rng.choice([0.0, 0.2]),
        rate_limit_rps=rng.choice([None, 60.0]),
        rate_limit_burst=5,
    )


@pytest.mark.parametrize("seed", [2026])
def test_soak_consecutive_syncs_under_changes_and_faults(
    seed: int, db_url: str, say: Callable[[str], None]
) -> None:
    rng = random.Random(seed)
    emulator = emulator_for(tiny_spec(seed, songs=60))
    store = open_store(db_url)
    edits: list[str] = []
    retries = requests = 0
    try:
        with emulator.serve() as server:

            async def sync() -> Any:
                config = client_config(server.url, retry_rules=FAST_RULES, page_limit=7)
                async with AppleMusicClient(config) as client:
                    return await run_sync(client, store, "default")

            for round_no in range(ROUNDS):
                if round_no:
                    edits += mutate(emulator.library, rng, steps=rng.randrange(1, 6))
                emulator.faults = _faults(rng, round_no)
                report = asyncio.run(sync())
                assert report.status == "succeeded", (round_no, report.warnings)
                assert actual_mirror(store) == expected_mirror(emulator.library), round_no
                retries += report.retries
                requests += report.requests
        assert duplicate_rows(store) == {}
        assert run_statuses(store) == ["succeeded"] * ROUNDS
    finally:
        store.close()
    if "://" not in db_url:
        assert sqlite_integrity(db_url) == []
    backend = "postgres" if "://" in db_url else "sqlite"
    FIGURES[f"soak syncs ({backend})"] += ROUNDS
    say(
        f"soak [{backend}]: {ROUNDS} consecutive syncs, {len(edits)} library edits, "
        f"{requests} requests, {retries} retried, mirror == library after every sync"
    )
