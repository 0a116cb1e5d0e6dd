"""§9 item 1: developer token on every path (401), Music-User-Token on /v1/me (403), JWTs."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from amsync.emulator import Emulator, FaultConfig, Library

from .conftest import AUTH, DEV, USER

KEY_ID = "ABC123DEFG"
TEAM_ID = "TEAM123456"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(
    key: ec.EllipticCurvePrivateKey, header: dict[str, object], claims: dict[str, object]
) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def jwt_client(library: Library, key: ec.EllipticCurvePrivateKey) -> httpx.Client:
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    emu = Emulator(
        library,
        jwt_public_key_pem=pem,
        jwt_key_id=KEY_ID,
        jwt_team_id=TEAM_ID,
        music_user_tokens={USER},
    )
    return httpx.Client(transport=emu.transport(), base_url="https://api.music.apple.com")


def good_claims(now: int | None = None) -> dict[str, object]:
    now = int(time.time()) if now is None else now
    return {"iss": TEAM_ID, "iat": now, "exp": now + 15_000_000}


def test_missing_bearer_is_401_on_catalog_and_me(client: httpx.Client) -> None:
    for path in ("/v1/test", "/v1/catalog/us/songs?ids=1", "/v1/me/library/songs"):
        response = client.get(path, headers={"Authorization": ""})
        assert response.status_code == 401
        error = response.json()["errors"][0]
        assert error["status"] == "401" and error["code"] == "40100"
        assert error["title"] == "Unauthenticated"


def test_wrong_bearer_is_401(client: httpx.Client) -> None:
    assert client.get("/v1/test", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/v1/test", headers={"Authorization": f"Basic {DEV}"}).status_code == 401


def test_empty_401_body_switch(emu: Emulator, client: httpx.Client) -> None:
    emu.faults.empty_401_body = True
    response = client.get("/v1/test", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.content == b""


def test_music_user_token_required_on_me_only(client: httpx.Client) -> None:
    only_dev = {"Authorization": f"Bearer {DEV}", "Music-User-Token": ""}
    assert client.get("/v1/catalog/us/songs?ids=1", headers=only_dev).status_code == 200
    for path in ("/v1/me/storefront", "/v1/me/library/songs", "/v1/me/ratings/songs?ids=1"):
        response = client.get(path, headers={**only_dev, "Music-User-Token": "bad"})
        assert response.status_code == 403
        error = response.json()["errors"][0]
        assert (error["code"], error["detail"]) == ("40300", "Invalid authentication")


def test_expire_revoke_restore(emu: Emulator, client: httpx.Client) -> None:
    emu.revoke_music_user_token()
    assert client.get("/v1/me/storefront").status_code == 403
    assert client.get("/v1/test").status_code == 200
    emu.expire_developer_token()
    assert client.get("/v1/test").status_code == 401
    emu.restore_tokens()
    assert client.get("/v1/me/storefront").status_code == 200


def test_expiry_after_n_requests_and_at_time(emu: Emulator, client: httpx.Client) -> None:
    emu.faults.developer_token_expires_after = 2
    assert [client.get("/v1/test").status_code for _ in range(3)] == [200, 200, 401]
    emu.restore_tokens()
    emu.faults.music_user_token_revoked_at = time.time() - 1
    assert client.get("/v1/me/storefront").status_code == 403
    assert client.get("/v1/test").status_code == 200


def test_valid_jwt_accepted(jwt_client: httpx.Client, key: ec.EllipticCurvePrivateKey) -> None:
    token = sign(key, {"alg": "ES256", "kid": KEY_ID}, good_claims())
    response = jwt_client.get(
        "/v1/me/storefront", headers={"Authorization": f"Bearer {token}", "Music-User-Token": USER}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "claims"),
    [
        ({"alg": "ES384", "kid": KEY_ID}, good_claims()),
        ({"alg": "ES256", "kid": "WRONGKEY00"}, good_claims()),
        ({"alg": "ES256", "kid": KEY_ID}, {**good_claims(), "iss": "OTHERTEAM0"}),
        ({"alg": "ES256", "kid": KEY_ID}, {"iss": TEAM_ID, "exp": int(time.time()) + 60}),
        ({"alg": "ES256", "kid": KEY_ID}, good_claims(int(time.time()) + 3600)),  # iat future
        ({"alg": "ES256", "kid": KEY_ID}, {**good_claims(), "exp": int(time.time()) - 1}),
        (
            {"alg": "ES256", "kid": KEY_ID},
            {**good_claims(), "exp": int(time.time()) + 15_777_001},
        ),
    ],
)
def test_bad_jwt_rejected(
    jwt_client: httpx.Client,
    key: ec.EllipticCurvePrivateKey,
    header: dict[str, object],
    claims: dict[str, object],
) -> None:
    token = sign(key, header, claims)
    assert (
        jwt_client.get("/v1/test", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_jwt_lifetime_limit_is_inclusive(
    jwt_client: httpx.Client, key: ec.EllipticCurvePrivateKey
) -> None:
    now = int(time.time())
    token = sign(
        key, {"alg": "ES256", "kid": KEY_ID}, {"iss": TEAM_ID, "iat": now, "exp": now + 15_777_000}
    )
    assert (
        jwt_client.get("/v1/test", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_jwt_signed_by_another_key_or_garbage(jwt_client: httpx.Client) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    token = sign(other, {"alg": "ES256", "kid": KEY_ID}, good_claims())
    for bearer in (token, "a.b.c", "not-a-jwt", token.rsplit(".", 1)[0] + ".AAAA"):
        response = jwt_client.get("/v1/test", headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code == 401


def test_control_endpoints_need_no_token_and_skip_faults(emu: Emulator) -> None:
    emu.faults = FaultConfig(error_rate=1.0)
    with httpx.Client(transport=emu.transport(), base_url="http://emu") as bare:
        assert bare.get("/_emulator/log").status_code == 200
        assert bare.get("/v1/test", headers=AUTH).status_code in (500, 503, 504)
