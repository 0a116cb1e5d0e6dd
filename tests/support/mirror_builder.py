"""Build a mirror directly through the models — the data source of the export and query tests
until the sync engine fills real mirrors.

``MirrorBuilder`` adds one explicit row at a time; ``build_sample_mirror`` makes the small,
hand-written library most tests use (``SAMPLE`` documents what is in it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amsync.db.models import (
    Account,
    Album,
    Artist,
    CatalogAlbum,
    CatalogSong,
    Favourite,
    FavouritePush,
    ItemChange,
    Playlist,
    PlaylistEntry,
    PlaylistFolder,
    PlaylistRevision,
    Song,
    SyncRun,
)
from amsync.db.store import open_store

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def _fp(*parts: object) -> str:
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass
class MirrorBuilder:
    session: Session
    account_id: int
    now: datetime = T0
    _songs: dict[str, Song] = field(default_factory=dict)

    def song(
        self,
        library_id: str,
        name: str,
        *,
        artist: str | None = None,
        album: str | None = None,
        catalog_id: str | None = None,
        duration_ms: int | None = None,
        track_number: int | None = None,
        disc_number: int | None = None,
        genres: Sequence[str] | None = None,
        release_date: str | None = None,
        date_added: str | None = None,
        isrc: str | None = None,
        composer: str | None = None,
        url: str | None = None,
        available: bool = True,
        catalog_row: bool = True,
        removed: bool = False,
        kind: str = "song",
    ) -> Song:
        song = Song(
            account_id=self.account_id,
            library_id=library_id,
            catalog_id=catalog_id,
            name=name,
            artist=artist,
            album=album,
            duration_ms=duration_ms,
            track_number=track_number,
            disc_number=disc_number,
            genres=json.dumps(list(genres)) if genres is not None else None,
            release_date=release_date,
            date_added=date_added,
            kind=kind,
            fingerprint=_fp(library_id, name, artist, album),
            first_seen_at=self.now,
            last_seen_at=self.now,
            removed_at=T1 if removed else None,
        )
        self.session.add(song)
        if catalog_id is not None and catalog_row:
            self.catalog_song(
                catalog_id,
                name=name,
                artist=artist,
                album=album,
                isrc=isrc,
                duration_ms=duration_ms,
                composer=composer,
                url=url,
                available=available,
            )
        self._songs[library_id] = song
        return song

    def catalog_song(
        self,
        catalog_id: str,
        *,
        name: str | None = None,
        artist: str | None = None,
        album: str | None = None,
        isrc: str | None = None,
        duration_ms: int | None = None,
        composer: str | None = None,
        url: str | None = None,
        available: bool = True,
    ) -> CatalogSong:
        existing = self.session.scalar(
            select(CatalogSong).where(
                CatalogSong.account_id == self.account_id, CatalogSong.catalog_id == catalog_id
            )
        )
        if existing is not None:
            return existing
        row = CatalogSong(
            account_id=self.account_id,
            catalog_id=catalog_id,
            name=name,
            artist=artist,
            album=album,
            isrc=isrc,
            duration_ms=duration_ms,
            composer=composer,
            url=url,
            available=available,
            fingerprint=_fp(catalog_id),
            fetched_at=self.now,
            unavailable_since=None if available else T1,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def album(
        self,
        library_id: str,
        name: str,
        *,
        artist: str | None = None,
        catalog_id: str | None = None,
        track_count: int | None = None,
        release_date: str | None = None,
        record_label: str | None = None,
        upc: str | None = None,
        removed: bool = False,
    ) -> Album:
        album = Album(
            account_id=self.account_id,
            library_id=library_id,
            catalog_id=catalog_id,
            name=name,
            artist=artist,
            track_count=track_count,
            release_date=release_date,
            fingerprint=_fp(library_id, name),
            first_seen_at=self.now,
            last_seen_at=self.now,
            removed_at=T1 if removed else None,
        )
        self.session.add(album)
        if catalog_id is not None:
            self.session.add(
                CatalogAlbum(
                    account_id=self.account_id,
                    catalog_id=catalog_id,
                    name=name,
                    artist=artist,
                    record_label=record_label,
                    upc=upc,
                    fingerprint=_fp(catalog_id),
                    fetched_at=self.now,
                )
            )
        return album

    def artist(
        self, library_id: str, name: str, *, catalog_id: str | None = None, removed: bool = False
    ) -> Artist:
        artist = Artist(
            account_id=self.account_id,
            library_id=library_id,
            catalog_id=catalog_id,
            name=name,
            fingerprint=_fp(library_id, name),
            first_seen_at=self.now,
            last_seen_at=self.now,
            removed_at=T1 if removed else None,
        )
        self.session.add(artist)
        return artist

    def folder(self, library_id: str, name: str, *, parent: str | None = None) -> PlaylistFolder:
        folder = PlaylistFolder(
            account_id=self.account_id,
            library_id=library_id,
            name=name,
            parent_library_id=parent,
            fingerprint=_fp(library_id, name),
            first_seen_at=self.now,
            last_seen_at=self.now,
        )
        self.session.add(folder)
        return folder

    def playlist(
        self,
        library_id: str,
        name: str,
        tracks: Sequence[str],
        *,
        folder: str | None = None,
        description: str | None = None,
        catalog_id: str | None = None,
        can_edit: bool | None = True,
        older_tracks: Sequence[str] | None = None,
        older_name: str | None = None,
        removed: bool = False,
    ) -> Playlist:
        """A playlist whose current list is ``tracks`` (library song ids, or ``"i.X"`` ids of
        tracks that are not library songs); ``older_tracks`` adds a previous revision."""
        playlist = Playlist(
            account_id=self.account_id,
            library_id=library_id,
            catalog_id=catalog_id,
            name=name,
            description=description,
            can_edit=can_edit,
            folder_library_id=folder,
            track_count=len(tracks),
            fingerprint=_fp(library_id, name),
            first_seen_at=self.now,
            last_seen_at=self.now,
            removed_at=T1 if removed else None,
        )
        self.session.add(playlist)
        self.session.flush()
        if older_tracks is not None:
            self._revision(playlist, older_name or name, older_tracks, T0, T1)
        current = self._revision(playlist, name, tracks, T1 if older_tracks is not None else T0)
        playlist.current_revision_id = current.id
        self.session.flush()
        return playlist

    def _revision(
        self,
        playlist: Playlist,
        name: str,
        tracks: Sequence[str],
        valid_from: datetime,
        valid_to: datetime | None = None,
    ) -> PlaylistRevision:
        revision = PlaylistRevision(
            account_id=self.account_id,
            playlist_id=playlist.id,
            name=name,
            track_count=len(tracks),
            tracks_fingerprint=_fp(*tracks),
            valid_from=valid_from,
            valid_to=valid_to,
        )
        self.session.add(revision)
        self.session.flush()
        for position, track_id in enumerate(tracks):
            song = self._songs.get(track_id)
            self.session.add(
                PlaylistEntry(
                    revision_id=revision.id,
                    position=position,
                    track_library_id=track_id,
                    track_catalog_id=song.catalog_id if song else None,
                    kind=song.kind if song else "song",
                    name=song.name if song else f"Track {track_id}",
                    artist=song.artist if song else None,
                    album=song.album if song else None,
                    duration_ms=song.duration_ms if song else None,
                )
            )
        return revision

    def favourite(
        self,
        item_type: str,
        library_id: str,
        *,
        local: str = "favourite",
        remote: str | None = None,
        catalog_id: str | None = None,
        pending: bool = False,
    ) -> Favourite:
        remote = local if remote is None else remote
        row = Favourite(
            account_id=self.account_id,
            item_type=item_type,
            library_id=library_id,
            catalog_id=catalog_id,
            remote=remote,
            base=remote,
            local=local,
            updated_at=self.now,
        )
        self.session.add(row)
        if pending:
            self.session.add(
                FavouritePush(
                    account_id=self.account_id,
                    item_type=item_type,
                    library_id=library_id,
                    catalog_id=catalog_id,
                    target=local,
                    created_at=self.now,
                )
            )
        return row

    def run(
        self, started_at: datetime, *, status: str = "ok", counts: dict[str, int] | None = None
    ) -> SyncRun:
        run = SyncRun(
            account_id=self.account_id,
            kind="sync",
            status=status,
            started_at=started_at,
            finished_at=started_at + timedelta(minutes=2),
            counts=counts or {},
            amsync_version="test",
        )
        self.session.add(run)
        self.session.flush()
        return run

    def change(
        self,
        run: SyncRun,
        item_type: str,
        library_id: str,
        change: str,
        name: str | None,
        artist: str | None = None,
    ) -> ItemChange:
        row = ItemChange(
            account_id=self.account_id,
            run_id=run.id,
            item_type=item_type,
            library_id=library_id,
            change=change,
            name=name,
            artist=artist,
            detail={},
            recorded_at=run.started_at,
        )
        self.session.add(row)
        return row


@contextmanager
def mirror(
    db: str, account: str = "default", storefront: str | None = "gb"
) -> Iterator[MirrorBuilder]:
    """A builder for ``account`` in the database ``db`` (created at head), committed at the end."""
    store = open_store(db)
    try:
        account_id = store.account_id(account)
        with store.session() as session:
            row = session.get(Account, account_id)
            assert row is not None
            row.storefront = storefront
            row.last_synced_at = T1
            yield MirrorBuilder(session, account_id)
    finally:
        store.close()


HOSTILE_SONG_NAME = '=HYPERLINK("http://evil")\nsecond line\r\x1b[31mred\x07'
HOSTILE_PLAYLIST_NAME = "../../etc/passwd\n#EXTINF:0,fake"


def build_sample_mirror(db: str, account: str = "default") -> None:
    """The sample library (see the module docstring):

    songs  i.S1 "Hello" (catalog 100, ISRC, favourite), i.S2 "Home Demo" (upload: no catalog
           id, disliked), i.S3 "Gone Song" (catalog 300 withdrawn), i.S4 "Old Song" (removed),
           i.S5 hostile name by "-evil", i.S6 "Hello" again (catalog 100 again: a duplicate)
    albums l.A1 "Hello Album" (catalog, label, pending favourite push), l.A2 removed
    artists r.R1 "Adele" (favourite: local-only), r.R2 removed
    folders Parent / Child
    playlists p.P1 "Road Trip" in Parent/Child: S1 S2 S1 S3 S5 (older revision: S1 S4),
              p.P2 "Empty" (no tracks), p.P3 hostile name, p.P4 "Old List" removed
    runs   two sync runs; run 2 removed S4
    """
    with mirror(db, account) as m:
        m.song(
            "i.S1",
            "Hello",
            artist="Adele",
            album="25",
            catalog_id="100",
            duration_ms=295_000,
            track_number=1,
            disc_number=1,
            genres=["Pop", "Music"],
            release_date="2015",
            date_added="2020-01-02T03:04:05Z",
            isrc="GBBKS1500214",
            composer="Adele Adkins",
            url="https://music.apple.com/gb/song/hello/100",
        )
        m.song("i.S2", "Home Demo", artist=None, album=None, duration_ms=61_500)
        m.song(
            "i.S3",
            "Gone Song",
            artist="Someone",
            album="Lost",
            catalog_id="300",
            duration_ms=200_000,
            isrc="USXXX0000003",
            available=False,
        )
        m.song("i.S4", "Old Song", artist="Oldie", album="Past", catalog_id="400", removed=True)
        m.song("i.S5", HOSTILE_SONG_NAME, artist="-evil", album="@album", catalog_id="500")
        m.song("i.S6", "Hello", artist="Adele", album="25", catalog_id="100", duration_ms=295_000)
        m.album(
            "l.A1",
            "Hello Album",
            artist="Adele",
            catalog_id="1000",
            track_count=11,
            release_date="2015-11-20",
            record_label="XL",
            upc="0000000000001",
        )
        m.album("l.A2", "Removed Album", artist="X", removed=True)
        m.artist("r.R1", "Adele", catalog_id="9000")
        m.artist("r.R2", "Removed Artist", removed=True)
        m.folder("f.F1", "Parent")
        m.folder("f.F2", "Child", parent="f.F1")
        m.playlist(
            "p.P1",
            "Road Trip",
            ["i.S1", "i.S2", "i.S1", "i.S3", "i.S5"],
            folder="f.F2",
            description="for the car",
            older_tracks=["i.S1", "i.S4"],
            older_name="Roadtrip",
        )
        m.playlist("p.P2", "Empty", [], can_edit=False)
        m.playlist("p.P3", HOSTILE_PLAYLIST_NAME, ["i.S1"])
        m.playlist("p.P4", "Old List", ["i.S1"], removed=True)
        m.favourite("song", "i.S1", catalog_id="100")
        m.favourite("song", "i.S2", local="disliked")
        m.favourite("album", "l.A1", remote="none", pending=True)
        m.favourite("artist", "r.R1")
        m.favourite("playlist", "p.P1")
        m.favourite("song", "i.S3", local="none", remote="favourite", pending=True)
        run1 = m.run(T0, counts={"songs_added": 5})
        run2 = m.run(T1, counts={"songs_removed": 1})
        m.change(run1, "song", "i.S1", "added", "Hello", "Adele")
        m.change(run1, "song", "i.S4", "added", "Old Song", "Oldie")
        m.change(run2, "song", "i.S4", "removed", "Old Song", "Oldie")
        m.change(run2, "playlist", "p.P1", "changed", "Road Trip")
