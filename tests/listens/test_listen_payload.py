"""The ListenBrainz adapter's pure parts: a listen's JSON, fitted to the server's limits, the
batches of a request, the times a server takes, and the spelling of a server's root URL."""

from __future__ import annotations

import json

import pytest

from amsync.domain.listens import Listen
from amsync.errors import NotListenBrainzApi
from amsync.listenbrainz import accepted_times, api_root, json_line
from amsync.listenbrainz.limits import (
    LISTEN_MINIMUM_TS,
    LISTEN_SIZE_TARGET,
    MAX_LISTEN_PAYLOAD_SIZE,
    MAX_LISTEN_SIZE,
    MAX_LISTENS_PER_REQUEST,
    NAME_LIMIT,
)
from amsync.listenbrainz.payload import (
    Encoded,
    Unsendable,
    batches,
    fitted,
    listen_document,
    request_body,
)

VERSION = "9.9.9"


def listen(**changes: object) -> Listen:
    values: dict[str, object] = {
        "key": "k" * 32,
        "listened_at": 1_700_000_000,
        "track_name": "Hello",
        "artist_name": "Adele",
        "release_name": "25",
        "isrc": "GBBKS1500214",
        "duration_ms": 295_000,
        "origin_url": "https://music.apple.com/us/album/25/1544494115?i=1544494392",
    }
    values.update(changes)
    return Listen(**values)  # type: ignore[arg-type]


def test_the_documented_limits() -> None:
    assert MAX_LISTENS_PER_REQUEST == 1000
    assert MAX_LISTEN_SIZE == 10_240
    assert MAX_LISTEN_PAYLOAD_SIZE == 10_240_000
    assert LISTEN_MINIMUM_TS == 1_033_430_400  # 2002-10-01T00:00:00Z


def test_a_listen_in_listenbrainz_format() -> None:
    assert listen_document(listen(), VERSION) == {
        "listened_at": 1_700_000_000,
        "track_metadata": {
            "artist_name": "Adele",
            "track_name": "Hello",
            "release_name": "25",
            "additional_info": {
                "submission_client": "amsync",
                "submission_client_version": VERSION,
                "music_service": "music.apple.com",
                "isrc": "GBBKS1500214",
                "duration_ms": 295_000,
                "origin_url": "https://music.apple.com/us/album/25/1544494115?i=1544494392",
            },
        },
    }


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"release_name": None}, "release_name"),
        ({"release_name": "   "}, "release_name"),
        ({"isrc": None}, "isrc"),
        ({"isrc": "not an isrc"}, "isrc"),
        ({"duration_ms": None}, "duration_ms"),
        ({"duration_ms": 0}, "duration_ms"),
        ({"duration_ms": 24 * 24 * 3600 * 1000 + 1}, "duration_ms"),
        ({"origin_url": None}, "origin_url"),
        ({"origin_url": "javascript:alert(1)"}, "origin_url"),
    ],
)
def test_unknown_values_are_left_out(changes: dict[str, object], missing: str) -> None:
    document = listen_document(listen(**changes), VERSION)
    metadata = document["track_metadata"]
    assert missing not in metadata
    assert missing not in metadata["additional_info"]


def test_names_are_cleaned_for_the_server() -> None:
    document = listen_document(
        listen(track_name="  Hel\x00lo  ", artist_name="A\ud800dele", isrc=" gbbks1500214 "),
        VERSION,
    )
    metadata = document["track_metadata"]
    assert metadata["track_name"] == "Hel\ufffdlo"
    assert metadata["artist_name"] == "A\ufffddele"
    assert metadata["additional_info"]["isrc"] == "GBBKS1500214"
    json_line(listen(track_name="x\x00"), VERSION).encode("utf-8")  # encodable


@pytest.mark.parametrize("field", ["track_name", "artist_name"])
@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_a_listen_without_track_or_artist_is_unsendable(field: str, value: str) -> None:
    with pytest.raises(Unsendable):
        fitted(listen(**{field: value}), VERSION)


def test_a_10000_character_title_is_cut_to_fit() -> None:
    body = fitted(listen(track_name="ü" * 10_000, artist_name="ß" * 6_000), VERSION)
    assert len(body) <= LISTEN_SIZE_TARGET < MAX_LISTEN_SIZE
    metadata = json.loads(body)["track_metadata"]
    assert 0 < len(metadata["track_name"]) <= NAME_LIMIT
    assert 0 < len(metadata["artist_name"]) <= NAME_LIMIT
    short = fitted(listen(track_name="t" * 999), VERSION)
    assert json.loads(short)["track_metadata"]["track_name"] == "t" * 999


def test_fitting_cuts_the_longest_name_first() -> None:
    body = fitted(
        listen(track_name="a" * 900, artist_name="b", release_name="c" * 50), VERSION, 800
    )
    metadata = json.loads(body)["track_metadata"]
    assert len(body) <= 800
    assert metadata["artist_name"] == "b"
    assert metadata["release_name"] == "c" * 50
    with pytest.raises(Unsendable):
        fitted(listen(), VERSION, 50)


def encoded(size: int, n: int = 1) -> list[Encoded]:
    return [Encoded(listen(key=str(i)), b"x" * size) for i in range(n)]


def test_batches_by_count_and_size() -> None:
    assert [len(b) for b in batches(encoded(10, 2500))] == [1000, 1000, 500]
    assert [len(b) for b in batches(encoded(10, 7), max_listens=3)] == [3, 3, 1]
    envelope = len(request_body([]))
    # three 100-byte listens take 302 bytes with their commas
    assert [len(b) for b in batches(encoded(100, 3), max_bytes=envelope + 302)] == [3]
    assert [len(b) for b in batches(encoded(100, 3), max_bytes=envelope + 301)] == [2, 1]
    assert list(batches([])) == []


def test_every_batch_fits_the_payload_limit() -> None:
    items = encoded(LISTEN_SIZE_TARGET, 2500)
    found = list(batches(items))
    assert sum(len(b) for b in found) == 2500
    for batch in found:
        assert len(request_body(batch)) <= MAX_LISTEN_PAYLOAD_SIZE
        assert len(request_body(batch)) <= len(batch) * MAX_LISTEN_SIZE


def test_request_body_is_an_import() -> None:
    body = request_body([Encoded(listen(), json_line(listen(), VERSION).encode())])
    document = json.loads(body)
    assert document["listen_type"] == "import"
    assert document["payload"][0]["track_metadata"]["track_name"] == "Hello"


def test_accepted_times() -> None:
    earliest, latest = accepted_times(1_800_000_000.7)
    assert earliest == LISTEN_MINIMUM_TS
    assert latest == 1_800_000_000 + 3600 - 60


ROOTS = [
    ("https://api.listenbrainz.org", "https://api.listenbrainz.org"),
    ("https://API.ListenBrainz.org:443/", "https://api.listenbrainz.org"),
    ("  https://api.listenbrainz.org/1/  ", "https://api.listenbrainz.org"),
    ("https://api.listenbrainz.org/1/submit-listens", "https://api.listenbrainz.org"),
    ("https://api.listenbrainz.org/1/validate-token", "https://api.listenbrainz.org"),
    ("http://localhost:42010/apis/listenbrainz", "http://localhost:42010/apis/listenbrainz"),
    ("http://LOCALHOST:80/apis/listenbrainz/1", "http://localhost/apis/listenbrainz"),
    ("http://[::1]:8080/lb/", "http://[::1]:8080/lb"),
    ("https://example.org:8443", "https://example.org:8443"),
]


@pytest.mark.parametrize(("given", "root"), ROOTS)
def test_api_root(given: str, root: str) -> None:
    assert api_root(given) == root


@pytest.mark.parametrize(
    "given",
    [
        "",
        "api.listenbrainz.org",
        "ftp://api.listenbrainz.org",
        "https://",
        "https://user:secret@api.listenbrainz.org",
        "https://api.listenbrainz.org/?token=x",
        "https://api.listenbrainz.org/#x",
        "http://host:notaport/",
        "https://[::1",
    ],
)
def test_what_is_no_root_url(given: str) -> None:
    with pytest.raises(NotListenBrainzApi) as caught:
        api_root(given)
    assert caught.value.exit_code == 2
    assert "secret" not in str(caught.value)
