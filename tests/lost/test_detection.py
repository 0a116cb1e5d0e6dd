"""Each cause of a loss, found after a real sync against the emulator, on SQLite and
PostgreSQL; then settled (catalog checked, replacement looked up) and found back."""

from __future__ import annotations

import math

import pytest

from amsync.db.store import Store
from amsync.domain.timestamps import ISO_UTC_PATTERN
from amsync.emulator.lost_music import Withdrawal, carry_out, prepare_withdrawals
from amsync.emulator.resources import LibrarySong
from tests.lost.conftest import losses, positions_of, settle, small_library, song_facts, sync


def _one(emulator_library: object, kind: str = "isrc") -> Withdrawal:
    plans = prepare_withdrawals(emulator_library, 12, seed=4, replaced=0.5)  # type: ignore[arg-type]
    return next(p for p in plans if p.kind == kind)


def test_a_withdrawn_song_that_apple_greys_out_and_takes_from_playlists(store: Store) -> None:
    emulator = small_library()
    sync(emulator, store)
    plan = _one(emulator.library)
    library_id = next(
        s.id for s in emulator.library.songs.values() if s.catalog_id == plan.catalog_id
    )
    where = positions_of(emulator, library_id)
    assert where, "the chosen song is in a playlist"
    carry_out(emulator.library, [plan], leave_playlists=1.0)
    report = sync(emulator, store)
    expected_rows = 1 + sum(len(p) for p in where.values())
    assert report.lost["new"] == expected_rows
    assert report.lost["pending"] == expected_rows, "the listing no longer says its catalog id"
    assert report.lost["confirmed"] == expected_rows, "the sync asked the catalog at its end"
    assert {r["cause"] for r in losses(store)} == {"withdrawn"}
    assert all(r["replacement_catalog_id"] is None for r in losses(store)), "not looked up yet"
    settled = settle(emulator, store)
    assert settled.checked == 0 and settled.found == 1
    found = losses(store)
    library_row, *playlist_rows = found
    assert library_row["library_id"] == library_id
    assert library_row["catalog_id"] == plan.catalog_id, "kept from before it was greyed out"
    assert library_row["playlist_id"] is None and library_row["position"] is None
    assert library_row["kind"] == "unplayable"
    assert {(r["playlist_id"], r["position"]) for r in playlist_rows} == {
        (pid, at) for pid, ats in where.items() for at in ats
    }
    for row in found:
        assert row["cause"] == "withdrawn"
        assert row["evidence"] == f"Apple's catalog no longer has catalog song {plan.catalog_id}"
        assert row["replacement_catalog_id"] in plan.replacements
        assert ISO_UTC_PATTERN.match(row["lost_at"])
    facts = song_facts(store, library_id)
    assert facts["method"] == "isrc" and facts["score"] == 1.0


def test_a_withdrawn_song_that_keeps_its_catalog_id_is_settled_by_the_sync(
    store: Store,
) -> None:
    emulator = small_library()
    sync(emulator, store)
    song = sorted(emulator.library.songs.values(), key=lambda s: s.id)[3]
    emulator.library.withdraw_catalog_song(song.catalog_id or "")
    report = sync(emulator, store)
    assert report.lost["pending"] == 0
    (row,) = losses(store)
    assert (row["library_id"], row["kind"], row["cause"]) == (song.id, "unplayable", "withdrawn")
    assert row["name"] == song.name and row["artist"] == song.artist_name


def test_a_song_not_playable_in_the_storefront(store: Store) -> None:
    emulator = small_library()
    sync(emulator, store)
    song = sorted(emulator.library.songs.values(), key=lambda s: s.id)[5]
    emulator.library.make_unplayable(song.catalog_id or "")
    sync(emulator, store)
    (row,) = losses(store)
    assert (row["kind"], row["cause"], row["catalog_id"]) == (
        "unplayable",
        "unplayable",
        song.catalog_id,
    )
    assert row["evidence"] == (
        f"catalog song {song.catalog_id} is listed without playParams: not playable in your "
        "storefront"
    )
    settle(emulator, store)
    facts = song_facts(store, song.id)
    assert facts["looked_up"] and facts["replacement"] is None
    assert facts["note"] == f"Apple's catalog has no other song with ISRC {facts['isrc']}"


def test_a_song_the_person_removed_is_never_blamed_on_apple(store: Store) -> None:
    emulator = small_library()
    sync(emulator, store)
    song_id = next(iter(sorted(positions_of_any(emulator))))
    where = positions_of(emulator, song_id)
    emulator.library.remove_song(song_id)  # also from its playlists, as Apple does
    sync(emulator, store)  # the causes are settled by the sync itself
    assert {r["cause"] for r in losses(store)} == {"removed"}
    settle(emulator, store)
    found = losses(store)
    assert len(found) == 1 + sum(len(p) for p in where.values())
    assert {r["cause"] for r in found} == {"removed"}
    assert found[0]["kind"] == "library" and found[0]["playlist_id"] is None
    assert all(r["replacement_catalog_id"] is None for r in found)
    assert "most likely you or another of your devices" in found[0]["evidence"]
    assert not song_facts(store, song_id)["looked_up"], "no look-up for the person's choice"


def positions_of_any(emulator: object) -> set[str]:
    library = emulator.library  # type: ignore[attr-defined]
    return {t for p in library.playlists.values() for t in p.tracks if t in library.songs}


def test_an_upload_that_left_has_an_unknown_cause(store: Store) -> None:
    emulator = small_library()
    upload = emulator.library.add_song(name="Demo Tape", artist_name="Me")
    sync(emulator, store)
    emulator.library.remove_song(upload.id)
    sync(emulator, store)
    (row,) = losses(store)
    assert (row["cause"], row["catalog_id"]) == ("unknown", None)
    assert row["evidence"] == (
        "an upload or a song without a catalog match: amsync cannot tell who removed it"
    )


def test_the_same_song_leaving_one_playlist_twice_is_two_rows(store: Store) -> None:
    emulator = small_library()
    library = emulator.library
    song = sorted(library.songs.values(), key=lambda s: s.id)[0]
    other = sorted(library.songs.values(), key=lambda s: s.id)[1]
    playlist = library.add_playlist("Twice", tracks=[song.id, other.id, song.id])
    sync(emulator, store)
    library.set_playlist_tracks(playlist.id, [other.id])
    sync(emulator, store)
    settle(emulator, store)
    rows = losses(store)
    assert [(r["playlist_id"], r["position"], r["cause"]) for r in rows] == [
        (playlist.id, 0, "removed"),
        (playlist.id, 2, "removed"),
    ]
    assert {r["playlist_name"] for r in rows} == {"Twice"}


def test_what_comes_back_is_no_longer_lost(store: Store) -> None:
    emulator = small_library()
    library = emulator.library
    songs = sorted(library.songs.values(), key=lambda s: s.id)
    gone, greyed, left = songs[10], songs[11], songs[12]
    playlist = library.add_playlist("Back", tracks=[left.id, gone.id])
    sync(emulator, store)
    kept: LibrarySong = library.songs[gone.id]
    library.remove_song(gone.id)
    library.make_unplayable(greyed.catalog_id or "")
    library.set_playlist_tracks(playlist.id, [])  # `left` leaves the playlist
    sync(emulator, store)
    assert {r["library_id"] for r in losses(store)} == {gone.id, greyed.id, left.id}
    library.songs[kept.id] = kept  # revived: the same library id again
    library.catalog_songs[greyed.catalog_id or ""].playable = True
    library.songs[greyed.id].greyed = False
    library.set_playlist_tracks(playlist.id, [left.id])
    library.touch()
    report = sync(emulator, store)
    assert report.lost["found_back"] >= 3
    assert losses(store) == []


def test_the_first_sync_records_what_was_already_lost(store: Store) -> None:
    emulator = small_library()
    song = sorted(emulator.library.songs.values(), key=lambda s: s.id)[2]
    emulator.library.withdraw_catalog_song(song.catalog_id or "")
    report = sync(emulator, store)
    assert report.lost["new"] == 1
    (row,) = losses(store)
    assert row["cause"] == "withdrawn"
    assert row["evidence"].startswith("already so when amsync first mirrored the library; ")


def test_a_sync_that_changes_nothing_finds_and_asks_nothing(store: Store) -> None:
    emulator = small_library()
    sync(emulator, store)
    carry_out(emulator.library, [_one(emulator.library)])
    sync(emulator, store)
    settle(emulator, store)
    before = losses(store)
    report = sync(emulator, store)
    assert report.lost == {"new": 0, "new_songs": 0, "pending": 0, "found_back": 0}
    assert "confirmed" not in report.lost, "nothing to ask: no request"
    again = settle(emulator, store)
    assert again.requests == 0 and again.looked_up == 0
    assert losses(store) == before


def test_look_ups_stay_within_their_bound_and_are_not_repeated(store: Store) -> None:
    emulator = small_library(seed=9, songs=400)
    plans = prepare_withdrawals(emulator.library, 60, seed=2, replaced=0.8)
    sync(emulator, store)
    carry_out(emulator.library, plans, grey_out=False)
    sync(emulator, store)
    emulator.log.clear()
    settled = settle(emulator, store)
    without_isrc = sum(1 for p in plans if p.kind in ("search", "live-decoy", "ambiguous"))
    with_isrc = len(plans) - without_isrc
    isrc_requests = sum(
        1 for e in emulator.log.entries if e.path.endswith("/songs") and "filter" in e.query
    )
    searches = emulator.log.count("GET", "/v1/catalog/{storefront}/search")
    assert isrc_requests == settled.isrc_requests <= math.ceil(with_isrc / 25)
    assert searches == settled.searches == without_isrc
    right = wrong = 0
    for plan in plans:
        library_id = plan.library_ids[0]
        chosen = song_facts(store, library_id)["replacement"]
        if chosen is not None:
            right += chosen in plan.replacements
            wrong += chosen not in plan.replacements
    assert wrong == 0, "a replacement that is not the same recording"
    assert right == sum(1 for p in plans if p.replacements)
    emulator.log.clear()
    assert settle(emulator, store).requests == 0
    assert emulator.log.count() == 0


def test_a_failure_while_finding_losses_never_costs_the_sync(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amsync.lost.detection as detection

    emulator = small_library()
    sync(emulator, store)
    song = sorted(emulator.library.songs.values(), key=lambda s: s.id)[4]
    emulator.library.remove_song(song.id)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(detection, "record_losses", broken)
    report = sync(emulator, store)
    assert report.collections["songs"]["removed"] == 1, "the sync applied its changes"
    assert report.lost == {}
    assert "lost songs: this sync's changes were not checked (RuntimeError)" in report.warnings
    assert losses(store) == []


def test_a_catalog_check_that_fails_leaves_the_cause_for_the_next_sync(store: Store) -> None:
    from amsync.emulator import FaultConfig

    emulator = small_library()
    sync(emulator, store)
    song = sorted(emulator.library.songs.values(), key=lambda s: s.id)[6]
    emulator.library.remove_song(song.id)
    emulator.faults = FaultConfig(error_rate=1.0, paths=("/v1/catalog",))

    async def go() -> object:
        from amsync.sync.runner import run_sync
        from tests.sync.conftest import in_process_client

        async with in_process_client(emulator, retry_budget_s=0.5) as client:
            return await run_sync(client, store, "default")

    import asyncio

    report = asyncio.run(go())
    assert report.status == "succeeded"  # type: ignore[attr-defined]
    assert any("their causes are checked next time" in w for w in report.warnings)  # type: ignore[attr-defined]
    assert {r["cause"] for r in losses(store)} == {"unknown"}
    emulator.faults = FaultConfig()
    assert sync(emulator, store).lost["confirmed"] >= 1
    assert {r["cause"] for r in losses(store)} == {"removed"}
