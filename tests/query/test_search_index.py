"""Migration 0004: the FTS5 tables are external-content tables of the item tables (the text is
stored once; Datasette and sqlite-utils find them), kept in step by triggers that follow FTS5's
'delete' protocol — checked with FTS5's own integrity check after every kind of write."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, delete, select, update

from amsync.db.models import Playlist, Song
from amsync.db.schema import downgrade, upgrade
from amsync.db.store import open_store
from amsync.query.search import search
from tests.support.mirror_builder import build_sample_mirror, mirror

FTS = {
    "search_songs": "songs",
    "search_albums": "albums",
    "search_artists": "artists",
    "search_playlists": "playlists",
}


def _integrity(path: str) -> None:
    """FTS5's check that the index matches the content table exactly (raises if not)."""
    with sqlite3.connect(path) as connection:
        for fts in FTS:
            connection.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def test_search_tables_are_external_content_tables(sqlite_path: str) -> None:
    build_sample_mirror(sqlite_path)
    with sqlite3.connect(sqlite_path) as connection:
        for fts, table in FTS.items():
            sql = connection.execute(
                "SELECT sql FROM sqlite_master WHERE name = ?", (fts,)
            ).fetchone()[0]
            assert f'content="{table}"' in sql and 'content_rowid="id"' in sql, sql
            own = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = ?", (f"{fts}_content",)
            ).fetchone()[0]
            assert own == 0, "no second copy of the text"
    _integrity(sqlite_path)


def test_the_index_follows_inserts_updates_and_deletes(sqlite_path: str) -> None:
    with mirror(sqlite_path) as m:
        m.song("i.1", "Yellow Submarine", artist="The Beatles", album="Revolver")
        m.song("i.2", "Here Comes the Sun", artist="The Beatles")
        m.playlist("p.1", "Road Trip", ["i.1"], description="for the car")
    _integrity(sqlite_path)
    store = open_store(sqlite_path)
    try:
        account = store.account_id("default")
        with store.session() as session:
            session.execute(update(Song).where(Song.library_id == "i.1").values(name="Blue Moon"))
            session.execute(update(Song).where(Song.library_id == "i.2").values(kind="song"))
            session.execute(
                update(Playlist).where(Playlist.library_id == "p.1").values(description="van")
            )
        _integrity(sqlite_path)
        assert search(store, account, "submarine") == []
        assert [h.library_id for h in search(store, account, "moon revolver")] == ["i.1"]
        assert [h.library_id for h in search(store, account, "van")] == ["p.1"]
        with store.session() as session:
            session.execute(delete(Song).where(Song.library_id == "i.2"))
        _integrity(sqlite_path)
        assert search(store, account, "sun") == []
    finally:
        store.close()


def test_downgrade_restores_the_own_copy_tables_and_search_still_works(sqlite_path: str) -> None:
    build_sample_mirror(sqlite_path)
    engine = create_engine(f"sqlite:///{sqlite_path}")
    try:
        downgrade(engine, "0003")
        with sqlite3.connect(sqlite_path) as connection:
            sql = connection.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'search_songs'"
            ).fetchone()[0]
            assert "content=" not in sql
        _integrity(sqlite_path)
        upgrade(engine)
    finally:
        engine.dispose()
    _integrity(sqlite_path)
    store = open_store(sqlite_path)
    try:
        hits = search(store, store.account_id("default"), "hello adele", types=("song",))
        assert {h.library_id for h in hits} == {"i.S1", "i.S6"}
        with store.session() as session:
            assert session.scalar(select(Song.name).where(Song.library_id == "i.S1")) == "Hello"
    finally:
        store.close()


@pytest.mark.parametrize("fts", sorted(FTS))
def test_every_search_table_has_its_three_triggers(sqlite_path: str, fts: str) -> None:
    build_sample_mirror(sqlite_path)
    with sqlite3.connect(sqlite_path) as connection:
        names = {
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                (FTS[fts],),
            )
        }
    assert {f"{fts}_insert", f"{fts}_delete", f"{fts}_update"} <= names
