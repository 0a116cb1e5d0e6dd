"""Headless Chromium for the sign-in tests: the system's Chromium driven by Playwright.

Playwright's own browser download is not used (it cannot be reached everywhere): tests launch
the Chromium that the system package manager installed (``.ci/run`` installs Debian's
``chromium``). ``AMSYNC_TEST_CHROMIUM`` names another executable. Tests using it are marked
``browser`` and skip only when no Chromium is installed.

Screenshots of each page state go to ``AMSYNC_TEST_SCREENSHOTS`` (default
``build/screenshots`` in the repository).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    named = os.environ.get("AMSYNC_TEST_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for candidate in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("AMSYNC_TEST_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
