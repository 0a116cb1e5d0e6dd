"""CSV cells computed by the database, so that ``export csv`` does almost no work per row.

An export query (``library_rows``) is rewritten to select CSV cells instead of values: text
cells are neutralised in SQL (a ``'`` in front when the first character would start a
spreadsheet formula, unless raw), booleans become ``true``/``false``, unknown values stay NULL
(the csv module writes an empty cell). What SQL cannot do portably — genres (JSON text → names
joined with ``"; "``) and folder paths — is one cell per row fixed in Python, cached.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Integer, case, literal, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from amsync.export import library_rows as rows
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
    GENRES = "genres"  # JSON text, fixed in Python
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
    column index of ``statement`` and the kind of cell it becomes. At most one ``GENRES`` or
    ``FOLDER`` cell (``folders`` needed for the latter)."""
    columns = list(statement.selected_columns)
    cells = [_sql_cell(columns[index], kind, raw) for index, kind in layout]
    fixed = [(i, kind) for i, (_, kind) in enumerate(layout) if kind in (Cell.GENRES, Cell.FOLDER)]
    if len(fixed) > 1:
        raise ValueError("one Python-fixed cell per row at most")
    fix = None
    if fixed:
        at, kind = fixed[0]
        if kind is Cell.GENRES:
            fix = _fix_cell(at, functools.partial(genres_cell, raw=raw))
        else:
            if folders is None:
                raise ValueError("a FOLDER cell needs the folders")
            fix = _fix_cell(at, _FolderCells(folders, raw))
    return CellQuery(statement.with_only_columns(*cells), fix)


def _fix_cell(at: int, convert: Callable[[Any], Any]) -> ChunkFix:
    after = at + 1

    def fix(chunk: list[Row]) -> list[Row]:
        return [(*row[:at], convert(row[at]), *row[after:]) for row in chunk]

    return fix


@functools.lru_cache(maxsize=4096)
def genres_cell(text: str | None, raw: bool = False) -> str | None:
    """The genres cell for the stored JSON text: names joined with ``"; "``; NULL when the
    text is not a JSON array of strings. Cached: a library has few distinct genre lists."""
    genres = rows.parse_genres(text)
    if genres is None:
        return None
    joined = "; ".join(genres)
    return joined if raw else neutralise(joined)


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
