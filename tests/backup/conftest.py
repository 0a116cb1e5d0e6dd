"""Fixtures for backup and restore tests: a synced mirror over the emulator, CLI helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amsync.cli.logfile import detach_log_files
from amsync.db.store import open_store
from amsync.emulator import Emulator
from amsync.sync.runner import run_sync
from tests.support.cli import CliResult, invoke
from tests.sync.conftest import DEV, USER, in_process_client


@pytest.fixture(autouse=True)
def no_leftover_log_files() -> Iterator[None]:
    """Each CLI run attaches the log file of its home; tests use a new home each time."""
    yield
    detach_log_files()


def sync_in_process(emulator: Emulator, db: str, account: str = "default") -> None:
    store = open_store(db)

    async def go() -> None:
        async with in_process_client(emulator) as client:
            report = await run_sync(client, store, account)
            assert report.status == "succeeded", report.as_dict()

    try:
        asyncio.run(go())
    finally:
        store.close()


def amsync(args: list[str], url: str | None = None, **env: str) -> CliResult:
    environment = dict(env)
    if url is not None:
        environment |= {
            "AMSYNC_API_URL": url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }
    return invoke(args, env=environment)


def json_of(result: CliResult) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def only_backup(folder: Path) -> Path:
    backups = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert len(backups) == 1, backups
    return backups[0]
