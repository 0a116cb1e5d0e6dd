"""End-to-end: the sync over the emulator on a real socket, the mirror compared with Apple's
state after a first sync, after mutations, after no change, and when the guard trips."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amsync.db import tables
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator, LibrarySpec
from amsync.sync.runner import run_sync
from tests.support.cli import invoke
from tests.support.mirror_compare import actual_mirror, dump_tables, expected_mirror
from tests.sync.conftest import in_process_client, make_emulator

Env = Callable[[str], dict[str, str]]


def _sync_cli(db: str, url: str, env: Env, *args: str) -> tuple[int, str, str]:
    result = invoke(["--db", db, "sync", *args], env=env(url))
    return result.exit_code, result.stdout, result.stderr


def test_first_sync_of_an_awkward_library_mirrors_it(
    awkward: Emulator, sqlite_path: str, cli_env: Env
) -> None:
    library = awkward.library
    assert any(len(p.tracks) > 300 for p in library.playlists.values())
    assert any(s.catalog_id is None for s in library.songs.values()), "needs uploads"
    assert any(len(set(p.tracks)) < len(p.tracks) for p in library.playlists.values())
    with awkward.serve() as server:
        code, out, err = _sync_cli(sqlite_path, server.url, cli_env)
    assert code == 0, err
    assert "sync finished" in out
    store = open_store(sqlite_path)
    try:
        assert actual_mirror(store) == expected_mirror(library)
    finally:
        store.close()


def _mutate(library: object) -> dict[str, str]:
    from amsync.emulator import Library

    assert isinstance(library, Library)
    songs = sorted(library.songs)
    removed_song = songs[0]
    library.remove_song(removed_song)
    renamed = songs[1]
    library.update_song(renamed, name="Renamed ✨ song")
    catalog_id = next(
        iter(c for c in library.catalog_songs if not library.catalog_songs[c].withdrawn)
    )
    added = library.add_song(catalog_id).id
    playlist = sorted(library.playlists, key=lambda p: -len(library.playlists[p].tracks))[0]
    tracks = list(library.playlists[playlist].tracks)
    library.set_playlist_tracks(playlist, [*reversed(tracks[:5]), *tracks[6:], renamed, renamed])
    gone_playlist = sorted(library.playlists)[-1]
    library.remove_playlist(gone_playlist)
    library.set_rating("library-songs", renamed, 1)
    library.set_rating("library-songs", songs[2], -1)
    return {
        "removed_song": removed_song,
        "renamed": renamed,
        "added": added,
        "playlist": playlist,
        "gone_playlist": gone_playlist,
    }


def test_second_sync_after_mutations_keeps_tombstones_and_revisions(
    awkward: Emulator, store: Store
) -> None:
    async def sync() -> None:
        async with in_process_client(awkward) as client:
            report = await run_sync(client, store, "default")
            assert report.status == "succeeded"

    asyncio.run(sync())
    changed = _mutate(awkward.library)
    asyncio.run(sync())
    assert actual_mirror(store) == expected_mirror(awkward.library)
    with store.session() as session:
        songs, revisions = tables.songs, tables.playlist_revisions
        removed_at = session.execute(
            select(songs.c.removed_at).where(songs.c.library_id == changed["removed_song"])
        ).scalar_one()
        assert removed_at is not None, "a removed song is tombstoned, not deleted"
        playlist_id = session.execute(
            select(tables.playlists.c.id).where(
                tables.playlists.c.library_id == changed["playlist"]
            )
        ).scalar_one()
        history = session.execute(
            select(revisions.c.valid_to).where(revisions.c.playlist_id == playlist_id)
        ).all()
        assert len(history) == 2 and sum(1 for (to,) in history if to is None) == 1
        gone = session.execute(
            select(tables.playlists.c.removed_at).where(
                tables.playlists.c.library_id == changed["gone_playlist"]
            )
        ).scalar_one()
        assert gone is not None
        kinds = dict(
            session.execute(
                select(tables.item_changes.c.change, func.count()).group_by(
                    tables.item_changes.c.change
                )
            ).all()
        )
        assert kinds.get("removed", 0) >= 2 and kinds.get("changed", 0) >= 1
        assert kinds.get("revised", 0) >= 1


def test_no_change_resync_writes_no_item_rows(awkward: Emulator, store: Store) -> None:
    async def sync() -> int:
        async with in_process_client(awkward) as client:
            report = await run_sync(client, store, "default")
            return report.item_writes

    asyncio.run(sync())
    before = dump_tables(store)
    assert asyncio.run(sync()) == 0
    assert dump_tables(store) == before
    with store.session() as session:
        runs = session.execute(select(tables.sync_runs.c.status)).scalars().all()
    assert runs == ["succeeded", "succeeded"]


def test_dry_run_changes_nothing(awkward: Emulator, sqlite_path: str, cli_env: Env) -> None:
    with awkward.serve() as server:
        assert _sync_cli(sqlite_path, server.url, cli_env)[0] == 0
        _mutate(awkward.library)
        store = open_store(sqlite_path)
        before = dump_tables(store)
        code, out, _ = _sync_cli(sqlite_path, server.url, cli_env, "--dry-run")
        assert code == 0
        assert "dry run" in out
        assert dump_tables(store) == before
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(tables.sync_runs)) == 1
        store.close()


@pytest.mark.parametrize("removal", ["empty", "sixty_percent"])
def test_guard_refuses_large_removals(
    removal: str, sqlite_path: str, cli_env: Env, tmp_path: Path
) -> None:
    emulator = make_emulator(LibrarySpec(songs=400, playlists=12, seed=5))
    with emulator.serve() as server:
        assert _sync_cli(sqlite_path, server.url, cli_env)[0] == 0
        store = open_store(sqlite_path)
        before = dump_tables(store)
        held = {name: len(items) for name, items in actual_mirror(store).items()}
        if removal == "empty":
            emulator.library.clear_library()
            reasons = [
                f"{name}: Apple listed none while the mirror holds {held[name]}"
                for name in ("folders", "playlists", "artists", "albums", "songs")
            ]
        else:
            gone = sorted(emulator.library.songs)[: int(len(emulator.library.songs) * 0.6)]
            for song_id in gone:
                emulator.library.remove_song(song_id)
            reasons = [
                f"songs: {len(gone)} of {held['songs']} would be removed "
                "(more than 10 % and more than 50)"
            ]
        stopped = "amsync: error: the deletion guard stopped the sync: " + "; ".join(reasons)
        dry = _sync_cli(sqlite_path, server.url, cli_env, "--dry-run")
        assert dry[0] == 4, dry
        assert dry[2].startswith(stopped + " — "), dry[2]
        code, _, err = _sync_cli(sqlite_path, server.url, cli_env)
        assert code == 4, err
        assert err == (
            f"{stopped} — check the library in Apple Music; if the removals are real, run "
            "`amsync sync --force` (or raise --max-delete)\n"
        )
        assert dump_tables(store) == before
        with store.session() as session:
            runs = session.execute(
                select(tables.sync_runs.c.status, tables.sync_runs.c.error).order_by(
                    tables.sync_runs.c.id
                )
            ).all()
        assert [tuple(r) for r in runs] == [
            ("succeeded", None),
            ("refused", "deletion guard: " + "; ".join(reasons)),
        ]
        forced = _sync_cli(sqlite_path, server.url, cli_env, "--force")
        assert forced[0] == 0, forced
        assert actual_mirror(store) == expected_mirror(emulator.library)
        store.close()


def test_renaming_a_playlist_records_a_revision_with_the_old_name(
    awkward: Emulator, store: Store
) -> None:
    """docs/explanation/sync.md: each time a playlist's name or track list changes, a new revision
    is recorded. A rename alone (same tracks) must close the old revision, which keeps the old
    name."""

    async def sync() -> None:
        async with in_process_client(awkward) as client:
            report = await run_sync(client, store, "default")
            assert report.status == "succeeded"

    asyncio.run(sync())
    playlist = sorted(awkward.library.playlists)[0]
    old_name = awkward.library.playlists[playlist].name
    awkward.library.rename_playlist(playlist, "Renamed ✨ playlist")
    asyncio.run(sync())
    revisions, playlists = tables.playlist_revisions, tables.playlists
    with store.session() as session:
        rows = session.execute(
            select(revisions.c.name, revisions.c.valid_to, revisions.c.track_count)
            .join(playlists, playlists.c.id == revisions.c.playlist_id)
            .where(playlists.c.library_id == playlist)
            .order_by(revisions.c.id)
        ).all()
        revised = session.execute(
            select(func.count()).where(
                tables.item_changes.c.change == "revised",
                tables.item_changes.c.library_id == playlist,
            )
        ).scalar_one()
    assert [(name, to is None) for name, to, _ in rows] == [
        (old_name, False),
        ("Renamed ✨ playlist", True),
    ]
    assert rows[0].track_count == rows[1].track_count
    assert revised == 1
