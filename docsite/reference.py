"""Reference pages generated from amsync's code when the site is built (``hooks.py``):

- the command tree as click sees it (``command_paths``), loaded whole first: the top-level
  commands come from ``amsync.cli.command_table`` through the lazy group, which imports a
  command's module only when asked for it — ``load_command_tree`` asks for every one, so that
  mkdocs-click, which reads a group's ``commands`` once it is filled, sees them all;
- each command's exit codes (``exit_codes.py``), put under its section of the mkdocs-click
  output (``insert_exit_codes``);
- every documented view and its columns, from the same source as ``amsync datasette-metadata``
  (``amsync.query.view_docs`` and the columns of a database at the current schema);
- the error tree, from the docstring of ``amsync.errors``.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import click

from docsite.exit_codes import exit_codes_of


def root_command() -> click.Group:
    from amsync.cli import cli

    return cli


def load_command_tree(group: click.Group | None = None) -> click.Group:
    """Asks the (lazy) group for each of its commands, all the way down, so that every
    command object exists and sits in its group's ``commands``."""
    group = group or root_command()
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            load_command_tree(command)
    return group


def command_tree(
    group: click.Group | None = None, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command below ``group`` (groups included), with its path of names."""
    group = group or root_command()
    context = click.Context(group)
    for name in sorted(group.list_commands(context)):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from command_tree(command, path)


def runnable(command: click.Command) -> bool:
    """A leaf, or a group that does something without a sub-command (``amsync backup``)."""
    return not isinstance(command, click.Group) or command.invoke_without_command


def runnable_paths() -> list[str]:
    return [" ".join(path) for path, command in command_tree() if runnable(command)]


# --- exit codes under each command of the mkdocs-click output --------------------------------

# mkdocs-click's heading of a command (attr_list on): "### amsync db check { #amsync-db-check … }"
HEADING = re.compile(r"^#{1,6} amsync((?: [\w.-]+)*) \{ #")


def exit_code_lines(path: str) -> list[str]:
    lines = ["**Exit codes:**", "", "| code | meaning |", "| --- | --- |"]
    lines += [f"| {code} | {text} |" for code, text in exit_codes_of(path)]
    return [*lines, ""]


_TAG_LIKE = re.compile(r"<(?=[A-Za-z][^<>]*>)")


def insert_exit_codes(lines: list[str]) -> list[str]:
    """``lines`` (mkdocs-click's output) with each runnable command's exit codes at the end of
    its own section, before the heading of the next command. Help texts are Markdown there:
    their ``<home>`` would be taken for an HTML tag, so ``<`` is escaped in them."""
    runnable_set = set(runnable_paths())
    out: list[str] = []
    current: str | None = None
    fence = False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        match = None if fence else HEADING.match(line)
        if match is not None:
            if current in runnable_set:
                out += exit_code_lines(current)
            current = match.group(1).strip()
        elif current is not None and not fence:
            line = _TAG_LIKE.sub("&lt;", line)
        out.append(line)
    if current in runnable_set:
        out += ["", *exit_code_lines(current)]
    return out


# --- views --------------------------------------------------------------------------------------


@cache
def view_columns() -> dict[str, list[str]]:
    """The columns of every documented view, read from a new SQLite database at the current
    schema (what ``amsync datasette-metadata`` reads from the mirror)."""
    from amsync.db.reading import SqliteReader
    from amsync.db.store import open_store
    from amsync.query.datasette import view_columns as columns_of

    with tempfile.TemporaryDirectory(prefix="amsync-docs-") as folder:
        path = Path(folder) / "schema.db"
        open_store(str(path)).close()
        connection = sqlite3.connect(path)
        try:
            return columns_of(SqliteReader(connection, path))
        finally:
            connection.close()


def views_markdown() -> str:
    from amsync.query.datasette import datasette_metadata
    from amsync.query.view_docs import VIEWS, column_description

    columns = view_columns()
    tables = datasette_metadata("amsync", columns)["databases"]["amsync"]["tables"]
    parts: list[str] = []
    for view in VIEWS:
        doc = tables[view]
        rows = [
            f"| `{column}` | {_cell(column_description(view, column) or '—')} |"
            for column in columns.get(view, [])
        ]
        parts.append(
            "\n".join(
                [
                    f"## `{view}` — {doc['title']} {{ #{view} }}",
                    "",
                    doc["description"],
                    "",
                    "| column | meaning |",
                    "| --- | --- |",
                    *rows,
                ]
            )
        )
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- the error tree -----------------------------------------------------------------------------


def error_tree_markdown() -> str:
    """The drawing of the error tree in ``amsync.errors``' docstring, as a text block."""
    import amsync.errors

    doc = amsync.errors.__doc__ or ""
    drawing = doc.split("::", 1)[1].strip("\n")
    lines = [line[4:] if line.startswith("    ") else line for line in drawing.splitlines()]
    return "```text\n" + "\n".join(lines).rstrip() + "\n```\n"
