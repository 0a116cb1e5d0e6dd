"""The ListenBrainz adapter on the wire (pytest-httpx): the token check and what each answer
means, batches, the listen a 400 is about, 413, rate limits and 429, retries within the
budget, timeouts, and a token refused half-way."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from amsync.config.secret import Secret
from amsync.domain.listens import Listen, RefusedListen, SubmitOutcome
from amsync.errors import (
    ListenServerRefused,
    ListenServerUnavailable,
    ListenTokenRejected,
    NotListenBrainzApi,
)
from amsync.listenbrainz import ListenBrainzClient

pytestmark = pytest.mark.anyio

ROOT = "http://lb.test/apis/listenbrainz"
VALIDATE = f"{ROOT}/1/validate-token"
SUBMIT = f"{ROOT}/1/submit-listens"
TOKEN = "secret-token-123"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make(fake_time: FakeTime) -> Callable[..., ListenBrainzClient]:
    def client(token: str = TOKEN, budget: float = 60.0, **options: Any) -> ListenBrainzClient:
        return ListenBrainzClient(
            ROOT,
            Secret(token),
            client_version="1.0",
            retry_budget_s=budget,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            **options,
        )

    return client


def listens(n: int, *, prefix: str = "t") -> list[Listen]:
    return [
        Listen(f"{i:032d}", 1_600_000_000 + i * 300, f"{prefix}{i}", "Artist", "Album")
        for i in range(n)
    ]


class Collected:
    def __init__(self) -> None:
        self.batches: list[list[Listen]] = []
        self.refused: list[RefusedListen] = []

    def accepted(self, batch: Any) -> None:
        self.batches.append(list(batch))

    def refuse(self, one: RefusedListen) -> None:
        self.refused.append(one)

    @property
    def keys(self) -> list[str]:
        return [item.key for batch in self.batches for item in batch]


async def submit(
    client: ListenBrainzClient, items: list[Listen]
) -> tuple[Collected, SubmitOutcome]:
    got = Collected()
    async with client:
        outcome = await client.submit(items, got.accepted, got.refuse, SubmitOutcome())
    return got, outcome


def sent(request: httpx.Request) -> list[dict[str, Any]]:
    payload: list[dict[str, Any]] = json.loads(request.content)["payload"]
    return payload


# --- validate-token ---------------------------------------------------------------------------


async def test_a_valid_token_names_its_user(make: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=VALIDATE, json={"code": 200, "valid": True, "user_name": "ann"})
    async with make(token=f"  {TOKEN}\n") as client:
        assert await client.validate_token() == "ann"
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["Authorization"] == f"Token {TOKEN}"  # the newline is gone
    assert request.headers["User-Agent"] == "amsync/1.0"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"code": 200, "message": "Token invalid.", "valid": False}),  # ListenBrainz
        (401, {"code": 401, "error": "Incorrect Authorization"}),  # Maloja
        (403, {"error": "forbidden"}),
    ],
)
async def test_a_refused_token_is_exit_3(
    make: Any, httpx_mock: HTTPXMock, status: int, body: dict[str, Any]
) -> None:
    httpx_mock.add_response(url=VALIDATE, status_code=status, json=body)
    async with make() as client:
        with pytest.raises(ListenTokenRejected) as caught:
            await client.validate_token()
    assert caught.value.exit_code == 3
    assert "listenbrainz.org/settings" in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (404, "<html>Not Found</html>", {}),
        (200, "<html>welcome</html>", {}),
        (200, '{"some": "json"}', {}),
        (200, "[1, 2]", {}),
        (405, "", {}),
        (302, "", {"Location": "https://elsewhere.test/"}),
        (418, '{"error": "teapot"}', {}),
    ],
)
async def test_a_url_that_is_no_listenbrainz_api_is_exit_2(
    make: Any, httpx_mock: HTTPXMock, status: int, body: str, headers: dict[str, str]
) -> None:
    httpx_mock.add_response(url=VALIDATE, status_code=status, text=body, headers=headers)
    async with make() as client:
        with pytest.raises(NotListenBrainzApi) as caught:
            await client.validate_token()
    assert caught.value.exit_code == 2
    if "Location" in headers:
        assert "elsewhere.test" in str(caught.value)


@pytest.mark.parametrize("token", ["", "   \n", "two words", "line\nbreak"])
def test_an_unusable_token_is_refused_before_sending(token: str) -> None:
    with pytest.raises(ListenTokenRejected):
        ListenBrainzClient(ROOT, Secret(token), client_version="1")


# --- submit-listens ---------------------------------------------------------------------------


async def test_listens_go_in_batches_of_1000_as_imports(make: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"}, is_reusable=True)
    items = listens(2500)
    got, outcome = await submit(make(), items)
    requests = httpx_mock.get_requests()
    assert [len(sent(r)) for r in requests] == [1000, 1000, 500]
    assert all(json.loads(r.content)["listen_type"] == "import" for r in requests)
    assert all(r.headers["Content-Type"] == "application/json" for r in requests)
    assert got.keys == [item.key for item in items]
    assert (outcome.accepted, outcome.requests, outcome.refused) == (2500, 3, [])
    first = sent(requests[0])[0]
    assert first["listened_at"] == 1_600_000_000
    assert first["track_metadata"]["additional_info"]["submission_client"] == "amsync"


def refusing(bad: set[str]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        names = {item["track_metadata"]["track_name"] for item in sent(request)}
        if names & bad:
            return httpx.Response(400, json={"code": 400, "error": f"bad: {sorted(names & bad)}"})
        return httpx.Response(200, json={"status": "ok"})

    return answer


async def test_a_400_is_bisected_to_the_listen_it_is_about(
    make: Any, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(refusing({"t437"}), url=SUBMIT, is_reusable=True)
    items = listens(1000)
    got, outcome = await submit(make(), items)
    assert [r.listen.track_name for r in got.refused] == ["t437"]
    assert got.refused[0].reason == "bad: ['t437']"
    assert sorted(got.keys) == sorted(i.key for i in items if i.track_name != "t437")
    assert len(got.keys) == len(set(got.keys)) == 999
    assert outcome.accepted == 999
    assert outcome.requests <= 1 + 2 * 10  # log2(1000) halvings, two requests each
    sizes = [len(sent(r)) for r in httpx_mock.get_requests()]
    assert sizes[:3] == [1000, 500, 250]  # the first half holds it, the second is sent


async def test_two_bad_listens_in_separate_batches(make: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_callback(refusing({"t3", "t1500"}), url=SUBMIT, is_reusable=True)
    got, outcome = await submit(make(), listens(2000))
    assert sorted(r.listen.track_name for r in got.refused) == ["t1500", "t3"]
    assert outcome.accepted == 1998
    assert len(set(got.keys)) == 1998


async def test_a_server_that_refuses_everything_is_given_up(
    make: Any, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=SUBMIT, status_code=400, json={"error": "no"}, is_reusable=True)
    with pytest.raises(ListenServerRefused) as caught:
        await submit(make(), listens(40))
    assert caught.value.exit_code == 1
    assert "25 listens in a row" in str(caught.value)


async def test_a_413_halves_the_batches(make: Any, httpx_mock: HTTPXMock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if len(sent(request)) > 250:
            return httpx.Response(413, text="Request Entity Too Large")
        return httpx.Response(200, json={"status": "ok"})

    httpx_mock.add_callback(answer, url=SUBMIT, is_reusable=True)
    client = make()
    got, outcome = await submit(client, listens(2000))
    assert outcome.accepted == 2000 and not got.refused
    sizes = [len(sent(r)) for r in httpx_mock.get_requests()]
    assert sizes[:3] == [1000, 500, 250]
    assert client.max_listens == 250
    assert max(sizes[3:]) <= 250


async def test_429_waits_reset_in(make: Any, httpx_mock: HTTPXMock, fake_time: FakeTime) -> None:
    httpx_mock.add_response(
        url=SUBMIT, status_code=429, headers={"X-RateLimit-Reset-In": "7"}, json={}
    )
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"})
    _, outcome = await submit(make(), listens(10))
    assert fake_time.sleeps == [7.0]
    assert (outcome.accepted, outcome.throttled, outcome.requests) == (10, 1, 2)
    assert outcome.waited_s == 7.0


async def test_no_requests_left_waits_for_the_window(
    make: Any, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    window = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-In": "4"}
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"}, headers=window)
    httpx_mock.add_response(
        url=SUBMIT, json={"status": "ok"}, headers={"X-RateLimit-Remaining": "5"}
    )
    _, outcome = await submit(make(max_listens=5), listens(10))
    assert fake_time.sleeps == [4.0]
    assert outcome.accepted == 10 and outcome.throttled == 0


async def test_a_wait_beyond_the_budget_is_exit_75(
    make: Any, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(
        url=SUBMIT, status_code=429, headers={"X-RateLimit-Reset-In": "3600"}, json={}
    )
    with pytest.raises(ListenServerUnavailable) as caught:
        await submit(make(budget=60), listens(3))
    assert caught.value.exit_code == 75
    assert fake_time.sleeps == []


async def test_5xx_and_timeouts_are_retried(
    make: Any, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=SUBMIT, status_code=503, text="busy")
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=SUBMIT)
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=SUBMIT)
    httpx_mock.add_response(url=SUBMIT, status_code=500, text="oops")
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"})
    got, outcome = await submit(make(), listens(10))
    assert outcome.accepted == 10 and len(got.batches) == 1
    assert (outcome.requests, outcome.retries) == (5, 4)
    assert len(fake_time.sleeps) == 4
    assert all(0 <= s <= 16 for s in fake_time.sleeps)


async def test_a_server_that_keeps_failing_is_exit_75_and_keeps_what_it_took(
    make: Any, httpx_mock: HTTPXMock, fake_time: FakeTime
) -> None:
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"})
    httpx_mock.add_response(url=SUBMIT, status_code=502, text="gateway", is_reusable=True)
    got = Collected()
    outcome = SubmitOutcome()
    async with make(budget=30, max_listens=4) as client:
        with pytest.raises(ListenServerUnavailable) as caught:
            await client.submit(listens(10), got.accepted, got.refuse, outcome)
    assert caught.value.exit_code == 75
    assert "HTTP 502" in str(caught.value)
    assert "run the push again" in str(caught.value)
    assert len(got.keys) == 4
    assert outcome.accepted == 4
    assert outcome.requests >= 3
    assert fake_time.now - 1000.0 <= 30


async def test_a_token_refused_half_way_is_exit_3(make: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"})
    httpx_mock.add_response(url=SUBMIT, status_code=401, json={"error": "Invalid token"})
    got = Collected()
    async with make(max_listens=5) as client:
        with pytest.raises(ListenTokenRejected):
            await client.submit(listens(10), got.accepted, got.refuse, SubmitOutcome())
    assert len(got.keys) == 5


@pytest.mark.parametrize("status", [404, 500])
async def test_other_answers_end_the_push(make: Any, httpx_mock: HTTPXMock, status: int) -> None:
    if status == 500:
        httpx_mock.add_response(url=SUBMIT, status_code=422, json={"error": "unprocessable"})
        expected: type[Exception] = ListenServerRefused
    else:
        httpx_mock.add_response(url=SUBMIT, status_code=404, text="Not Found")
        expected = NotListenBrainzApi
    with pytest.raises(expected):
        await submit(make(), listens(3))


async def test_unsendable_listens_are_refused_without_a_request(
    make: Any, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=SUBMIT, json={"status": "ok"})
    items = [*listens(2), Listen("x" * 32, 1_600_000_000, "   ", "Artist")]
    got, outcome = await submit(make(), items)
    assert [r.reason for r in got.refused] == ["not sent: no track name"]
    assert outcome.accepted == 2
    assert len(httpx_mock.get_requests()) == 1
