"""The pieces under the import: the streaming JSON reader, CSV rows, headers, timestamps and
the skip rule (the linking rules: ``test_linking.py``)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from amsync.errors import UnusableAppleExport
from amsync.history import json_array
from amsync.history.columns import PLAY_ACTIVITY_COLUMNS, is_personal, layout_for
from amsync.history.csv_rows import csv_rows
from amsync.history.play_activity import (
    PlayParser,
    RowSkip,
    canonical_stamp,
    is_skip,
    parse_time,
)

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
