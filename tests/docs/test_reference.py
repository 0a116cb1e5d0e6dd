"""The reference of the documentation site is complete: every command and sub-command of the
command tree (found here by walking the lazy group as click does, not through ``docsite``), with
each of its options and its exit codes; every view of the schema with each column; every
setting and environment variable; every exit code of the error tree. A new command, option,
view, column or setting fails here until the reference shows it."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from markdown import Markdown

from amsync import DOCS_URL
from amsync.cli import cli
from amsync.config.settings import SETTINGS
from amsync.db.store import open_store
from amsync.query.view_docs import VIEWS
from docsite import exit_codes, reference
from docsite.hooks import ExitCodesExtension
from tests.support.cli import invoke

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = (*prefix, name)
        yield " ".join(path), command
        if isinstance(command, click.Group):
            yield from _walk(command, path)


COMMANDS = dict(_walk(cli))
RUNNABLE = [
    path
    for path, command in COMMANDS.items()
    if not isinstance(command, click.Group) or command.invoke_without_command
]


@pytest.fixture(scope="module")
def command_sections() -> dict[str, str]:
    """``docs/reference/commands.md`` as the site renders it (mkdocs-click, then the exit
    codes), cut into one section per command heading."""
    md = Markdown(extensions=["attr_list", "mkdocs-click", ExitCodesExtension()])
    reference.load_command_tree()
    lines = (DOCS / "reference" / "commands.md").read_text(encoding="utf-8").split("\n")
    for name in ("mk_click", "amsync_exit_codes"):
        lines = md.preprocessors[name].run(lines)
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines:
        match = re.match(r"^#{1,6} amsync((?: [\w.-]+)*) \{ #", line)
        if match:
            current = sections.setdefault(match.group(1).strip(), [])
        current.append(line)
    return {path: "\n".join(text) for path, text in sections.items()}


def test_the_tree_is_walked_whole() -> None:
    assert {"sync", "db upgrade", "favourites push", "local scan", "import apple-data"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_a_section_with_its_options(
    path: str, command_sections: dict[str, str]
) -> None:
    assert path in command_sections, f"docs/reference/commands.md has no section for amsync {path}"
    section = command_sections[path]
    assert f"amsync {path}" in section
    for param in COMMANDS[path].params:
        if isinstance(param, click.Option) and not param.hidden:
            for opt in param.opts:
                assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", section), (
                    f"amsync {path}: option {opt} missing from the reference"
                )
        elif isinstance(param, click.Argument):
            assert param.make_metavar(click.Context(COMMANDS[path])) in section


@pytest.mark.parametrize("path", RUNNABLE)
def test_every_runnable_command_shows_its_exit_codes(
    path: str, command_sections: dict[str, str]
) -> None:
    assert path in exit_codes.EXTRA, f"docsite/exit_codes.py EXTRA has no row for {path!r}"
    section = command_sections[path]
    assert "**Exit codes:**" in section
    for code, _ in exit_codes.exit_codes_of(path):
        assert f"\n| {code} |" in section


def test_no_exit_code_row_for_a_command_that_is_gone() -> None:
    assert set(exit_codes.EXTRA) <= set(RUNNABLE)


def test_the_commands_page_generates_from_the_root_command() -> None:
    text = (DOCS / "reference" / "commands.md").read_text(encoding="utf-8")
    assert re.search(r"::: mkdocs-click\n\s+:module: amsync.cli\n\s+:command: cli\n", text)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_is_in_the_hand_written_overview(path: str) -> None:
    """The table "at a glance" on the commands page says what each command is for."""
    overview = (DOCS / "reference" / "commands.md").read_text(encoding="utf-8")
    overview = overview.split("::: mkdocs-click", 1)[0]
    assert f"amsync {path}" in overview, f"the overview does not mention amsync {path}"


# --- views ----------------------------------------------------------------------------------------


def _schema_views(tmp_path: Path) -> dict[str, list[str]]:
    path = tmp_path / "schema.db"
    open_store(str(path)).close()
    with sqlite3.connect(path) as connection:
        names = [
            row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='view'")
        ]
        return {
            name: [row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')]
            for name in names
        }


def test_every_view_and_column_is_in_the_reference(tmp_path: Path) -> None:
    page = (DOCS / "reference" / "views.md").read_text(encoding="utf-8")
    assert "<!-- generated: views -->" in page
    generated = reference.views_markdown()
    sections = dict(re.findall(r"^## `(\w+)` .*?\n(.*?)(?=^## |\Z)", generated, re.M | re.S))
    views = _schema_views(tmp_path)
    assert set(views) == set(VIEWS)
    for view, columns in views.items():
        assert view in sections, f"view {view} missing from the reference"
        for column in columns:
            assert f"| `{column}` |" in sections[view], f"{view}.{column} missing"
            assert f"| `{column}` | — |" not in sections[view], f"{view}.{column} undescribed"


# --- settings, environment, exit codes, links ---------------------------------------------


def _settings_page() -> str:
    return (DOCS / "reference" / "settings.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_settings_reference() -> None:
    page = _settings_page()
    for spec in SETTINGS.values():
        for name in (spec.env, spec.config_key, spec.option):
            if name:
                assert re.search(rf"`[^`\n]*(?<![\w-]){re.escape(name)}(?![\w-])[^`\n]*`", page), (
                    f"{name} missing from docs/reference/settings.md"
                )


def test_every_environment_variable_amsync_reads_is_in_the_settings_reference() -> None:
    found: set[str] = set()
    constants: set[str] = set()  # Python names spelled like variables (AMSYNC_APPLICATION_ID)
    for source in (ROOT / "amsync").rglob("*.py"):
        text = source.read_text("utf-8")
        found |= set(re.findall(r"[\"'`](AMSYNC_[A-Z0-9_]*[A-Z0-9])\b", text))
        constants |= set(re.findall(r"^(AMSYNC_[A-Z0-9_]+)\s*[:=]", text, re.M))
    found -= constants
    page = _settings_page()
    missing = sorted(name for name in found if f"`{name}`" not in page)
    assert missing == [], f"environment variables not in docs/reference/settings.md: {missing}"


def test_every_exit_code_of_the_error_tree_is_in_the_exit_code_table() -> None:
    import amsync.errors as errors

    page = (DOCS / "reference" / "exit-codes.md").read_text(encoding="utf-8")
    codes = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    for code in codes:
        assert re.search(rf"^\| {code} \|", page, re.M), f"exit code {code} missing"
    assert "<!-- generated: error-tree -->" in page
    assert "ConfigError (2)" in reference.error_tree_markdown()


def test_links_to_the_site_in_messages_name_pages_that_exist() -> None:
    links: set[tuple[str, str]] = set()
    for source in (ROOT / "amsync").rglob("*.py"):
        links |= set(re.findall(r"\{DOCS_URL\}([\w/-]*)(#[\w-]+)?", source.read_text("utf-8")))
    assert links, "no message points at the documentation site"
    for page, anchor in links:
        path = DOCS / (page.rstrip("/") + ".md") if page else DOCS / "index.md"
        if not path.exists():
            path = DOCS / page / "index.md"
        assert path.exists(), f"{DOCS_URL}{page}: no such page"
        if anchor:
            headings = re.findall(r"^#+ (.+?)(?: \{.*\})?$", path.read_text("utf-8"), re.M)
            slugs = {
                re.sub(r"[^\w]+", "-", h.lower().replace("`", "")).strip("-") for h in headings
            }
            assert anchor[1:] in slugs, f"{DOCS_URL}{page}{anchor}: no such heading"


def test_help_ends_with_the_documentation_link() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert DOCS_URL in result.stdout.replace("\n  ", " ")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["urls"]["Documentation"] == DOCS_URL
