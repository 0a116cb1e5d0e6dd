"""Planning a restore: what the backup has and the live library lacks (pure functions).

Rules (docs/how-to/backups.md, "Restoring"):
- Songs and albums are matched by library id, else by catalog id (an item added again gets a
  new library id). A missing catalog song is added back; an album comes back with its songs,
  and is added whole only when the backup holds none of its songs. Uploads (no catalog id),
  songs Apple withdrew from its catalog, and music videos cannot be added back: reported.
- Playlists are matched by library id, then catalog id, then name. A missing catalog playlist is
  added back; a missing playlist of the user's is created again with its tracks in order —
  tracks still in the library by their library id, others by catalog id; uploads gone from the
  library, withdrawn songs and music videos are left out and reported. A playlist whose folder
  is gone is created at the top level (Apple's API cannot be asked to create folders here).
- Favourites and dislikes: items the backup rates (``rating`` 1 or -1) and Apple does not rate
  now are rated again with the backup's value. An item Apple now rates the other way is left as
  it is (reported); artists have no ratings API (reported).
- Nothing is ever deleted or rewritten on Apple's side: a plan only adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from amsync.backup.document import DocPlaylist, DocSong, LibraryDocument
from amsync.backup.live import LiveLibrary, RatingKey
from amsync.errors import UsageError

MUSIC_VIDEO = "music-video"


@dataclass(frozen=True, slots=True)
class RestoreSelection:
    """What to restore. ``playlists``: names or library ids; ``None`` means every playlist."""

    library: bool = True
    playlists: tuple[str, ...] | None = None
    all_playlists: bool = True
    favourites: bool = True

    @classmethod
    def from_flags(
        cls, *, library: bool, playlists: Sequence[str], all_playlists: bool, favourites: bool
    ) -> RestoreSelection:
        """No flag at all: everything. Otherwise only what the flags name."""
        if not (library or playlists or all_playlists or favourites):
            return cls()
        return cls(
            library=library,
            playlists=None if all_playlists else tuple(playlists),
            all_playlists=all_playlists,
            favourites=favourites,
        )

    def wants_playlist(self, playlist: DocPlaylist) -> bool:
        if self.all_playlists or self.playlists is None:
            return self.all_playlists
        return playlist.name in self.playlists or playlist.library_id in self.playlists


@dataclass(frozen=True, slots=True)
class PlannedAdd:
    kind: str  # song | album | playlist
    catalog_id: str
    name: str
    artist: str | None = None


@dataclass(slots=True)
class PlannedPlaylist:
    name: str
    description: str | None
    folder: str | None
    parent_folder_id: str | None
    tracks: list[str]
    backup_library_id: str
    backup_tracks: int
    rating: int | None = None  # rated after it is created: 1 favourite, -1 disliked

    @property
    def favourite(self) -> bool:
        return self.rating == 1


@dataclass(frozen=True, slots=True)
class PlannedFavourite:
    """A rating to set again: ``value`` 1 (favourite) or -1 (disliked)."""

    item_type: str
    name: str
    resource_type: str
    item_id: str
    value: int = 1


@dataclass(frozen=True, slots=True)
class Unrestorable:
    item_type: str
    name: str
    reason: str
    artist: str | None = None
    playlist: str | None = None


@dataclass(slots=True)
class RestorePlan:
    additions: list[PlannedAdd] = field(default_factory=list)
    playlists: list[PlannedPlaylist] = field(default_factory=list)
    favourites: list[PlannedFavourite] = field(default_factory=list)
    unrestorable: list[Unrestorable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    present: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.additions or self.playlists or self.favourites)

    def count(self, kind: str) -> int:
        return sum(1 for add in self.additions if add.kind == kind)

    def summary(self) -> dict[str, int]:
        return {
            "songs": self.count("song"),
            "albums": self.count("album"),
            "catalog_playlists": self.count("playlist"),
            "playlists": len(self.playlists),
            "playlist_tracks": sum(len(p.tracks) for p in self.playlists),
            "favourites": self._ratings(1),
            "dislikes": self._ratings(-1),
            "unrestorable": len(self.unrestorable),
        }

    def _ratings(self, value: int) -> int:
        planned = sum(1 for f in self.favourites if f.value == value)
        return planned + sum(1 for p in self.playlists if p.rating == value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "present": dict(self.present),
            "additions": [asdict(a) for a in self.additions],
            "playlists": [asdict(p) for p in self.playlists],
            "favourites": [asdict(f) for f in self.favourites],
            "unrestorable": [asdict(u) for u in self.unrestorable],
            "notes": list(self.notes),
        }


# --- matching ------------------------------------------------------------------------------


def match_playlists(document: LibraryDocument, live: LiveLibrary) -> dict[str, str]:
    """Backup playlist library id → the live playlist that stands for it (each live playlist
    stands for one at most): same library id, else same catalog id, else same name."""
    matched: dict[str, str] = {}
    taken: set[str] = set()
    live_by_id = {p.library_id: p for p in live.playlists}
    for playlist in document.playlists:
        if playlist.library_id in live_by_id:
            matched[playlist.library_id] = playlist.library_id
            taken.add(playlist.library_id)
    for key in ("catalog_id", "name"):
        for playlist in document.playlists:
            if playlist.library_id in matched:
                continue
            wanted = getattr(playlist, key)
            if wanted is None:
                continue
            for candidate in live.playlists:
                if candidate.library_id not in taken and getattr(candidate, key) == wanted:
                    matched[playlist.library_id] = candidate.library_id
                    taken.add(candidate.library_id)
                    break
    return matched


def check_selection(document: LibraryDocument, selection: RestoreSelection) -> None:
    """``UsageError`` (exit 2) for a ``--playlists`` name the backup does not hold."""
    for wanted in selection.playlists or ():
        if not any(wanted in (p.name, p.library_id) for p in document.playlists):
            raise UsageError(
                f"the backup holds no playlist named {wanted!r}",
                hint="names are matched exactly; library ids (p.…) work too",
            )


def _song_missing(song: DocSong, live: LiveLibrary) -> bool:
    if song.kind == MUSIC_VIDEO:
        return song.library_id not in live.video_ids and (
            song.catalog_id is None or song.catalog_id not in live.video_catalog_ids
        )
    return live.live_song_id(song.library_id, song.catalog_id) is None


def _playlists_to_recreate(
    document: LibraryDocument, live: LiveLibrary, selection: RestoreSelection
) -> list[DocPlaylist]:
    matched = match_playlists(document, live)
    return [
        p for p in document.playlists if p.library_id not in matched and selection.wants_playlist(p)
    ]


# --- the questions to ask Apple before planning ---------------------------------------------


def catalog_questions(
    document: LibraryDocument, live: LiveLibrary, selection: RestoreSelection
) -> tuple[set[str], set[str]]:
    """Catalog song and album ids whose availability the plan depends on."""
    songs: set[str] = set()
    albums: set[str] = set()
    if selection.library:
        songs |= {
            s.catalog_id
            for s in document.songs
            if s.catalog_id and s.kind != MUSIC_VIDEO and _song_missing(s, live)
        }
        albums |= {
            a.catalog_id
            for a in document.albums
            if a.catalog_id
            and a.library_id not in live.album_ids
            and a.catalog_id not in live.album_catalog_ids
        }
    for playlist in _playlists_to_recreate(document, live, selection):
        if playlist.catalog_id is not None and playlist.can_edit is False:
            continue
        songs |= {
            t.catalog_id
            for t in playlist.tracks
            if t.catalog_id
            and t.kind != MUSIC_VIDEO
            and live.live_song_id(t.library_id, t.catalog_id) is None
        }
    return songs, albums


Target = tuple[RatingKey, str, str, int]
"""Where a backed-up rating is set on Apple: ``((type, id), item type, name, value)``."""


def _word(value: int) -> str:
    return "favourite" if value == 1 else "dislike"


def favourite_targets(
    document: LibraryDocument, live: LiveLibrary, selection: RestoreSelection
) -> tuple[list[Target], list[Unrestorable], dict[str, int]]:
    """Where each backed-up favourite and dislike is rated on Apple; the ones that cannot be;
    and the backup ids of playlists rated after recreation, with their value."""
    targets: list[Target] = []
    lost: list[Unrestorable] = []
    after_create: dict[str, int] = {}
    if not selection.favourites:
        return targets, lost, after_create
    for song in document.songs:
        if song.rating is None:
            continue
        live_id = live.live_song_id(song.library_id, song.catalog_id)
        withdrawn = song.available is False or (
            song.catalog_id is not None and live.song_withdrawn(song.catalog_id)
        )
        if song.kind == MUSIC_VIDEO:
            key = ("music-videos", song.catalog_id) if song.catalog_id else None
        elif song.catalog_id and not withdrawn:
            key = ("songs", song.catalog_id)
        else:
            key = ("library-songs", live_id) if live_id else None
        if key is None:
            lost.append(
                Unrestorable(
                    "song",
                    song.name,
                    f"{_word(song.rating)} of a song no longer in the library",
                    song.artist,
                )
            )
        else:
            targets.append((key, "song", song.name, song.rating))
    for album in document.albums:
        if album.rating is None:
            continue
        if album.catalog_id:
            targets.append((("albums", album.catalog_id), "album", album.name, album.rating))
        elif album.library_id in live.album_ids:
            key = ("library-albums", album.library_id)
            targets.append((key, "album", album.name, album.rating))
        else:
            lost.append(
                Unrestorable(
                    "album",
                    album.name,
                    f"{_word(album.rating)} of an album no longer in the library",
                    album.artist,
                )
            )
    matched = match_playlists(document, live)
    recreated = {p.library_id for p in _playlists_to_recreate(document, live, selection)}
    for playlist in document.playlists:
        if playlist.rating is None:
            continue
        live_id = matched.get(playlist.library_id)
        if playlist.catalog_id is not None and (
            live_id is not None or playlist.library_id in recreated
        ):
            key = ("playlists", playlist.catalog_id)
            targets.append((key, "playlist", playlist.name, playlist.rating))
        elif live_id is not None:
            key = ("library-playlists", live_id)
            targets.append((key, "playlist", playlist.name, playlist.rating))
        elif playlist.library_id in recreated:
            after_create[playlist.library_id] = playlist.rating
        else:
            lost.append(
                Unrestorable(
                    "playlist",
                    playlist.name,
                    f"{_word(playlist.rating)} of a playlist that is not in the library "
                    "(restore it with --playlists)",
                )
            )
    for artist in document.artists:
        if artist.rating is not None:
            lost.append(
                Unrestorable(
                    "artist",
                    artist.name,
                    f"artist {_word(artist.rating)}s cannot be set through Apple's API "
                    "(kept in amsync only)",
                )
            )
    return targets, lost, after_create


# --- the plan --------------------------------------------------------------------------------


def plan_restore(
    document: LibraryDocument, live: LiveLibrary, selection: RestoreSelection
) -> RestorePlan:
    """The writes that bring back what ``document`` has and ``live`` lacks. ``live`` must hold
    the answers to ``catalog_questions`` and the ratings of ``favourite_targets``."""
    plan = RestorePlan()
    if selection.library:
        _plan_library(document, live, plan)
    _plan_playlists(document, live, selection, plan)
    _plan_favourites(document, live, selection, plan)
    if document.playlists and not live.playlists and not selection.library:
        plan.notes.append("the live library has no playlists at all")
    return plan


def _plan_library(document: LibraryDocument, live: LiveLibrary, plan: RestorePlan) -> None:
    adding: set[str] = set()
    present = 0
    for song in document.songs:
        if not _song_missing(song, live):
            present += 1
            continue
        reason = _song_unrestorable(song, live)
        if reason is not None:
            plan.unrestorable.append(Unrestorable("song", song.name, reason, song.artist))
        elif song.catalog_id is not None and song.catalog_id not in adding:
            adding.add(song.catalog_id)
            plan.additions.append(PlannedAdd("song", song.catalog_id, song.name, song.artist))
    plan.present["songs"] = present
    album_names = {
        (s.album or "").casefold()
        for s in document.songs
        if s.catalog_id in adding or not _song_missing(s, live)
    }
    present = covered = 0
    for album in document.albums:
        if album.library_id in live.album_ids or (
            album.catalog_id is not None and album.catalog_id in live.album_catalog_ids
        ):
            present += 1
        elif album.name.casefold() in album_names:
            covered += 1
        elif album.catalog_id is None:
            plan.unrestorable.append(
                Unrestorable(
                    "album", album.name, "an album of uploads (no catalog id)", album.artist
                )
            )
        elif live.album_withdrawn(album.catalog_id):
            plan.unrestorable.append(
                Unrestorable("album", album.name, "withdrawn from Apple's catalog", album.artist)
            )
        else:
            plan.additions.append(PlannedAdd("album", album.catalog_id, album.name, album.artist))
    plan.present["albums"] = present
    if covered:
        plan.notes.append(f"{covered} album(s) come back with their songs")


def _song_unrestorable(song: DocSong, live: LiveLibrary) -> str | None:
    if song.kind == MUSIC_VIDEO:
        return "a music video (Apple's API adds songs, albums and playlists only)"
    if song.catalog_id is None:
        return "an upload (no catalog id): add the file again in the Music app"
    if song.available is False or live.song_withdrawn(song.catalog_id):
        return "withdrawn from Apple's catalog"
    return None


def _plan_playlists(
    document: LibraryDocument, live: LiveLibrary, selection: RestoreSelection, plan: RestorePlan
) -> None:
    matched = match_playlists(document, live)
    plan.present["playlists"] = sum(
        1 for p in document.playlists if p.library_id in matched and selection.wants_playlist(p)
    )
    for playlist in _playlists_to_recreate(document, live, selection):
        if playlist.catalog_id is not None and playlist.can_edit is False:
            plan.additions.append(PlannedAdd("playlist", playlist.catalog_id, playlist.name))
            continue
        parent = live.folders.get(playlist.folder) if playlist.folder else None
        if playlist.folder and parent is None:
            plan.notes.append(
                f"the folder {playlist.folder!r} of playlist {playlist.name!r} is gone; the "
                "playlist is created at the top level"
            )
        plan.playlists.append(
            PlannedPlaylist(
                name=playlist.name,
                description=playlist.description,
                folder=playlist.folder,
                parent_folder_id=parent,
                tracks=_track_ids(playlist, live, plan),
                backup_library_id=playlist.library_id,
                backup_tracks=len(playlist.tracks),
            )
        )


def _track_ids(playlist: DocPlaylist, live: LiveLibrary, plan: RestorePlan) -> list[str]:
    """The playlist's tracks in order, as ids Apple accepts: a library song's id when the song
    is in the library, else its catalog id; what cannot be added is reported."""
    ids: list[str] = []
    for track in playlist.tracks:
        reason: str | None = None
        live_id = live.live_song_id(track.library_id, track.catalog_id)
        if track.kind == MUSIC_VIDEO:
            reason = "a music video (amsync adds only songs to playlists)"
        elif live_id is not None:
            ids.append(live_id)
        elif track.catalog_id is None:
            reason = "an upload no longer in the library (no catalog id)"
        elif live.song_withdrawn(track.catalog_id):
            reason = "withdrawn from Apple's catalog"
        else:
            ids.append(track.catalog_id)
        if reason is not None:
            plan.unrestorable.append(
                Unrestorable("track", track.name, reason, track.artist, playlist=playlist.name)
            )
    return ids


def _plan_favourites(
    document: LibraryDocument, live: LiveLibrary, selection: RestoreSelection, plan: RestorePlan
) -> None:
    targets, lost, after_create = favourite_targets(document, live, selection)
    plan.unrestorable.extend(lost)
    seen: set[RatingKey] = set()
    present = {1: 0, -1: 0}
    for key, item_type, name, wanted in targets:
        if key in seen:
            continue
        seen.add(key)
        value = live.ratings.get(key)
        if value == wanted:
            present[wanted] += 1
        elif value is not None:
            plan.notes.append(
                f"{item_type} {name!r} is a {_word(wanted)} in the backup but a "
                f"{_word(value)} on Apple now; left as it is"
            )
        else:
            plan.favourites.append(PlannedFavourite(item_type, name, key[0], key[1], wanted))
    for planned in plan.playlists:
        planned.rating = after_create.get(planned.backup_library_id)
    plan.present["favourites"] = present[1]
    plan.present["dislikes"] = present[-1]
