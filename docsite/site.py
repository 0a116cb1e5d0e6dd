"""Building the site, serving it on 127.0.0.1, and taking screenshots of it in headless
Chromium — for ``tests/docs/test_site.py`` and for the screenshots in ``docs/images/``:

    .venv/bin/python -m docsite.site          # writes docs/images/site-*.png

Chromium is the system's (``tests.support.browser.chromium_executable``), driven by Playwright.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
IMAGES: Final = ROOT / "docs" / "images"
# (page, file, viewport height, what to scroll to): the README shows the demo page's first block
SCREENSHOTS: Final = (
    ("", "site-home.png", 900, None),
    ("reference/commands/", "site-reference.png", 900, "#amsync-sync"),
    ("tutorial/demo/", "site-demo.png", 820, None),
)


def build(site_dir: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` into ``site_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**_environment(), "NO_MKDOCS_2_WARNING": "1"},
    )


def _environment() -> dict[str, str]:
    import os

    return dict(os.environ)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a free port); yields its address."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import LAUNCH_FLAGS, chromium_executable

    executable = chromium_executable()
    if executable is None:
        raise RuntimeError("no Chromium installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(browser: Any, url: str, path: Path, height: int, anchor: str | None) -> list[str]:
    """A screenshot of ``url`` at 1280 × ``height``; the addresses the page requested."""
    context = browser.new_context(viewport={"width": 1280, "height": height})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url + (anchor or ""), wait_until="networkidle")
    page.screenshot(path=str(path))
    context.close()
    return requested


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="amsync-site-") as folder:
        site = Path(folder) / "site"
        built = build(site)
        if built.returncode != 0:
            sys.exit(built.stderr)
        with serve(site) as url, chromium() as browser:
            for page, name, height, anchor in SCREENSHOTS:
                screenshot(browser, url + page, IMAGES / name, height, anchor)
                print(f"docs/images/{name}")


if __name__ == "__main__":
    main()
