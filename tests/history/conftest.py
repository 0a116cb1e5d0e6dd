"""Fixtures of the listening-history tests: generated exports (``amsync.emulator.
privacy_export``) and a mirror holding the listener's library songs, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from amsync.emulator.privacy_export import ListeningExport, PrivacyExportSpec, generate_listening
from tests.support.cli import CliResult, invoke
from tests.support.listening import build_listening_mirror

SMALL = PrivacyExportSpec(seed=7, library_songs=200, other_songs=40, plays=800)
ISO_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def plays_stored(export: ListeningExport) -> int:
    """How many of the generated plays an import stores: all but the rows the spec made
    unreadable on purpose."""
    spec = export.spec
    return len(export.plays) - spec.bad_timestamps - (1 if spec.cut_mid_row else 0)


def run_import(db: str, path: Path, *extra: str, account: str = "default") -> CliResult:
    return invoke(["--db", db, "--account", account, "import", "apple-data", str(path), *extra])


def import_json(db: str, path: Path, *extra: str) -> dict[str, Any]:
    result = run_import(db, path, "--json", *extra)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def one_line_error(result: CliResult, code: int = 2) -> str:
    """The result is a refusal: ``code``, one line on stderr, no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("amsync: error: ")
    return result.stderr


@pytest.fixture
def small_export() -> ListeningExport:
    return generate_listening(SMALL)


@pytest.fixture
def mirrored(db_url: str, small_export: ListeningExport) -> tuple[str, ListeningExport, int]:
    """The small export's library in a mirror (SQLite and PostgreSQL): (db, export, account)."""
    account_id = build_listening_mirror(db_url, small_export)
    return db_url, small_export, account_id


def files(root: Path) -> Sequence[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))
