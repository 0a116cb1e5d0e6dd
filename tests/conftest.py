"""Shared fixtures: an isolated home and environment, and databases on SQLite and PostgreSQL.

PostgreSQL tests are marked ``postgres`` and run when ``AMSYNC_TEST_POSTGRES_URL`` names a
server (CI starts a throwaway one); each test gets a database of its own.

The suite runs in parallel (``pytest -n auto``, pytest-xdist): every test has its own home,
temporary folder, rate memory and database, and servers listen on free ports. Before the
workers start, amsync and the tests are byte-compiled once (the ``amsync`` processes the tests
start read those files instead of compiling their modules again, even under
``PYTHONDONTWRITEBYTECODE``); tests marked ``slow`` are handed out first, so that the longest
ones overlap the rest instead of ending the run alone; and the reliability figures the workers
counted are summed into the one line the session ends with.
"""

from __future__ import annotations

import compileall
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from amsync.config.rate_memory import RATE_MEMORY_FILE_NAME, RateMemory
from tests.support.mirror_builder import build_sample_mirror
from tests.support.reliability import FIGURES
from tests.sync.conftest import DEV, USER

POSTGRES_ENV = "AMSYNC_TEST_POSTGRES_URL"
ROOT = Path(__file__).resolve().parents[1]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if not _is_worker(config):  # a read-only checkout just stays uncompiled (quiet=2)
        for folder in ("amsync", "tests"):
            compileall.compile_dir(ROOT / folder, quiet=2, workers=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first (a stable order: every worker must collect the same)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_worker(session.config):
        session.config.workeroutput["reliability_figures"] = dict(FIGURES)  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """A worker finished: add its reliability figures to the session's."""
    FIGURES.update(getattr(node, "workeroutput", {}).get("reliability_figures", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(FIGURES.items()))
        terminalreporter.write_line(f"reliability figures: {parts}")


WARM_RATE = 200.0  # the adaptive rate's ceiling: the emulators on 127.0.0.1 set no limit


@pytest.fixture(autouse=True)
def isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """No test sees the developer's AMSYNC_* settings or home; each gets its own home.

    Each test also gets a rate memory of its own (``AMSYNC_RATE_MEMORY``, outside the home, so
    that the home is still created only by the command under test) that remembers the local
    emulators (``http://127.0.0.1``, tokens that are not JWTs) at ``WARM_RATE``, as a returning
    user's would: syncs do not spend seconds of slow start re-learning a rate nothing limits.
    Tests of a cold start, or of the memory itself, ``monkeypatch.delenv`` it."""
    for name in list(os.environ):
        if name.startswith("AMSYNC_") and name != POSTGRES_ENV:
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("AMSYNC_HOME", str(home))
    memory = tmp_path_factory.mktemp("rate", numbered=True) / RATE_MEMORY_FILE_NAME
    RateMemory(memory).remember("http://127.0.0.1", None, WARM_RATE, limited=False)
    monkeypatch.setenv("AMSYNC_RATE_MEMORY", str(memory))
    return home


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


def _postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    server = _postgres_server_url()
    if not server:
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} not set)")
    name = f"amsync_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name, drivername="postgresql+psycopg")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    return str(tmp_path / "mirror.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a real SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "mirror.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sample_db(db_url: str) -> str:
    """The sample mirror (``tests.support.mirror_builder``) on SQLite and on PostgreSQL."""
    build_sample_mirror(db_url)
    return db_url


@pytest.fixture
def sample_sqlite(sqlite_path: str) -> str:
    """The sample mirror in an SQLite file."""
    build_sample_mirror(sqlite_path)
    return sqlite_path


@pytest.fixture
def cli_env() -> Callable[[str], dict[str, str]]:
    """The environment that points amsync at an emulator's URL with the tokens it accepts."""

    def env(url: str) -> dict[str, str]:
        return {
            "AMSYNC_API_URL": url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }

    return env
