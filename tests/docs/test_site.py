"""The documentation site builds with ``mkdocs build --strict`` (a broken link, a missing page
or anchor fails), has every page of its navigation, and makes no request outside itself: no web
fonts, no CDN — in the HTML and CSS, and in headless Chromium, where every request the pages
make is recorded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from docsite import site
from tests.support.browser import chromium_executable, screenshot_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    result = site.build(folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def _nav_pages(entries: object) -> Iterator[str]:
    if isinstance(entries, str):
        yield entries
    elif isinstance(entries, list):
        for entry in entries:
            yield from _nav_pages(entry)
    elif isinstance(entries, dict):
        for value in entries.values():
            yield from _nav_pages(value)


def _config() -> dict[str, object]:
    config: dict[str, object] = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return config


def test_every_page_of_the_navigation_is_built_and_every_page_is_in_it(built: Path) -> None:
    pages = list(_nav_pages(_config()["nav"]))
    for page in pages:
        html = built / (page.removesuffix("index.md").removesuffix(".md") + "/index.html")
        html = built / "index.html" if page == "index.md" else html
        assert html.is_file(), f"{page} was not built"
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk - set(pages) == set(), "pages that no navigation entry reaches"


def test_the_built_pages_hold_the_generated_reference(built: Path) -> None:
    commands = (built / "reference" / "commands" / "index.html").read_text(encoding="utf-8")
    assert 'id="amsync-db-upgrade"' in commands and "Exit codes:" in commands
    assert "&lt;home&gt;/logs" in commands  # help text is escaped, not taken for a tag
    views = (built / "reference" / "views" / "index.html").read_text(encoding="utf-8")
    assert 'id="songs_v"' in views and "<!-- generated" not in views
    codes = (built / "reference" / "exit-codes" / "index.html").read_text(encoding="utf-8")
    assert "<code>amsync export json | head</code>" in codes  # GitHub's \| not shown
    changelog = (built / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog


EXTERNAL = re.compile(
    r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//"""
    r"""|url\(["']?(?:https?:)?//""",
    re.I,
)


def test_no_page_or_stylesheet_loads_anything_from_elsewhere(built: Path) -> None:
    found = []
    for path in built.rglob("*"):
        if path.suffix in (".html", ".css"):
            for match in EXTERNAL.finditer(path.read_text(encoding="utf-8", errors="replace")):
                found.append(f"{path.relative_to(built)}: {match.group(0)}")
    assert found == []


@pytest.mark.browser
@pytest.mark.skipif(chromium_executable() is None, reason="no Chromium installed")
def test_in_chromium_every_request_stays_on_the_site(built: Path) -> None:
    with site.serve(built) as url, site.chromium() as browser:
        for page, name, height, anchor in site.SCREENSHOTS:
            requested = site.screenshot(
                browser, url + page, screenshot_dir() / name, height, anchor
            )
            outside = [r for r in requested if not r.startswith((url, "data:", "blob:"))]
            assert requested and outside == [], outside
