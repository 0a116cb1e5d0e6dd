"""Seeded generator of realistic libraries: :class:`LibrarySpec`, :func:`generate_library`,
:func:`awkward_spec`.

Shape: albums of ~10 songs by one artist (sometimes two discs), every library song with a catalog
twin except uploads (whole uploaded albums, no catalog ids), a few withdrawn catalog songs,
catalog-only albums (for add-to-library), a few music videos, playlists from empty to
``max_playlist_tracks`` tracks (some > 300, some with repeated tracks, some catalog playlists with
``canEdit`` false), nested folders (depth ≤ 3), ratings, hostile names. The same spec always gives
the same library. 100,000 songs generate in a few seconds (see bench/emulator_throughput.py).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from amsync.emulator.identifiers import IdFactory
from amsync.emulator.library import Library
from amsync.emulator.names import NameMaker
from amsync.emulator.resources import (
    CatalogAlbum,
    CatalogArtist,
    CatalogPlaylist,
    CatalogSong,
    LibraryAlbum,
    LibraryArtist,
    LibraryPlaylist,
    LibrarySong,
    PlaylistFolder,
)

ART = "https://is{n}-ssl.mzstatic.com/image/thumb/Music1{n}/v4/{a}/{b}/{id}/cover.jpg/{{w}}x{{h}}bb.jpg"
LABELS = ("Atlantic", "Sub Pop", "XL Recordings", "Warp", "Independent", "Domino", "4AD")
START_2012 = 1_325_376_000
SPAN_SECONDS = 13 * 365 * 86_400


@dataclass
class LibrarySpec:
    """What to generate. None counts default from ``songs``."""

    songs: int = 200
    albums: int | None = None
    artists: int | None = None
    playlists: int | None = None
    folders: int | None = None
    seed: int = 0
    upload_fraction: float = 0.02
    withdrawn_fraction: float = 0.01
    favourite_fraction: float = 0.05
    dislike_fraction: float = 0.01
    hostile_fraction: float = 0.02
    music_videos: int | None = None
    max_playlist_tracks: int = 1000
    date_added_missing_fraction: float = 0.03
    catalog_playlist_fraction: float = 0.15
    big_playlists: int | None = None
    duplicate_playlist_fraction: float = 0.2
    storefront: str = "us"


def awkward_spec(seed: int = 0) -> LibrarySpec:
    """~600 songs with many hostile names, uploads and withdrawn ids, ≥ 2 playlists > 300 tracks."""
    return LibrarySpec(
        songs=600,
        albums=50,
        artists=20,
        playlists=16,
        folders=5,
        seed=seed,
        upload_fraction=0.1,
        withdrawn_fraction=0.08,
        favourite_fraction=0.15,
        dislike_fraction=0.05,
        hostile_fraction=0.25,
        music_videos=4,
        max_playlist_tracks=700,
        date_added_missing_fraction=0.1,
        big_playlists=3,
        duplicate_playlist_fraction=0.5,
    )


def _timestamp(rng: random.Random) -> str:
    seconds = START_2012 + rng.randrange(SPAN_SECONDS)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _artwork(rng: random.Random, ident: str) -> str:
    return ART.format(n=rng.randrange(1, 6), a=f"{rng.randrange(256):02x}", b="9c", id=ident)


class _Builder:
    def __init__(self, spec: LibrarySpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.ids = IdFactory(self.rng)
        self.names = NameMaker(self.rng, spec.hostile_fraction)
        self.lib = Library(seed=spec.seed, storefront=spec.storefront)
        self.sf = spec.storefront

    def artists(self, count: int) -> list[LibraryArtist]:
        out = []
        for _ in range(count):
            name = self.names.artist()
            cat_id = self.ids.catalog()
            genre = self.names.genre()
            self.lib.catalog_artists[cat_id] = CatalogArtist(
                cat_id,
                name,
                [genre, "Music"],
                f"https://music.apple.com/{self.sf}/artist/{cat_id}",
                _artwork(self.rng, cat_id),
            )
            artist = LibraryArtist(self.ids.library("r."), name, cat_id)
            self.lib.artists[artist.id] = artist
            out.append(artist)
        return out

    def catalog_album(self, artist: CatalogArtist, size: int, in_library: bool) -> CatalogAlbum:
        rng = self.rng
        cat_id = self.ids.catalog()
        year = rng.randrange(1965, 2026)
        release = str(year) if rng.random() < 0.05 else f"{year}-{rng.randrange(1, 13):02d}-15"
        album = CatalogAlbum(
            id=cat_id,
            name=self.names.title(),
            artist_name=artist.name,
            artist_id=artist.id,
            release_date=release,
            record_label=rng.choice(LABELS),
            upc=f"{rng.randrange(10**11, 10**12)}{rng.randrange(10)}",
            genre_names=[artist.genre_names[0], "Music"],
            copyright=f"℗ {year} {rng.choice(LABELS)}",
            url=f"https://music.apple.com/{self.sf}/album/{cat_id}",
            artwork_url=_artwork(rng, cat_id),
            is_compilation=rng.random() < 0.03,
            is_single=size == 1,
            content_rating="explicit" if rng.random() < 0.15 else None,
        )
        self.lib.catalog_albums[cat_id] = album
        two_discs = size > 12 and rng.random() < 0.4
        half = (size + 1) // 2
        withdrawn_fraction = self.spec.withdrawn_fraction if in_library else 0.0
        for index in range(size):
            disc, track = (2, index - half + 1) if two_discs and index >= half else (1, index + 1)
            song_id = self.ids.catalog()
            letters = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=3))
            self.lib.catalog_songs[song_id] = CatalogSong(
                id=song_id,
                name=self.names.title(),
                artist_name=artist.name,
                album_name=album.name,
                album_id=cat_id,
                artist_id=artist.id,
                composer_name=f"{rng.choice(('Ada', 'Leo', 'Mia'))} {rng.choice(('Berg', 'Ito'))}",
                genre_names=list(album.genre_names),
                track_number=track,
                disc_number=disc,
                duration_ms=rng.randrange(90_000, 420_000),
                release_date=release,
                isrc=f"US{letters}{rng.randrange(10, 26)}{rng.randrange(100000):05d}",
                has_lyrics=rng.random() < 0.8,
                is_apple_digital_master=rng.random() < 0.3,
                url=f"https://music.apple.com/{self.sf}/album/{cat_id}?i={song_id}",
                artwork_url=album.artwork_url,
                content_rating=album.content_rating,
                preview_url=f"https://audio-ssl.itunes.apple.com/itunes-assets/{song_id}.plus.aac.p.m4a",
                withdrawn=rng.random() < withdrawn_fraction,
            )
            album.song_ids.append(song_id)
        return album

    def library_album(self, artist: LibraryArtist, size: int) -> None:
        rng, spec = self.rng, self.spec
        catalog_artist = self.lib.catalog_artists[artist.catalog_id or ""]
        catalog = self.catalog_album(catalog_artist, size, in_library=True)
        upload = rng.random() < spec.upload_fraction
        if upload:
            del self.lib.catalog_albums[catalog.id]
            for song_id in catalog.song_ids:
                del self.lib.catalog_songs[song_id]
        album_date = _timestamp(rng)
        album = LibraryAlbum(
            id=self.ids.library("l."),
            name=catalog.name,
            artist_name=artist.name,
            artist_id=artist.id,
            genre_names=[catalog.genre_names[0]],
            release_date=catalog.release_date,
            content_rating=catalog.content_rating,
            catalog_id=None if upload else catalog.id,
            date_added=album_date,
            artwork_url=catalog.artwork_url,
        )
        self.lib.albums[album.id] = album
        missing = spec.date_added_missing_fraction
        for song_id in catalog.song_ids:
            cat = self.lib.catalog_songs.get(song_id)
            if cat is None:  # upload: rebuild attributes from the discarded catalog twin
                continue
            song = LibrarySong(
                id=self.ids.library("i."),
                name=cat.name,
                artist_name=cat.artist_name,
                album_name=cat.album_name,
                genre_names=[cat.genre_names[0]],
                track_number=cat.track_number,
                disc_number=cat.disc_number,
                duration_ms=cat.duration_ms,
                release_date=cat.release_date,
                content_rating=cat.content_rating,
                catalog_id=cat.id,
                date_added=None if rng.random() < missing else album_date,
                kind="song",
                has_lyrics=cat.has_lyrics,
                artwork_url=cat.artwork_url,
                album_id=album.id,
                artist_id=artist.id,
            )
            self.lib.songs[song.id] = song
            album.song_ids.append(song.id)
        if upload:
            for index in range(size):
                song = LibrarySong(
                    id=self.ids.library("i."),
                    name=self.names.title(),
                    artist_name=artist.name,
                    album_name=album.name,
                    genre_names=[],
                    track_number=index + 1,
                    disc_number=1,
                    duration_ms=rng.randrange(90_000, 420_000),
                    release_date=None if rng.random() < 0.5 else album.release_date,
                    content_rating=None,
                    catalog_id=None,
                    date_added=None if rng.random() < missing else album_date,
                    kind="song",
                    has_lyrics=False,
                    artwork_url=album.artwork_url,
                    album_id=album.id,
                    artist_id=artist.id,
                )
                self.lib.songs[song.id] = song
                album.song_ids.append(song.id)

    def music_videos(self, count: int, artists: list[LibraryArtist]) -> None:
        rng = self.rng
        for _ in range(count):
            artist = rng.choice(artists)
            cat_id = self.ids.catalog()
            name = self.names.title()
            art = _artwork(rng, cat_id)
            self.lib.catalog_music_videos[cat_id] = CatalogSong(
                cat_id, name, artist.name, "", "", artist.catalog_id or "", "", ["Pop"], 1, 1,
                rng.randrange(150_000, 400_000), "2019-05-01", f"USMV{rng.randrange(10**8):08d}",
                False, False, f"https://music.apple.com/{self.sf}/music-video/{cat_id}", art,
                None, "", kind="musicVideo",
            )  # fmt: skip
            video = LibrarySong(
                self.ids.library("i."), name, artist.name, "", ["Pop"], 1, 1,
                self.lib.catalog_music_videos[cat_id].duration_ms, "2019-05-01", None, cat_id,
                _timestamp(rng), "musicVideo", False, art, None, artist.id,
            )  # fmt: skip
            self.lib.music_videos[video.id] = video

    def folders(self, count: int) -> list[PlaylistFolder]:
        out: list[PlaylistFolder] = []
        depth: dict[str, int] = {}
        for index in range(count):
            candidates = [f for f in out if depth[f.id] < 3]
            parent = None
            if index >= max(1, count // 3) and candidates:
                parent = self.rng.choice(candidates)
            folder = PlaylistFolder(
                self.ids.library("p."),
                self.names.title(),
                parent.id if parent else None,
                _timestamp(self.rng),
            )
            depth[folder.id] = depth[parent.id] + 1 if parent else 1
            self.lib.folders[folder.id] = folder
            out.append(folder)
        return out

    def playlist_size(self, index: int, big: int) -> int:
        rng, cap = self.rng, self.spec.max_playlist_tracks
        if index == 0:
            return 0
        if index <= big:
            return rng.randrange(min(301, cap), cap + 1)
        roll = rng.random()
        upper = 50 if roll < 0.6 else 200 if roll < 0.9 else 300
        return rng.randrange(1, min(upper, cap) + 1)

    def playlists(self, count: int, folders: list[PlaylistFolder]) -> None:
        rng, spec = self.rng, self.spec
        song_ids = list(self.lib.songs)
        video_ids = list(self.lib.music_videos)
        big = spec.big_playlists if spec.big_playlists is not None else max(1, count // 20)
        for index in range(count):
            size = min(self.playlist_size(index, big), len(song_ids) * 3)
            if rng.random() < spec.duplicate_playlist_fraction:
                tracks = rng.choices(song_ids, k=size)  # with replacement: repeats
            else:
                tracks = rng.sample(song_ids, min(size, len(song_ids)))
            if video_ids and size > 5 and rng.random() < 0.2:
                tracks.insert(rng.randrange(len(tracks)), rng.choice(video_ids))
            is_catalog = index > 0 and rng.random() < spec.catalog_playlist_fraction
            name = self.names.title()
            playlist = LibraryPlaylist(
                id=self.ids.library("p."),
                name=name,
                description="" if rng.random() < 0.4 else f"Songs for {name.lower()[:40]}",
                can_edit=not is_catalog,
                is_public=not is_catalog and rng.random() < 0.1,
                global_id=self.ids.global_playlist() if is_catalog else None,
                date_added=_timestamp(rng),
                parent_id=rng.choice(folders).id if folders and rng.random() < 0.35 else None,
                tracks=tracks,
                artwork_url=_artwork(rng, "pl") if is_catalog else None,
            )
            self.lib.playlists[playlist.id] = playlist
            if playlist.global_id is not None:
                catalog_tracks = [
                    self.lib.songs[t].catalog_id for t in tracks if t in self.lib.songs
                ]
                self.lib.catalog_playlists[playlist.global_id] = CatalogPlaylist(
                    id=playlist.global_id,
                    name=name,
                    curator_name="Apple Music",
                    description=playlist.description,
                    url=f"https://music.apple.com/{self.sf}/playlist/{playlist.global_id}",
                    playlist_type="editorial",
                    artwork_url=playlist.artwork_url or "",
                    song_ids=[c for c in catalog_tracks if c is not None],
                )

    def ratings(self) -> None:
        rng, spec, lib = self.rng, self.spec, self.lib
        fav, dislike = spec.favourite_fraction, spec.favourite_fraction + spec.dislike_fraction
        groups = (("library-songs", lib.songs), ("library-albums", lib.albums))
        for rating_type, items in groups:
            for item_id in items:
                roll = rng.random()
                if roll < dislike:
                    lib.set_rating(rating_type, item_id, 1 if roll < fav else -1)
        for playlist_id in lib.playlists:
            if rng.random() < fav * 2:
                lib.set_rating("library-playlists", playlist_id, 1)


def generate_library(spec: LibrarySpec) -> Library:
    """Build a deterministic :class:`Library` from ``spec``."""
    songs = max(0, spec.songs)
    album_count = spec.albums if spec.albums is not None else max(1, songs // 10)
    album_count = max(1, min(album_count, songs)) if songs else 0
    artist_count = spec.artists if spec.artists is not None else max(1, songs // 20)
    artist_count = max(1, min(artist_count, max(album_count, 1)))
    playlist_count = spec.playlists if spec.playlists is not None else 10 + songs // 200
    folder_count = spec.folders if spec.folders is not None else playlist_count // 10
    video_count = spec.music_videos if spec.music_videos is not None else max(2, songs // 500)
    builder = _Builder(spec)
    artists = builder.artists(artist_count)
    if album_count:
        cuts = sorted(builder.rng.sample(range(1, songs), album_count - 1)) if songs > 1 else []
        bounds = [0, *cuts, songs]
        for index in range(album_count):
            artist = artists[index] if index < artist_count else builder.rng.choice(artists)
            builder.library_album(artist, bounds[index + 1] - bounds[index])
    for index in range(max(3, album_count // 50)):  # catalog-only albums, for add-to-library
        catalog_artist = builder.lib.catalog_artists[artists[index % len(artists)].catalog_id or ""]
        builder.catalog_album(catalog_artist, 1 + builder.rng.randrange(12), in_library=False)
    builder.music_videos(video_count, artists)
    folders = builder.folders(folder_count)
    if builder.lib.songs:
        builder.playlists(playlist_count, folders)
    builder.ratings()
    builder.lib.version = 0
    builder.lib.ratings_version = 0
    return builder.lib
