"""Fixtures for lost-song tests: a small emulator library, a store on both backends, syncs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, LibrarySpec
from amsync.lost.settle import SettleReport, settle_losses
from amsync.query.snapshot import reading
from amsync.sync.report import SyncReport
from amsync.sync.runner import run_sync
from tests.sync.conftest import in_process_client, make_emulator

LOST_V = (
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "playlist_id",
    "playlist_name",
    "position",
    "lost_at",
    "cause",
    "replacement_catalog_id",
)


def small_library(seed: int = 7, songs: int = 120) -> Emulator:
    """Albums, playlists (with repeats), no uploads, nothing withdrawn yet."""
    return make_emulator(
        LibrarySpec(
            songs=songs,
            playlists=6,
            seed=seed,
            withdrawn_fraction=0.0,
            upload_fraction=0.0,
            catalog_playlist_fraction=0.0,
        )
    )


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()


def sync(emulator: Emulator, store: Store) -> SyncReport:
    async def go() -> SyncReport:
        async with in_process_client(emulator) as client:
            return await run_sync(client, store, "default")

    report = asyncio.run(go())
    assert report.status == "succeeded", report.as_dict()
    return report


def settle(emulator: Emulator, store: Store) -> SettleReport:
    async def go() -> SettleReport:
        async with in_process_client(emulator) as client:
            return await settle_losses(client, store, store.account_id("default"))

    return asyncio.run(go())


def losses(store: Store, where: str = "", **params: Any) -> list[dict[str, Any]]:
    """``lost_v`` rows (with evidence, kind, loss_id) in a stable order."""
    with reading(store) as reader:
        columns = [*LOST_V, "kind", "evidence", "restored_at", "loss_id"]
        rows = reader.rows(
            f"SELECT {', '.join(columns)} FROM lost_v {where} "
            "ORDER BY library_id, playlist_id NULLS FIRST, position",
            params,
        )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def song_facts(store: Store, library_id: str) -> dict[str, Any]:
    with reading(store) as reader:
        row = reader.rows(
            "SELECT replacement_catalog_id, replacement_method, replacement_score, candidates, "
            "lookup_note, looked_up_at, isrc FROM lost_songs WHERE library_id = :lid",
            {"lid": library_id},
        )[0]
    candidates = json.loads(row[3]) if isinstance(row[3], str) else row[3]
    return {
        "replacement": row[0],
        "method": row[1],
        "score": row[2],
        "candidates": candidates,
        "note": row[4],
        "looked_up": row[5] is not None,
        "isrc": row[6],
    }


def positions_of(emulator: Emulator, library_id: str) -> dict[str, list[int]]:
    """Where a library song stands in each playlist (positions from 0)."""
    found: dict[str, list[int]] = {}
    for playlist in emulator.library.playlists.values():
        at = [i for i, t in enumerate(playlist.tracks) if t == library_id]
        if at:
            found[playlist.id] = at
    return found
