"""The push use-case against an in-memory Apple: the outbox comes first, an interrupted push
resumes without writing twice, a later wish is not lost, a push needs the run lock, and the
library never prints."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from amsync.db.locks import acquire_run_lock
from amsync.db.store import Store, open_store
from amsync.domain import FavouriteState, ItemType
from amsync.errors import LockHeld, UserTokenRejected
from amsync.favourites.edits import set_local
from amsync.favourites.mirror import MirrorItem
from amsync.favourites.plan import FavouriteRow, Prefer
from amsync.favourites.push import PushOptions, push_favourites
from amsync.favourites.report import PushReport
from amsync.favourites.targets import rating_target
from tests.favourites.fakes import FakeRatings, outbox_rows, seed_rows, stored_states

N, F, D = FavouriteState.NONE, FavouriteState.FAVOURITE, FavouriteState.DISLIKED


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()


def _seed_wishes(store: Store, count: int) -> list[str]:
    """``count`` songs the user favourited locally, not yet on Apple."""
    ids = [f"i.song{n:02d}" for n in range(count)]
    seed_rows(store, [(ItemType.SONG, i, N, N, F) for i in ids])
    return ids


def _push(apple: FakeRatings, store: Store, **options: Any) -> PushReport:
    return asyncio.run(push_favourites(apple, store, "default", PushOptions(**options)))


def test_the_outbox_is_written_before_any_request(store: Store) -> None:
    ids = _seed_wishes(store, 3)
    seen: list[dict[tuple[str, str], tuple[str, int, str | None]]] = []
    apple = FakeRatings(before_request=lambda: seen.append(outbox_rows(store)))
    _push(apple, store)
    assert seen, "the push made requests"
    assert set(seen[0]) == {("song", i) for i in ids}, "every pending push is in the outbox"
    assert outbox_rows(store) == {}


def test_an_interrupted_push_resumes_without_writing_twice(store: Store) -> None:
    ids = _seed_wishes(store, 6)
    apple = FakeRatings(fail_after_writes=2)
    with pytest.raises(UserTokenRejected):
        _push(apple, store, concurrency=1)
    assert len(apple.writes) == 2
    pending = outbox_rows(store)
    assert set(pending) == {("song", i) for i in ids}
    assert all(attempts == 1 and error for _, attempts, error in pending.values())
    assert all(base == "none" for _, base, _ in stored_states(store).values())

    apple.fail_after_writes = None
    _push(apple, store, concurrency=1)
    written = Counter(item_id for _, _, item_id, _ in apple.writes)
    assert written == Counter(ids), "each song written exactly once over both runs"
    assert all(state == ("favourite",) * 3 for state in stored_states(store).values())
    assert outbox_rows(store) == {}


class DiesOnReadBack(FakeRatings):
    """Applies writes, then refuses the token when the push reads them back: the push is
    interrupted after its writes landed, before it could confirm them."""

    async def get_ratings(self, resource_type: str, ids: Iterable[str]) -> dict[str, int]:
        if self.writes:
            raise UserTokenRejected("the music user token was refused")
        return await super().get_ratings(resource_type, ids)


def test_a_wish_changed_after_an_interrupted_push_is_not_lost(store: Store) -> None:
    account_id = seed_rows(store, [(ItemType.SONG, "i.late", N, N, F)])
    dying = DiesOnReadBack()
    with pytest.raises(UserTokenRejected):
        _push(dying, store)
    assert dying.state("library-songs", "i.late") is F, "the write landed"
    assert stored_states(store)[("song", "i.late")] == ("none", "none", "favourite")
    # The user changes their mind before the next push.
    with store.writing() as session:
        item = MirrorItem(ItemType.SONG, "i.late", None, "Late")
        set_local(session.connection(), account_id, [item], N, datetime.now(UTC))
    assert outbox_rows(store)[("song", "i.late")][:2] == ("favourite", 1), (
        "an attempted entry is kept until a push reads Apple's state"
    )
    resumed = FakeRatings(values=dict(dying.values))
    _push(resumed, store)
    assert resumed.writes == [("DELETE", "library-songs", "i.late", None)], (
        "the landed write is acknowledged and the later wish (none) is pushed"
    )
    assert stored_states(store)[("song", "i.late")] == ("none",) * 3
    assert outbox_rows(store) == {}


def test_push_takes_the_run_lock(store: Store) -> None:
    _seed_wishes(store, 1)
    lock = acquire_run_lock(store, store.account_id("default"), "default", command="sync")
    apple = FakeRatings()
    try:
        with pytest.raises(LockHeld):
            _push(apple, store)
        assert apple.reads == 0 and apple.writes == []
    finally:
        lock.release()


def test_prefer_local_pushes_a_conflict(store: Store) -> None:
    seed_rows(store, [(ItemType.ALBUM, "l.x", D, N, F)])
    apple = FakeRatings(values={("library-albums", "l.x"): -1})
    report = _push(apple, store, prefer=Prefer.LOCAL)
    assert apple.writes == [("PUT", "library-albums", "l.x", 1)]
    assert report.conflicts[0].target == "favourite"
    assert stored_states(store)[("album", "l.x")] == ("favourite",) * 3


def test_the_push_reads_apple_fresh_and_converges_without_writing(store: Store) -> None:
    # The mirror last read "none", but the user also favourited it on their phone since.
    seed_rows(store, [(ItemType.PLAYLIST, "p.x", N, N, F)])
    apple = FakeRatings(values={("library-playlists", "p.x"): 1})
    report = _push(apple, store)
    assert apple.writes == []
    assert report.counts()["converge"] == 1
    assert stored_states(store)[("playlist", "p.x")] == ("favourite",) * 3


def test_the_library_never_prints(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _seed_wishes(store, 2)
    apple = FakeRatings()
    pushed = _push(apple, store)
    assert pushed.counts()["push"] == 2 and len(apple.writes) == 2, "the push did its work"
    seed_rows(store, [(ItemType.SONG, "i.late", N, N, F)])
    deaf = FakeRatings(values=dict(apple.values), ignore_writes=True)
    refused = _push(deaf, store)
    assert deaf.writes == [("PUT", "library-songs", "i.late", 1)]
    assert refused.status != "succeeded", "a write Apple did not keep is reported, not printed"
    assert [i.error for i in refused.items if i.error] == [
        "read back 'none', expected 'favourite'"
    ], refused.as_dict()
    assert stored_states(store)[("song", ids[0])] == ("favourite",) * 3
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (FavouriteRow(ItemType.SONG, "i.a", N, N, F, catalog_id="123"), ("library-songs", "i.a")),
        (
            FavouriteRow(ItemType.SONG, "i.a", N, N, F, catalog_id="123", removed=True),
            ("songs", "123"),
        ),
        (FavouriteRow(ItemType.SONG, "i.a", N, N, F, removed=True), ("library-songs", "i.a")),
        (FavouriteRow(ItemType.ALBUM, "l.b", N, N, F), ("library-albums", "l.b")),
        (
            FavouriteRow(ItemType.PLAYLIST, "p.c", N, N, F, catalog_id="pl.x", removed=True),
            ("playlists", "pl.x"),
        ),
        (FavouriteRow(ItemType.PLAYLIST, "p.c", N, N, F), ("library-playlists", "p.c")),
        (
            FavouriteRow(ItemType.SONG, "i.v", N, N, F, music_video=True),
            ("library-music-videos", "i.v"),
        ),
    ],
)
def test_rating_targets(row: FavouriteRow, expected: tuple[str, str]) -> None:
    target = rating_target(row)
    assert (target.resource_type, target.item_id) == expected


def test_artists_have_no_rating_target() -> None:
    with pytest.raises(ValueError, match="artists"):
        rating_target(FavouriteRow(ItemType.ARTIST, "r.a", N, N, F))


def test_push_of_an_unknown_account_is_a_usage_error(store: Store) -> None:
    from amsync.errors import ConfigError

    with pytest.raises(ConfigError):
        asyncio.run(push_favourites(FakeRatings(), store, "nobody"))
