"""Every retry path of the retry table, on fake time."""

from __future__ import annotations

import httpx
import pytest
from api_fakes import BASE, ClientFactory, FakeTime, error_response
from pytest_httpx import HTTPXMock

from amsync.api.retry import DEFAULT_RULES, Failure
from amsync.errors import EXIT_TEMPFAIL, MalformedResponse, TransientApiError

pytestmark = pytest.mark.anyio

TEST_URL = f"{BASE}/v1/test"
STOREFRONT_URL = f"{BASE}/v1/me/storefront"
STOREFRONT = {"data": [{"id": "gb", "type": "storefronts", "attributes": {"name": "UK"}}]}


async def storefront(make_client: ClientFactory) -> str:
    async with make_client(storefront=None) as client:
        return (await client.get_storefront()).id


async def test_transport_errors_are_retried(make_client: ClientFactory, httpx_mock: HTTPXMock):
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=STOREFRONT_URL)
    httpx_mock.add_exception(httpx.RemoteProtocolError("dropped"), url=STOREFRONT_URL)
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=STOREFRONT_URL)
    httpx_mock.add_response(url=STOREFRONT_URL, json=STOREFRONT)
    async with make_client(storefront=None) as client:
        assert (await client.get_storefront()).id == "gb"
        assert client.stats.retries == 3 and client.stats.transport_errors == 3


async def test_truncated_json_is_retried_then_read(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=STOREFRONT_URL, content=b'{"data": [{"id": "g')
    httpx_mock.add_response(url=STOREFRONT_URL, json=STOREFRONT)
    assert await storefront(make_client) == "gb"


async def test_truncated_json_that_persists_is_malformed(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    attempts = DEFAULT_RULES[Failure.TRUNCATED].max_attempts
    for _ in range(attempts):
        httpx_mock.add_response(url=STOREFRONT_URL, content=b"<html>oops")
    with pytest.raises(MalformedResponse) as caught:
        await storefront(make_client)
    assert caught.value.endpoint == "/v1/me/storefront"
    assert "/v1/me/storefront" in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried(
    make_client: ClientFactory, httpx_mock: HTTPXMock, status: int
):
    httpx_mock.add_response(url=STOREFRONT_URL, status_code=status)
    httpx_mock.add_response(url=STOREFRONT_URL, status_code=status)
    httpx_mock.add_response(url=STOREFRONT_URL, json=STOREFRONT)
    async with make_client(storefront=None) as client:
        assert (await client.get_storefront()).id == "gb"
        assert client.stats.by_status[status] == 2 and client.stats.retries == 2


async def test_429_is_retried_and_slows_the_shared_rate(
    make_client: ClientFactory, httpx_mock: HTTPXMock, fake_time: FakeTime
):
    for _ in range(3):
        httpx_mock.add_response(url=STOREFRONT_URL, status_code=429)
    httpx_mock.add_response(url=STOREFRONT_URL, json=STOREFRONT)
    async with make_client(storefront=None) as client:
        before = client.request_rate
        assert (await client.get_storefront()).id == "gb"
        assert client.stats.throttled == 3
        assert client.request_rate < before
    assert fake_time.slept, "a 429 must be followed by a pause"


async def test_budget_exhausted_gives_transient_error_naming_endpoint_and_status(
    make_client: ClientFactory, httpx_mock: HTTPXMock, fake_time: FakeTime
):
    def always_503(request: httpx.Request) -> httpx.Response:
        return error_response(503, "50300", "Service Unavailable")

    httpx_mock.add_callback(always_503, url=STOREFRONT_URL, is_reusable=True)
    started = fake_time.now
    with pytest.raises(TransientApiError) as caught:
        async with make_client(storefront=None, retry_budget_s=20.0) as client:
            await client.get_storefront()
    error = caught.value
    assert error.exit_code == EXIT_TEMPFAIL
    assert error.status == 503 and error.endpoint == "/v1/me/storefront"
    assert "/v1/me/storefront" in str(error) and "503" in str(error)
    assert fake_time.now - started <= 20.0


async def test_429_storm_gives_up_within_the_budget(
    make_client: ClientFactory, httpx_mock: HTTPXMock, fake_time: FakeTime
):
    httpx_mock.add_callback(
        lambda request: httpx.Response(429), url=STOREFRONT_URL, is_reusable=True
    )
    started = fake_time.now
    with pytest.raises(TransientApiError) as caught:
        async with make_client(storefront=None, retry_budget_s=30.0) as client:
            await client.get_storefront()
    assert caught.value.status == 429
    assert 0 < fake_time.now - started <= 31.0  # pacing at the lowered rate counts too


async def test_404_on_a_single_resource_is_not_retried(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=STOREFRONT_URL, json={}, status_code=404)
    httpx_mock.add_response(url=TEST_URL, json={})  # the API answers its check: a real 404
    from amsync.errors import NotFound

    with pytest.raises(NotFound):
        await storefront(make_client)
    assert len(httpx_mock.get_requests(url=STOREFRONT_URL)) == 1


async def test_other_4xx_is_a_bad_request_with_apples_words(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    from amsync.errors import BadRequest

    httpx_mock.add_response(
        url=STOREFRONT_URL,
        status_code=400,
        json={
            "errors": [{"title": "Invalid Parameter Value", "detail": "bad\nl", "code": "40005"}]
        },
    )
    with pytest.raises(BadRequest) as caught:
        await storefront(make_client)
    assert "Invalid Parameter Value" in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.code == "40005"
