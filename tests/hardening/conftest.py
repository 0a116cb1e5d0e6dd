"""Fixtures shared by the hardening tests (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sync.conftest import DEV, USER


@pytest.fixture
def cli_env() -> Callable[[str], dict[str, str]]:
    def env(url: str) -> dict[str, str]:
        return {
            "AMSYNC_API_URL": url,
            "AMSYNC_DEVELOPER_TOKEN": DEV,
            "AMSYNC_MUSIC_USER_TOKEN": USER,
        }

    return env
