"""Listings for people and for programs: one ``--format table|tsv|csv|json`` option shared by
every listing command (``--json`` is a synonym of ``--format json``).

Without ``--format`` the output is a table on a terminal and TSV when stdout is not a terminal,
so ``amsync search x | grep y`` sees one record per line.

TSV: a header row, then one line per record; fields separated by a tab. A tab, newline,
carriage return or backslash inside a value is written as ``\\t``, ``\\n``, ``\\r`` or ``\\\\``
(the escaping of PostgreSQL's text COPY format), so every line has the header's field count.
``None`` is an empty field.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

import click

from amsync.domain.timestamps import iso_utc

FORMATS: Final = ("table", "tsv", "csv", "json")
F = TypeVar("F", bound=Callable[..., Any])

_TSV_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def listing_format_option(func: F) -> F:
    """Add ``--format`` and ``--json`` to a command; it receives ``fmt`` (``None`` unless given)
    and ``as_json``, and calls ``chosen_format(fmt, as_json)``."""

    func = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Same as --format json.",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format [default: table on a terminal, tsv when piped].",
    )(func)


def chosen_format(fmt: str | None, as_json: bool) -> str:
    """The format in effect: ``--json``, else ``--format``, else by whether stdout is a tty."""
    if as_json:
        return "json"
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "tsv"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso_utc(value) or ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def tsv_field(value: Any) -> str:
    return cell_text(value).translate(_TSV_ESCAPES)


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return cell_text(value)


def emit_listing(fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows in the chosen format to stdout (streamed: rows may be a cursor)."""
    out = sys.stdout
    if fmt == "tsv":
        out.write("\t".join(tsv_field(c) for c in columns) + "\n")
        for row in rows:
            out.write("\t".join(tsv_field(v) for v in row) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell_text(v) for v in row])
    elif fmt == "json":
        out.write("[")
        first = True
        for row in rows:
            item = {c: json_value(v) for c, v in zip(columns, row, strict=False)}
            text = json.dumps(item, ensure_ascii=False, default=str)
            out.write(("\n" if first else ",\n") + text)
            first = False
        out.write("]\n" if first else "\n]\n")
    else:
        _plain_table(columns, [list(r) for r in rows])
    out.flush()


def _plain_table(columns: Sequence[str], rows: list[list[Any]]) -> None:
    """A simple aligned table (the command-line work refines width fitting)."""
    from amsync.cli.output import safe_text

    texts = [[safe_text(cell_text(v)) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in texts:
        for i, text in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], len(text))
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=False))
    click.echo(line.rstrip())
    for row in texts:
        click.echo("  ".join(t.ljust(w) for t, w in zip(row, widths, strict=False)).rstrip())
