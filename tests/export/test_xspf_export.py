"""``amsync export xspf``: one well-formed XSPF document per playlist, parsed back with
``xml.etree.ElementTree``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from amsync.export.locations import Location
from amsync.export.xspf_export import location_uri, xml_clean, xml_text
from tests.support.cli import invoke
from tests.support.mirror_builder import HOSTILE_PLAYLIST_NAME, HOSTILE_SONG_NAME

NS = "{http://xspf.org/ns/0/}"


def _parse(text: str) -> ET.Element:
    root = ET.fromstring(text)  # noqa: S314 - our own output
    assert root.tag == f"{NS}playlist" and root.get("version") == "1"
    return root


def _tracks(root: ET.Element) -> list[dict[str, str | None]]:
    return [
        {child.tag.removeprefix(NS): child.text for child in track}
        for track in root.iterfind(f"{NS}trackList/{NS}track")
    ]


def test_every_playlist_is_a_well_formed_document(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "xspf"
    result = invoke(["--db", sample_db, "export", "xspf", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["format"] == "xspf"
    assert summary["counts"] == {"playlists": 3, "tracks": 6}
    assert summary["tracks_without_location"] == 1
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(files) == 3 and all(f.endswith(".xspf") for f in files)
    assert "Parent/Child/Road Trip.xspf" in files and "Empty.xspf" in files
    hostile = next(f for f in files if "passwd" in f)
    assert "/" not in hostile and not hostile.startswith(".")
    told = invoke(["--db", sample_db, "export", "xspf", "-o", str(out)])
    assert "1 track(s) have no location (no catalog id); they are listed without one" in told.output

    road = _parse((out / "Parent" / "Child" / "Road Trip.xspf").read_text(encoding="utf-8"))
    assert road.findtext(f"{NS}title") == "Road Trip"
    assert road.findtext(f"{NS}annotation") == "for the car"
    tracks = _tracks(road)
    assert [t["title"] for t in tracks][:4] == ["Hello", "Home Demo", "Hello", "Gone Song"]
    assert tracks[0] == {
        "location": "https://music.apple.com/gb/song/hello/100",
        "title": "Hello",
        "creator": "Adele",
        "album": "25",
        "trackNum": "1",
        "duration": "295000",
    }
    assert "location" not in tracks[1], "an upload has no location"
    assert tracks[1]["duration"] == "61500"
    assert tracks[3]["location"] == "https://music.apple.com/gb/song/300", "withdrawn keeps it"
    empty = _parse((out / "Empty.xspf").read_text(encoding="utf-8"))
    assert _tracks(empty) == []


def test_hostile_text_is_escaped_and_forbidden_characters_removed(
    sample_sqlite: str, tmp_path: Path
) -> None:
    out = tmp_path / "xspf"
    assert invoke(["--db", sample_sqlite, "export", "xspf", "-o", str(out)]).exit_code == 0
    hostile = next(p for p in out.iterdir() if "passwd" in p.name)
    root = _parse(hostile.read_text(encoding="utf-8"))
    assert root.findtext(f"{NS}title") == HOSTILE_PLAYLIST_NAME  # nothing XML forbids in it
    text = (out / "Parent" / "Child" / "Road Trip.xspf").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text
    titles = [t["title"] for t in _tracks(_parse(text))]
    # ESC and BEL are gone; quotes, the line break and the carriage return survive parsing
    assert titles[4] == '=HYPERLINK("http://evil")\nsecond line\r[31mred'
    assert titles[4] == xml_clean(HOSTILE_SONG_NAME)


def test_one_playlist_to_stdout_or_a_file(sample_sqlite: str, tmp_path: Path) -> None:
    result = invoke(["--db", sample_sqlite, "export", "xspf", "--playlist", "Road Trip"])
    assert result.exit_code == 0, result.output
    assert len(_tracks(_parse(result.stdout))) == 5
    target = tmp_path / "road.xspf"
    result = invoke(
        ["--db", sample_sqlite, "export", "xspf", "--playlist", "p.P1", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert _parse(target.read_text(encoding="utf-8")).findtext(f"{NS}title") == "Road Trip"
    two = invoke(
        ["--db", sample_sqlite, "export", "xspf", "--playlist", "p.P1", "--playlist", "p.P2"]
    )
    assert two.exit_code == 2 and "one XSPF file holds one playlist" in two.stderr


def test_path_template_locations_are_relative_uri_references(
    sample_sqlite: str, tmp_path: Path
) -> None:
    out = tmp_path / "xspf"
    template = "{artist}/{album}/{disc}-{track:02d} {name}.m4a"
    result = invoke(
        ["--db", sample_sqlite, "export", "xspf", "-o", str(out), "--path-template", template]
    )
    assert result.exit_code == 0, result.output
    road = _parse((out / "Parent" / "Child" / "Road Trip.xspf").read_text(encoding="utf-8"))
    locations = [t.get("location") for t in _tracks(road)]
    # relative to the playlist file, two folders below the output folder
    assert locations[0] == "../../Adele/25/1-01%20Hello.m4a"
    assert locations[1] == "../../Unknown/Unknown/0-00%20Home%20Demo.m4a", "uploads get a path"
    for location in locations:
        assert location and not location.startswith("/")
        assert location.split("/")[:2] == ["..", ".."] and ".." not in location.split("/")[2:]
        assert " " not in location and "\n" not in location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
        ("tab\tline\ncr\r", "tab\tline\ncr&#13;"),
        ("nul\x00esc\x1bdel\x7f", "nulescdel\x7f"),  # DEL is allowed in XML 1.0
        ("\ufffe\uffffok\ud800", "ok"),
        ("emoji 🎵 and 東京", "emoji 🎵 and 東京"),
    ],
)
def test_xml_text(text: str, expected: str) -> None:
    assert xml_text(text) == expected


def test_location_uri() -> None:
    url = "https://music.apple.com/us/album/x/1?i=2"
    assert location_uri(Location(url, "url")) == url
    assert location_uri(
        Location("Sigur Rós/Ágætis byrjun/1-01 Svefn-g-englar.m4a", "relative")
    ) == ("Sigur%20R%C3%B3s/%C3%81g%C3%A6tis%20byrjun/1-01%20Svefn-g-englar.m4a")
    assert location_uri(Location("./#1 hit", "relative")) == "./%231%20hit"
    assert location_uri(Location("C:oops/a?b", "relative")) == "C%3Aoops/a%3Fb", "no scheme"
    assert location_uri(Location("/music/a b/#1.mp3", "absolute")) == (
        "file:///music/a%20b/%231.mp3"
    )
