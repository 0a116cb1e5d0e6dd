"""``amsync export json``: the library as one JSON document (DESIGN §4, ``amsync.library`` v1).

Once the listening history was imported (``amsync import apple-data``), each song also has
``plays`` (plays not skipped) and ``last_played_at`` (``YYYY-MM-DDTHH:MM:SSZ`` or null):
optional keys, so the format stays version 1.

The document is written as it is read — one item per line — so its size is bounded by the disk,
not by memory. Unknown values are ``null``, ``favourite`` is a boolean (the contract) and
``rating`` the same wish with dislikes (1, -1 or ``null``, as Apple's ratings API spells it),
positions count from 0. Names are those of the views (``catalog_url``, ``catalog_available``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, TextIO

from sqlalchemy import Connection

from amsync.db.store import Store
from amsync.export import library_rows as rows
from amsync.export import playlist_rows
from amsync.export.export_options import (
    Destination,
    ExportOptions,
    ExportReport,
    open_destination,
    utc_stamp,
)
from amsync.export.play_columns import has_plays
from amsync.query.snapshot import snapshot

FORMAT: Final = "amsync.library"
VERSION: Final = 1
_BATCH: Final = 500

_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _stamp(value: Any) -> str | None:
    return None if value is None else utc_stamp(value)


def _song(row: Any, with_removed: bool) -> dict[str, Any]:
    item = {
        "library_id": row[0],
        "catalog_id": row[1],
        "name": row[2],
        "artist": row[3],
        "album": row[4],
        "duration_ms": row[5],
        "track_number": row[6],
        "disc_number": row[7],
        "genres": rows.parse_genres(row[8]),
        "release_date": row[9],
        "isrc": row[10],
        "favourite": bool(row[11]),
        "date_added": row[12],
        "kind": row[13],
        "composer": row[14],
        "content_rating": row[15],
        "catalog_url": row[16],
        "catalog_available": None if row[17] is None else bool(row[17]),
        "rating": row[19],
    }
    if with_removed:
        item["removed_at"] = _stamp(row[18])
    if len(row) > _PLAYS_AT:  # with the listening history
        item["plays"] = row[_PLAYS_AT]
        item["last_played_at"] = row[_PLAYS_AT + 1]
    return item


_PLAYS_AT: Final = len(rows.SONG_COLUMNS)


def _album(row: Any, with_removed: bool) -> dict[str, Any]:
    item = {
        "library_id": row[0],
        "catalog_id": row[1],
        "name": row[2],
        "artist": row[3],
        "track_count": row[4],
        "release_date": row[5],
        "favourite": bool(row[6]),
        "genres": rows.parse_genres(row[7]),
        "date_added": row[8],
        "record_label": row[9],
        "upc": row[10],
        "rating": row[12],
    }
    if with_removed:
        item["removed_at"] = _stamp(row[11])
    return item


def _artist(row: Any, with_removed: bool) -> dict[str, Any]:
    item = {
        "library_id": row[0],
        "catalog_id": row[1],
        "name": row[2],
        "favourite": bool(row[3]),
        "rating": row[5],
    }
    if with_removed:
        item["removed_at"] = _stamp(row[4])
    return item


def _track(track: playlist_rows.Track) -> dict[str, Any]:
    return {
        "position": track.position,
        "library_id": track.library_id,
        "catalog_id": track.catalog_id,
        "name": track.name,
        "artist": track.artist,
        "album": track.album,
        "duration_ms": track.duration_ms,
        "isrc": track.isrc,
        "kind": track.kind,
    }


def _playlist_head(head: playlist_rows.PlaylistHead, with_removed: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "library_id": head.library_id,
        "catalog_id": head.catalog_id,
        "name": head.name,
        "description": head.description,
        "can_edit": head.can_edit,
        "favourite": head.favourite,
        "rating": head.rating,
        "folder": "/".join(head.folder) if head.folder else None,
        "date_added": head.date_added,
    }
    if with_removed:
        item["removed_at"] = _stamp(head.removed_at)
    return item


def _write_array(
    out: TextIO, items: Iterable[Any], render: Callable[[Any], str], report: ExportReport, key: str
) -> None:
    out.write("[")
    first = True
    batch: list[str] = []
    for item in items:
        batch.append(render(item))
        if len(batch) >= _BATCH:
            out.write(("\n" if first else ",\n") + ",\n".join(batch))
            report.count(key, len(batch))
            first = False
            batch = []
    if batch:
        out.write(("\n" if first else ",\n") + ",\n".join(batch))
        report.count(key, len(batch))
        first = False
    out.write("]" if first else "\n]")


def _renderer(render: Callable[[Any, bool], Any], removed: bool) -> Callable[[Any], str]:
    def rendered(row: Any) -> str:
        return _dumps(render(row, removed))

    return rendered


def _playlist_json(
    head: playlist_rows.PlaylistHead,
    tracks: Iterator[playlist_rows.Track],
    with_removed: bool,
    report: ExportReport,
) -> str:
    opening = _dumps(_playlist_head(head, with_removed))[:-1]
    rendered = [_dumps(_track(track)) for track in tracks]
    report.count("tracks", len(rendered))
    if not rendered:
        return opening + ', "tracks": []}'
    return opening + ', "tracks": [\n  ' + ",\n  ".join(rendered) + "\n]}"


def export_json(
    store: Store, account_id: int, destination: Destination, options: ExportOptions
) -> ExportReport:
    """Write the document to ``destination``. With ``options.playlists``, only those playlists
    are written (``songs``, ``albums`` and ``artists`` are then empty lists)."""
    report = ExportReport(format="json", exported_at=utc_stamp())
    with snapshot(store) as connection, open_destination(destination, report) as out:
        _write_document(connection, account_id, out, options, report)
    return report


def _write_document(
    connection: Connection,
    account_id: int,
    out: TextIO,
    options: ExportOptions,
    report: ExportReport,
) -> None:
    account = rows.account_info(connection, account_id)
    removed = options.include_removed
    only = playlist_rows.chosen_ids(
        connection, account_id, options.playlists or None, include_removed=removed
    )
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": report.exported_at,
        "storefront": options.storefront or account.storefront,
        "account": account.name,
        "includes_removed": removed,
    }
    out.write(_dumps(header)[:-1])
    with_plays = has_plays(connection, account_id)
    sections: list[tuple[str, Callable[..., Iterator[Any]], Callable[[Any, bool], Any]]] = [
        ("songs", functools.partial(rows.songs, with_plays=with_plays), _song),
        ("albums", rows.albums, _album),
        ("artists", rows.artists, _artist),
    ]
    for key, reader, render in sections:
        out.write(f',\n"{key}": ')
        items: Iterable[Any] = (
            () if only is not None else reader(connection, account_id, include_removed=removed)
        )
        _write_array(out, items, _renderer(render, removed), report, key)
    out.write(',\n"playlists": ')
    playlists = playlist_rows.playlists(connection, account_id, include_removed=removed, only=only)
    _write_array(
        out,
        playlists,
        lambda pair: _playlist_json(pair[0], pair[1], removed, report),
        report,
        "playlists",
    )
    out.write("}\n")
