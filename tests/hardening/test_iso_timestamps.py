"""Issue 14 item 10: the documented views show timestamps as ISO 8601 UTC text to the second
(``YYYY-MM-DDTHH:MM:SSZ``) on SQLite and PostgreSQL, so that string comparison with what amsync
prints (and with ``strftime``) is right; amsync prints the same spelling; ``history --since``
takes it (and a date)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, inspect, select, text

from amsync import __version__
from amsync.db.models import ItemChange, SyncRun
from amsync.db.schema import downgrade, upgrade
from amsync.db.store import open_store
from tests.hardening.conftest import synced_mirror
from tests.support.cli import invoke

ISO_UTC_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")  # the one spelling
TIME_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
# Apple's own dates stay as Apple wrote them (DESIGN §3); every other time is amsync's.
APPLE_DATES = frozenset({"date_added", "release_date"})
TIMESTAMP_NAMES = re.compile(r"(_at|^valid_from|^valid_to|^revision_since)$")


def _views(store: Any) -> list[str]:
    return sorted(inspect(store.engine).get_view_names())


def test_every_timestamp_in_every_view_is_iso_utc_to_the_second(db_url: str) -> None:
    synced_mirror(db_url)
    store = open_store(db_url)
    seen: dict[tuple[str, str], int] = {}
    try:
        with store.engine.connect() as connection:
            views = _views(store)
            assert {"songs_v", "changes_v", "playlist_entries_v", "favourites_v"} <= set(views)
            for view in views:
                result = connection.execute(text(f"SELECT * FROM {view}"))
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        if column in APPLE_DATES or value is None:
                            continue
                        assert not isinstance(value, datetime), (view, column, value)
                        if TIMESTAMP_NAMES.search(column):
                            seen[(view, column)] = seen.get((view, column), 0) + 1
                            assert isinstance(value, str), (view, column, value)
                        if isinstance(value, str) and TIME_LIKE.match(value):
                            assert ISO_UTC_PATTERN.match(value), (view, column, value)
    finally:
        store.close()
    expected = {
        ("songs_v", "catalog_fetched_at"),
        ("songs_v", "first_seen_at"),
        ("albums_v", "last_seen_at"),
        ("artists_v", "first_seen_at"),
        ("playlists_v", "revision_since"),
        ("playlist_entries_v", "valid_from"),
        ("playlist_entries_v", "valid_to"),
        ("favourites_v", "updated_at"),
        ("changes_v", "run_started_at"),
        ("changes_v", "run_finished_at"),
        ("changes_v", "recorded_at"),
    }
    assert expected <= set(seen), f"not every timestamp column was seen: {expected - set(seen)}"


def _runs_at(db_url: str, moments: list[datetime]) -> None:
    """One run with one change at each of ``moments`` (full precision, as amsync stores)."""
    store = open_store(db_url)
    try:
        account_id = store.account_id("default")
        with store.writing() as session:
            connection = session.connection()
            for n, moment in enumerate(moments):
                run_id = connection.execute(
                    insert(SyncRun)
                    .values(
                        account_id=account_id,
                        kind="sync",
                        status="succeeded",
                        started_at=moment,
                        finished_at=moment + timedelta(seconds=3),
                        amsync_version=__version__,
                    )
                    .returning(SyncRun.id)
                ).scalar_one()
                connection.execute(
                    insert(ItemChange).values(
                        account_id=account_id,
                        run_id=run_id,
                        item_type="song",
                        library_id=f"i.{n}",
                        change="added",
                        name=f"song {n}",
                        recorded_at=moment,
                    )
                )
    finally:
        store.close()


def test_comparing_with_the_printed_spelling_counts_right(db_url: str) -> None:
    early = datetime(2026, 11, 29, 7, 0, 0, 500_000, tzinfo=UTC)
    late = datetime(2026, 11, 29, 9, 51, 40, 812_345, tzinfo=UTC)
    _runs_at(db_url, [early, late])

    def count(where: str) -> int:
        sql = f"SELECT count(*) AS n FROM changes_v WHERE {where}"
        result = invoke(["--db", db_url, "query", sql, "--format", "json"])
        assert result.exit_code == 0, result.output
        return int(json.loads(result.stdout)[0]["n"])

    assert count("run_started_at < '2026-11-29T08:00:00Z'") == 1
    assert count("run_started_at > '2026-11-29T08:00:00Z'") == 1
    printed = "2026-11-29T09:51:40Z"  # how amsync prints ``late``
    assert count(f"run_started_at < '{printed}'") == 1  # the late run is in its second
    assert count(f"run_started_at <= '{printed}'") == 2
    assert count("recorded_at >= '2026-11-29T07:00:00Z'") == 2
    assert count("run_finished_at = '2026-11-29T07:00:03Z'") == 1
    assert count("run_started_at >= '2026-11-29'") == 2  # a date compares as its day's start


def test_sqlite_strftime_compares_with_the_views(sqlite_path: str) -> None:
    now = datetime.now(UTC)
    # 23 hours ago falls on the same date as the boundary (now - 1 day): only the time part
    # tells it apart, which a space instead of the "T" spoils
    _runs_at(sqlite_path, [now - timedelta(hours=25), now - timedelta(hours=23)])
    sql = (
        "SELECT count(*) AS n FROM changes_v "
        "WHERE run_started_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"
    )
    result = invoke(["--db", sqlite_path, "query", sql, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["n"] == 1


def test_what_amsync_prints_uses_the_same_spelling(db_url: str) -> None:
    synced_mirror(db_url)
    stats = json.loads(invoke(["--db", db_url, "stats", "--json"]).stdout)
    printed = [stats["last_synced_at"]] + [
        run[key] for run in stats["last_runs"] for key in ("started_at", "finished_at")
    ]
    history = invoke(["--db", db_url, "history", "--json"])
    assert history.exit_code == 0, history.output
    report = json.loads(history.stdout)
    printed += [change["recorded_at"] for change in report["changes"]]
    printed += [playlist["valid_from"] for playlist in report["playlists"]]
    accounts = json.loads(invoke(["--db", db_url, "accounts", "list", "--json"]).stdout)
    printed += [account["last_synced_at"] for account in accounts]
    sql = "SELECT run_started_at FROM changes_v"
    query = invoke(["--db", db_url, "query", sql, "--format", "json"])
    printed += [row["run_started_at"] for row in json.loads(query.stdout)]
    assert len(printed) > 6 and all(printed), printed
    for value in printed:
        assert ISO_UTC_PATTERN.match(value), value
    # what history printed goes back in as --since, and the date-only form works too
    since = report["changes"][-1]["recorded_at"]
    again = json.loads(invoke(["--db", db_url, "history", "--since", since, "--json"]).stdout)
    assert again["since"] == since
    assert again["changes"] and again["changes"][-1] == report["changes"][-1]
    day = since[:10]
    by_day = json.loads(invoke(["--db", db_url, "history", "--since", day, "--json"]).stdout)
    assert by_day["since"] == f"{day}T00:00:00Z"
    assert len(by_day["changes"]) == len(report["changes"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T12:00:00Z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T12:00:00.25Z", datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)),
        ("2026-03-01 12:00:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T14:00:00+02:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_parse_moment_reads_what_amsync_and_the_views_print(text: str, expected: datetime) -> None:
    from amsync.domain.timestamps import iso_utc, parse_moment

    assert parse_moment(text) == expected
    assert parse_moment(iso_utc(expected) or "") == expected.replace(microsecond=0)


def test_a_bad_since_is_one_line(sqlite_path: str) -> None:
    synced_mirror(sqlite_path)
    result = invoke(["--db", sqlite_path, "history", "--since", "yesterday"])
    assert result.exit_code == 2
    assert "2026-03-01T12:00:00Z" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_downgrade_restores_the_views_of_0002(sqlite_path: str) -> None:
    _runs_at(sqlite_path, [datetime(2026, 11, 29, 9, 51, 40, 812_345, tzinfo=UTC)])
    store = open_store(sqlite_path)
    try:
        downgrade(store.engine, "0002")
        with store.engine.connect() as connection:
            old = connection.execute(select(text("run_started_at")).select_from(text("changes_v")))
            assert old.scalar() == "2026-11-29 09:51:40.812345"
        upgrade(store.engine)
        with store.engine.connect() as connection:
            new = connection.execute(select(text("run_started_at")).select_from(text("changes_v")))
            assert new.scalar() == "2026-11-29T09:51:40Z"
    finally:
        store.close()
