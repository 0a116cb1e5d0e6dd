"""The report in headless Chromium (the system's, driven by Playwright as the sign-in tests
do): at 1280 px and 390 px, light and dark, with every network request blocked — the page
renders, says nothing on the console, asks for nothing, fits the width, shows the numbers of
``amsync top`` and a hostile name as text. Screenshots go to ``build/screenshots``
(``AMSYNC_TEST_SCREENSHOTS``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.report.conftest import HOSTILE, YEAR, Scene, top_json
from tests.support.browser import LAUNCH_FLAGS, chromium_executable, screenshot_dir
from tests.support.reliability import amsync_env, run_amsync

CHROMIUM = chromium_executable()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (.ci/run installs it)"),
]
VIEWS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]


@pytest.fixture(scope="module")
def page_file(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page, made by a real ``amsync`` process (Playwright's own event loop runs in this
    one while the browser is open)."""
    folder = tmp_path_factory.mktemp("report-page")
    out = folder / "report.html"
    done = run_amsync(
        ["--db", scene.db, "report", "--year", str(YEAR), "-o", str(out)],
        amsync_env(folder / "home"),
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        yield launched
        launched.close()


class Opened:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []


def _open(browser: Any, path: Path, width: int, scheme: str) -> tuple[Any, Opened]:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    opened = Opened(page)
    page.on(
        "console",
        lambda m: (
            opened.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: opened.console.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))

    def block(route: Any) -> None:
        url = route.request.url
        if url != path.as_uri():
            opened.requests.append(url)
        if url == path.as_uri():
            route.continue_()
        else:
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri(), wait_until="load")
    return context, opened


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
def test_the_page_renders_offline_at_each_width_and_scheme(
    browser: Any, page_file: Path, width: int, scheme: str
) -> None:
    context, opened = _open(browser, page_file, width, scheme)
    page = opened.page
    try:
        assert page.title() == f"Your {YEAR} in music — amsync"
        assert opened.requests == [], "the page asks for nothing"
        assert opened.console == [], opened.console
        assert opened.dialogs == [], "no name ran as a script"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "fits the width"
        wide, narrow = (page.locator(f".chart.{k}").first for k in ("wide", "narrow"))
        assert (wide.is_visible(), narrow.is_visible()) == (
            (True, False) if width > 640 else (False, True)
        )
        images = page.evaluate(
            "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
        )
        assert images > 10, "the embedded thumbnails are drawn"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        dark = sum(int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3]) < 150
        assert dark == (scheme == "dark")
        page.screenshot(path=str(screenshot_dir() / f"report-{width}-{scheme}.png"), full_page=True)
    finally:
        context.close()


def test_the_numbers_on_the_page_are_amsync_tops(
    browser: Any, page_file: Path, scene: Scene
) -> None:
    context, opened = _open(browser, page_file, 1280, "light")
    try:
        for kind in ("songs", "artists", "albums"):
            rows = opened.page.locator(f"#top-{kind} ol.by-plays li")
            shown = [
                (
                    int(rows.nth(i).get_attribute("data-rank") or 0),
                    rows.nth(i).locator(".name").inner_text(),
                    rows.nth(i).locator(".plays").inner_text(),
                )
                for i in range(rows.count())
            ]
            column = {"songs": "name", "artists": "artist", "albums": "album"}[kind]
            expected = [
                (r["rank"], r[column], f"{r['plays']:,} play" + ("" if r["plays"] == 1 else "s"))
                for r in top_json(scene.db, kind, "--year", str(YEAR))
            ]
            assert shown == expected, kind
        plays = opened.page.locator('[data-stat="plays"] .value').inner_text()
        total = sum(
            r["plays"]
            for r in top_json(scene.db, "songs", "--year", str(YEAR), "--limit", "100000")
        )
        assert plays == f"{total:,}"
    finally:
        context.close()


def test_a_hostile_name_shows_as_text(browser: Any, page_file: Path) -> None:
    context, opened = _open(browser, page_file, 390, "dark")
    try:
        first = opened.page.locator("#top-songs ol.by-plays li .name").first
        assert HOSTILE in list(
            opened.page.locator("#top-songs ol.by-plays li .name").all_inner_texts()
        )
        assert first.is_visible()
        assert opened.page.locator("#top-songs img[src='x']").count() == 0
        assert opened.page.evaluate("document.scripts.length") == 0
        assert opened.dialogs == []
    finally:
        context.close()


def test_on_paper_the_wide_charts_are_printed(browser: Any, page_file: Path) -> None:
    context, opened = _open(browser, page_file, 390, "dark")
    try:
        opened.page.emulate_media(media="print")
        assert opened.page.locator(".chart.wide").first.is_visible()
        assert not opened.page.locator(".chart.narrow").first.is_visible()
        background = opened.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
        assert len(opened.page.pdf()) > 10_000
    finally:
        context.close()
