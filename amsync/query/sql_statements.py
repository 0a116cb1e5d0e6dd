"""Telling a reading SQL statement from a writing one, before anything runs.

``check_read_only`` splits the text into tokens (strings, quoted names, comments and
PostgreSQL dollar quotes are skipped, so a ``;`` or ``DELETE`` inside them does not count) and
accepts exactly one statement that starts with ``SELECT``, ``WITH``, ``VALUES``, ``TABLE``
(PostgreSQL) or ``EXPLAIN`` of one of those, or, on SQLite, a pragma that only reads
(``PRAGMA table_info(songs)``). A ``WITH`` whose body or main statement writes (``WITH x AS
(DELETE …)``, ``WITH … DELETE``) is refused too. This is the first of two fences: the statement
then runs on a read-only connection (``readonly_sql``), which stops whatever this check cannot
see.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from typing import Final

from amsync.errors import UsageError

READING_STARTS: Final = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
WRITING_WORDS: Final = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT"})
EXPLAIN_OPTIONS: Final = frozenset({"QUERY", "PLAN", "ANALYZE", "ANALYSE", "VERBOSE"})
# Pragmas that only read; those in PRAGMA_WITH_ARGUMENT take a table or index name.
READING_PRAGMAS: Final = frozenset(
    {
        "table_list",
        "collation_list",
        "compile_options",
        "database_list",
        "function_list",
        "module_list",
        "pragma_list",
        "application_id",
        "user_version",
        "schema_version",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "journal_mode",
        "foreign_keys",
        "data_version",
    }
)
PRAGMA_WITH_ARGUMENT: Final = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
)

# Words that begin an SQL statement on SQLite or PostgreSQL. A statement that begins with any
# other word is not SQL that some database would run: a syntax error, not a refusal.
STATEMENT_WORDS: Final = frozenset(
    {
        *READING_STARTS,
        *WRITING_WORDS,
        "EXPLAIN", "PRAGMA", "CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "BEGIN", "COMMIT",
        "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "VACUUM", "ANALYZE", "ANALYSE", "REINDEX",
        "GRANT", "REVOKE", "TRUNCATE", "COPY", "SET", "RESET", "SHOW", "LOCK", "LISTEN",
        "UNLISTEN", "NOTIFY", "DO", "CALL", "COMMENT", "CLUSTER", "DISCARD", "PREPARE",
        "EXECUTE", "DEALLOCATE", "DECLARE", "FETCH", "MOVE", "CLOSE", "CHECKPOINT", "LOAD",
        "SECURITY", "REFRESH", "IMPORT", "REASSIGN", "START", "ABORT",
    }
)  # fmt: skip
_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG: Final = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
HELP: Final = "amsync query runs one read-only statement: SELECT, WITH, VALUES or EXPLAIN"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word", "punct", "other"
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper()


def _skip_quoted(sql: str, start: int, close: str) -> int:
    index = start + 1
    while index < len(sql):
        if sql[index] == close:
            if index + 1 < len(sql) and sql[index + 1] == close:  # doubled: escaped
                index += 2
                continue
            return index + 1
        index += 1
    raise UsageError("the query has an unterminated quote")


def tokens(sql: str, *, postgres: bool) -> list[Token]:
    out: list[Token] = []
    index = 0
    length = len(sql)
    while index < length:
        char = sql[index]
        if char.isspace():
            index += 1
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            index = length if end < 0 else end + 1
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            if end < 0:
                raise UsageError("the query has an unterminated /* comment")
            index = end + 2
        elif char in "'\"`":
            end = _skip_quoted(sql, index, char)
            out.append(Token("other" if char == "'" else "word", sql[index:end]))
            index = end
        elif char == "[" and not postgres:
            end = sql.find("]", index)
            if end < 0:
                raise UsageError("the query has an unterminated [name]")
            out.append(Token("word", sql[index : end + 1]))
            index = end + 1
        elif char == "$" and postgres and (tag := _DOLLAR_TAG.match(sql, index)):
            end = sql.find(tag.group(0), tag.end())
            if end < 0:
                raise UsageError("the query has an unterminated $$ string")
            out.append(Token("other", sql[index : end + len(tag.group(0))]))
            index = end + len(tag.group(0))
        elif match := _WORD.match(sql, index):
            out.append(Token("word", match.group(0)))
            index = match.end()
        elif char in ";(),=":
            out.append(Token("punct", char))
            index += 1
        else:
            out.append(Token("other", char))
            index += 1
    return out


def split_statements(items: list[Token]) -> list[list[Token]]:
    statements: list[list[Token]] = [[]]
    for token in items:
        if token.kind == "punct" and token.text == ";":
            statements.append([])
        else:
            statements[-1].append(token)
    return [s for s in statements if s]


def _first_word(items: list[Token], start: int = 0) -> tuple[int, str]:
    index = start
    while index < len(items) and items[index].text == "(":
        index += 1
    if index >= len(items):
        return index, ""
    return index, items[index].upper


def _refuse(word: str) -> UsageError:
    first = word.split(" ")[-1]
    if first and first not in STATEMENT_WORDS:
        return _syntax_error(first)
    shown = word if word.isascii() and len(word) < 30 else "this statement"
    return UsageError(f"{shown} is refused: {HELP} (the mirror is never changed by a query)")


def _syntax_error(word: str) -> UsageError:
    """A statement that begins with a word no SQL statement begins with."""
    shown = word if len(word) <= 30 else word[:30] + "…"
    close = difflib.get_close_matches(word.upper(), sorted(READING_STARTS | {"EXPLAIN"}), n=1)
    suggestion = f" (did you mean {close[0]}?)" if close else ""
    return UsageError(
        f"syntax error: {shown!r} does not begin an SQL statement{suggestion}",
        hint="amsync query runs one SELECT, WITH, VALUES or EXPLAIN statement",
    )


def _check_pragma(items: list[Token]) -> None:
    if any(t.kind == "punct" and t.text == "=" for t in items):
        raise UsageError(f"PRAGMA writes are refused: {HELP}")
    names = [t.text.lower() for t in items[1:] if t.kind == "word"]
    if len(names) >= 2 and items[2:3] and items[2].text == ".":
        names = names[1:]  # schema.pragma
    name = names[0] if names else ""
    if name in READING_PRAGMAS and len(names) == 1:
        return
    if name in PRAGMA_WITH_ARGUMENT:
        return
    raise UsageError(f"PRAGMA {name or ''} is refused: only pragmas that read are allowed")


def _check_writing_inside(items: list[Token]) -> None:
    """Statements starting after ``(`` or ``)`` (CTE bodies, the statement after the CTEs)."""
    for before, token in itertools.pairwise(items):
        if before.kind != "punct" or before.text not in "()" or token.kind != "word":
            continue
        if token.upper in WRITING_WORDS:
            raise _refuse(token.upper)


def check_read_only(sql: str, *, postgres: bool) -> str:
    """The first keyword (``SELECT``, ``EXPLAIN`` …) if ``sql`` is one reading statement;
    else a ``UsageError``."""
    statements = split_statements(tokens(sql, postgres=postgres))
    if not statements:
        raise UsageError("the query is empty")
    if len(statements) > 1:
        raise UsageError(f"several statements are refused: {HELP}")
    items = statements[0]
    index, word = _first_word(items)
    if word == "PRAGMA" and not postgres:
        _check_pragma(items)
    elif word == "EXPLAIN":
        index += 1
        while index < len(items) and (
            items[index].upper in EXPLAIN_OPTIONS or items[index].text == "("
        ):
            if items[index].text == "(":  # PostgreSQL's EXPLAIN (ANALYZE, …) options
                while index < len(items) and items[index].text != ")":
                    index += 1
            index += 1
        _, inner = _first_word(items, index)
        if inner not in READING_STARTS:
            raise _refuse(f"EXPLAIN {inner}".strip())
    elif word not in READING_STARTS or (word == "TABLE" and not postgres):
        raise _refuse(word or "this statement")
    _check_writing_inside(items)
    return word
