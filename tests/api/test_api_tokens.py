"""Developer tokens: ES256 signing with margin, caching, renewal, describe_jwt, bad keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from amsync.api.tokens import (
    APPLE_MAX_LIFETIME_S,
    DEFAULT_LIFETIME_S,
    GivenOrSignedDeveloperToken,
    SigningDeveloperToken,
    StaticDeveloperToken,
    describe_jwt,
)
from amsync.config.secret import Secret
from amsync.errors import ConfigError


def write_key(path: Path, key: object) -> Path:
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def key_file(tmp_path: Path, ec_key: ec.EllipticCurvePrivateKey) -> Path:
    return write_key(tmp_path / "AuthKey_ABCDEFGHIJ.p8", ec_key)


def test_signed_token_has_apples_header_and_claims(key_file: Path, ec_key) -> None:
    now = 1_700_000_000.0
    provider = SigningDeveloperToken(key_file, "TEAM123456", "ABCDEFGHIJ", clock=lambda: now)
    token = provider.token().reveal()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == "ABCDEFGHIJ"
    claims = jwt.decode(
        token, ec_key.public_key(), algorithms=["ES256"], options={"verify_exp": False}
    )
    assert claims["iss"] == "TEAM123456"
    assert claims["iat"] == int(now)
    assert claims["exp"] - claims["iat"] == DEFAULT_LIFETIME_S
    assert claims["exp"] - claims["iat"] < APPLE_MAX_LIFETIME_S


def test_token_is_cached_then_renewed_before_expiry(key_file: Path) -> None:
    now = [1_700_000_000.0]
    provider = SigningDeveloperToken(
        key_file, "TEAM123456", "ABCDEFGHIJ", 3600, clock=lambda: now[0]
    )
    first = provider.token()
    assert provider.token() == first
    now[0] += 3600 - 60  # within the renewal window
    assert provider.token() != first
    assert provider.can_renew


def test_renew_gives_a_new_token(key_file: Path) -> None:
    provider = SigningDeveloperToken(key_file, "TEAM123456", "ABCDEFGHIJ")
    first = provider.token()
    assert provider.renew() != first


def test_lifetime_at_apples_maximum_is_refused(key_file: Path) -> None:
    with pytest.raises(ConfigError):
        SigningDeveloperToken(key_file, "TEAM123456", "ABCDEFGHIJ", APPLE_MAX_LIFETIME_S)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        SigningDeveloperToken(tmp_path / "nope.p8", "TEAM123456", "ABCDEFGHIJ")
    assert "does not exist" in str(caught.value)


def test_garbage_key_file_message_has_no_key_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.p8"
    path.write_text("-----BEGIN PRIVATE KEY-----\nSECRETSTUFFxyz\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ConfigError) as caught:
        SigningDeveloperToken(path, "TEAM123456", "ABCDEFGHIJ")
    assert "SECRETSTUFF" not in str(caught.value)


@pytest.mark.parametrize(
    "key",
    [
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        lambda: ec.generate_private_key(ec.SECP384R1()),
    ],
    ids=["rsa", "p384"],
)
def test_key_that_is_not_p256_is_refused(tmp_path: Path, key) -> None:
    path = write_key(tmp_path / "other.p8", key())
    with pytest.raises(ConfigError) as caught:
        SigningDeveloperToken(path, "TEAM123456", "ABCDEFGHIJ")
    assert "P-256" in str(caught.value)


def test_unreadable_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        SigningDeveloperToken(tmp_path, "TEAM123456", "ABCDEFGHIJ")  # a directory
    assert "cannot be read" in str(caught.value)


def test_describe_jwt(key_file: Path) -> None:
    provider = SigningDeveloperToken(
        key_file, "TEAM123456", "ABCDEFGHIJ", clock=lambda: 1_700_000_000.0
    )
    info = describe_jwt(provider.token())
    assert (info.alg, info.kid, info.iss) == ("ES256", "ABCDEFGHIJ", "TEAM123456")
    assert info.issued_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert info.lifetime_s == DEFAULT_LIFETIME_S
    assert info.days_left(datetime.fromtimestamp(1_700_000_000, UTC)) == pytest.approx(180)


def test_describe_jwt_of_garbage_says_so_without_the_value() -> None:
    with pytest.raises(ConfigError) as caught:
        describe_jwt(Secret("not-a-jwt-SECRET"))
    assert "SECRET" not in str(caught.value)


def test_static_token_cannot_renew() -> None:
    provider = StaticDeveloperToken(Secret("abc"))
    assert not provider.can_renew and provider.renew() == provider.token()


# --- a given token with a key file behind it (DESIGN §5, issue 14 item 12) -------------------


def given_jwt(key: ec.EllipticCurvePrivateKey, days: float, now: float) -> str:
    claims = {"iss": "OTHERTEAM1", "iat": int(now), "exp": int(now + days * 86_400)}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "GIVENKEY12"})


@pytest.mark.parametrize(
    ("days_left", "uses_given"),
    [(90, True), (31, True), (29, False), (1, False), (-10, False)],
    ids=["90 days", "31 days", "29 days", "1 day", "expired"],
)
def test_given_token_is_used_until_within_30_days_of_expiry(
    key_file: Path, days_left: float, uses_given: bool
) -> None:
    now = 1_700_000_000.0
    given = given_jwt(ec.generate_private_key(ec.SECP256R1()), days_left, now)
    signer = SigningDeveloperToken(key_file, "TEAM123456", "ABCDEFGHIJ", clock=lambda: now)
    provider = GivenOrSignedDeveloperToken(Secret(given), signer, clock=lambda: now)
    assert provider.can_renew
    sent = provider.token().reveal()
    assert (sent == given) is uses_given
    assert provider.signing is not uses_given
    if not uses_given:
        assert jwt.get_unverified_header(sent)["kid"] == "ABCDEFGHIJ"


def test_given_token_is_replaced_once_apple_refuses_it(key_file: Path) -> None:
    now = 1_700_000_000.0
    given = given_jwt(ec.generate_private_key(ec.SECP256R1()), 120, now)
    signer = SigningDeveloperToken(key_file, "TEAM123456", "ABCDEFGHIJ", clock=lambda: now)
    provider = GivenOrSignedDeveloperToken(Secret(given), signer, clock=lambda: now)
    assert provider.token().reveal() == given
    renewed = provider.renew().reveal()
    assert renewed != given and jwt.get_unverified_header(renewed)["kid"] == "ABCDEFGHIJ"
    assert provider.token().reveal() == renewed  # and it stays with the key file


def test_given_token_amsync_cannot_decode_is_used_until_refused(key_file: Path) -> None:
    signer = SigningDeveloperToken(key_file, "TEAM123456", "ABCDEFGHIJ")
    provider = GivenOrSignedDeveloperToken(Secret("opaque-token"), signer)
    assert provider.token().reveal() == "opaque-token" and not provider.signing
    provider.renew()
    assert provider.token().reveal() != "opaque-token"
