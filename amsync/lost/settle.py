"""After a sync: ask Apple's catalog what the sync could not see, and look for replacements.

Two steps, each committed on its own so that what is done stays done if the next fails (the
next sync picks up the rest):

1. **Confirm.** Losses waiting for a catalog check (``settled`` false) — a song that left the
   library, a greyed-out song whose catalog id Apple stopped telling — have their catalog ids
   looked up (``get_catalog_songs``, batched by the client); a missing id is withdrawn. Each is
   classified again (``causes.classify``) and settled.
2. **Replace.** Every lost song with an open loss not caused by the person (``removed``) and
   not looked up yet gets one look-up: its ISRC through ``filter[isrc]`` (the client sends 25 a
   request), or, without an ISRC, one catalog search on title and artist. The choice is made by
   ``replacement`` and stored with its method, score and any ambiguous candidates; a song with
   none found is looked up again after ``refresh_days``. So a run asks at most ⌈songs with an
   ISRC ÷ 25⌉ ISRC requests plus one search per song without one, and a second run asks
   nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, and_, or_, select, update

from amsync.db import tables
from amsync.db.store import Store
from amsync.domain import CatalogSong
from amsync.domain.ports import CatalogChecker, CatalogLookup
from amsync.lost.causes import Cause, LossEvidence, LossKind, classify
from amsync.lost.replacement import (
    Candidate,
    Choice,
    LostTrack,
    choose_by_isrc,
    choose_by_search,
    search_term,
)

REFRESH_DAYS: Final = 30
_lost = tables.lost_songs
_entries = tables.lost_entries


@dataclass(slots=True)
class SettleReport:
    checked: int = 0
    settled: int = 0
    looked_up: int = 0
    isrc_requests: int = 0
    searches: int = 0
    found: int = 0
    ambiguous: int = 0
    requests: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def candidate_of(song: CatalogSong) -> Candidate:
    return Candidate(
        song.catalog_id,
        song.name,
        song.artist,
        song.album,
        song.duration_ms,
        song.isrc,
        song.playable,
    )


async def confirm_losses(
    catalog: CatalogChecker, store: Store, account_id: int, *, now: datetime | None = None
) -> SettleReport:
    """Step 1 alone (the sync runs it at its end, so that its losses have their causes)."""
    report = SettleReport()
    before = catalog.stats.requests
    try:
        await _confirm(catalog, store, account_id, now or datetime.now(UTC), report)
    finally:
        report.requests = catalog.stats.requests - before
    return report


async def settle_losses(
    catalog: CatalogLookup,
    store: Store,
    account_id: int,
    *,
    now: datetime | None = None,
    refresh_days: int = REFRESH_DAYS,
    only: Iterable[int] | None = None,
) -> SettleReport:
    """Confirm pending causes, then look for replacements (module docstring). ``only``: these
    lost songs (``lost_songs.id``), whatever their causes (``lost restore SONG_ID``)."""
    moment = now or datetime.now(UTC)
    report = SettleReport()
    before = catalog.stats.requests
    try:
        await _confirm(catalog, store, account_id, moment, report)
        await _replace(catalog, store, account_id, moment, refresh_days, report, only)
    finally:
        report.requests = catalog.stats.requests - before
    return report


# --- confirming causes ---------------------------------------------------------------------


async def _confirm(
    catalog: CatalogChecker, store: Store, account_id: int, now: datetime, report: SettleReport
) -> None:
    with store.session() as session:
        pending = list(
            session.execute(
                select(
                    _entries.c.id,
                    _entries.c.kind,
                    _entries.c.facts,
                    _lost.c.id,
                    _lost.c.catalog_id,
                )
                .join(_lost, _lost.c.id == _entries.c.song_id)
                .where(
                    _entries.c.account_id == account_id,
                    _entries.c.settled.is_(False),
                    _entries.c.found_back_at.is_(None),
                )
            )
        )
    if not pending:
        return
    ids = sorted({row[4] for row in pending if row[4]})
    found: dict[str, CatalogSong] = {}
    if ids:
        await catalog.get_storefront()  # read once per client (a sync has read it already)
        found = {song.catalog_id: song for song in await catalog.get_catalog_songs(ids)}
    report.checked = len(ids)
    with store.writing() as session:
        connection = session.connection()
        for catalog_id in ids:
            _record_check(connection, account_id, catalog_id, found.get(catalog_id), now)
        for entry_id, kind, facts, _song_id, catalog_id in pending:
            song = found.get(catalog_id) if catalog_id else None
            known = dict(facts or {})
            verdict = classify(
                LossEvidence(
                    kind=LossKind(kind),
                    catalog_id=catalog_id,
                    catalog_checked=True,
                    catalog_available=song is not None,
                    catalog_playable=song.playable if song is not None else None,
                    library_playable=known.get("library_playable"),
                    playlist_editable=known.get("playlist_editable"),
                    first_sight=bool(known.get("first_sight")),
                )
            )
            connection.execute(
                update(_entries)
                .where(_entries.c.id == entry_id)
                .values(cause=verdict.cause.value, evidence=verdict.evidence, settled=True)
            )
            report.settled += 1


def _record_check(
    connection: Connection,
    account_id: int,
    catalog_id: str,
    song: CatalogSong | None,
    now: datetime,
) -> None:
    values: dict[str, Any] = {
        "catalog_available": song is not None,
        "catalog_playable": song.playable if song is not None else None,
        "catalog_checked_at": now,
    }
    where = and_(_lost.c.account_id == account_id, _lost.c.catalog_id == catalog_id)
    connection.execute(update(_lost).where(where).values(**values))
    if song is None:
        return
    for column, value in (
        ("isrc", song.isrc),
        ("album", song.album),
        ("duration_ms", song.duration_ms),
    ):  # fill in what the mirror did not know
        if value is not None:
            connection.execute(
                update(_lost).where(where, _lost.c[column].is_(None)).values({column: value})
            )


# --- replacements --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Wanted:
    song_id: int
    lost: LostTrack


async def _replace(
    catalog: CatalogLookup,
    store: Store,
    account_id: int,
    now: datetime,
    refresh_days: int,
    report: SettleReport,
    only: Iterable[int] | None,
) -> None:
    wanted = _wanted(store, account_id, now, refresh_days, only)
    if not wanted:
        return
    await catalog.get_storefront()  # so that the ISRC requests below are counted alone
    with_isrc = [w for w in wanted if w.lost.isrc]
    choices: dict[int, Choice] = {}
    if with_isrc:
        before = catalog.stats.requests
        answers = await catalog.get_catalog_songs_by_isrc(w.lost.isrc or "" for w in with_isrc)
        report.isrc_requests = catalog.stats.requests - before
        for item in with_isrc:
            listed = answers.get((item.lost.isrc or "").upper(), [])
            choices[item.song_id] = choose_by_isrc(item.lost, map(candidate_of, listed))
        _store_choices(store, choices, now, report)
    searched: dict[int, Choice] = {}
    for item in wanted:
        if item.lost.isrc:
            continue
        term = search_term(item.lost)
        hits = await catalog.search_catalog_songs(term) if term else []
        report.searches += 1 if term else 0
        searched[item.song_id] = choose_by_search(item.lost, map(candidate_of, hits))
        if len(searched) >= 50:  # keep what was found if a later request fails
            _store_choices(store, searched, now, report)
            searched = {}
    _store_choices(store, searched, now, report)


def _wanted(
    store: Store,
    account_id: int,
    now: datetime,
    refresh_days: int,
    only: Iterable[int] | None,
) -> list[_Wanted]:
    """Lost songs to look up — with an open, settled loss not caused by the person, or the
    ones named — never looked up, or with nothing found and not for ``refresh_days``."""
    stale = now - timedelta(days=refresh_days)
    query = (
        select(
            _lost.c.id,
            _lost.c.catalog_id,
            _lost.c.name,
            _lost.c.artist,
            _lost.c.album,
            _lost.c.duration_ms,
            _lost.c.isrc,
        )
        .where(_lost.c.account_id == account_id)
        .order_by(_lost.c.id)
    )
    due = or_(
        _lost.c.looked_up_at.is_(None),
        and_(_lost.c.replacement_catalog_id.is_(None), _lost.c.looked_up_at < stale),
    )
    if only is not None:
        query = query.where(_lost.c.id.in_(sorted(set(only)) or [-1]), due)
    else:
        open_loss = (
            select(_entries.c.id)
            .where(
                _entries.c.song_id == _lost.c.id,
                _entries.c.found_back_at.is_(None),
                _entries.c.settled.is_(True),
                _entries.c.cause != Cause.REMOVED.value,
            )
            .exists()
        )
        query = query.where(open_loss, due)
    with store.session() as session:
        rows = list(session.execute(query))
    return [
        _Wanted(row[0], LostTrack(row[1], row[2] or "", row[3], row[4], row[5], row[6]))
        for row in rows
    ]


def _store_choices(
    store: Store, choices: Mapping[int, Choice], now: datetime, report: SettleReport
) -> None:
    if not choices:
        return
    with store.writing() as session:
        connection = session.connection()
        for song_id, choice in choices.items():
            connection.execute(
                update(_lost).where(_lost.c.id == song_id).values(**_choice_values(choice, now))
            )
            report.looked_up += 1
            report.found += choice.chosen is not None
            report.ambiguous += bool(choice.ambiguous)


def _choice_values(choice: Choice, now: datetime) -> dict[str, Any]:
    chosen = choice.chosen
    return {
        "replacement_catalog_id": chosen.catalog_id if chosen else None,
        "replacement_method": choice.method if chosen else None,
        "replacement_score": choice.score if chosen else None,
        "replacement": _described(chosen) if chosen else None,
        "candidates": {"ambiguous": [_described(c) for c in choice.ambiguous]}
        if choice.ambiguous
        else None,
        "lookup_note": choice.note,
        "looked_up_at": now,
    }


def _described(candidate: Candidate) -> dict[str, Any]:
    return {
        "catalog_id": candidate.catalog_id,
        "name": candidate.name,
        "artist": candidate.artist,
        "album": candidate.album,
        "duration_ms": candidate.duration_ms,
        "isrc": candidate.isrc,
    }


def open_song_ids(store: Store, account_id: int, ids: Sequence[str]) -> dict[str, int]:
    """``lost_songs`` ids of lost songs named by library or catalog id (``lost restore ID``)."""
    if not ids:
        return {}
    with store.session() as session:
        rows = session.execute(
            select(_lost.c.id, _lost.c.library_id, _lost.c.catalog_id).where(
                _lost.c.account_id == account_id,
                or_(_lost.c.library_id.in_(ids), _lost.c.catalog_id.in_(ids)),
            )
        )
        found: dict[str, int] = {}
        for song_id, library_id, catalog_id in rows:
            found[library_id] = song_id
            if catalog_id:
                found.setdefault(catalog_id, song_id)
    return found
