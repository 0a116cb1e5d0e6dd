"""Writing the listening history in the one transaction of an import, in batches.

Each batch first asks which of its natural keys are stored already (one indexed ``IN`` query),
then:

- play events: only new ones are inserted — an event seen before is left as it is;
- daily rows and library tracks: new ones are inserted; stored ones whose ``fingerprint`` (a
  hash of the row's values) differs are updated with this export's values; a daily row met
  twice in one import is added up;
- finally, unlinked play events of earlier imports are linked again against today's mirror.

Statements go to the driver as plain SQL with tuples, values already in the form SQLAlchemy
would have sent (SQLite: UTC datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff`` text, days as
``YYYY-MM-DD``; JSON as text): SQLAlchemy's per-row parameter handling was most of an import's
time. Inserts are ``INSERT … ON CONFLICT (…) DO NOTHING`` — the same statement on SQLite ≥
3.24 and PostgreSQL — so a parallel import of the same account cannot fail on a key: on SQLite
an ``executemany``, on PostgreSQL from rows sent with ``COPY`` into a temporary table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Connection, Table, bindparam, func, insert, or_, select, update

from amsync.db import tables
from amsync.db.engine import describe
from amsync.errors import StoreUnavailable
from amsync.history.linking import BY_CATALOG, HeardDays, MirrorIndex

RELINK_BATCH: Final = 5000
CACHE_KIB: Final = 64 * 1024

PLAY_COLUMNS: Final = (
    "account_id",
    "import_id",
    "event_key",
    "played_at",
    "ended_at",
    "name",
    "artist",
    "album",
    "catalog_id",
    "library_id",
    "linked_by",
    "event_type",
    "play_ms",
    "media_ms",
    "start_position_ms",
    "end_position_ms",
    "end_reason",
    "skipped",
    "feature",
    "source_type",
    "media_type",
    "container_type",
    "container_name",
    "personal",
)
# A daily row's values, in the order of ``DayRow`` tuples (fingerprinted: all but the last).
DAY_COLUMNS: Final = (
    "played_on",
    "track_identifier",
    "description",
    "name",
    "artist",
    "album",
    "catalog_id",
    "library_id",
    "linked_by",
    "hours",
    "plays",
    "skips",
    "play_ms",
    "end_reason",
    "source_type",
    "media_type",
    "ignore_for_recommendations",
    "personal",
)
DAY_PLAYS, DAY_SKIPS, DAY_PLAY_MS, DAY_HOURS = 10, 11, 12, 9
TRACK_COLUMNS: Final = (
    "catalog_id",
    "library_id",
    "linked_by",
    "content_type",
    "title",
    "artist",
    "album",
    "play_count",
    "skip_count",
    "date_added",
    "last_played",
    "last_modified",
    "like_rating",
)


def fingerprint(values: Sequence[Any]) -> str:
    return text_fingerprint(repr(tuple(values)))


def text_fingerprint(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Writer:
    """Statements of one import on one connection."""

    def __init__(self, connection: Connection, account_id: int) -> None:
        self.connection = connection
        self.account_id = account_id
        self.sqlite = connection.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self._days: dict[date, str] = {}
        self._temporary: set[str] = set()
        # The driver's own connection, inside the same transaction: rows come back as plain
        # tuples, without SQLAlchemy's row objects.
        driver = connection.connection.driver_connection
        assert driver is not None
        self._driver = driver

    def _run(self, sql: str, parameters: Sequence[Any], *, many: bool = False) -> list[Any]:
        cursor = self._driver.cursor()
        try:
            if many:
                cursor.executemany(sql, parameters)
                return []
            cursor.execute(sql, parameters)
            return list(cursor.fetchall()) if cursor.description else []
        except self.connection.dialect.loaded_dbapi.Error as exc:
            raise self._failure(exc) from None
        finally:
            cursor.close()

    def _failure(self, exc: BaseException) -> StoreUnavailable:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        return StoreUnavailable(
            f"cannot write the listening history to {describe(self.connection.engine.url)}: "
            f"{reason}"
        )

    @contextlib.contextmanager
    def working_cache(self) -> Iterator[None]:
        """SQLite: a page cache of ``CACHE_KIB`` for the import (the default 2 MB makes the
        random inserts of hashed keys into big indexes read pages again and again), restored
        afterwards."""
        if not self.sqlite:
            yield
            return
        old = self._run("PRAGMA cache_size", ())[0][0]
        self._run(f"PRAGMA cache_size = -{CACHE_KIB}", ())
        try:
            yield
        finally:
            self._run(f"PRAGMA cache_size = {int(old)}", ())

    # --- values as the driver takes them ---------------------------------------------------

    def moment(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # "YYYY-MM-DD HH:MM:SS.ffffff" (the "+00:00" cut off), as SQLAlchemy writes it
        return value.isoformat(" ", "microseconds")[:26]

    def day(self, value: date) -> Any:
        if not self.sqlite:
            return value
        found = self._days.get(value)
        if found is None:
            found = self._days[value] = value.isoformat()
        return found

    @staticmethod
    def json(value: dict[str, Any] | None) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    # --- statements ------------------------------------------------------------------------

    def _marks(self, columns: Sequence[str]) -> list[str]:
        json_mark = self.mark if self.sqlite else "CAST(%s AS JSON)"
        return [json_mark if c == "personal" else self.mark for c in columns]

    def _insert(
        self, table: Table, columns: Sequence[str], key: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
        tail = f" ON CONFLICT ({', '.join(key)}) DO NOTHING"
        one = f"({', '.join(self._marks(columns))})"
        if self.sqlite:  # the driver's executemany is a loop in C
            self._run(head + one + tail, rows, many=True)
            return
        self._copy_insert(table, columns, tail, rows)

    def _copy_insert(
        self, table: Table, columns: Sequence[str], tail: str, rows: list[tuple[Any, ...]]
    ) -> None:
        """PostgreSQL: the rows through ``COPY`` into a temporary table of the transaction,
        then one ``INSERT … SELECT … ON CONFLICT``: a statement per row (or a statement of
        thousands of parameters, which the driver parses in Python) costs ten times as much."""
        names = ", ".join(columns)
        temporary = f"amsync_load_{table.name}"
        if temporary not in self._temporary:
            self._run(
                f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table.name} WITH NO DATA",
                (),
            )
            self._temporary.add(temporary)
        cursor = self._driver.cursor()
        try:
            with cursor.copy(f"COPY {temporary} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except self.connection.dialect.loaded_dbapi.Error as exc:
            raise self._failure(exc) from None
        finally:
            cursor.close()
        self._run(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {temporary}{tail}", ())
        self._run(f"TRUNCATE {temporary}", ())

    def _update(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """``rows``: the values of ``columns``, then the row's id."""
        if not rows:
            return
        sets = ", ".join(f"{c} = {m}" for c, m in zip(columns, self._marks(columns), strict=True))
        sql = f"UPDATE {table.name} SET {sets} WHERE id = {self.mark}"
        self._run(sql, rows, many=True)

    def _stored(
        self, table: Table, key: str, keys: Sequence[str], columns: Sequence[str]
    ) -> dict[str, tuple[Any, ...]]:
        """Stored rows by key: ``(key, *columns)``."""
        if not keys:
            return {}
        head = f"SELECT {', '.join((key, *columns))} FROM {table.name} WHERE account_id = "
        if self.sqlite:
            sql = f"{head}? AND {key} IN ({', '.join('?' * len(keys))})"
            return {row[0]: row for row in self._run(sql, (self.account_id, *keys))}
        sql = f"{head}%s AND {key} = ANY(%s)"
        return {row[0]: row for row in self._run(sql, (self.account_id, list(keys)))}

    def count(self, table: Table) -> int:
        found = self.connection.execute(
            select(func.count()).select_from(table).where(table.c.account_id == self.account_id)
        ).scalar()
        return int(found or 0)

    # --- play events -----------------------------------------------------------------------

    def known_events(self, keys: Sequence[str]) -> set[str]:
        return set(self._stored(tables.play_events, "event_key", keys, ()))

    def insert_events(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows with ``PLAY_COLUMNS``, values from ``moment``/``json`` where needed."""
        self._insert(tables.play_events, PLAY_COLUMNS, ("account_id", "event_key"), rows)

    # --- daily rows ------------------------------------------------------------------------

    def stored_days(self, keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """``(day_key, id, import_id, fingerprint)`` by key."""
        return self._stored(tables.play_days, "day_key", keys, ("id", "import_id", "fingerprint"))

    def stored_day_counts(self, keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """``(day_key, plays, skips, play_ms, hours)`` by key."""
        columns = ("plays", "skips", "play_ms", "hours")
        return self._stored(tables.play_days, "day_key", keys, columns)

    def insert_days(self, import_id: int, rows: list[tuple[str, str, tuple[Any, ...]]]) -> None:
        """``rows``: ``(day_key, fingerprint, values in DAY_COLUMNS order)``."""
        columns = ("account_id", "import_id", "day_key", "fingerprint", *DAY_COLUMNS)
        values = [
            (
                self.account_id,
                import_id,
                key,
                print_,
                self.day(v[0]),
                *v[1:-1],
                self.json(v[-1]),
            )
            for key, print_, v in rows
        ]
        self._insert(tables.play_days, columns, ("account_id", "day_key"), values)

    def update_days(self, import_id: int, rows: list[tuple[int, str, tuple[Any, ...]]]) -> None:
        """``rows``: ``(id, fingerprint, values)``; ``personal`` keeps what it was first
        stored with (``--keep-personal`` applies to the rows it imports)."""
        columns = ("import_id", "fingerprint", *DAY_COLUMNS[:-1])
        values = [
            (import_id, print_, self.day(v[0]), *v[1:-1], row_id) for row_id, print_, v in rows
        ]
        self._update(tables.play_days, columns, values)

    # --- library tracks --------------------------------------------------------------------

    def stored_tracks(self, keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """``(track_identifier, id, fingerprint)`` by identifier."""
        return self._stored(
            tables.library_track_counts, "track_identifier", keys, ("id", "fingerprint")
        )

    def insert_tracks(self, import_id: int, rows: list[tuple[str, str, tuple[Any, ...]]]) -> None:
        """``rows``: ``(track_identifier, fingerprint, values in TRACK_COLUMNS order)``."""
        columns = ("account_id", "import_id", "track_identifier", "fingerprint", *TRACK_COLUMNS)
        values = [(self.account_id, import_id, key, print_, *v) for key, print_, v in rows]
        self._insert(
            tables.library_track_counts, columns, ("account_id", "track_identifier"), values
        )

    def update_tracks(self, import_id: int, rows: list[tuple[int, str, tuple[Any, ...]]]) -> None:
        columns = ("import_id", "fingerprint", *TRACK_COLUMNS)
        values = [(import_id, print_, *v, row_id) for row_id, print_, v in rows]
        self._update(tables.library_track_counts, columns, values)


def start_import(
    connection: Connection, account_id: int, source: str, keep_personal: bool, now: datetime
) -> int:
    table = tables.listening_imports
    result = connection.execute(
        insert(table).values(
            account_id=account_id, started_at=now, source=source[:1000], keep_personal=keep_personal
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_import(
    connection: Connection, import_id: int, counts: dict[str, Any], now: datetime
) -> None:
    table = tables.listening_imports
    connection.execute(
        update(table).where(table.c.id == import_id).values(finished_at=now, counts=counts)
    )


def mirror_signature(connection: Connection, account_id: int) -> str:
    """What the account's mirrored songs look like, in a few numbers: equal signatures mean no
    song was added, changed, revived or removed in between (each of those writes
    ``last_seen_at``), so links cannot have changed."""
    songs = tables.songs
    row = connection.execute(
        select(func.count(), func.max(songs.c.id), func.max(songs.c.last_seen_at)).where(
            songs.c.account_id == account_id
        )
    ).one()
    last = row[2].isoformat() if row[2] is not None else ""
    return f"{row[0]}:{row[1]}:{last}"


def last_mirror_signature(connection: Connection, account_id: int, import_id: int) -> str | None:
    """The mirror's signature when the account's previous finished import ran."""
    imports = tables.listening_imports
    counts = connection.execute(
        select(imports.c.counts)
        .where(
            imports.c.account_id == account_id,
            imports.c.id != import_id,
            imports.c.finished_at.is_not(None),
        )
        .order_by(imports.c.id.desc())
        .limit(1)
    ).scalar()
    if not isinstance(counts, dict):
        return None
    found = counts.get("mirror")
    return found if isinstance(found, str) else None


def relink_plays(
    connection: Connection,
    account_id: int,
    import_id: int,
    index: MirrorIndex,
    heard: HeardDays | None = None,
) -> int:
    """Link the account's unlinked play events of earlier imports where the mirror now has
    their song (after a sync, say); returns how many were linked."""
    table = tables.play_events
    change = (
        update(table)
        .where(table.c.id == bindparam("event_id"))
        .values(library_id=bindparam("new_library_id"), linked_by=bindparam("new_linked_by"))
    )
    linked = 0
    after = 0
    while True:
        batch = connection.execute(
            select(
                table.c.id,
                table.c.name,
                table.c.artist,
                table.c.album,
                table.c.catalog_id,
                table.c.media_ms,
                table.c.played_at,
            )
            .where(
                table.c.account_id == account_id,
                table.c.library_id.is_(None),
                or_(table.c.import_id.is_(None), table.c.import_id != import_id),
                table.c.id > after,
            )
            .order_by(table.c.id)
            .limit(RELINK_BATCH)
        ).all()
        if not batch:
            return linked
        after = batch[-1].id
        found = []
        for row in batch:
            link = index.link(row.name, row.album, row.artist, row.catalog_id, row.media_ms)
            if (
                link is not None
                and heard
                and link.by != BY_CATALOG
                and heard.contradicts(row.played_at.toordinal(), link.library_id, row.name)
            ):
                link = None
            if link is not None:
                found.append(
                    {
                        "event_id": row.id,
                        "new_library_id": link.library_id,
                        "new_linked_by": link.by,
                    }
                )
        if found:
            connection.execute(change, found)
            linked += len(found)
