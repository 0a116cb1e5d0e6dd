"""Carrying out a push plan on the server, recording each change as soon as the server has
confirmed it (``records``), so that a push stopped anywhere — a timeout, Ctrl-C — leaves
records the next push can trust:

- a create is recorded ``pending`` (with the ids of the same-named playlists already there)
  before it is sent, and ``made`` with its id once answered: the next push adopts a playlist
  whose answer never came instead of making a second one;
- a track list or name is recorded after the server took it;
- stars and ratings are recorded batch by batch.

A write the server refuses because a song is gone (error 70: the catalogue changed under the
push) makes that playlist fail with a warning; the cached catalogue is dropped so the next push
reads it again, and the run ends with exit 75.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Final

from amsync.db.store import Store
from amsync.domain.media_server import MediaServer, ServerPlaylist, StarKind
from amsync.errors import MediaServerError, ServerChanged
from amsync.servers import records
from amsync.servers.apple_side import AppleWishes, Wish
from amsync.servers.matching import AppleSong, Catalogue, Found, NameIndex
from amsync.servers.plan import (
    Action,
    Remembered,
    Step,
    fingerprint,
    plan_ratings,
    plan_stars,
    ratings_to_read,
)
from amsync.servers.report import Missing, PushReport, StarReport

log = logging.getLogger("amsync.servers")
COMMENT: Final = (
    "Made by amsync from the Apple Music playlist {library_id}; amsync rewrites it on every "
    "push, so change it in Apple Music."
)
NOT_FOUND: Final = 70


def apply_playlists(
    store: Store,
    account_id: int,
    server_id: int,
    server: MediaServer,
    steps: Sequence[Step],
    remembered: Mapping[str, Remembered],
    on_server: Mapping[str, ServerPlaylist],
    current: Mapping[str, Sequence[str]],
    report: PushReport,
) -> None:
    lines = {line.library_id: line for line in report.playlists}
    existing = {p.id: p.name for p in on_server.values()}
    gone: list[str] = []
    for step in steps:
        line = lines[step.library_id]
        try:
            made = _apply(store, account_id, server_id, server, step, remembered, existing,
                          current)  # fmt: skip
        except MediaServerError as exc:
            if exc.code != NOT_FOUND:
                raise
            line.error = str(exc)
            gone.append(step.name)
            continue
        if made is not None:
            line.server_playlist_id = made
            existing[made] = step.name
        line.done = True
    if gone:
        records.store_catalogue(store, server_id, None, [])
        raise ServerChanged(
            f"the server no longer has songs of {len(gone)} playlist(s) "
            f"({', '.join(repr(n) for n in gone[:5])}): it changed during the push",
            hint="run the push again: it reads the server's catalogue afresh",
        )


def _apply(
    store: Store,
    account_id: int,
    server_id: int,
    server: MediaServer,
    step: Step,
    remembered: Mapping[str, Remembered],
    existing: Mapping[str, str],
    current: Mapping[str, Sequence[str]],
) -> str | None:
    """Carry out one step; the id of a playlist it made."""
    key = (store, account_id, server_id, step.library_id)
    if step.action in (Action.CREATE, Action.RECREATE):
        assert step.song_ids is not None
        same_name = [i for i, name in existing.items() if name == step.name]
        records.mark_pending(*key, step.name, same_name)
        made = server.create_playlist(step.name, step.song_ids, existing=set(existing))
        records.record_made(*key, made, step.name, step.song_ids, fingerprint(step.song_ids))
        _comment(server, made, step.library_id)
        return made
    assert step.server_id is not None or step.action is Action.FORGET
    if step.action is Action.UPDATE:
        assert step.song_ids is not None and step.server_id is not None
        server.replace_playlist_songs(step.server_id, step.song_ids)
        renamed = (
            _rename(server, step.server_id, step.name, step.library_id) if step.rename else None
        )
        records.record_made(*key, renamed or step.server_id, step.name, step.song_ids,
                            fingerprint(step.song_ids))  # fmt: skip
        return renamed
    if step.action is Action.RENAME:
        assert step.server_id is not None
        renamed = _rename(server, step.server_id, step.name, step.library_id)
        records.record_made(*key, renamed or step.server_id, step.name, None, None)
        return renamed
    if step.action is Action.DELETE:
        assert step.server_id is not None
        server.delete_playlist(step.server_id)
        records.forget_playlist(*key)
    elif step.action is Action.FORGET:
        records.forget_playlist(*key)
    elif step.action is Action.UNCHANGED:
        _note_unchanged(store, account_id, server_id, step, remembered, current)
    return None


def _rename(server: MediaServer, playlist_id: str, name: str, library_id: str) -> str | None:
    """Rename a playlist amsync made; the id of the playlist that replaced it, if one had to.

    Supysonic answers any update of an *empty* playlist with a server error: an empty playlist
    of amsync's that will not take its new name is deleted and made again under it (it holds
    nothing to lose). Any other failure stands."""
    try:
        server.update_playlist(playlist_id, name=name)
    except MediaServerError as exc:
        if type(exc) is not MediaServerError or server.playlist_song_ids(playlist_id):
            raise
        log.info("the server would not rename empty playlist %s (%s): made again", playlist_id, exc)
        made = server.create_playlist(name, [], existing={p.id for p in server.playlists()})
        server.delete_playlist(playlist_id)
        _comment(server, made, library_id)
        return made
    return None


def _comment(server: MediaServer, playlist_id: str, library_id: str) -> None:
    """Say in the playlist's comment that amsync made it — a courtesy: a server that will not
    take it (Supysonic fails on an empty playlist's) does not fail the push."""
    try:
        server.update_playlist(playlist_id, comment=COMMENT.format(library_id=library_id))
    except MediaServerError as exc:
        if type(exc) is not MediaServerError:  # credentials, unavailable: those do count
            raise
        log.info("the server did not take the comment of playlist %s: %s", playlist_id, exc)


def _note_unchanged(
    store: Store,
    account_id: int,
    server_id: int,
    step: Step,
    remembered: Mapping[str, Remembered],
    current: Mapping[str, Sequence[str]],
) -> None:
    """A playlist found as wanted: record what it holds when the record did not know (an
    adopted playlist, or one read because its count disagreed)."""
    assert step.server_id is not None
    tracks = current.get(step.server_id)
    row = remembered.get(step.library_id)
    if tracks is None or row is None:
        return
    print_ = fingerprint(tracks)
    if row.fingerprint != print_ or step.adopted:
        records.record_made(store, account_id, server_id, step.library_id, step.server_id,
                            step.name, list(tracks), print_)  # fmt: skip


# --- stars and ratings -------------------------------------------------------------------------


def _missing(item: AppleSong | Wish, found: Found) -> Missing:
    album = item.album if isinstance(item, AppleSong) else None
    return Missing(None, item.library_id, item.name, item.artist, album,
                   found.reason or "not on the server", found.ambiguous)  # fmt: skip


def _found_songs(
    songs: Sequence[AppleSong], found: Mapping[AppleSong, Found], line: StarReport
) -> dict[str, str]:
    """Server song id → Apple library id, for the songs found; the others listed."""
    ids: dict[str, str] = {}
    line.wanted = len(songs)
    for song in songs:
        match = found[song]
        if match.song_id is None:
            line.missing.append(_missing(song, match))
        else:
            ids.setdefault(match.song_id, song.library_id)
            line.by_method[match.method or "?"] += 1
    line.found = len(songs) - len(line.missing)
    return ids


def _found_names(wishes: Sequence[Wish], finder: NameIndex, line: StarReport) -> dict[str, str]:
    ids: dict[str, str] = {}
    line.wanted = len(wishes)
    for wish in wishes:
        match = (
            finder.album(wish.name, wish.artist)
            if line.kind == "album"
            else finder.artist(wish.name)
        )
        if match.song_id is None:
            line.missing.append(_missing(wish, match))
        else:
            ids.setdefault(match.song_id, wish.library_id)
            line.by_method[match.method or "?"] += 1
    line.found = len(wishes) - len(line.missing)
    return ids


def push_stars(
    store: Store,
    account_id: int,
    server_id: int | None,
    server: MediaServer,
    wishes: AppleWishes,
    found: Mapping[AppleSong, Found],
    catalogue: Catalogue,
    report: PushReport,
    *,
    dry_run: bool,
    ours: Mapping[str, set[str]],
) -> None:
    """Apple favourites → starred songs, albums and artists; amsync's stars of items no longer
    favourite are taken back."""
    starred = server.starred()
    names = NameIndex(catalogue.songs)
    for kind in StarKind:
        line = StarReport(kind.value)
        report.stars.append(line)
        if kind is StarKind.SONG:
            wanted = _found_songs(wishes.favourite_songs, found, line)
        elif kind is StarKind.ALBUM:
            wanted = _found_names(wishes.favourite_albums, names, line)
        else:
            wanted = _found_names(wishes.favourite_artists, names, line)
        plan = plan_stars(set(wanted), starred.of(kind), ours.get(kind.value, set()))
        line.to_add, line.to_remove, line.left_alone = (
            len(plan.star),
            len(plan.unstar),
            len(plan.left_alone),
        )
        if dry_run or server_id is None:
            continue
        # recorded first: a star whose answer is lost is still amsync's to take back
        records.record_stars(store, account_id, server_id, kind.value, plan.star, wanted)
        server.star(kind, plan.star)
        server.unstar(kind, plan.unstar)
        records.forget_stars(store, account_id, server_id, kind.value, plan.forget)
        line.done = True


def push_ratings(
    store: Store,
    account_id: int,
    server_id: int | None,
    server: MediaServer,
    wishes: AppleWishes,
    found: Mapping[AppleSong, Found],
    report: PushReport,
    *,
    dry_run: bool,
    ours: set[str],
) -> None:
    """Apple dislikes → rating 1; amsync's ratings of songs no longer disliked are removed
    (only while they are still the 1 amsync set)."""
    line = StarReport("rating")
    report.stars.append(line)
    wanted = _found_songs(wishes.disliked_songs, found, line)
    current = {s: server.song_rating(s) for s in ratings_to_read(set(wanted), ours)}
    plan = plan_ratings(set(wanted), ours, current)
    line.to_add, line.to_remove, line.left_alone = (
        len(plan.rate),
        len(plan.clear),
        len(plan.left_alone),
    )
    if dry_run or server_id is None:
        return
    for song_id in plan.rate:
        records.record_stars(store, account_id, server_id, "rating", [song_id], wanted, value=1)
        server.set_rating(song_id, 1)
    for song_id in plan.clear:
        server.set_rating(song_id, 0)
    records.forget_stars(store, account_id, server_id, "rating", plan.forget)
    line.done = True
