"""A mirror holding a generated listener's library songs (``amsync.emulator.privacy_export``),
as a sync would have stored them, and the checks that compare an import with the truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from amsync.db import tables
from amsync.db.store import open_store
from amsync.emulator.privacy_export import ListeningExport, Play

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def stored(text: str) -> str:
    """As the sync stores names: NUL as U+FFFD."""
    return text.replace("\x00", "\ufffd")


def build_listening_mirror(db: str, export: ListeningExport, account: str = "default") -> int:
    """The export's library songs as the account's mirrored songs; returns the account id."""
    store = open_store(db)
    try:
        account_id = store.account_id(account)
        rows = [
            {
                "account_id": account_id,
                "library_id": song.library_id,
                "catalog_id": song.catalog_id,
                "name": stored(song.name),
                "artist": stored(song.artist),
                "album": stored(song.album),
                "duration_ms": song.duration_ms,
                "kind": "song",
                "playable": True,
                "fingerprint": "0" * 32,
                "first_seen_at": NOW,
                "last_seen_at": NOW,
            }
            for song in export.library
        ]
        with store.writing() as session:
            for start in range(0, len(rows), 5000):
                session.execute(insert(tables.songs), rows[start : start + 5000])
        return account_id
    finally:
        store.close()


@dataclass
class LinkCheck:
    in_mirror: int  # generated plays whose song is in the mirror
    linked: int  # of those, linked (to the right song)
    wrong: int  # plays linked to another song than their own (any song)
    linked_outside: int  # plays of songs not in the mirror that were linked anyway

    @property
    def rate(self) -> float:
        return self.linked / self.in_mirror if self.in_mirror else 1.0


def stored_links(db: str, account_id: int) -> dict[datetime, str | None]:
    """The stored play events' links by the moment they were played."""
    store = open_store(db)
    try:
        events = tables.play_events
        with store.session() as session:
            rows = session.execute(
                select(events.c.played_at, events.c.library_id).where(
                    events.c.account_id == account_id
                )
            ).all()
    finally:
        store.close()
    return dict(rows)


def link_of(links: dict[datetime, str | None], play: Play) -> str | None:
    """The stored link of a generated play: by its start, or by its end for the rows whose
    start Apple's file left empty (the end time is then the moment played)."""
    found = links.get(play.start)
    if found is None:
        found = links.get(play.start + timedelta(milliseconds=play.play_ms))
    return found


TruePlay = tuple[datetime, datetime, str | None]
"""A generated play's start, end and the mirror's id of its song (None: not in the library)."""


def truth_of(export: ListeningExport) -> list[TruePlay]:
    return [
        (p.start, p.start + timedelta(milliseconds=p.play_ms), p.song.library_id)
        for p in export.plays
    ]


def check_links(db: str, export: ListeningExport, account_id: int) -> LinkCheck:
    return check_truth(db, truth_of(export), account_id)


def check_truth(db: str, truth: list[TruePlay], account_id: int) -> LinkCheck:
    """Compare the stored play events with the generator's truth, event by event (matched by
    the moment played: the start, or the end where Apple's file left the start empty)."""
    store = open_store(db)
    try:
        events = tables.play_events
        with store.session() as session:
            rows = session.execute(
                select(events.c.played_at, events.c.ended_at, events.c.library_id).where(
                    events.c.account_id == account_id
                )
            ).all()
    finally:
        store.close()
    by_start: dict[datetime, str | None] = {}
    by_end: dict[datetime, str | None] = {}
    for played_at, ended_at, library_id in rows:
        by_start[played_at] = library_id
        if ended_at is not None:
            by_end[ended_at] = library_id
    check = LinkCheck(0, 0, 0, 0)
    for start, end, truth_id in truth:
        if start in by_start:
            got = by_start[start]
        elif end in by_end:
            got = by_end[end]
        else:
            continue  # not stored: a row the test made unreadable on purpose
        if truth_id is not None:
            check.in_mirror += 1
            if got == truth_id:
                check.linked += 1
        if got is not None and got != truth_id:
            check.wrong += 1
            if truth_id is None:
                check.linked_outside += 1
    return check


@dataclass
class ArtistCheck:
    stored: int  # generated plays found stored
    with_catalog: int  # of those, plays of songs Apple's catalog has (a catalog id)
    with_catalog_artist: int  # of those, plays that have an artist
    with_artist: int  # stored plays that have an artist
    wrong: int  # plays whose artist is not their song's

    @property
    def catalog_rate(self) -> float:
        return self.with_catalog_artist / self.with_catalog if self.with_catalog else 1.0


TrueArtist = tuple[datetime, datetime, str, bool]
"""A generated play's start, end, its song's artist and whether the catalog has the song."""


def artist_truth(export: ListeningExport) -> list[TrueArtist]:
    return [
        (
            p.start,
            p.start + timedelta(milliseconds=p.play_ms),
            p.song.artist,
            p.song.catalog_id is not None,
        )
        for p in export.plays
    ]


def check_artists(db: str, truth: list[TrueArtist], account_id: int) -> ArtistCheck:
    """Compare the artists amsync holds for the stored plays (``plays_v``'s rule: the linked
    song's, Apple's file's, the fill's) with the generator's truth, play by play."""
    from sqlalchemy import and_, func

    from amsync.history.linking import normalise

    store = open_store(db)
    try:
        e, s, f = tables.play_events, tables.songs, tables.play_fills
        joined = e.outerjoin(
            s, and_(s.c.account_id == e.c.account_id, s.c.library_id == e.c.library_id)
        ).outerjoin(f, f.c.play_event_id == e.c.id)
        with store.session() as session:
            rows = session.execute(
                select(
                    e.c.played_at, e.c.ended_at, func.coalesce(s.c.artist, e.c.artist, f.c.artist)
                )
                .select_from(joined)
                .where(e.c.account_id == account_id)
            ).all()
    finally:
        store.close()
    by_start = {started: artist for started, _, artist in rows}
    by_end = {ended: artist for _, ended, artist in rows if ended is not None}
    check = ArtistCheck(0, 0, 0, 0, 0)
    for start, end, artist, in_catalog in truth:
        if start in by_start:
            got = by_start[start]
        elif end in by_end:
            got = by_end[end]
        else:
            continue
        check.stored += 1
        check.with_catalog += in_catalog
        if got is None:
            continue
        check.with_artist += 1
        check.with_catalog_artist += in_catalog
        if normalise(got) != normalise(stored(artist)):
            check.wrong += 1
    return check
