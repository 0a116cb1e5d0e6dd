"""``amsync search``: find songs, albums, artists and playlists by words of their names.

Every word of the text must match the start of a word (SQLite, FTS5: ``hel ade`` finds "Hello"
by Adele; accents are ignored) or, on PostgreSQL and SQLite builds without FTS5, appear
anywhere in the name, artist, album or description (case-insensitive; a ``pg_trgm`` index
serves it when the migration could install one). Removed items are not found. Results are
ranked per type (FTS5's bm25, name weighted above artist above album; on PostgreSQL exact
name first, then shorter names) and merged.

Each hit names its parts once, whatever the output: ``artist`` (songs, albums), ``album``
(songs) and ``description`` (playlists); a part a type does not have is ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Final

from amsync.db.reading import Reader, first
from amsync.query.snapshot import reading

if TYPE_CHECKING:
    from amsync.db.store import Store

TYPES: Final = ("song", "album", "artist", "playlist")
MAX_WORDS: Final = 16
_WORD: Final = re.compile(r"\w+")

# type -> (table, searchable columns, its "artist", "album" and "description" columns)
_TARGETS: Final[dict[str, tuple[str, tuple[str, ...], str | None, str | None, str | None]]] = {
    "song": ("songs", ("name", "artist", "album"), "artist", "album", None),
    "album": ("albums", ("name", "artist"), "artist", None, None),
    "artist": ("artists", ("name",), None, None, None),
    "playlist": ("playlists", ("name", "description"), None, None, "description"),
}
COLUMNS: Final = ("type", "library_id", "name", "artist", "album", "description")
_FTS_WEIGHTS: Final = {
    "song": "10.0, 4.0, 2.0",
    "album": "10.0, 4.0",
    "artist": "10.0",
    "playlist": "10.0, 1.0",
}


@dataclass(frozen=True, slots=True)
class SearchHit:
    type: str
    library_id: str
    name: str
    artist: str | None
    album: str | None
    description: str | None
    rank: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_row(self) -> tuple[str | None, ...]:
        """The values of ``COLUMNS``."""
        return (self.type, self.library_id, self.name, self.artist, self.album, self.description)


def search_words(text_: str) -> list[str]:
    return _WORD.findall(text_)[:MAX_WORDS]


def _fts_query(words: Sequence[str]) -> str:
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)


def _like_pattern(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_expression(columns: Sequence[str], alias: str) -> str:
    """Same expression as migration 0002's trigram indexes (``postgres_search_expression``)."""
    joined = " || ' ' || ".join(f"coalesce({alias}.{c}, '')" for c in columns)
    return f"lower({joined})"


def has_fts(reader: Reader) -> bool:
    if reader.backend != "sqlite":
        return False
    found = first(
        reader, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_songs'"
    )
    return found is not None


def _shown(alias: str, column: str | None) -> str:
    return f"{alias}.{column}" if column else "NULL"


def _shown_parts(kind: str, alias: str) -> str:
    _, _, artist, album, description = _TARGETS[kind]
    return ", ".join(_shown(alias, column) for column in (artist, album, description))


def _fts_hits(
    reader: Reader, account_id: int, kind: str, words: Sequence[str], limit: int
) -> list[SearchHit]:
    table = _TARGETS[kind][0]
    fts = f"search_{table}"
    sql = (
        f"SELECT t.library_id, t.name, {_shown_parts(kind, 't')}, "
        f"bm25({fts}, {_FTS_WEIGHTS[kind]}) AS score "
        f"FROM {fts} JOIN {table} t ON t.id = {fts}.rowid "
        f"WHERE {fts} MATCH :query AND t.account_id = :account AND t.removed_at IS NULL "
        "ORDER BY score LIMIT :limit"
    )
    rows = reader.rows(sql, {"query": _fts_query(words), "account": account_id, "limit": limit})
    return [SearchHit(kind, r[0], r[1], r[2], r[3], r[4], float(r[5])) for r in rows]


def _like_hits(
    reader: Reader,
    account_id: int,
    kind: str,
    words: Sequence[str],
    phrase: str,
    limit: int,
) -> list[SearchHit]:
    table, columns = _TARGETS[kind][:2]
    expression = search_expression(columns, "t")
    conditions = " AND ".join(f"{expression} LIKE :w{i} ESCAPE '\\'" for i in range(len(words)))
    sql = (
        f"SELECT t.library_id, t.name, {_shown_parts(kind, 't')} "
        f"FROM {table} t WHERE t.account_id = :account AND t.removed_at IS NULL AND "
        f"{conditions} ORDER BY CASE WHEN lower(t.name) = :phrase THEN 0 ELSE 1 END, "
        "length(t.name), t.name LIMIT :limit"
    )
    params: dict[str, Any] = {"account": account_id, "limit": limit, "phrase": phrase.lower()}
    params.update({f"w{i}": _like_pattern(word) for i, word in enumerate(words)})
    rows = reader.rows(sql, params)
    return [
        SearchHit(kind, r[0], r[1], r[2], r[3], r[4], float(index)) for index, r in enumerate(rows)
    ]


def search(
    source: Store | Reader,
    account_id: int,
    text_: str,
    *,
    types: Sequence[str] = TYPES,
    limit: int = 20,
) -> list[SearchHit]:
    """The best ``limit`` hits for ``text_`` among ``types``; no words → no hits."""
    words = search_words(text_)
    if not words or limit <= 0:
        return []
    hits: list[SearchHit] = []
    with reading(source) as reader:
        fts = has_fts(reader)
        for kind in types:
            if fts:
                hits += _fts_hits(reader, account_id, kind, words, limit)
            else:
                hits += _like_hits(reader, account_id, kind, words, text_.strip(), limit)
    order = {kind: index for index, kind in enumerate(TYPES)}
    hits.sort(key=lambda hit: (hit.rank, order[hit.type]))
    return hits[:limit]
