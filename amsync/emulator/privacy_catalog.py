"""Apple's catalog behind a generated listener (``privacy_listener``), for the catalog search
that ``amsync listens fill`` asks (``catalog_search``): every song the listener played that has
a catalog id, grouped into albums by artist, and — so that the filling is tested against what
a real search returns — look-alikes around some of them (``CatalogDecoys``):

- a **live version**: "Title (Live)" on "Album (Live)" by the same artist, longer;
- a **remaster**: "Title (Remastered)" on the same album by the same artist, the same length
  (another ISRC: a second exact match that agrees on the artist);
- a **near miss**: the same title by another artist on "Album Sessions";
- an **ambiguous twin**: the same title on an album of the same name by another artist, about
  as long (only the daily history can tell them apart);
- a **length twin**: the same title and album name by another artist, a minute longer (the
  export's media length tells them apart).

Stdlib only; the same arguments always give the same catalog.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from amsync.emulator.library import Library
from amsync.emulator.privacy_listener import ListenedSong
from amsync.emulator.resources import CatalogAlbum, CatalogArtist, CatalogSong

ART = "https://is1-ssl.mzstatic.com/image/thumb/Music/v4/listener/{id}/{{w}}x{{h}}bb.jpg"


@dataclass(frozen=True)
class CatalogDecoys:
    """Which share of the listener's catalog songs get each look-alike."""

    live: float = 0.05
    remaster: float = 0.03
    near_miss: float = 0.05
    ambiguous: float = 0.02
    length_twin: float = 0.02


NO_DECOYS = CatalogDecoys(0.0, 0.0, 0.0, 0.0, 0.0)


class _Catalog:
    def __init__(self, storefront: str, seed: int) -> None:
        self.library = Library(seed=seed, storefront=storefront)
        self.sf = storefront
        self.rng = random.Random(f"listener-catalog-{seed}")
        self.next_id = 9_000_000_000
        self.artists: dict[str, str] = {}
        self.albums: dict[tuple[str, str], str] = {}

    def new_id(self) -> str:
        self.next_id += self.rng.randrange(1, 7)
        return str(self.next_id)

    def artist(self, name: str) -> str:
        found = self.artists.get(name)
        if found is None:
            found = self.artists[name] = self.new_id()
            self.library.catalog_artists[found] = CatalogArtist(
                found,
                name,
                ["Pop", "Music"],
                f"https://music.apple.com/{self.sf}/artist/{found}",
                ART.format(id=found),
            )
        return found

    def album(self, artist: str, name: str) -> CatalogAlbum:
        key = (artist, name)
        album_id = self.albums.get(key)
        if album_id is None:
            album_id = self.albums[key] = self.new_id()
            self.library.catalog_albums[album_id] = CatalogAlbum(
                id=album_id,
                name=name,
                artist_name=artist,
                artist_id=self.artist(artist),
                release_date="2015-01-01",
                record_label="Independent",
                upc=f"{int(album_id) % 10**12:012d}",
                genre_names=["Pop", "Music"],
                copyright="℗ 2015 Independent",
                url=f"https://music.apple.com/{self.sf}/album/{album_id}",
                artwork_url=ART.format(id=album_id),
                is_compilation=False,
                is_single=False,
                content_rating=None,
            )
        return self.library.catalog_albums[album_id]

    def song(self, song_id: str, name: str, artist: str, album: str, duration_ms: int) -> None:
        disc = self.album(artist, album)
        letters = "".join(self.rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=3))
        self.library.catalog_songs[song_id] = CatalogSong(
            id=song_id,
            name=name,
            artist_name=artist,
            album_name=album,
            album_id=disc.id,
            artist_id=disc.artist_id,
            composer_name="",
            genre_names=["Pop", "Music"],
            track_number=len(disc.song_ids) + 1,
            disc_number=1,
            duration_ms=duration_ms,
            release_date="2015-01-01",
            isrc=f"QZ{letters}{int(song_id) % 10**7:07d}",
            has_lyrics=False,
            is_apple_digital_master=False,
            url=f"https://music.apple.com/{self.sf}/album/{disc.id}?i={song_id}",
            artwork_url=disc.artwork_url,
            content_rating=None,
            preview_url=f"https://audio-ssl.itunes.apple.com/itunes-assets/{song_id}.m4a",
        )
        disc.song_ids.append(song_id)

    def decoys(self, song: ListenedSong, chance: CatalogDecoys, other_artist: str) -> None:
        roll = self.rng.random
        name, artist, album, length = song.name, song.artist, song.album, song.duration_ms
        if roll() < chance.live:
            self.song(self.new_id(), f"{name} (Live)", artist, f"{album} (Live)", length + 20_000)
        if roll() < chance.remaster:
            self.song(self.new_id(), f"{name} (Remastered)", artist, album, length)
        if roll() < chance.near_miss:
            self.song(self.new_id(), name, other_artist, f"{album} Sessions", length)
        if roll() < chance.ambiguous:
            self.song(self.new_id(), name, other_artist, album, length + 700)
        if roll() < chance.length_twin:
            self.song(self.new_id(), name, other_artist, album, length + 60_000)


def listener_catalog(
    songs: Sequence[ListenedSong],
    *,
    seed: int = 0,
    storefront: str = "us",
    decoys: CatalogDecoys | None = None,
) -> Library:
    """An emulator library whose catalog holds ``songs`` (those with a catalog id) and the
    look-alikes of ``decoys`` (default ``CatalogDecoys()``); its user library is empty."""
    chance = decoys if decoys is not None else CatalogDecoys()
    catalog = _Catalog(storefront, seed)
    artists = sorted({s.artist for s in songs})
    for song in songs:
        if song.catalog_id is not None and song.catalog_id not in catalog.library.catalog_songs:
            catalog.song(song.catalog_id, song.name, song.artist, song.album, song.duration_ms)
    for song in songs:
        if song.catalog_id is None:
            continue
        other = catalog.rng.choice(artists) if len(artists) > 1 else f"{song.artist} Tribute"
        if other == song.artist:
            other = f"{song.artist} Tribute"
        catalog.decoys(song, chance, other)
    catalog.library.version = 0
    return catalog.library
