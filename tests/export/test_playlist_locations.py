"""File locations in playlist files are right at every folder depth (issue 14 item 15, issue
16): ``--path-template`` and ``--local`` paths, absolute or relative to each playlist file's
own folder; M3U8 files open in a real player's loader (beets' M3U reader) and every location
it reads exists."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree

import pytest
from beets.util.m3u import M3UFile

from tests.local.conftest import put
from tests.support.cli import invoke
from tests.support.mirror_builder import mirror

DEPTHS = (0, 1, 2, 3)
LocalDb = tuple[str, dict[str, Path]]
TEMPLATE = "{artist}/{album}/{track:02d} {name}.flac"


def playlist_file(out: Path, depth: int, extension: str = ".m3u8") -> Path:
    """Where the playlist at ``depth`` lands: ``D1/D2/…/Depth N.m3u8``."""
    folders = [f"D{level}" for level in range(1, depth + 1)]
    return out.joinpath(*folders, f"Depth {depth}{extension}")


def build_deep_mirror(db: str) -> None:
    """Songs s1 (ISRC, matched by ISRC), s2 "Café" (NFD file name, matched by tags), s3 (no
    file); playlist "Depth N" in folder D1/…/DN for N = 0…3, each holding s1, s2, s3."""
    with mirror(db) as m:
        m.song("i.s1", "First Song", artist="Ann", album="One", catalog_id="101",
               duration_ms=200_000, track_number=1, isrc="USAAA2600001")  # fmt: skip
        m.song("i.s2", "Café", artist="Björk", album="Two", catalog_id="102",
               duration_ms=180_000, track_number=2)  # fmt: skip
        m.song("i.s3", "No File", artist="Nobody", album="Three", catalog_id="103",
               duration_ms=100_000, track_number=3)  # fmt: skip
        parent = None
        for depth in DEPTHS:
            folder = None
            if depth:
                folder = f"f.D{depth}"
                m.folder(folder, f"D{depth}", parent=parent)
                parent = folder
            m.playlist(f"p.{depth}", f"Depth {depth}", ["i.s1", "i.s2", "i.s3"], folder=folder)


@pytest.fixture
def deep_db(db_url: str) -> str:
    build_deep_mirror(db_url)
    return db_url


def build_music(root: Path) -> dict[str, Path]:
    first = put(root / "Ann" / "One", "01 First Song.flac", 200_400, title="First Song",
                artist="Ann", isrc="USAAA2600001")  # fmt: skip
    nfd_name = unicodedata.normalize("NFD", "02 Café.mp3")
    second = put(root / unicodedata.normalize("NFD", "Björk") / "Two", nfd_name, 181_000,
                 title=unicodedata.normalize("NFD", "Café"), artist="Björk")  # fmt: skip
    return {"i.s1": first, "i.s2": second}


@pytest.fixture
def local_db(deep_db: str, tmp_path: Path) -> tuple[str, dict[str, Path]]:
    files = build_music(tmp_path / "Music")
    for args in (["local", "scan", str(tmp_path / "Music")], ["local", "match"]):
        result = invoke(["--db", deep_db, *args])
        assert result.exit_code == 0, result.output
    return deep_db, files


def export(db: str, *args: str) -> dict[str, object]:
    result = invoke(["--db", db, "export", *args, "--json"])
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def locations(path: Path) -> list[str]:
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def loaded_by_beets(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The media paths beets' M3U reader finds in ``path``, resolved as a player resolves them:
    relative ones against the playlist's own folder."""
    monkeypatch.chdir(path.parent)
    playlist = M3UFile(str(path))
    playlist.load()
    assert playlist.extm3u
    return [Path(os.fsdecode(media)) for media in playlist.media_list]


# --- --path-template (issue 14 item 15) -----------------------------------------------------


@pytest.mark.parametrize("depth", DEPTHS)
def test_template_paths_point_at_one_music_root_at_every_depth(
    deep_db: str, tmp_path: Path, depth: int
) -> None:
    out = tmp_path / "out"
    export(deep_db, "m3u", "-o", str(out), "--path-template", TEMPLATE)
    written = playlist_file(out, depth)
    found = locations(written)
    assert found[0] == "../" * depth + "Ann/One/01 First Song.flac"
    resolved = [os.path.normpath(written.parent / location) for location in found]
    assert resolved == [
        str(out / "Ann/One/01 First Song.flac"),
        str(out / "Björk/Two/02 Café.flac"),
        str(out / "Nobody/Three/03 No File.flac"),
    ]


@pytest.mark.parametrize("depth", DEPTHS)
def test_template_paths_below_a_music_root(deep_db: str, tmp_path: Path, depth: int) -> None:
    root = tmp_path / "Music"
    absolute, relative = tmp_path / "abs", tmp_path / "rel"
    export(deep_db, "m3u", "-o", str(absolute), "--path-template", TEMPLATE, "--music-root",
           str(root))  # fmt: skip
    export(deep_db, "xspf", "-o", str(relative), "--path-template", TEMPLATE, "--music-root",
           str(root), "--relative")  # fmt: skip
    assert locations(playlist_file(absolute, depth))[0] == f"{root}/Ann/One/01 First Song.flac"
    xspf = playlist_file(relative, depth, ".xspf")
    document = ElementTree.parse(xspf).getroot()  # noqa: S314 - our own file
    first = document.find(".//{http://xspf.org/ns/0/}location")
    assert first is not None and first.text is not None
    target = os.path.normpath(xspf.parent / unquote(first.text))
    assert target == str(root / "Ann/One/01 First Song.flac")
    assert first.text.startswith("../" * (depth + 1) + "Music/")


def test_template_paths_of_one_playlist_file_start_at_its_folder(
    deep_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "a" / "b" / "deep.m3u8"
    target.parent.mkdir(parents=True)
    export(deep_db, "m3u", "--playlist", "Depth 3", "-o", str(target), "--path-template", TEMPLATE)
    assert locations(target)[0] == "Ann/One/01 First Song.flac"


# --- --local (issue 16) --------------------------------------------------------------------


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_local_m3u8_opens_in_beets_at_every_depth(
    local_db: tuple[str, dict[str, Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    relative: bool,
) -> None:
    db, files = local_db
    out = tmp_path / "playlists"
    summary = export(db, "m3u", "--local", "-o", str(out), *(["--relative"] if relative else []))
    assert summary["locations"] == "local"
    assert summary["tracks_without_location"] == len(DEPTHS), "i.s3 has no file"
    for depth in DEPTHS:
        written = playlist_file(out, depth)
        text = written.read_text(encoding="utf-8")
        assert "# no local file: Nobody - No File (i.s3)" in text
        media = loaded_by_beets(written, monkeypatch)
        assert [p.resolve() for p in media] == [files["i.s1"].resolve(), files["i.s2"].resolve()]
        assert all(p.exists() for p in media)
        raw = locations(written)
        if relative:
            assert raw[0] == "../" * (depth + 1) + "Music/Ann/One/01 First Song.flac"
        else:
            assert raw == [str(files["i.s1"]), str(files["i.s2"])]


def test_local_relative_paths_through_a_linked_music_folder(
    local_db: tuple[str, dict[str, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Playlists written through a link into the music folder still resolve."""
    db, files = local_db
    (tmp_path / "link-to-music").symlink_to(tmp_path / "Music")
    out = tmp_path / "link-to-music" / "Playlists"
    export(db, "m3u", "--local", "--relative", "-o", str(out))
    written = playlist_file(out, 2)
    assert locations(written)[0] == "../../../Ann/One/01 First Song.flac"
    media = loaded_by_beets(written, monkeypatch)
    assert [p.resolve() for p in media] == [files["i.s1"], files["i.s2"]]


def test_path_prefix_and_unicode_form(
    local_db: tuple[str, dict[str, Path]], tmp_path: Path
) -> None:
    db, files = local_db
    music = str(tmp_path / "Music")
    result = invoke(["--db", db, "export", "m3u", "--local", "--playlist", "Depth 1",
                     "--path-prefix", f"{music}=/music", "--path-prefix", "/elsewhere=/x",
                     "--unicode", "nfc"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert locations_of(result.stdout) == ["/music/Ann/One/01 First Song.flac",
                                           "/music/Björk/Two/02 Café.mp3"]  # fmt: skip
    assert all(unicodedata.is_normalized("NFC", line) for line in locations_of(result.stdout))
    nfd = invoke(["--db", db, "export", "m3u", "--local", "--playlist", "Depth 1",
                  "--unicode", "nfd"])  # fmt: skip
    assert locations_of(nfd.stdout)[1] == unicodedata.normalize("NFD", str(files["i.s2"]))
    other = invoke(["--db", db, "export", "m3u", "--local", "--playlist", "Depth 1",
                    "--path-prefix", "/srv/other=/music"])  # fmt: skip
    assert other.exit_code == 0 and "2 path(s) matched no --path-prefix" in other.stderr
    assert locations_of(other.stdout) == [str(files["i.s1"]), str(files["i.s2"])]


def locations_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_local_xspf_locations_are_file_urls(
    local_db: tuple[str, dict[str, Path]], tmp_path: Path
) -> None:
    db, files = local_db
    out = tmp_path / "xspf"
    export(db, "xspf", "--local", "-o", str(out))
    document = ElementTree.parse(playlist_file(out, 2, ".xspf")).getroot()  # noqa: S314
    ns = {"x": "http://xspf.org/ns/0/"}
    urls = [e.text or "" for e in document.findall(".//x:location", ns)]
    assert [Path(unquote(urlparse(url).path)) for url in urls] == [files["i.s1"], files["i.s2"]]
    assert all(url.startswith("file:///") for url in urls)
    assert len(document.findall(".//x:track", ns)) == 3, "the unmatched track stays, unlocated"


def test_transfer_service_csv_layouts(
    local_db: tuple[str, dict[str, Path]], tmp_path: Path
) -> None:
    import csv

    db, _ = local_db
    out = tmp_path / "csv"
    tmm = export(db, "csv", "--layout", "tunemymusic", "-o", str(out / "tmm"))
    rows = list(csv.DictReader((out / "tmm" / "tunemymusic.csv").open(encoding="utf-8")))
    assert tmm["counts"] == {"playlists": 4, "tracks": 12}
    assert list(rows[0]) == ["Track name", "Artist name", "Album", "Playlist name", "Type",
                             "ISRC", "Apple Music - id"]  # fmt: skip
    assert rows[0]["ISRC"] == "USAAA2600001" and rows[0]["Type"] == "Playlist"
    assert {row["Playlist name"] for row in rows} == {f"Depth {d}" for d in DEPTHS}
    export(db, "csv", "--layout", "exportify", "-o", str(out / "exportify"))
    exportify = playlist_file(out / "exportify", 2, ".csv")
    rows = list(csv.DictReader(exportify.open(encoding="utf-8")))
    assert len(rows[0]) == 19 and rows[0]["Track Name"] == "First Song"
    assert (rows[0]["Track Duration (ms)"], rows[0]["ISRC"], rows[0]["Track URI"]) == (
        "200000", "USAAA2600001", "")  # fmt: skip
    result = invoke(["--db", db, "export", "csv", "--layout", "soundiiz", "--playlist", "p.0"])
    assert result.stdout.splitlines()[:2] == ["title,artist,album,isrc",
                                              "First Song,Ann,One,USAAA2600001"]  # fmt: skip
    two = invoke(["--db", db, "export", "csv", "--layout", "soundiiz", "--playlist", "p.0",
                  "--playlist", "p.1"])  # fmt: skip
    assert two.exit_code == 2 and "one playlist" in two.stderr
