"""``amsync server push`` and ``amsync server status``: read both sides, match, plan, and —
unless it is a dry run — apply (``apply``).

1. The mirror: the chosen playlists (all by default) with their tracks in order, the
   favourites and dislikes (``--favourites``, ``--ratings``), and where ``amsync local match``
   put each song's file.
2. The server: its catalogue, read once per run and cached in the database by the server's
   last-scan time (a push after no scan reads no songs); its playlists; its stars.
3. Every distinct song matched once (``matching``); the plan (``plan``); the writes.

A real push holds the account's run lock (two pushes never create the same playlist twice).
A dry run and ``status`` write nothing anywhere (not even the catalogue cache).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from amsync.db.locks import HeldLock, acquire_run_lock
from amsync.db.store import Store
from amsync.domain.media_server import MediaServer, ServerPlaylist, ServerSong
from amsync.servers import apple_side, records
from amsync.servers.apply import apply_playlists, push_ratings, push_stars
from amsync.servers.matching import AppleSong, Catalogue, Found, LocalFiles, match_all
from amsync.servers.paths import Prefix, infer_prefix
from amsync.servers.plan import (
    Remembered,
    Step,
    Wanted,
    adoptions,
    duplicate_names,
    plan_playlists,
    settle,
    tracks_to_read,
)
from amsync.servers.report import Missing, PlaylistReport, PushReport

log = logging.getLogger("amsync.servers")
Progress = Callable[[str], None]
SHOWN_WARNINGS: Final = 5


@dataclass(frozen=True)
class PushOptions:
    playlists: tuple[str, ...] | None = None  # names or ids; None: every playlist
    include_playlists: bool = True
    favourites: bool = False
    ratings: bool = False
    prefixes: tuple[Prefix, ...] | None = None  # None: inferred
    folders: bool = False  # the folder path as a prefix of the server name (`--folders`)
    prune: bool = False
    dry_run: bool = False
    wait_s: float = 0.0


@dataclass
class Mirror:
    """What the mirror says, read in one transaction."""

    playlists: list[apple_side.ApplePlaylist]
    live_ids: frozenset[str]
    names: dict[str, str]  # every playlist's name (removed ones too) by library id
    wishes: apple_side.AppleWishes | None
    local: LocalFiles
    server_id: int | None
    remembered: dict[str, Remembered] = field(default_factory=dict)
    stars: dict[str, set[str]] = field(default_factory=dict)
    cached: list[ServerSong] | None = None


def push_to_server(
    store: Store,
    account: str,
    server: MediaServer,
    options: PushOptions,
    *,
    report: PushReport | None = None,
    progress: Progress | None = None,
) -> PushReport:
    """Push (or, with ``options.dry_run``, plan) the account's playlists and favourites to
    ``server``; the report says what was (or would be) written."""
    started = time.monotonic()
    report = report or PushReport(account, server.identity.url, options.dry_run)
    report.identity = server.identity
    account_id = store.account_id(account, create=False)
    lock: HeldLock | None = None
    if not options.dry_run:
        lock = acquire_run_lock(
            store, account_id, account, command="server push", wait_s=options.wait_s
        )
    try:
        _push(store, account_id, server, options, report, progress or (lambda _: None))
    finally:
        report.requests, report.writes = server.requests, server.writes
        report.elapsed_s = time.monotonic() - started
        if lock is not None:
            lock.release()
    report.status = "dry-run" if options.dry_run else "succeeded"
    return report


def _push(
    store: Store,
    account_id: int,
    server: MediaServer,
    options: PushOptions,
    report: PushReport,
    progress: Progress,
) -> None:
    server_id = None if options.dry_run else records.server_row(store, server.identity)
    last_scan = server.last_scan()
    mirror = _read_mirror(store, account_id, server, options, server_id, last_scan)
    catalogue = _catalogue(store, server, mirror, last_scan, options, report, progress)
    prefixes = _prefixes(catalogue, mirror.local, options, report)
    wishes = mirror.wishes
    every: list[AppleSong] = [t for p in mirror.playlists for t in p.tracks]
    if wishes is not None:
        every += [*wishes.favourite_songs, *wishes.disliked_songs]
    progress(f"matching {len(every):,} tracks against {len(catalogue.songs):,} songs")
    found = match_all(every, catalogue, mirror.local, prefixes)
    if options.include_playlists:
        _playlists(store, account_id, server, options, report, mirror, found, server_id)
    if wishes is not None and options.favourites:
        push_stars(store, account_id, server_id, server, wishes, found, catalogue, report,
                   dry_run=options.dry_run, ours=mirror.stars)  # fmt: skip
    if wishes is not None and options.ratings:
        push_ratings(store, account_id, server_id, server, wishes, found, report,
                     dry_run=options.dry_run, ours=mirror.stars.get("rating", set()))  # fmt: skip


def _read_mirror(
    store: Store,
    account_id: int,
    server: MediaServer,
    options: PushOptions,
    server_id: int | None,
    last_scan: str | None,
) -> Mirror:
    with store.session() as session:
        connection = session.connection()
        picked = options.playlists if options.playlists else None
        chosen = (
            apple_side.read_playlists(connection, account_id, picked)
            if options.include_playlists
            else []
        )
        wanted_wishes = options.favourites or options.ratings
        live_ids, names = apple_side.playlist_names(connection, account_id)
        mirror = Mirror(
            playlists=chosen,
            live_ids=live_ids,
            names=names,
            wishes=apple_side.read_wishes(connection, account_id) if wanted_wishes else None,
            local=apple_side.read_local_files(connection, account_id),
            server_id=server_id or records.find_server(connection, server.identity),
        )
        if mirror.server_id is not None:
            mirror.remembered = records.remembered_playlists(
                connection, account_id, mirror.server_id
            )
            mirror.stars = records.remembered_stars(connection, account_id, mirror.server_id)
            mirror.cached = records.cached_catalogue(connection, mirror.server_id, last_scan)
    return mirror


def _catalogue(
    store: Store,
    server: MediaServer,
    mirror: Mirror,
    last_scan: str | None,
    options: PushOptions,
    report: PushReport,
    progress: Progress,
) -> Catalogue:
    report.last_scan = last_scan
    songs = mirror.cached
    if songs is not None:
        report.catalogue_source = "cache"
    else:
        progress("reading the server's catalogue")
        songs = server.songs(lambda n: progress(f"reading the server's catalogue: {n:,} songs"))
        report.catalogue_source = "server"
        if not options.dry_run and mirror.server_id is not None:
            records.store_catalogue(store, mirror.server_id, last_scan, songs)
    report.catalogue_songs = len(songs)
    log.info(
        "the server's catalogue: %d songs (%s%s)",
        len(songs),
        "cached" if report.catalogue_source == "cache" else "read",
        f", last scan {last_scan}" if last_scan else "",
    )
    return Catalogue(songs)


def _prefixes(
    catalogue: Catalogue, local: LocalFiles, options: PushOptions, report: PushReport
) -> tuple[Prefix, ...]:
    if options.prefixes:
        report.path_prefix, report.path_prefix_source = options.prefixes[0], "option"
        return options.prefixes
    if not catalogue.reports_paths:
        return ()
    inferred = infer_prefix(local.paths, catalogue.by_path.keys())
    if inferred is None:
        return ()
    report.path_prefix, report.path_prefix_source = inferred, "inferred"
    log.info("path prefix inferred: %s=%s", *inferred)
    return (inferred,)


def _playlists(
    store: Store,
    account_id: int,
    server: MediaServer,
    options: PushOptions,
    report: PushReport,
    mirror: Mirror,
    found: dict[AppleSong, Found],
    server_id: int | None,
) -> None:
    wanted: list[Wanted] = []
    by_id: dict[str, PlaylistReport] = {}
    for playlist in mirror.playlists:
        name = playlist.server_name(folders=options.folders)
        line = PlaylistReport(
            playlist.library_id, playlist.name, name, None, "", len(playlist.tracks)
        )
        song_ids = _written(playlist.tracks, found, line)
        wanted.append(Wanted(playlist.library_id, name, tuple(song_ids)))
        by_id[playlist.library_id] = line
    on_server = {p.id: p for p in server.playlists()}
    adopted = adoptions(mirror.remembered.values(), on_server)
    remembered = settle(mirror.remembered, adopted)
    current = {
        i: server.playlist_song_ids(i) for i in tracks_to_read(wanted, remembered, on_server)
    }
    steps = plan_playlists(wanted, remembered, on_server, current, apple_live=mirror.live_ids,
                           prune=options.prune, adopted=set(adopted))  # fmt: skip
    _warn_about_names(wanted, steps, remembered, on_server, report)
    for step in steps:
        line = by_id.get(step.library_id) or _gone_line(step, mirror.names)
        line.action, line.server_playlist_id = step.action.value, step.server_id
        line.server_name, line.adopted = step.name, step.adopted
        report.playlists.append(line)
    if not options.dry_run and server_id is not None:
        apply_playlists(store, account_id, server_id, server, steps, remembered, on_server,
                        current, report)  # fmt: skip


def _written(
    tracks: Sequence[AppleSong], found: dict[AppleSong, Found], line: PlaylistReport
) -> list[str]:
    """The server song ids of ``tracks`` in order (duplicates kept, missing ones skipped and
    listed in ``line``)."""
    song_ids: list[str] = []
    for position, track in enumerate(tracks):
        match = found[track]
        if match.song_id is not None:
            song_ids.append(match.song_id)
            line.by_method[match.method or "?"] += 1
        else:
            line.missing.append(
                Missing(position, track.library_id, track.name, track.artist, track.album,
                        match.reason or "not on the server", match.ambiguous)
            )  # fmt: skip
    line.written = len(song_ids)
    return song_ids


def _gone_line(step: Step, names: dict[str, str]) -> PlaylistReport:
    """The report line of an Apple playlist that is gone (named as the mirror last saw it)."""
    name = names.get(step.library_id, step.name)
    return PlaylistReport(step.library_id, name, step.name, step.server_id, step.action.value)


def _warn_about_names(
    wanted: Sequence[Wanted],
    steps: Sequence[Step],
    remembered: dict[str, Remembered],
    on_server: dict[str, ServerPlaylist],
    report: PushReport,
) -> None:
    for name, count in sorted(duplicate_names(wanted).items()):
        report.warnings.append(
            f"{count} Apple playlists are named {name!r}: each gets its own server playlist "
            "of that name"
        )
    ours = {row.server_id for row in remembered.values() if row.server_id}
    theirs = {p.name for p in on_server.values() if p.id not in ours}
    for step in steps:
        if step.action.value in ("create", "recreate") and step.name in theirs:
            report.warnings.append(
                f"the server has a playlist named {step.name!r} that amsync did not make: "
                "amsync leaves it alone and makes its own"
            )
    orphans = [s for s in steps if s.action.value == "orphaned"]
    if orphans:
        report.warnings.append(
            f"{len(orphans)} playlist(s) amsync made are no longer in Apple Music "
            f"({', '.join(repr(s.name) for s in orphans[:SHOWN_WARNINGS])}): kept on the "
            "server; --prune removes them"
        )
