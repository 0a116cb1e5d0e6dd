"""Listings for people and for programs: one ``--format table|tsv|csv|json`` option shared by
every listing command (``--json`` is a synonym of ``--format json``).

Without ``--format`` the output is a table on a terminal and TSV when stdout is not a terminal,
so ``amsync search x | grep y`` sees one record per line.

- **TSV**: a header row, then one line per record; fields separated by a tab. A tab, newline,
  carriage return or backslash inside a value is written as ``\\t``, ``\\n``, ``\\r`` or
  ``\\\\`` (as in PostgreSQL's text COPY format), any other control character as ``\\xNN``
  (so no name can move a terminal's cursor), so every line has the header's field count and
  the escaping can be undone exactly. ``None`` is an empty field; booleans are
  ``true``/``false``. Nothing is truncated.
- **CSV**: RFC 4180 (quotes where needed), a header row, the same cells as TSV unescaped.
- **JSON**: an array of objects keyed by the header's names, written row by row (a number
  JSON cannot hold — infinite, NaN — as the string ``"Infinity"``, ``"-Infinity"`` or
  ``"NaN"``).
- **table**: for people. Columns are aligned; when the table is wider than the terminal the
  widest text columns are cut with ``…`` (ids, types and numbers never are); when even that
  cannot fit, each record is shown as a block of ``column | value`` lines (like ``psql \\x``).
  A terminal that reports 0 columns is taken as ``COLUMNS`` wide, else 80.
  Control characters in library text are made visible (``safe_text``). Piped with
  ``--format table`` the table is not cut, unless ``COLUMNS`` says how wide to make it.

Reports whose JSON is one object (``stats``) go through ``emit_report``: ``json`` prints the
object, ``tsv``/``csv`` print ``key``/``value`` rows whose key is the path of the value in that
object (``counts.songs.live``, ``last_runs.0.status``), ``table`` the command's own text.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

import click

from amsync.cli.output import safe_text
from amsync.domain.timestamps import iso_utc

FORMATS: Final = ("table", "tsv", "csv", "json")
F = TypeVar("F", bound=Callable[..., Any])

GAP: Final = "  "
MIN_TEXT_WIDTH: Final = 8
"""A cut text column keeps at least this many cells; below that the table turns into records."""
NEVER_CUT: Final = frozenset({"id", "type", "#", "position", "kind", "state", "status", "change"})

_TSV_ESCAPES: Final = str.maketrans(
    {
        **{chr(i): f"\\x{i:02x}" for i in (*range(0x20), 0x7F)},
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\\n",
        "\r": "\\r",
    }
)


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
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def tsv_field(value: Any) -> str:
    kind = value.__class__
    if kind is str:  # the common case: printable text without a backslash stays as it is
        text: str = value
        return text if text.isprintable() and "\\" not in text else text.translate(_TSV_ESCAPES)
    if kind is int or value is None:
        return "" if value is None else str(value)
    return cell_text(value).translate(_TSV_ESCAPES)


def json_value(value: Any) -> Any:
    """A value for JSON output. A non-finite number (``1e999`` on SQLite, ``'Infinity'`` on
    PostgreSQL), which JSON cannot hold, is written as a string — ``"Infinity"``,
    ``"-Infinity"``, ``"NaN"`` — as PostgreSQL's own ``to_json`` writes it."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return cell_text(value)


def emit_listing(
    fmt: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    limit: int | None = None,
    keep: Iterable[str] = (),
) -> int:
    """Write rows in the chosen format to stdout (streamed, except tables: rows may be a
    cursor). ``limit`` caps the rows of a table (the others are counted and returned, so the
    caller can say so); ``keep`` names more columns a table must never cut."""
    out = sys.stdout
    left_out = 0
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
            text = json.dumps(item, ensure_ascii=False, default=str, allow_nan=False)
            out.write(("\n" if first else ",\n") + text)
            first = False
        out.write("]\n" if first else "\n]\n")
    else:
        kept: list[list[Any]] = []
        for row in rows:
            if limit is not None and len(kept) >= limit:
                left_out += 1
            else:
                kept.append(list(row))
        for line in table_lines(columns, kept, width=table_width(), keep=frozenset(keep)):
            out.write(line + "\n")
    out.flush()
    return left_out


def emit_report(
    fmt: str,
    data: Mapping[str, Any],
    as_text: Callable[[], None],
    *,
    columns: Sequence[str] | None = None,
    rows: Iterable[Sequence[Any]] | None = None,
) -> None:
    """A report whose JSON is one object: the object as JSON; as TSV or CSV the given
    ``columns`` and ``rows`` (the report's records), or without them ``key``/``value`` rows
    (``flatten``); as a table ``as_text``, the command's own rendering for people."""
    if fmt == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        sys.stdout.flush()
    elif fmt == "table":
        as_text()
    elif columns is not None:
        emit_listing(fmt, columns, rows or ())
    else:
        emit_listing(fmt, ("key", "value"), flatten(data))


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, value)`` for every scalar in nested objects and lists: ``counts.songs.live``,
    ``last_runs.0.status``."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from flatten(value, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, data


# --- tables for people ---------------------------------------------------------------------------


DEFAULT_TERMINAL_WIDTH: Final = 80


def table_width() -> int | None:
    """The terminal's width. A terminal that reports none — 0 columns, as under ``script(1)``,
    some ``docker exec -t``, CI runners and serial consoles — is taken as ``COLUMNS`` wide, else
    80. Piped: ``COLUMNS`` if set, else no limit."""
    columns = os.environ.get("COLUMNS", "")
    given = int(columns) if columns.isdigit() and int(columns) > 0 else None
    if not sys.stdout.isatty():
        return given
    try:
        width = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        width = 0
    return width or given or DEFAULT_TERMINAL_WIDTH


def _never_cut(column: str, texts: Sequence[str], keep: frozenset[str]) -> bool:
    name = column.lower()
    if name in NEVER_CUT or name in keep or name.endswith(("_id", "_ids")):
        return True
    return all(_is_number(text) for text in texts)


def _is_number(text: str) -> bool:
    if not text:
        return True
    try:
        float(text)
    except ValueError:
        return text.count(":") in (1, 2) and text.replace(":", "").isdigit()  # 3:45 durations
    return True


def fit_widths(natural: Sequence[int], cuttable: Sequence[bool], room: int) -> list[int] | None:
    """Column widths that fit ``room`` cells: the widest cuttable columns are cut to a common
    cap (water-filling), none below ``MIN_TEXT_WIDTH`` (or its natural width); ``None`` when
    that cannot fit."""
    fixed = sum(w for w, cut in zip(natural, cuttable, strict=True) if not cut)
    floors = [
        min(w, MIN_TEXT_WIDTH) if cut else w for w, cut in zip(natural, cuttable, strict=True)
    ]
    if sum(floors) > room:
        return None
    if sum(natural) <= room:
        return list(natural)
    low, high = MIN_TEXT_WIDTH, max(natural)
    while low < high:  # the largest cap that fits
        cap = (low + high + 1) // 2
        used = fixed + sum(min(w, cap) for w, cut in zip(natural, cuttable, strict=True) if cut)
        if used <= room:
            low = cap
        else:
            high = cap - 1
    return [min(w, low) if cut else w for w, cut in zip(natural, cuttable, strict=True)]


def table_lines(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    width: int | None,
    keep: frozenset[str] = frozenset(),
) -> list[str]:
    """An aligned table that fits ``width`` (None: any width), or records when it cannot."""
    from rich.cells import cell_len

    heads = [safe_text(str(c)) for c in columns]
    texts = [[safe_text(cell_text(v)) for v in row] for row in rows]
    natural = [cell_len(h) for h in heads]
    for row in texts:
        for i, text in enumerate(row[: len(natural)]):
            natural[i] = max(natural[i], cell_len(text))
    by_column = [[row[i] for row in texts if i < len(row)] for i in range(len(heads))]
    cuttable = [not _never_cut(c, by_column[i], keep) for i, c in enumerate(columns)]
    numeric = [all(_is_number(t) for t in by_column[i]) and by_column[i] for i in range(len(heads))]
    widths: list[int] | None = list(natural)
    if width is not None:
        room = width - len(GAP) * (len(heads) - 1)
        widths = fit_widths(natural, cuttable, room)
        if widths is None:
            return record_lines(heads, texts, width=width)
    assert widths is not None
    lines = [_line(heads, widths, [False] * len(heads))]
    lines.append(GAP.join("-" * w for w in widths))
    lines += [_line(row, widths, numeric) for row in texts]
    return lines


def _line(cells: Sequence[str], widths: Sequence[int], right: Sequence[Any]) -> str:
    from rich.cells import cell_len

    parts = []
    for text, w, align_right in zip(cells, widths, right, strict=False):
        text = cut(text, w)
        pad = " " * (w - cell_len(text))
        parts.append(pad + text if align_right else text + pad)
    return GAP.join(parts).rstrip()


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in ``…`` when it had to be cut."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    return set_cell_size(text, width - 1).rstrip() + "…"


def record_lines(heads: Sequence[str], rows: Sequence[Sequence[str]], *, width: int) -> list[str]:
    """One block per record (``-[ RECORD 1 ]---``, then ``column | value``), values cut to
    the width."""
    from rich.cells import cell_len

    label = max((cell_len(h) for h in heads), default=0)
    lines: list[str] = []
    for number, row in enumerate(rows, start=1):
        title = f"-[ RECORD {number} ]"
        lines.append(title + "-" * max(0, min(width, label + 20) - len(title)))
        for head, text in zip(heads, row, strict=False):
            prefix = head + " " * (label - cell_len(head)) + " | "
            lines.append((prefix + cut(text, max(1, width - cell_len(prefix)))).rstrip())
    return lines
