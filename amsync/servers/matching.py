"""Finding each Apple Music song on the server. Every match has a method:

1. **path** — amsync's local match (``amsync local match``, view ``local_matches_v``) knows the
   song's file, and the server reports a song at that path (after ``--path-prefix`` or the
   inferred prefix, ``paths``).
2. **isrc** / **mbid** — the song's ISRC equals a server song's (OpenSubsonic servers report
   ISRCs), or the recording id of its local file equals a server song's ``musicBrainzId``.
3. **tags** — the local matcher's rules (``amsync.local.matcher``: normalised title, artists,
   versions, numbers, ± 3 s) over the server's catalogue.

A tags match is **ambiguous** when several server songs are the same title by the same artists
within the duration window and the Apple album does not single one out (two albums' "Intro"):
it is not used, and reported. The server's songs are matched all at once (one index, one pass),
and each distinct song once however many playlists hold it.

Apple albums and artists (for stars) are found by their folded names (``normalise``): an album
by name and main artist, an artist by name; two server albums or artists of that name are
ambiguous.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from amsync.domain.media_server import ServerSong
from amsync.local.matcher import WINDOW_MS, FileIndex, FileRecord, SongRecord, match_songs
from amsync.local.normalise import album_key, artist_names, fold, title_key
from amsync.servers.paths import Prefix, nfc, on_server

NOT_ON_SERVER: Final = "not on the server"


class Method(StrEnum):
    PATH = "path"
    ISRC = "isrc"
    MBID = "mbid"
    TAGS = "tags"


@dataclass(frozen=True, slots=True)
class AppleSong:
    """What the mirror says of a song (a library song or a playlist entry)."""

    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None


@dataclass(frozen=True, slots=True)
class Found:
    """The server song (``song_id``) and how it was found, or why none was used."""

    song_id: str | None
    method: str | None = None
    reason: str | None = None
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class LocalFiles:
    """amsync's local matches: each song's file path and that file's MusicBrainz recording
    id, by library id and by catalog id (a playlist entry may name the catalog song)."""

    paths_by_library_id: Mapping[str, str]
    paths_by_catalog_id: Mapping[str, str]
    recordings_by_path: Mapping[str, str]

    def path_of(self, song: AppleSong) -> str | None:
        if song.library_id in self.paths_by_library_id:
            return self.paths_by_library_id[song.library_id]
        if song.catalog_id:
            return self.paths_by_catalog_id.get(song.catalog_id)
        return None

    @property
    def paths(self) -> Iterable[str]:
        return self.paths_by_library_id.values()


NO_LOCAL_FILES: Final = LocalFiles({}, {}, {})


def _identity(song: ServerSong) -> tuple[str, frozenset[str], frozenset[str]]:
    key = title_key(song.title)
    artists = frozenset(artist_names(song.artist or song.album_artist)) | frozenset(key.featured)
    return key.core, key.versions, artists


def _wordless_key(title: str, artist: str | None) -> tuple[str, tuple[str, ...]]:
    return unicodedata.normalize("NFC", title).casefold().strip(), artist_names(artist)


class Catalogue:
    """The server's songs, indexed for every method."""

    def __init__(self, songs: Sequence[ServerSong]) -> None:
        self.songs = list(songs)
        self.by_id = {song.id: song for song in self.songs}
        self.by_path: dict[str, str] = {}
        for song in self.songs:
            if song.path:
                self.by_path.setdefault(nfc(song.path), song.id)
        records = [
            FileRecord(
                id=position,
                path=song.path or song.id,
                title=song.title,
                artist=song.artist,
                album=song.album,
                album_artist=song.album_artist,
                duration_ms=song.duration_ms,
                isrc=song.isrcs[0] if song.isrcs else None,
                mb_recording_id=song.mb_recording_id,
            )
            for position, song in enumerate(self.songs)
        ]
        self.index = FileIndex.build(records)
        self._twins: dict[tuple[str, frozenset[str], frozenset[str]], list[int]] = defaultdict(list)
        self.wordless: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
        for position, song in enumerate(self.songs):
            self._twins[_identity(song)].append(position)
            if not fold(song.title):
                self.wordless[_wordless_key(song.title, song.artist)].append(position)

    @property
    def reports_paths(self) -> bool:
        return bool(self.by_path)

    def twins(self, position: int, duration_ms: int | None) -> list[int]:
        """Server songs that are the same title by the same artists as the one at
        ``position``, within the duration window of ``duration_ms``."""
        group = self._twins[_identity(self.songs[position])]
        if duration_ms is None:
            return group
        return [
            p
            for p in group
            if self.songs[p].duration_ms is None
            or abs((self.songs[p].duration_ms or 0) - duration_ms) <= WINDOW_MS
        ]


def match_all(
    songs: Iterable[AppleSong],
    catalogue: Catalogue,
    local: LocalFiles = NO_LOCAL_FILES,
    prefixes: Sequence[Prefix] = (),
) -> dict[AppleSong, Found]:
    """A ``Found`` for each distinct song."""
    distinct = list(dict.fromkeys(songs))
    found: dict[AppleSong, Found] = {}
    rest: list[AppleSong] = []
    for song in distinct:
        by_path = _by_path(song, catalogue, local, prefixes)
        if by_path is not None:
            found[song] = by_path
        else:
            rest.append(song)
    records = [
        SongRecord(i, s.library_id, s.catalog_id, s.name, s.artist, s.album, s.duration_ms,
                   (s.isrc or "").replace("-", "").upper() or None)
        for i, s in enumerate(rest)
    ]  # fmt: skip
    recordings: dict[int, str] = {}
    for i, song in enumerate(rest):
        path = local.path_of(song)
        recording = local.recordings_by_path.get(path) if path else None
        if recording:
            recordings[i] = recording
    for decision in match_songs(records, catalogue.index, {}, recordings=recordings):
        song = rest[decision.song_id]
        found[song] = _judged(song, decision.file_id, decision.accepted, decision.method,
                              decision.reason, catalogue)  # fmt: skip
    return found


def _by_path(
    song: AppleSong, catalogue: Catalogue, local: LocalFiles, prefixes: Sequence[Prefix]
) -> Found | None:
    path = local.path_of(song)
    if path is None or not prefixes:
        return None
    target = on_server(path, prefixes)
    song_id = catalogue.by_path.get(target) if target is not None else None
    return Found(song_id, Method.PATH.value) if song_id is not None else None


def _judged(
    song: AppleSong,
    position: int | None,
    accepted: bool,
    method: str | None,
    reason: str | None,
    catalogue: Catalogue,
) -> Found:
    if not accepted and not fold(song.name):
        return _wordless(song, catalogue)
    if not accepted or position is None:
        if reason is None or reason.startswith("no file"):
            return Found(None, None, NOT_ON_SERVER)
        candidate = catalogue.songs[position] if position is not None else None
        named = f" (nearest: {candidate.artist} - {candidate.title})" if candidate else ""
        return Found(None, None, f"{NOT_ON_SERVER}: {reason}{named}")
    if method != Method.TAGS.value:
        return Found(catalogue.songs[position].id, method)
    twins = catalogue.twins(position, song.duration_ms)
    if len(twins) > 1:
        wanted = album_key(song.album)
        same_album = [p for p in twins if wanted and album_key(catalogue.songs[p].album) == wanted]
        if len(same_album) == 1:
            return Found(catalogue.songs[same_album[0]].id, method)
        albums = sorted({catalogue.songs[p].album or "?" for p in twins})
        return Found(
            None,
            None,
            f"ambiguous: {len(twins)} songs on the server fit (albums: {', '.join(albums[:4])})",
            ambiguous=True,
        )
    return Found(catalogue.songs[position].id, method)


def _wordless(song: AppleSong, catalogue: Catalogue) -> Found:
    """A title of no words ("🎵🎶🎸"), which the tag rules cannot compare: the same title and
    artists exactly, within the duration window, on one server song."""
    positions = catalogue.wordless.get(_wordless_key(song.name, song.artist), [])
    near = [
        p
        for p in positions
        if song.duration_ms is None
        or catalogue.songs[p].duration_ms is None
        or abs((catalogue.songs[p].duration_ms or 0) - song.duration_ms) <= WINDOW_MS
    ]
    if len(near) == 1:
        return Found(catalogue.songs[near[0]].id, Method.TAGS.value)
    if len(near) > 1:
        return Found(None, None, f"ambiguous: {len(near)} songs on the server fit", ambiguous=True)
    return Found(None, None, NOT_ON_SERVER)


# --- albums and artists ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerAlbum:
    id: str
    name: str
    artist: str | None


def _albums(songs: Sequence[ServerSong]) -> list[ServerAlbum]:
    names: dict[str, str] = {}
    artists: dict[str, Counter[str]] = defaultdict(Counter)
    album_artists: dict[str, str] = {}
    for song in songs:
        if not song.album_id:
            continue
        names.setdefault(song.album_id, song.album or "")
        if song.album_artist:
            album_artists.setdefault(song.album_id, song.album_artist)
        if song.artist:
            artists[song.album_id][song.artist] += 1
    return [
        ServerAlbum(
            album_id,
            name,
            album_artists.get(album_id)
            or (artists[album_id].most_common(1)[0][0] if artists[album_id] else None),
        )
        for album_id, name in names.items()
    ]


def _main(artist: str | None) -> str:
    names = artist_names(artist)
    return names[0] if names else ""


def _single(albums: list[ServerAlbum]) -> list[ServerAlbum]:
    return albums if len(albums) == 1 else []


class NameIndex:
    """Server albums by (album key, main artist) and artists by their folded names."""

    def __init__(self, songs: Sequence[ServerSong]) -> None:
        self.albums: dict[tuple[str, str], list[ServerAlbum]] = defaultdict(list)
        for album in _albums(songs):
            self.albums[(album_key(album.name), _main(album.artist))].append(album)
        self.artists: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for song in songs:
            if song.artist_id and song.artist:
                self.artists[artist_names(song.artist)].add(song.artist_id)

    def album(self, name: str, artist: str | None) -> Found:
        found = self.albums.get((album_key(name), _main(artist)), [])
        # "25" and "25 (Deluxe)", or one album a server split by its tracks' artists ("A" and
        # "A feat. B"): the exact name, then the exact artists decide, if they can
        if len(found) > 1:
            found = _single([a for a in found if fold(a.name) == fold(name)]) or found
        if len(found) > 1:
            wanted = artist_names(artist)
            found = _single([a for a in found if artist_names(a.artist) == wanted]) or found
        if not found:
            return Found(None, None, NOT_ON_SERVER)
        if len(found) > 1:
            return Found(None, None, f"ambiguous: {len(found)} albums on the server fit",
                         ambiguous=True)  # fmt: skip
        return Found(found[0].id, Method.TAGS.value)

    def artist(self, name: str) -> Found:
        ids = sorted(self.artists.get(artist_names(name), set()))
        if not ids:
            return Found(None, None, NOT_ON_SERVER)
        if len(ids) > 1:
            return Found(None, None, f"ambiguous: {len(ids)} artists on the server fit",
                         ambiguous=True)  # fmt: skip
        return Found(ids[0], Method.TAGS.value)
