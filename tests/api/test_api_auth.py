"""Auth headers, the 401 re-sign, the 403 probe, 40015, and secrecy of tokens."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from api_fakes import BASE, DEV_TOKEN, USER_TOKEN, ClientFactory, error_response
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_httpx import HTTPXMock

from amsync.api import SigningDeveloperToken
from amsync.errors import (
    EXIT_AUTH,
    AmsyncError,
    AuthorizationError,
    CredentialsMissing,
    DeveloperTokenRejected,
    SubscriptionRequired,
    UserTokenRejected,
)

pytestmark = pytest.mark.anyio

STOREFRONT = {"data": [{"id": "us", "type": "storefronts"}]}
SONGS_URL = f"{BASE}/v1/me/library/songs?extend=dateAdded&include=catalog&limit=100&offset=0"


@pytest.fixture
def signer(tmp_path: Path) -> SigningDeveloperToken:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "key.p8"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return SigningDeveloperToken(path, "TEAM123456", "ABCDEFGHIJ")


async def test_me_requests_carry_both_tokens(make_client: ClientFactory, httpx_mock: HTTPXMock):
    httpx_mock.add_response(url=f"{BASE}/v1/me/storefront", json=STOREFRONT)
    async with make_client(storefront=None) as client:
        await client.get_storefront()
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["Authorization"] == f"Bearer {DEV_TOKEN}"
    assert request.headers["Music-User-Token"] == USER_TOKEN
    assert request.headers["User-Agent"].startswith("amsync/")


async def test_catalog_requests_carry_only_the_developer_token(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=f"{BASE}/v1/catalog/us/songs?ids=1%2C2", json={"data": []})
    async with make_client() as client:
        assert await client.get_catalog_songs(["1", "2"]) == []
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["Authorization"] == f"Bearer {DEV_TOKEN}"
    assert "Music-User-Token" not in request.headers


async def test_me_request_without_user_token_is_credentials_missing(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    async with make_client(storefront=None, music_user_token=None) as client:
        with pytest.raises(CredentialsMissing):
            await client.get_storefront()
    assert httpx_mock.get_requests() == []


async def test_401_re_signs_and_the_retry_carries_the_new_jwt(
    make_client: ClientFactory, httpx_mock: HTTPXMock, signer: SigningDeveloperToken
):
    httpx_mock.add_response(url=f"{BASE}/v1/test", status_code=401)
    httpx_mock.add_response(url=f"{BASE}/v1/test", json={})
    async with make_client(developer_token=signer) as client:
        await client.test_developer_token()
    first, second = httpx_mock.get_requests()
    assert first.headers["Authorization"] != second.headers["Authorization"]
    assert second.headers["Authorization"] == f"Bearer {signer.token().reveal()}"


async def test_401_that_persists_after_re_signing_is_developer_token_rejected(
    make_client: ClientFactory, httpx_mock: HTTPXMock, signer: SigningDeveloperToken
):
    httpx_mock.add_callback(
        lambda r: error_response(401, "40100"), url=f"{BASE}/v1/test", is_reusable=True
    )
    async with make_client(developer_token=signer) as client:
        with pytest.raises(DeveloperTokenRejected) as caught:
            await client.test_developer_token()
    assert caught.value.exit_code == EXIT_AUTH
    assert "Apple refused the developer token amsync signed with key id" in str(caught.value)
    assert "developer.apple.com" in str(caught.value)  # where to check the key (issue 22)
    assert len(httpx_mock.get_requests()) == 2


async def test_401_on_me_with_a_working_developer_token_is_subscription(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=SONGS_URL, status_code=401)
    httpx_mock.add_response(url=f"{BASE}/v1/test", json={})
    async with make_client() as client:
        with pytest.raises(SubscriptionRequired):
            await client.list_songs(lambda items: None)


async def test_401_on_me_with_a_bad_developer_token_is_developer_token_rejected(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=SONGS_URL, status_code=401)
    httpx_mock.add_response(url=f"{BASE}/v1/test", status_code=401)
    async with make_client() as client:
        with pytest.raises(DeveloperTokenRejected):
            await client.list_songs(lambda items: None)


async def test_403_confirmed_by_the_probe_is_user_token_rejected(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=SONGS_URL, json={}, status_code=403)
    httpx_mock.add_response(url=f"{BASE}/v1/me/storefront", status_code=403)
    async with make_client() as client:
        with pytest.raises(UserTokenRejected) as caught:
            await client.list_songs(lambda items: None)
    assert "amsync auth login" in str(caught.value)
    assert len(httpx_mock.get_requests()) == 2


async def test_403_not_confirmed_by_the_probe_retries_once(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=SONGS_URL, status_code=403)
    httpx_mock.add_response(url=f"{BASE}/v1/me/storefront", json=STOREFRONT)
    httpx_mock.add_response(url=SONGS_URL, json={"data": [], "meta": {"total": 0}})
    async with make_client() as client:
        result = await client.list_songs(lambda items: None)
    assert result.complete


async def test_403_twice_with_a_working_probe_is_a_clear_authorization_error(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    httpx_mock.add_response(url=SONGS_URL, status_code=403)
    httpx_mock.add_response(url=f"{BASE}/v1/me/storefront", json=STOREFRONT)
    httpx_mock.add_response(url=SONGS_URL, status_code=403)
    async with make_client() as client:
        with pytest.raises(AuthorizationError) as caught:
            await client.list_songs(lambda items: None)
    assert not isinstance(caught.value, UserTokenRejected)
    assert "/v1/me/library/songs" in str(caught.value)


async def test_40015_is_subscription_required_with_the_privilege(
    make_client: ClientFactory, httpx_mock: HTTPXMock
):
    detail = "User's subscription tier does not have access to privilege: ListeningHistory"
    httpx_mock.add_response(
        url=f"{BASE}/v1/me/library?ids%5Balbums%5D=1577502911",
        method="POST",
        status_code=400,
        json={"errors": [{"title": "Insufficient Privileges", "detail": detail, "code": "40015"}]},
    )
    async with make_client() as client:
        with pytest.raises(SubscriptionRequired) as caught:
            await client.add_to_library({"albums": ["1577502911"]})
    assert "ListeningHistory" in str(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500])
async def test_no_token_in_any_message_or_log_record(
    make_client: ClientFactory,
    httpx_mock: HTTPXMock,
    caplog: pytest.LogCaptureFixture,
    status: int,
):
    echo = f"token {DEV_TOKEN} and {USER_TOKEN} echoed"

    def echoing(request: httpx.Request) -> httpx.Response:
        return error_response(status, f"{status}00", title=echo, detail=echo)

    httpx_mock.add_callback(echoing, is_reusable=True)
    caplog.set_level(logging.DEBUG, logger="amsync")
    async with make_client(retry_budget_s=5.0, storefront=None) as client:
        with pytest.raises(AmsyncError) as caught:
            await client.get_storefront()
    error = caught.value
    texts = [str(error), repr(error), error.message, str(error.hint)]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert DEV_TOKEN not in text and USER_TOKEN not in text, text
    assert any(record.name == "amsync.api" for record in caplog.records)


async def test_request_log_line_has_method_path_status_and_time(
    make_client: ClientFactory, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
):
    httpx_mock.add_response(url=f"{BASE}/v1/test", json={})
    caplog.set_level(logging.DEBUG, logger="amsync.api")
    async with make_client() as client:
        await client.test_developer_token()
    lines = [r.getMessage() for r in caplog.records if r.name == "amsync.api"]
    assert any(line.startswith("GET /v1/test -> 200 in ") for line in lines)
