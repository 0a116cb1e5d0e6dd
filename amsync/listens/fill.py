"""``amsync listens fill``: give every play an artist where amsync can find one, and say where
it came from.

- a play linked to a mirrored song has the song's artist, album, ISRC and length (read
  through the link whenever they are needed: ``plays_v``, ``listens push``), and a play of an
  older export has the artist Apple's file gave — nothing to do for either;
- every other play is looked up by its song and album name in Apple's catalog search, once
  per distinct song/album pair (``artist_fill.pair_key``) *ever*: the exact matches are kept
  in ``listen_lookups`` and asked again only when the look-up failed. Look-ups run a chunk at a
  time, each chunk committed, so a fill that is stopped keeps what it found and the next one
  goes on from there; the client paces them at its adaptive rate, and the progress display
  counts them;
- then each such play is decided (``artist_fill.decide``) from its pair's matches, its media
  length and the daily history, and the account's ``play_fills`` are replaced by the result.

A dry run asks nothing and writes nothing: it decides from what is cached and counts the
look-ups a real run would make. The account's run lock is held by a real run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from amsync.db.locks import acquire_run_lock
from amsync.db.store import Store
from amsync.domain.listens import CatalogSearch
from amsync.domain.progress import ProgressCallback, ProgressEvent, no_progress
from amsync.errors import BadRequest, MalformedResponse, NotFound
from amsync.listens import fill_store
from amsync.listens.artist_fill import (
    FAILED,
    FILLED,
    NOT_LOOKED_UP,
    Candidate,
    Fill,
    decide,
    exact_matches,
    lookup_state,
    pair_key,
    search_term,
)
from amsync.listens.fill_store import Lookup, LookupRow, PlayToFill
from amsync.listens.report import FillReport

CHUNK: Final = 48
PHASE: Final = "catalog look-ups"


@dataclass(frozen=True, slots=True)
class Pair:
    key: str
    name: str
    album: str
    term: str


async def fill_listens(
    store: Store,
    account: str,
    searcher: Callable[[], CatalogSearch],
    *,
    dry_run: bool = False,
    progress: ProgressCallback = no_progress,
    wait_s: float = 0.0,
) -> FillReport:
    """Fill the account's plays (see the module docstring). ``searcher`` makes the catalog
    client, only when there is something to look up."""
    report = FillReport(account=account, dry_run=dry_run)
    account_id = store.find_account_id(account)
    if account_id is None:
        return report
    lock = None
    if not dry_run:
        lock = acquire_run_lock(store, account_id, account, command="listens fill", wait_s=wait_s)
    try:
        with store.session() as session:
            connection = session.connection()
            report.plays, mirror, export = fill_store.artist_counts(connection, account_id)
            plays = list(fill_store.plays_to_fill(connection, account_id))
            cached = fill_store.cached_lookups(connection, account_id)
        report.artist_from.update({"mirror": mirror, "export": export})
        pairs = _pairs(plays)
        report.pairs = len(pairs)
        wanted = [p for p in pairs.values() if p.key not in cached or cached[p.key].state == FAILED]
        report.lookups_cached = len(pairs) - len(wanted)
        if wanted and dry_run:
            report.lookups_to_make = len(wanted)
        elif wanted:
            cached.update(await _look_up(store, account_id, searcher(), wanted, report, progress))
        _decide_all(store, account_id, plays, pairs, cached, report, write=not dry_run)
    finally:
        if lock is not None:
            lock.release()
    return report


def _pairs(plays: Sequence[PlayToFill]) -> dict[str, Pair]:
    """The distinct song/album pairs worth a look-up: with an album and something to search."""
    found: dict[str, Pair] = {}
    for play in plays:
        if not play.album or not play.album.strip():
            continue
        key = pair_key(play.name, play.album)
        if key in found:
            continue
        term = search_term(play.name, play.album)
        if term is not None:
            found[key] = Pair(key, play.name, play.album, term)
    return found


async def _look_up(
    store: Store,
    account_id: int,
    client: CatalogSearch,
    wanted: Sequence[Pair],
    report: FillReport,
    progress: ProgressCallback,
) -> dict[str, Lookup]:
    """Look every pair up, a chunk at a time, each chunk committed as it completes."""
    found: dict[str, Lookup] = {}
    first_requests, first_throttled = client.stats.requests, client.stats.throttled
    done = 0

    def tell(finished: bool = False) -> None:
        made = client.stats.requests - first_requests
        progress(
            ProgressEvent(
                PHASE,
                done,
                len(wanted),
                requests=client.stats.requests,
                phase_requests=made,
                remaining_requests=len(wanted) - done,
                finished=finished,
            )
        )

    tell()
    try:
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = await asyncio.gather(*(_one(client, pair) for pair in chunk))
            with store.writing() as session:
                fill_store.save_lookups(session.connection(), account_id, rows, datetime.now(UTC))
            for row in rows:
                found[row.pair_key] = Lookup(row.state, row.candidates)
                report.lookup_states[row.state] += 1
            done += len(chunk)
            report.lookups_made += len(chunk)
            tell()
    finally:
        report.requests += client.stats.requests - first_requests
        report.throttled += client.stats.throttled - first_throttled
    tell(finished=True)
    return found


async def _one(client: CatalogSearch, pair: Pair) -> LookupRow:
    try:
        songs = await client.search_catalog_songs(pair.term)
    except (BadRequest, MalformedResponse, NotFound) as exc:
        return LookupRow(pair.key, pair.name, pair.album, FAILED, 0, (), str(exc)[:500])
    candidates = tuple(exact_matches(pair.name, pair.album, songs))
    state = lookup_state(candidates)
    return LookupRow(pair.key, pair.name, pair.album, state, len(songs), candidates, None)


def _decide_all(
    store: Store,
    account_id: int,
    plays: Sequence[PlayToFill],
    pairs: dict[str, Pair],
    cached: dict[str, Lookup],
    report: FillReport,
    *,
    write: bool,
) -> None:
    titles = {play.name for play in plays}
    with store.session() as session:
        evidence = fill_store.daily_evidence(session.connection(), account_id, titles)
    fills: list[tuple[int, Fill]] = []
    for play in plays:
        candidates: tuple[Candidate, ...] | None = None
        why_not = "no album"
        if play.album and play.album.strip():
            key = pair_key(play.name, play.album)
            lookup = cached.get(key) if key in pairs else None
            why_not = (
                "nothing to search for"
                if key not in pairs
                else "not looked up yet"
                if lookup is None
                else "look-up failed"
            )
            if lookup is not None and lookup.state != FAILED:
                candidates = lookup.candidates
        fill = decide(candidates, play.media_ms, evidence.artists(play.day, play.name))
        fills.append((play.id, fill))
        if fill.status == FILLED and fill.source is not None:
            report.artist_from[fill.source] += 1
        else:
            report.without_artist[fill.status] += 1
            why = why_not if fill.status == NOT_LOOKED_UP else fill.status
            report.unresolved.add(play.name, play.album, why)
    if write:
        with store.writing() as session:
            fill_store.replace_fills(session.connection(), account_id, fills, datetime.now(UTC))
