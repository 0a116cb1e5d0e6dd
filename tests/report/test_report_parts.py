"""The report's parts on their own: periods, bars and streaks, thumbnails and their cache,
and the charts (valid Vega-Lite, text escaped, nothing that runs)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amsync.emulator.artwork import cover_png
from amsync.errors import UsageError
from amsync.report import charting
from amsync.report.artwork import ArtworkCache, data_uri, media_type, sized, thumbnails
from amsync.report.buckets import label_of, labels_for, longest_streak
from amsync.report.period import ReportPeriod, parse_period


def test_periods() -> None:
    year = parse_period("2025", None, False)
    assert year == ReportPeriod("year", 2025)
    assert (year.start, year.end) == (
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert year.previous() == ReportPeriod("year", 2024) and year.slug == "2025"
    december = parse_period(None, "2025-12", False)
    assert december is not None and december.end == datetime(2026, 1, 1, tzinfo=UTC)
    assert december.title == "December 2025" and december.slug == "2025-12"
    january = parse_period(None, "2025-01", False)
    assert january is not None and january.previous() == ReportPeriod("month", 2024, 12)
    everything = parse_period(None, None, True)
    assert everything is not None and everything.start is None and everything.previous() is None
    assert parse_period(None, None, False) is None
    assert ReportPeriod("year", 9999).end is None


@pytest.mark.parametrize(
    ("year", "month", "everything"),
    [
        ("2025 ", None, True),
        ("abcd", None, False),
        (None, "2025-00", False),
        (None, "0000-01", False),
    ],
)
def test_bad_periods(year: str | None, month: str | None, everything: bool) -> None:
    with pytest.raises(UsageError):
        parse_period(year, month, everything)


def test_bars_and_streaks() -> None:
    assert label_of("2025-03-14", "week") == "2025-03-10"
    assert label_of("2025-03-14", "month") == "2025-03"
    weeks = labels_for(ReportPeriod("year", 2025), "week", [])
    assert weeks[0] == "2024-12-30" and weeks[-1] == "2025-12-29" and len(weeks) == 53
    assert len(labels_for(ReportPeriod("month", 2024, 2), "day", [])) == 29
    assert labels_for(ReportPeriod("all"), "year", ["2019-05-01", "2021-01-01"]) == [
        "2019",
        "2020",
        "2021",
    ]
    assert longest_streak(
        ["2025-01-01", "2025-01-02", "2025-01-04", "2025-01-05", "2025-01-06"]
    ) == (
        3,
        "2025-01-04",
        "2025-01-06",
    )
    assert longest_streak([]) == (0, None, None)


def test_thumbnails_are_images_only_and_cached(tmp_path: Path) -> None:
    png = cover_png("/x", 4, 4)
    assert media_type(png) == "image/png" and media_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert media_type(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    for bad in (b"<svg onload=alert(1)>", b"<html>", b""):
        assert data_uri(bad) is None
    uri = data_uri(png)
    assert uri is not None and base64.b64decode(uri.split(",", 1)[1]) == png
    assert sized("https://a/{w}x{h}{c}.{f}") == "https://a/96x96bb.jpg"
    assert sized("https://a/440x440bb.jpg") == "https://a/440x440bb.jpg"

    class Source:
        def __init__(self) -> None:
            self.asked: list[list[str]] = []

        def fetch_images(self, urls: list[str]) -> dict[str, bytes]:
            self.asked.append(list(urls))
            return {u: (png if "good" in u else b"<html>not found</html>") for u in urls}

    source = Source()
    cache = ArtworkCache(tmp_path / "cache")
    first = thumbnails(["https://good/{w}x{h}bb.jpg", "https://bad/{w}x{h}bb.jpg"], source, cache)
    assert (first.fetched, first.missing, first.cached) == (1, 1, 0)
    assert list(first.images) == ["https://good/{w}x{h}bb.jpg"]
    again = thumbnails(["https://good/{w}x{h}bb.jpg", "https://bad/{w}x{h}bb.jpg"], source, cache)
    assert (again.fetched, again.missing, again.cached) == (0, 1, 1)
    assert source.asked[-1] == ["https://bad/96x96bb.jpg"], "only what is not cached is fetched"
    unwritable = ArtworkCache(tmp_path / "file")
    (tmp_path / "file").write_text("a file where the folder goes")
    assert thumbnails(["https://good/{w}x{h}bb.jpg"], source, unwritable).fetched == 1


def test_charts_are_valid_vega_lite_with_names_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charting, "VALIDATE", True)  # Altair checks every spec against the schema
    hostile = "<script>alert(1)</script>"
    planned = {
        "lines": charting.lines(
            ["2025-01", "2025-02"],
            {hostile: [1, 2], "B": [0, 3]},
            unit="month",
            kind="year",
            y_title="plays",
            label="Plays & more",
        ),
        "heatmap": charting.heatmap([[1] * 24] * 7, ("M", "T", "W", "T", "F", "S", "S"), label="c"),
        "bars": charting.bars(
            ["2025-01-06"], [1.5], unit="week", kind="year", y_title="h", label="x"
        ),
        "stacked": charting.stacked(
            ["2025"], {"a": [1], "b": [2]}, unit="year", kind="all", y_title="p", label="s"
        ),
    }
    drawn = charting.draw(planned)
    for svg in (drawn["lines"].wide, drawn["lines"].narrow):
        assert svg.startswith('<svg role="img" aria-label="Plays &amp; more"')
        assert "<script" not in svg and "&lt;script&gt;" in svg
    for name in ("heatmap", "bars", "stacked"):
        assert drawn[name].wide.startswith("<svg") and drawn[name].narrow.startswith("<svg")


def test_an_svg_with_something_that_runs_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import vl_convert

    for bad in ("<svg><script>x</script></svg>", '<svg><g onclick="x"/></svg>', "not svg"):
        monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec, bad=bad: bad)
        planned = charting.bars(["2025-01"], [1], unit="month", kind="year", y_title="h", label="x")
        drawing = charting.draw({"x": planned})["x"]
        assert drawing.wide == "" and drawing.narrow == ""


def test_which_labels_an_axis_shows() -> None:
    weeks = labels_for(ReportPeriod("year", 2025), "week", [])
    shown = charting._shown(weeks, "week", "year", narrow=False)
    assert len(shown) == 12 and all(int(label[8:10]) <= 7 for label in shown)
    assert len(charting._shown(weeks, "week", "year", narrow=True)) == 4
    days = labels_for(ReportPeriod("month", 2025, 3), "day", [])
    assert [label[8:] for label in charting._shown(days, "day", "month", narrow=True)] == [
        "01",
        "08",
        "15",
        "22",
        "29",
    ]
