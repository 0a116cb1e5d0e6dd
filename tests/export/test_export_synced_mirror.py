"""Exports of a mirror that the real sync filled (issue 7 "Round-trip tests", DESIGN §4).

The emulator's awkward library (hostile names, uploads without catalog ids, withdrawn catalog
ids, playlists of more than 300 tracks, duplicate tracks, folders, ratings) is synced with the
in-process client into SQLite and PostgreSQL; then each export is parsed back and compared
with the emulator's state — the JSON document item by item, the CSV files cell by cell with
the JSON document, the M3U and XSPF files line by line with the playlists.
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amsync.db.store import open_store
from amsync.emulator import Emulator, Library, awkward_spec
from amsync.export.csv_export import (
    ALBUMS_HEADER,
    ARTISTS_HEADER,
    FAVOURITES_HEADER,
    FORMULA_STARTS,
    PLAYLIST_TRACKS_HEADER,
    SONGS_HEADER,
)
from amsync.export.file_names import name_key
from amsync.export.xspf_export import xml_clean
from amsync.sync.runner import run_sync
from tests.support.cli import invoke
from tests.sync.conftest import in_process_client, make_emulator

XSPF = "{http://xspf.org/ns/0/}"


@pytest.fixture
def emulator() -> Emulator:
    emulator = make_emulator(awkward_spec(seed=11))
    first, second = sorted(emulator.library.songs)[:2]  # genre lists of several names, too
    emulator.library.update_song(first, genre_names=["Pop", "Rock", "Singer/Songwriter"])
    emulator.library.update_song(second, genre_names=["-minus", "Electronic"])
    return emulator


@pytest.fixture
def synced(emulator: Emulator, db_url: str) -> str:
    """``db_url`` holding the emulator's library, filled by ``run_sync``."""
    store = open_store(db_url)

    async def sync() -> None:
        async with in_process_client(emulator) as client:
            report = await run_sync(client, store, "default")
            assert report.status == "succeeded"

    try:
        asyncio.run(sync())
    finally:
        store.close()
    return db_url


# --- what the emulator holds ---------------------------------------------------------------


def _t(value: str | None) -> str | None:
    """The documented storage rule: NUL in text is stored as U+FFFD."""
    return None if value is None else value.replace("\x00", "\ufffd")


def _folder_path(library: Library, folder_id: str | None) -> str | None:
    names: list[str] = []
    while folder_id is not None:
        folder = library.folders[folder_id]
        names.append(_t(folder.name) or "")
        folder_id = folder.parent_id
    return "/".join(reversed(names)) or None


def _favourite(library: Library, rating_type: str, item_id: str) -> bool:
    return library.rating_of(rating_type, item_id) == 1


def _rating(library: Library, rating_type: str, item_id: str) -> int | None:
    return library.rating_of(rating_type, item_id)


def _expected_songs(library: Library) -> dict[str, dict[str, Any]]:
    expected = {}
    for kind, items, rating_type in (
        ("song", library.songs, "library-songs"),
        ("music-video", library.music_videos, "library-music-videos"),
    ):
        for song in items.values():
            item: dict[str, Any] = {
                "catalog_id": song.catalog_id,
                "name": _t(song.name),
                "artist": _t(song.artist_name),
                "album": _t(song.album_name) or None,
                "duration_ms": song.duration_ms,
                "track_number": song.track_number,
                "disc_number": song.disc_number,
                "release_date": song.release_date,
                "date_added": song.date_added,
                "kind": kind,
                "favourite": _favourite(library, rating_type, song.id),
                "rating": _rating(library, rating_type, song.id),
            }
            if kind == "music-video":
                # Apple's library listing of music videos has no track or disc number, and the
                # sync does not read their date added
                del item["track_number"], item["disc_number"], item["date_added"]
            if song.genre_names:
                item["genres"] = [_t(g) for g in song.genre_names]
            catalog = library.catalog_songs.get(song.catalog_id or "")
            if catalog is not None and not catalog.withdrawn:
                item["isrc"] = catalog.isrc
                item["catalog_available"] = True
            elif catalog is not None:
                item["catalog_available"] = False
            expected[song.id] = item
    return expected


def _expected_playlists(library: Library) -> dict[str, dict[str, Any]]:
    everything = {**library.songs, **library.music_videos}
    return {
        p.id: {
            "name": _t(p.name),
            "description": _t(p.description) or None,
            "can_edit": p.can_edit,
            "favourite": _favourite(library, "library-playlists", p.id),
            "rating": _rating(library, "library-playlists", p.id),
            "folder": _folder_path(library, p.parent_id),
            "tracks": [
                {
                    "position": position,
                    "library_id": track_id,
                    "catalog_id": everything[track_id].catalog_id,
                    "name": _t(everything[track_id].name),
                    "artist": _t(everything[track_id].artist_name),
                }
                for position, track_id in enumerate(p.tracks)
            ],
        }
        for p in library.playlists.values()
    }


def _subset(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """``actual`` cut down to the keys ``expected`` names (for a readable comparison)."""
    return {key: actual[key] for key in expected}


# --- JSON ----------------------------------------------------------------------------------


def _export_json(db: str, tmp_path: Path) -> dict[str, Any]:
    target = tmp_path / "library.json"
    result = invoke(["--db", db, "export", "json", "-o", str(target)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return document


def test_json_matches_the_emulator(emulator: Emulator, synced: str, tmp_path: Path) -> None:
    library = emulator.library
    document = _export_json(synced, tmp_path)
    assert document["format"] == "amsync.library" and document["version"] == 1
    assert document["storefront"] == library.storefront

    songs = {s["library_id"]: s for s in document["songs"]}
    assert len(songs) == len(document["songs"]), "each song once"
    expected_songs = _expected_songs(library)
    assert set(songs) == set(expected_songs)
    for song_id, expected in expected_songs.items():
        assert _subset(songs[song_id], expected) == expected, song_id
    assert any(s["catalog_id"] is None for s in songs.values()), "uploads are exported"
    assert any(s["catalog_available"] is False for s in songs.values()), "withdrawn ids"
    ratings = Counter(s["rating"] for s in songs.values())
    assert ratings[1] and ratings[-1] and ratings[None], "favourites, dislikes and neither"

    albums = {a["library_id"]: a for a in document["albums"]}
    assert albums == {
        a.id: {
            **albums.get(a.id, {}),
            "library_id": a.id,
            "catalog_id": a.catalog_id,
            "name": _t(a.name),
            "artist": _t(a.artist_name),
            "favourite": _favourite(library, "library-albums", a.id),
            "rating": _rating(library, "library-albums", a.id),
        }
        for a in library.albums.values()
    }
    artists = {a["library_id"]: a for a in document["artists"]}
    assert artists == {
        a.id: {"library_id": a.id, "catalog_id": a.catalog_id, "name": _t(a.name)}
        | {"favourite": False, "rating": None}  # Apple keeps no artist favourites
        for a in library.artists.values()
    }

    playlists = {p["library_id"]: p for p in document["playlists"]}
    assert len(playlists) == len(document["playlists"])
    expected_playlists = _expected_playlists(library)
    assert set(playlists) == set(expected_playlists)
    for playlist_id, expected in expected_playlists.items():
        actual = _subset(playlists[playlist_id], expected)
        actual["tracks"] = [_subset(t, expected["tracks"][0]) for t in actual["tracks"]]
        assert actual == expected, playlist_id
    assert any(len(p["tracks"]) > 300 for p in playlists.values())
    assert any("/" in (p["folder"] or "") for p in playlists.values()), "nested folders"
    for song in (*document["songs"], *document["albums"], *document["artists"]):
        assert isinstance(song["favourite"], bool)
    favourites = Counter(s["favourite"] for s in document["songs"])
    assert favourites[True] and favourites[False]


# --- CSV -----------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    """What ``export csv`` writes for a JSON value (DESIGN §4)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):  # genres: the JSON array text the views show
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def _read_csv(path: Path, header: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        assert tuple(next(reader)) == header, path.name
        return [dict(zip(header, row, strict=True)) for row in reader]


def test_csv_files_hold_what_the_json_holds(
    emulator: Emulator, synced: str, tmp_path: Path
) -> None:
    document = _export_json(synced, tmp_path)
    out = tmp_path / "csv"
    result = invoke(["--db", synced, "export", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "albums.csv",
        "artists.csv",
        "favourites.csv",
        "playlist_tracks.csv",
        "songs.csv",
    ]
    for name, header, key in (
        ("songs", SONGS_HEADER, "songs"),
        ("albums", ALBUMS_HEADER, "albums"),
        ("artists", ARTISTS_HEADER, "artists"),
    ):
        rows = _read_csv(out / f"{name}.csv", header)
        expected = [{c: _csv_cell(item[c]) for c in header} for item in document[key]]
        assert rows == expected, name

    tracks = _read_csv(out / "playlist_tracks.csv", PLAYLIST_TRACKS_HEADER)
    expected_tracks = [
        {
            "playlist_id": _csv_cell(p["library_id"]),
            "playlist_name": _csv_cell(p["name"]),
            "folder": _csv_cell(p["folder"]),
            **{column: _csv_cell(t[column]) for column in PLAYLIST_TRACKS_HEADER[2:11]},
        }
        for p in document["playlists"]
        for t in p["tracks"]
    ]
    assert tracks == expected_tracks
    assert sum(len(p.tracks) for p in emulator.library.playlists.values()) == len(tracks)

    favourites = _read_csv(out / "favourites.csv", FAVOURITES_HEADER)
    wished = {(f["type"], f["library_id"]): f["state"] for f in favourites}
    library = emulator.library
    expected_wishes: dict[tuple[str, str], str] = {}
    for kind, items, rating_type in (
        ("song", library.songs, "library-songs"),
        ("song", library.music_videos, "library-music-videos"),
        ("album", library.albums, "library-albums"),
        ("playlist", library.playlists, "library-playlists"),
    ):
        for item_id in items:
            rating = library.rating_of(rating_type, item_id)
            if rating:
                expected_wishes[(kind, item_id)] = "favourite" if rating > 0 else "disliked"
    assert wished == expected_wishes
    assert {f["status"] for f in favourites} == {"synced"}, "nothing is pending after a sync"

    every_cell = [
        cell
        for name in ("songs", "albums", "playlist_tracks")
        for row in csv.reader((out / f"{name}.csv").open(encoding="utf-8", newline=""))
        for cell in row
    ]
    assert any(cell.startswith("'=") for cell in every_cell), "hostile names were neutralised"
    assert '["Pop", "Rock", "Singer/Songwriter"]' in every_cell  # as songs_v shows genres
    assert '["-minus", "Electronic"]' in every_cell  # a JSON array never starts a formula
    in_order: dict[str, list[tuple[str, str]]] = {}
    for t in tracks:
        in_order.setdefault(t["playlist_id"], []).append((t["position"], t["library_id"]))
    assert in_order == {
        p.id: [(str(n), track_id) for n, track_id in enumerate(p.tracks)]
        for p in library.playlists.values()
        if p.tracks
    }
    # only numbers (a rating of -1) may start with a formula character: a spreadsheet reads
    # them as the numbers they are
    risky = [c for c in every_cell if c.startswith(FORMULA_STARTS)]
    assert risky and all(c == "-1" for c in risky), sorted(set(risky))[:5]


# --- playlist files ------------------------------------------------------------------------


def _files(out: Path, suffix: str) -> list[Path]:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert all(p.suffix == suffix for p in files), files
    root = out.resolve()
    for path in files:
        assert root in path.resolve().parents, f"{path} lies outside {root}"
    for folder in {out, *(p for p in out.rglob("*") if p.is_dir())}:
        keys = [name_key(p.name) for p in folder.iterdir()]
        assert len(keys) == len(set(keys)), f"names clash in {folder}"
    return files


def _one_line(text: str | None) -> str:
    """The exporters' rule for text on one line: control and line-break characters → space."""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") else c for c in text or ""
    ).strip()


def _playlists_by_name(
    document: dict[str, Any], shown: Callable[[str], str]
) -> dict[str, list[dict[str, Any]]]:
    """The playlists by their name as a playlist file shows it (names may repeat)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for playlist in document["playlists"]:
        found.setdefault(shown(playlist["name"]), []).append(playlist)
    return found


def test_m3u_files_have_one_location_per_track(
    emulator: Emulator, synced: str, tmp_path: Path
) -> None:
    document = _export_json(synced, tmp_path)
    out = tmp_path / "m3u"
    result = invoke(["--db", synced, "export", "m3u", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    files = _files(out, ".m3u8")
    assert len(files) == len(document["playlists"])
    by_name = _playlists_by_name(document, _one_line)
    without_location = 0
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "", "the file ends with a line break"
        lines = lines[:-1]
        assert lines[0] == "#EXTM3U"
        assert lines[1].startswith("#PLAYLIST:")
        candidates = by_name[lines[1].removeprefix("#PLAYLIST:")]
        body = lines[2:]
        entries: list[str | None] = []  # a location per track, None for a comment
        index = 0
        while index < len(body):
            line = body[index]
            if line.startswith("#EXTINF:"):
                assert re.fullmatch(r"#EXTINF:-?\d+,.*", line), line
                location = body[index + 1]
                assert location and not location.startswith("#"), (path, line, location)
                entries.append(location)
                index += 2
            else:
                assert line.startswith("# no location: "), (path, line)
                entries.append(None)
                without_location += 1
                index += 1
        assert any(_matches(entries, p["tracks"]) for p in candidates), path
    assert without_location > 0, "uploads have no location"
    assert summary["tracks_without_location"] == without_location
    assert summary["counts"]["tracks"] == sum(len(p["tracks"]) for p in document["playlists"])


def _matches(entries: list[str | None], tracks: list[dict[str, Any]]) -> bool:
    """Each track has its Apple Music URL, in playlist order; an upload has no location."""
    if len(entries) != len(tracks):
        return False
    for location, track in zip(entries, tracks, strict=True):
        catalog_id = track["catalog_id"]
        if catalog_id is None:
            if location is not None:
                return False
            continue
        if not (location or "").startswith("https://music.apple.com/"):
            return False
        if catalog_id not in (location or ""):
            return False
    return True


def test_xspf_files_parse_and_list_every_track(
    emulator: Emulator, synced: str, tmp_path: Path
) -> None:
    document = _export_json(synced, tmp_path)
    out = tmp_path / "xspf"
    result = invoke(["--db", synced, "export", "xspf", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    files = _files(out, ".xspf")
    assert len(files) == len(document["playlists"])
    by_name = _playlists_by_name(document, xml_clean)
    without_location = 0
    for path in files:
        root = ET.parse(path).getroot()  # noqa: S314 - our own output
        assert root.tag == f"{XSPF}playlist" and root.get("version") == "1"
        title = root.findtext(f"{XSPF}title")
        assert title is not None
        entries: list[str | None] = []
        for track in root.iterfind(f"{XSPF}trackList/{XSPF}track"):
            locations = [e.text for e in track.iterfind(f"{XSPF}location")]
            assert len(locations) <= 1
            entries.append(locations[0] if locations else None)
            without_location += not locations
            assert track.findtext(f"{XSPF}title") is not None
        assert any(_matches(entries, p["tracks"]) for p in by_name[title]), path
    assert without_location > 0
    assert summary["tracks_without_location"] == without_location
