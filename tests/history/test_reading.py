"""The pieces under the import: linking rules, the streaming JSON reader, CSV rows, headers,
timestamps and the skip rule."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from amsync.errors import UnusableAppleExport
from amsync.history import json_array
from amsync.history.columns import PLAY_ACTIVITY_COLUMNS, is_personal, layout_for
from amsync.history.csv_rows import csv_rows
from amsync.history.linking import BY_CATALOG, BY_NAME_ALBUM, BY_NAME_ARTIST, MirrorIndex
from amsync.history.play_activity import (
    PlayParser,
    RowSkip,
    canonical_stamp,
    is_skip,
    parse_time,
)


@pytest.fixture
def index() -> MirrorIndex:
    mirror = MirrorIndex()
    # the same title on two albums of one artist
    mirror.add("i.studio", "River", "Ada", "Songs", "101", 200_000, True)
    mirror.add("i.live", "River", "Ada", "Live at Home", "102", 260_000, True)
    # the same title on an album of the same name by two artists, told apart by duration
    mirror.add("i.hits-a", "Intro", "Band A", "Greatest Hits", None, 61_000, True)
    mirror.add("i.hits-b", "Intro", "Band B", "Greatest Hits", None, 95_000, True)
    # exact twins: cannot be told apart
    mirror.add("i.twin-1", "Echo", "C", "Twins", None, 180_000, True)
    mirror.add("i.twin-2", "Echo", "C", "Twins", None, 180_500, True)
    # a removed copy and a live one
    mirror.add("i.old", "Moon", "D", "Nights", None, 150_000, False)
    mirror.add("i.new", "Moon", "D", "Nights", None, 150_000, True)
    mirror.add("i.curly", "Don't Stop", "E", "Hits - Single", None, None, True)
    return mirror


def test_links_by_catalog_id_first(index: MirrorIndex) -> None:
    link = index.link("Anything", "Else", catalog_id="102")
    assert link is not None and (link.library_id, link.by) == ("i.live", BY_CATALOG)


def test_same_title_on_another_album_is_not_taken(index: MirrorIndex) -> None:
    assert index.link("River", "Songs").library_id == "i.studio"  # type: ignore[union-attr]
    assert index.link("River", "Live at Home").library_id == "i.live"  # type: ignore[union-attr]
    assert index.link("River", "Greatest Hits") is None
    assert index.link("River", "Other Album", artist="Ada") is None


def test_durations_tell_twins_apart_or_leave_them_unlinked(index: MirrorIndex) -> None:
    a = index.link("Intro", "Greatest Hits", media_ms=61_400)
    b = index.link("Intro", "Greatest Hits", media_ms=94_000)
    assert a is not None and a.library_id == "i.hits-a" and a.by == BY_NAME_ALBUM
    assert b is not None and b.library_id == "i.hits-b"
    assert index.link("Intro", "Greatest Hits") is None
    assert index.link("Intro", "Greatest Hits", media_ms=200_000) is None
    assert index.link("Echo", "Twins", media_ms=180_200) is None
    by_artist = index.link("Intro", "Greatest Hits", artist="band b")
    assert by_artist is not None and by_artist.library_id == "i.hits-b"


def test_a_play_of_another_length_is_not_the_library_song(index: MirrorIndex) -> None:
    assert index.link("River", "Songs", media_ms=300_000) is None


def test_live_songs_before_removed_ones(index: MirrorIndex) -> None:
    assert index.link("Moon", "Nights").library_id == "i.new"  # type: ignore[union-attr]


def test_names_are_compared_normalised(index: MirrorIndex) -> None:
    link = index.link("  DON\u2019T  stop ", "hits")
    assert link is not None and link.library_id == "i.curly"


def test_name_and_artist_only_without_an_album(index: MirrorIndex) -> None:
    assert index.link("Moon", None, artist="D").by == BY_NAME_ARTIST  # type: ignore[union-attr]
    assert index.link("Moon", None) is None
    assert index.link("River", None, artist="Ada") is None  # two albums: ambiguous


def test_descriptions_split_where_they_name_one_song() -> None:
    mirror = MirrorIndex()
    mirror.add("i.1", "Song - Live", "A - B", "X", None, None, True)
    mirror.add("i.2", "Other", "Solo", "Y", None, None, True)
    assert mirror.link_description("A - B - Song - Live").library_id == "i.1"  # type: ignore[union-attr]
    assert mirror.link_description("Solo - Other").library_id == "i.2"  # type: ignore[union-attr]
    assert mirror.link_description("Nobody - Nothing") is None
    assert mirror.link_description("no separator") is None


# --- JSON --------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_json_items_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(json_array, "CHUNK", chunk)
    items = [{"Title": 'é\u2019 "q"', "n": i, "nested": [1, {"a": None}]} for i in range(50)]
    items += [12345678901234567890, "text", None]
    data = ("\ufeff  [\n" + " ,\n".join(json.dumps(i) for i in items) + "\n]\n").encode()
    assert list(json_array.json_array_items(io.BytesIO(data), "x")) == items


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1}', "not a JSON array"),
        (b"[1, 2", "cut off"),
        (b'[{"a": 1}, {"b": ', "cut off"),
        (b"[1 2]", "invalid JSON"),
        (b"", "not a JSON array"),
    ],
)
def test_json_problems_are_clear(data: bytes, message: str) -> None:
    with pytest.raises(UnusableAppleExport, match=message):
        list(json_array.json_array_items(io.BytesIO(data), "tracks.json"))


def test_a_huge_json_item_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_array, "MAX_ITEM", 1000)
    monkeypatch.setattr(json_array, "CHUNK", 100)
    data = b'[{"a": "' + b"x" * 5000 + b'"}]'
    with pytest.raises(UnusableAppleExport, match="larger than"):
        list(json_array.json_array_items(io.BytesIO(data), "x"))


def test_json_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The buffer never holds much more than a chunk and an item, however long the array."""
    monkeypatch.setattr(json_array, "CHUNK", 4096)
    seen: list[int] = []
    original = json_array._Buffer.more

    def more(self: json_array._Buffer) -> bool:
        found = original(self)
        seen.append(len(self.data))
        return found

    monkeypatch.setattr(json_array._Buffer, "more", more)
    data = ("[" + ",".join(json.dumps({"Title": f"t{i}"}) for i in range(20_000)) + "]").encode()
    assert sum(1 for _ in json_array.json_array_items(io.BytesIO(data), "x")) == 20_000
    assert max(seen) < 2 * 4096


# --- CSV, columns, times ------------------------------------------------------------------------


def test_csv_rows_report_cut_and_short_rows() -> None:
    data = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n13,14"
    header, rows = csv_rows(io.BytesIO(data), "x.csv")
    found = [(r.line, r.problem) for r in rows]
    assert header == ["a", "b", "c"]
    assert found == [
        (2, None),
        (3, "incomplete"),
        (4, "too many fields"),
        (5, None),
        (6, "cut off"),
    ]


def test_a_file_without_final_line_break_keeps_a_complete_last_row() -> None:
    _, rows = csv_rows(io.BytesIO(b"a,b\n1,2\n3,4"), "x.csv")
    assert [r.problem for r in rows] == [None, None]


def test_headers_match_by_name_in_any_order_and_spelling() -> None:
    layout = layout_for(
        ["\ufeffEvent_Start_Timestamp", "CONTENT NAME", "Client IP Address", "Whatever"],
        PLAY_ACTIVITY_COLUMNS,
    )
    assert layout.fields == {"start": 0, "name": 1}
    assert [name for name, _ in layout.personal] == ["Client IP Address"]


@pytest.mark.parametrize(
    "column",
    [
        "Client IP Address",
        "Device Identifier",
        "IP Latitude",
        "UTC Offset In Seconds",
        "User Agent",
        "Apple Id Number",
        "Store Country Name",
        "IP City",
    ],
)
def test_personal_columns(column: str) -> None:
    from amsync.history.columns import header_key

    assert is_personal(header_key(column))


@pytest.mark.parametrize("column", ["Song Name", "Album Name", "Feature Name", "Track Identifier"])
def test_not_personal(column: str) -> None:
    from amsync.history.columns import header_key

    assert not is_personal(header_key(column))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-10-07T18:39:52.592Z", datetime(2022, 10, 7, 18, 39, 52, 592000, tzinfo=UTC)),
        ("2022-10-07T18:39:52Z", datetime(2022, 10, 7, 18, 39, 52, tzinfo=UTC)),
        ("2022-10-07T20:39:52.592+02:00", datetime(2022, 10, 7, 18, 39, 52, 592000, tzinfo=UTC)),
        ("2022-10-07 18:39:52", datetime(2022, 10, 7, 18, 39, 52, tzinfo=UTC)),
        ("1665167992592", datetime(2022, 10, 7, 18, 39, 52, 592000, tzinfo=UTC)),
        ("", None),
    ],
)
def test_timestamps(text: str, expected: datetime | None) -> None:
    assert parse_time(text) == expected
    if expected is not None:
        millis = f"{expected.microsecond // 1000:03d}"
        assert canonical_stamp(text) == f"2022-10-07T18:39:52.{millis}Z"


def test_the_same_moment_spelled_twice_is_one_key() -> None:
    layout = layout_for(["Song Name", "Album Name", "Event Start Timestamp"], PLAY_ACTIVITY_COLUMNS)
    parser = PlayParser(layout, keep_personal=False)
    a, _, _ = parser.key(["Song", "Album", "2022-10-07T18:39:52.592Z"])
    b, _, _ = parser.key(["  SONG ", "album - Single", "2022-10-07T20:39:52.592+02:00"])
    c, _, _ = parser.key(["Song", "Album", "2022-10-07T18:39:52.593Z"])
    assert a == b != c
    with pytest.raises(RowSkip, match="unreadable timestamp"):
        parser.key(["Song", "Album", "yesterday"])
    with pytest.raises(RowSkip, match="before 2001"):
        parser.key(["Song", "Album", "1970-01-01T00:00:00.000Z"])


@pytest.mark.parametrize(
    ("reason", "played", "media", "skipped"),
    [
        ("TRACK_SKIPPED_FORWARDS", 5_000, 200_000, True),
        ("TRACK_SKIPPED_FORWARDS", 150_000, 200_000, False),
        ("TRACK_SKIPPED_BACKWARDS", None, None, True),
        ("MANUALLY_SELECTED_PLAYBACK_OF_A_DIFF_ITEM", 1_000, 200_000, True),
        ("NATURAL_END_OF_TRACK", 1_000, 200_000, False),
        ("PLAYBACK_MANUALLY_PAUSED", 1_000, 200_000, False),
        (None, 0, 200_000, False),
    ],
)
def test_skip_rule(
    reason: str | None, played: int | None, media: int | None, skipped: bool
) -> None:
    assert is_skip(reason, played, media) is skipped


def test_the_daily_history_contradicts_a_name_match() -> None:
    from amsync.history.linking import HeardDays

    heard = HeardDays()
    assert not heard and not heard.contradicts(100, "i.a", "A")  # no daily history: no say
    heard.add(100, "i.a")
    heard.add(110, "i.b")
    assert not heard.contradicts(100, "i.a", "A")
    assert not heard.contradicts(101, "i.a", "A"), "the day after (local dates) agrees"
    assert heard.contradicts(105, "i.a", "A"), "covered, and not heard that day"
    assert heard.contradicts(105, "i.unknown", "A")
    assert not heard.contradicts(200, "i.a", "A"), "outside the days the history covers"
    heard.cover(200)
    assert heard.contradicts(200, "i.a", "A")
    heard.unsure(150, "  a ")  # an unlinked track titled A that day: it may be this one
    assert not heard.contradicts(151, "i.a", "A")
    assert heard.contradicts(151, "i.a", "B")
