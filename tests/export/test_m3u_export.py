"""``amsync export m3u``: one well-formed .m3u8 per playlist, folders as sub-folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amsync.errors import UsageError
from amsync.export.path_template import compile_template
from tests.support.cli import invoke


def check_structure(text: str) -> tuple[int, int]:
    """Assert the M3U structure; return (tracks with a location, comment-only tracks)."""
    lines = text.split("\n")
    assert lines[0] == "#EXTM3U"
    assert lines[1].startswith("#PLAYLIST:")
    assert lines[-1] == "", "the file ends with a newline"
    located = comments = 0
    index = 2
    body = lines[:-1]
    while index < len(body):
        line = body[index]
        assert "\r" not in line
        if line.startswith("#EXTINF:"):
            seconds = line[len("#EXTINF:") :].split(",", 1)[0]
            assert seconds.lstrip("-").isdigit()
            assert index + 1 < len(body), "an #EXTINF without a location"
            location = body[index + 1]
            assert location and not location.startswith("#"), location
            located += 1
            index += 2
        else:
            assert line.startswith("# "), f"unexpected line {line!r}"
            comments += 1
            index += 1
    return located, comments


def test_every_playlist_is_a_well_formed_file(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "m3u"
    result = invoke(["--db", sample_db, "export", "m3u", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["tracks_without_location"] == 1
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.m3u8"))
    assert len(files) == 3
    assert "Parent/Child/Road Trip.m3u8" in files
    assert "Empty.m3u8" in files
    hostile = next(f for f in files if "passwd" in f)
    assert "/" not in hostile and not hostile.startswith(".")
    road = (out / "Parent" / "Child" / "Road Trip.m3u8").read_text(encoding="utf-8")
    assert check_structure(road) == (4, 1)
    assert "#PLAYLIST:Road Trip\n" in road
    assert "#EXTINF:295,Adele - Hello\nhttps://music.apple.com/gb/song/hello/100\n" in road
    # a withdrawn song keeps its URL; a catalog song without url gets one built
    assert "https://music.apple.com/gb/song/300\n" in road
    assert "# no location: Home Demo (i.S2)\n" in road
    for path in out.rglob("*.m3u8"):
        check_structure(path.read_text(encoding="utf-8"))


def test_hostile_names_cannot_break_lines(sample_sqlite: str, tmp_path: Path) -> None:
    out = tmp_path / "m3u"
    assert invoke(["--db", sample_sqlite, "export", "m3u", "-o", str(out)]).exit_code == 0
    hostile = next(p for p in out.iterdir() if "passwd" in p.name)
    text = hostile.read_text(encoding="utf-8")
    assert check_structure(text) == (1, 0)
    extinf = [line for line in text.split("\n") if line.startswith("#EXTINF")]
    assert len(extinf) == 1, "a name cannot inject an #EXTINF line"
    road = (out / "Parent" / "Child" / "Road Trip.m3u8").read_text(encoding="utf-8")
    assert "\x1b" not in road and "\x07" not in road


def test_one_playlist_to_stdout(sample_sqlite: str) -> None:
    result = invoke(["--db", sample_sqlite, "export", "m3u", "--playlist", "Road Trip"])
    assert result.exit_code == 0, result.output
    assert check_structure(result.stdout) == (4, 1)
    two = invoke(
        ["--db", sample_sqlite, "export", "m3u", "--playlist", "p.P1", "--playlist", "p.P2"]
    )
    assert two.exit_code == 2


def test_path_template_builds_safe_relative_locations(sample_sqlite: str, tmp_path: Path) -> None:
    out = tmp_path / "m3u"
    template = "{artist}/{album}/{disc}-{track:02d} {name}.m4a"
    result = invoke(
        ["--db", sample_sqlite, "export", "m3u", "-o", str(out), "--path-template", template]
    )
    assert result.exit_code == 0, result.output
    road = (out / "Parent" / "Child" / "Road Trip.m3u8").read_text(encoding="utf-8")
    assert check_structure(road) == (5, 0), "every track has a path location"
    # relative to the playlist file, which lies two folders below the output folder
    assert "\n../../Adele/25/1-01 Hello.m4a\n" in road
    assert "\n../../Unknown/Unknown/0-00 Home Demo.m4a\n" in road
    for path in out.rglob("*.m3u8"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                resolved = (path.parent / line).resolve()
                assert resolved.is_relative_to(out.resolve()), (path, line)
                assert resolved.parent.parent.parent == out.resolve(), "{artist}/{album}/file"


@pytest.mark.parametrize(
    "template",
    [
        "/abs/{name}",
        "../{name}",
        "{name}/../../x",
        "{name.__class__}",
        "{unknown}",
        "{name!r}",
        "{track:99999999d}",
        "{name",
        "",
    ],
)
def test_bad_templates_are_refused(template: str) -> None:
    with pytest.raises(UsageError):
        compile_template(template)


def test_template_values_cannot_escape() -> None:
    rendered = compile_template("{artist}/{name}.m4a").render(
        {"artist": "../../..", "name": "/etc/passwd"}
    )
    assert rendered.split("/")[0] not in ("", ".", "..")
    assert len(rendered.split("/")) == 2
    assert compile_template("{name}").render({"name": "#1 hit"}) == "./#1 hit"
