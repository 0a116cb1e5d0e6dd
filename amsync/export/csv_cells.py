"""CSV cells computed by the database, so that ``export csv`` does almost no work per row.

An export query (``library_rows``) is rewritten to select CSV cells instead of values: text
cells are neutralised in SQL (a ``'`` in front when the first character would start a
spreadsheet formula, unless raw), booleans become ``true``/``false``, unknown values stay NULL
(the csv module writes an empty cell), genres stay the JSON array text the mirror (and
``songs_v``) holds. What SQL cannot do portably — folder paths — is one cell per row fixed in
Python, cached.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Integer, case, literal, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from amsync.export import playlist_rows
from amsync.export.library_rows import AnySelect

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CODES: Final = tuple(sorted(ord(c) for c in FORMULA_STARTS))

Row = tuple[Any, ...]
ChunkFix = Callable[[list[Row]], list[Row]]


def neutralise(value: str) -> str:
    """``value`` made inert for spreadsheets (a leading ``'``) when it would start a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class first_code(FunctionElement[int]):
    """The code point of a text's first character: ``unicode()`` in SQLite, ``ascii()`` in
    PostgreSQL (the code point in a UTF-8 database). NULL stays NULL."""

    type = Integer()
    name = "first_code"
    inherit_cache = True


@compiles(first_code, "sqlite")
def _first_code_sqlite(element: first_code, compiler: SQLCompiler, **kw: Any) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


@compiles(first_code)
def _first_code_default(element: first_code, compiler: SQLCompiler, **kw: Any) -> str:
    return f"ascii({compiler.process(element.clauses, **kw)})"


class Cell(enum.Enum):
    TEXT = "text"  # neutralised unless raw
    NUMBER = "number"  # as stored
    FLAG = "flag"  # never NULL → true/false
    MAYBE_FLAG = "maybe flag"  # NULL stays empty, else true/false
    FOLDER = "folder"  # a folder library id, fixed in Python into "Parent/Child"


def _sql_cell(column: Any, kind: Cell, raw: bool) -> Any:
    if kind is Cell.TEXT and not raw:
        risky = first_code(column).in_(_FORMULA_CODES)
        return case((risky, literal("'").concat(column)), else_=column)
    if kind is Cell.FLAG:
        return case((column, "true"), else_="false")
    if kind is Cell.MAYBE_FLAG:
        return case((column.is_(None), null()), (column, "true"), else_="false")
    return column


@dataclass(frozen=True)
class CellQuery:
    """``statement`` selects CSV cells; ``fix`` (if any) finishes each fetched chunk."""

    statement: AnySelect
    fix: ChunkFix | None


def cell_query(
    statement: AnySelect,
    layout: Sequence[tuple[int, Cell]],
    *,
    raw: bool,
    folders: dict[str, playlist_rows.Folder] | None = None,
) -> CellQuery:
    """``statement`` rewritten to select, in order, the cells ``layout`` names: pairs of a
    column index of ``statement`` and the kind of cell it becomes. At most one ``FOLDER`` cell
    (it needs ``folders``)."""
    columns = list(statement.selected_columns)
    cells = [_sql_cell(columns[index], kind, raw) for index, kind in layout]
    fixed = [i for i, (_, kind) in enumerate(layout) if kind is Cell.FOLDER]
    if len(fixed) > 1:
        raise ValueError("one Python-fixed cell per row at most")
    fix = None
    if fixed:
        if folders is None:
            raise ValueError("a FOLDER cell needs the folders")
        fix = _fix_cell(fixed[0], _FolderCells(folders, raw))
    return CellQuery(statement.with_only_columns(*cells), fix)


def _fix_cell(at: int, convert: Callable[[Any], Any]) -> ChunkFix:
    after = at + 1

    def fix(chunk: list[Row]) -> list[Row]:
        return [(*row[:at], convert(row[at]), *row[after:]) for row in chunk]

    return fix


class _FolderCells:
    """Folder library id → ``"Parent/Child"`` cell, computed once per folder."""

    def __init__(self, folders: dict[str, playlist_rows.Folder], raw: bool) -> None:
        self._folders = folders
        self._raw = raw
        self._cells: dict[str | None, str | None] = {None: None}

    def __call__(self, library_id: str | None) -> str | None:
        try:
            return self._cells[library_id]
        except KeyError:
            pass
        path = playlist_rows.folder_path(self._folders, library_id)
        cell = "/".join(path) if path else None
        if cell is not None and not self._raw:
            cell = neutralise(cell)
        self._cells[library_id] = cell
        return cell
