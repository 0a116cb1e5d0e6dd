"""The library generator: deterministic, realistic shape, hostile names present."""

from __future__ import annotations

import re
import unicodedata

from amsync.emulator import Library, LibrarySpec, awkward_spec, generate_library

LIBRARY_ID = re.compile(r"[ilpr]\.[A-Za-z0-9]{14}")


def _snapshot(lib: Library) -> tuple[object, ...]:
    return (
        [(s.id, s.name, s.catalog_id, s.date_added) for s in lib.songs.values()],
        [(p.id, p.name, p.tracks, p.parent_id) for p in lib.playlists.values()],
        sorted(lib.ratings.items()),
        [(c.id, c.isrc, c.withdrawn) for c in lib.catalog_songs.values()],
    )


def test_deterministic_from_seed() -> None:
    spec = LibrarySpec(songs=500, seed=42)
    assert _snapshot(generate_library(spec)) == _snapshot(generate_library(spec))
    assert _snapshot(generate_library(LibrarySpec(songs=500, seed=43))) != _snapshot(
        generate_library(spec)
    )


def test_default_counts() -> None:
    lib = generate_library(LibrarySpec(songs=2000, seed=7))
    assert len(lib.songs) == 2000
    assert len(lib.albums) == 200 and len(lib.artists) == 100
    assert len(lib.playlists) == 20 and len(lib.folders) == 2
    assert 1 <= len(lib.music_videos) <= 10
    lib = generate_library(LibrarySpec(songs=2000, playlists=40, seed=7))
    assert len(lib.playlists) == 40 and len(lib.folders) == 4


def test_ids_look_like_apple() -> None:
    lib = generate_library(LibrarySpec(songs=300, seed=1))
    assert all(LIBRARY_ID.fullmatch(i) and i.startswith("i.") for i in lib.songs)
    assert all(i.startswith("l.") for i in lib.albums) and all(
        i.startswith("r.") for i in lib.artists
    )
    assert all(i.startswith("p.") for i in [*lib.playlists, *lib.folders])
    assert all(i.isdigit() for i in lib.catalog_songs)
    assert all(re.fullmatch(r"pl\.[0-9a-f]{32}", i) for i in lib.catalog_playlists)


def test_shape_of_awkward_library() -> None:
    lib = generate_library(awkward_spec(0))
    assert 550 <= len(lib.songs) <= 650
    sizes = [len(p.tracks) for p in lib.playlists.values()]
    assert 0 in sizes and sum(size > 300 for size in sizes) >= 2
    assert any(len(p.tracks) != len(set(p.tracks)) for p in lib.playlists.values())
    assert any(not p.can_edit and p.global_id for p in lib.playlists.values())
    assert any(s.catalog_id is None for s in lib.songs.values())
    assert any(c.withdrawn for c in lib.catalog_songs.values())
    assert any(s.date_added is None for s in lib.songs.values())
    assert set(lib.ratings.values()) == {1, -1}
    assert any(s.disc_number == 2 for s in lib.songs.values())
    assert {len(s.release_date or "") for s in lib.songs.values()} >= {4, 10}


def test_folders_nest_at_most_three_deep() -> None:
    lib = generate_library(LibrarySpec(songs=3000, folders=30, seed=5))

    def depth(folder_id: str) -> int:
        parent = lib.folders[folder_id].parent_id
        return 1 if parent is None else 1 + depth(parent)

    depths = [depth(f) for f in lib.folders]
    assert max(depths) <= 3 and max(depths) >= 2
    assert any(p.parent_id for p in lib.playlists.values())


def test_hostile_names_present() -> None:
    lib = generate_library(awkward_spec(0))
    names = [x.name for x in [*lib.songs.values(), *lib.albums.values(), *lib.artists.values(),
                              *lib.playlists.values(), *lib.folders.values()]]  # fmt: skip
    joined = "".join(names)
    assert any("\n" in n or "\r" in n for n in names) and "\x00" in joined and "\x7f" in joined
    assert "../../etc/passwd" in names and any(n.upper().startswith(("CON", "NUL")) for n in names)
    assert any(n.startswith(("=", "+", "-", "@")) for n in names)
    assert any(len(n) >= 500 for n in names)
    assert any("\u200d" in n for n in names)  # ZWJ emoji sequences
    scripts = {unicodedata.name(c, "").split()[0] for c in joined if ord(c) > 0x7F}
    assert {"CJK", "ARABIC", "DEVANAGARI", "HEBREW"} <= scripts
    assert any(unicodedata.combining(c) for c in joined)
    assert len(names) > len(set(names))  # duplicate names
