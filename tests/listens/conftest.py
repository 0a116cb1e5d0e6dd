"""Fixtures of the listens-out tests (issue 25): a generated listener's history imported into a
mirror (SQLite and PostgreSQL), the emulator serving the listener's catalog over real HTTP, a
controllable ListenBrainz-protocol server, and a real Maloja."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from amsync.emulator import Emulator
from amsync.emulator.privacy_catalog import CatalogDecoys, listener_catalog
from amsync.emulator.privacy_export import ListeningExport, PrivacyExportSpec, generate_listening
from tests.support.cli import CliResult, invoke
from tests.support.listen_server import ListenServer
from tests.support.listening import build_listening_mirror
from tests.support.maloja import Maloja, running_maloja
from tests.sync.conftest import DEV, USER

TOKEN = "0d2c6a1e-listens-token"
SMALL = PrivacyExportSpec(seed=11, library_songs=120, other_songs=120, plays=800, days=900)


@dataclass
class Listener:
    """A listener's export imported for ``account`` into ``db`` (its mirror built first)."""

    db: str
    export: ListeningExport
    account_id: int
    archive: Path

    def amsync(self, *args: str, env: dict[str, str] | None = None) -> CliResult:
        return invoke(["--db", self.db, *args], env=env)

    def json(self, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        result = self.amsync(*args, "--json", env=env)
        assert result.exit_code == 0, result.output
        document: dict[str, Any] = json.loads(result.stdout)
        return document


def make_listener(db: str, folder: Path, spec: PrivacyExportSpec) -> Listener:
    export = generate_listening(spec)
    account_id = build_listening_mirror(db, export)
    archive = export.write(folder / f"export-{spec.seed}.zip")
    result = invoke(["--db", db, "import", "apple-data", str(archive)])
    assert result.exit_code == 0, result.output
    return Listener(db, export, account_id, archive)


@pytest.fixture
def listener(db_url: str, tmp_path: Path) -> Listener:
    """The small listener on SQLite and on PostgreSQL (newer export: no artist column)."""
    return make_listener(db_url, tmp_path, SMALL)


@pytest.fixture
def sqlite_listener(tmp_path: Path) -> Listener:
    return make_listener(str(tmp_path / "mirror.db"), tmp_path, SMALL)


def catalog_emulator(export: ListeningExport, decoys: CatalogDecoys | None = None) -> Emulator:
    library = listener_catalog(export.songs, seed=export.spec.seed, decoys=decoys)
    return Emulator(library, developer_tokens={DEV}, music_user_tokens={USER})


@pytest.fixture
def apple(listener: Listener) -> Iterator[dict[str, str]]:
    """The emulator serving the listener's catalog; the environment that points amsync at it."""
    emulator = catalog_emulator(listener.export)
    with emulator.serve() as server:
        yield {
            "AMSYNC_API_URL": server.url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }


@pytest.fixture
def lb_server() -> Iterator[ListenServer]:
    with ListenServer({TOKEN}) as server:
        yield server


def token_env(**extra: str) -> dict[str, str]:
    return {"AMSYNC_LISTENBRAINZ_TOKEN": TOKEN, "AMSYNC_RETRY_BUDGET": "20", **extra}


@pytest.fixture(scope="session")
def maloja(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Maloja]:
    """One real Maloja per test session (and xdist worker)."""
    with running_maloja(tmp_path_factory.mktemp("maloja")) as server:
        yield server


_WINDOWS = iter(range(2004, 2100, 3))


def own_years() -> PrivacyExportSpec:
    """The small spec in years of its own (Maloja keeps one scrobble per second: tests
    sharing one server must not share moments)."""
    start = next(_WINDOWS)
    return replace(SMALL, start=date(start, 1, 1), days=700, seed=start)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
