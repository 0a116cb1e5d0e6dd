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
