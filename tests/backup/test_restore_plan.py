"""Restore planning and applying against small fakes: matching, selection, refusals, and
what happens when Apple refuses one write."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from amsync.backup.document import DocPlaylist, DocSong, DocTrack, LibraryDocument
from amsync.backup.live import LiveLibrary
from amsync.backup.restore import make_restore_plan
from amsync.backup.restore_apply import RestoreReport, apply_restore
from amsync.backup.restore_plan import RestoreSelection, match_playlists, plan_restore
from amsync.domain import (
    CatalogAlbum,
    CatalogSong,
    FolderTree,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    ListingResult,
    Storefront,
)
from amsync.errors import BadRequest, IncompleteListing, UsageError


@dataclass
class Counters:
    requests: int = 0
    retries: int = 0
    throttled: int = 0


@dataclass
class FakeApple:
    songs: list[LibrarySong] = field(default_factory=list)
    playlists: list[LibraryPlaylist] = field(default_factory=list)
    catalog: set[str] = field(default_factory=set)
    ratings: dict[tuple[str, str], int] = field(default_factory=dict)
    complete: bool = True
    refuse_playlists: set[str] = field(default_factory=set)
    writes: list[tuple[str, object]] = field(default_factory=list)
    stats: Counters = field(default_factory=Counters)

    def _result(self, name: str, n: int) -> ListingResult:
        return ListingResult(name, complete=self.complete, received=n)

    async def get_storefront(self) -> Storefront:
        return Storefront("us")

    async def list_artists(
        self, on_page: Callable[[Sequence[LibraryArtist]], None], *, include_catalog: bool = True
    ) -> ListingResult:
        raise AssertionError("a restore does not need artists")

    async def list_playlist_tracks(
        self, playlist_id: str
    ) -> tuple[list[LibrarySong], ListingResult]:
        raise AssertionError("a restore does not list the tracks of live playlists")

    async def list_songs(
        self, on_page: Callable[[Sequence[LibrarySong]], None], *, include_catalog: bool = True
    ) -> ListingResult:
        on_page(self.songs)
        return self._result("songs", len(self.songs))

    async def list_music_videos(
        self, on_page: Callable[[Sequence[LibrarySong]], None]
    ) -> ListingResult:
        return ListingResult("music videos", complete=True, received=0)

    async def list_albums(
        self, on_page: Callable[[Sequence[LibraryAlbum]], None], *, include_catalog: bool = True
    ) -> ListingResult:
        return ListingResult("albums", complete=True, received=0)

    async def list_playlists(
        self, on_page: Callable[[Sequence[LibraryPlaylist]], None]
    ) -> ListingResult:
        on_page(self.playlists)
        return ListingResult("playlists", complete=True, received=len(self.playlists))

    async def list_folder_tree(self) -> FolderTree:
        return FolderTree(root_id="p.playlistsroot")

    async def get_catalog_songs(self, ids: Iterable[str]) -> list[CatalogSong]:
        return [CatalogSong(catalog_id=i, name=i) for i in ids if i in self.catalog]

    async def get_catalog_albums(self, ids: Iterable[str]) -> list[CatalogAlbum]:
        return []

    async def get_ratings(self, resource_type: str, ids: Iterable[str]) -> dict[str, int]:
        return {i: v for (t, i), v in self.ratings.items() if t == resource_type and i in set(ids)}

    async def put_rating(self, resource_type: str, item_id: str, value: int) -> None:
        self.writes.append(("rate", (resource_type, item_id)))
        self.ratings[(resource_type, item_id)] = value

    async def delete_rating(self, resource_type: str, item_id: str) -> None:
        raise AssertionError("a restore never deletes")

    async def add_to_library(self, ids_by_type: Mapping[str, Sequence[str]]) -> None:
        self.writes.append(("add", dict(ids_by_type)))

    async def create_playlist(
        self,
        name: str,
        description: str | None,
        tracks: Sequence[str],
        parent_folder_id: str | None = None,
    ) -> LibraryPlaylist:
        if name in self.refuse_playlists:
            raise BadRequest("Apple refused it", status=400)
        self.writes.append(("create", (name, list(tracks))))
        created = LibraryPlaylist(library_id=f"p.new{len(self.writes)}", name=name)
        self.playlists.append(created)
        return created

    async def add_playlist_tracks(self, playlist_id: str, tracks: Sequence[str]) -> None:
        raise AssertionError("create_playlist sends the tracks")


def _document() -> LibraryDocument:
    tracks = (
        DocTrack(0, "i.a", "100", "A"),
        DocTrack(1, "i.gone", "200", "B"),
        DocTrack(2, "i.a", "100", "A"),
        DocTrack(3, "i.up", None, "Upload"),
        DocTrack(4, "i.vid", "900", "Video", kind="music-video"),
    )
    return LibraryDocument(
        account="default",
        exported_at=None,
        songs=[
            DocSong("i.a", "100", "A"),
            DocSong("i.gone", "200", "B", rating=1),
            DocSong("i.up", None, "Upload"),
            DocSong("i.old", "300", "Withdrawn"),
        ],
        playlists=[
            DocPlaylist("p.1", None, "Mix", tracks=tracks, rating=1),
            DocPlaylist("p.2", None, "Mix"),
            DocPlaylist("p.3", None, "Kept"),
        ],
    )


def _apple() -> FakeApple:
    return FakeApple(
        songs=[LibrarySong("i.a", "A", catalog_id="100")],
        playlists=[
            LibraryPlaylist("p.3", "Kept"),
            LibraryPlaylist("p.9", "Mix"),  # stands for one of the two backed-up "Mix"
        ],
        catalog={"100", "200"},
    )


EVERYTHING = RestoreSelection()


def _plan(apple: FakeApple, selection: RestoreSelection = EVERYTHING) -> RestoreReport:
    async def go() -> RestoreReport:
        plan = await make_restore_plan(apple, _document(), selection)
        return RestoreReport(plan=plan)

    return asyncio.run(go())


def test_plan_adds_missing_songs_and_one_of_two_same_named_playlists() -> None:
    plan = _plan(_apple()).plan
    assert [(a.kind, a.catalog_id) for a in plan.additions] == [("song", "200")]
    [mix] = plan.playlists
    assert mix.name == "Mix" and mix.backup_library_id == "p.2"
    reasons = {u.name: u.reason for u in plan.unrestorable}
    assert "upload" in reasons["Upload"] and "withdrawn" in reasons["Withdrawn"]
    assert [(f.resource_type, f.item_id) for f in plan.favourites] == [
        ("songs", "200"),
        ("library-playlists", "p.9"),  # the favourite "Mix" is the one matched by name
    ]
    assert plan.present == {
        "songs": 1,
        "albums": 0,
        "playlists": 2,
        "favourites": 0,
        "dislikes": 0,
    }


def test_track_ids_keep_order_duplicates_and_prefer_library_ids() -> None:
    apple = _apple()
    apple.playlists = [LibraryPlaylist("p.3", "Kept")]
    plan = _plan(apple).plan
    first = next(p for p in plan.playlists if p.backup_library_id == "p.1")
    assert first.tracks == ["i.a", "200", "i.a"]
    assert first.favourite is True
    skipped = {(u.name, u.playlist) for u in plan.unrestorable if u.item_type == "track"}
    assert skipped == {("Upload", "Mix"), ("Video", "Mix")}


def test_match_playlists_uses_each_live_playlist_once() -> None:
    live = LiveLibrary(playlists=[LibraryPlaylist("p.x", "Mix"), LibraryPlaylist("p.1", "Old")])
    assert match_playlists(_document(), live) == {"p.1": "p.1", "p.2": "p.x"}


def test_selection_limits_the_plan_and_unknown_names_are_refused() -> None:
    apple = _apple()
    apple.playlists = []
    selection = RestoreSelection.from_flags(
        library=False, playlists=("Kept",), all_playlists=False, favourites=False
    )
    plan = _plan(apple, selection).plan
    assert [p.name for p in plan.playlists] == ["Kept"]
    assert plan.additions == [] and plan.favourites == []
    with pytest.raises(UsageError):
        _plan(
            apple,
            RestoreSelection.from_flags(
                library=False, playlists=("Nope",), all_playlists=False, favourites=False
            ),
        )


def test_an_incomplete_live_listing_stops_before_any_write() -> None:
    apple = _apple()
    apple.complete = False
    with pytest.raises(IncompleteListing) as raised:
        _plan(apple)
    assert raised.value.exit_code == 75
    assert apple.writes == []


def test_a_current_dislike_is_left_alone() -> None:
    apple = _apple()
    apple.ratings[("songs", "200")] = -1
    apple.ratings[("library-playlists", "p.9")] = 1
    plan = _plan(apple).plan
    assert plan.favourites == []
    assert plan.present["favourites"] == 1
    assert any("a dislike on Apple now" in note for note in plan.notes)


def test_apply_goes_on_after_a_refused_playlist_and_a_rerun_finishes() -> None:
    apple = _apple()
    apple.playlists = [LibraryPlaylist("p.3", "Kept")]
    apple.refuse_playlists = {"Mix"}
    report = _plan(apple)
    asyncio.run(apply_restore(report.plan, apple, apple, report))
    assert report.status == "partial"
    assert len(report.failed) == 2 and all("Mix" in f for f in report.failed)
    assert ("add", {"songs": ["200"]}) in apple.writes
    apple.refuse_playlists = set()
    apple.songs.append(LibrarySong("i.b", "B", catalog_id="200"))
    second = _plan(apple)
    assert [p.name for p in second.plan.playlists] == ["Mix", "Mix"]
    assert second.plan.additions == []
    asyncio.run(apply_restore(second.plan, apple, apple, second))
    assert second.status == "restored"
    created = [payload for kind, payload in apple.writes if kind == "create"]
    assert created == [("Mix", ["i.a", "i.b", "i.a"]), ("Mix", [])]
    first_mix = next(p for p in apple.playlists if p.library_id.startswith("p.new"))
    assert apple.ratings.get(("library-playlists", first_mix.library_id)) == 1
    third = _plan(apple)
    assert third.plan.empty
    empty = asyncio.run(apply_restore(third.plan, apple, apple, third))
    assert empty.status == "nothing-to-do"


def test_plan_restore_is_pure() -> None:
    live = LiveLibrary(song_ids={"i.a"}, song_by_catalog={"100": "i.a"})
    live.checked_songs = {"200", "300"}
    live.available_songs = {"200"}
    first = plan_restore(_document(), live, RestoreSelection())
    second = plan_restore(_document(), live, RestoreSelection())
    assert first.as_dict() == second.as_dict()
