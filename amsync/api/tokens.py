"""Developer tokens: a fixed one, ES256 JWTs amsync signs itself from a MusicKit key, or a
given one that a MusicKit key replaces when it runs out.

Apple accepts a developer token whose ``exp`` is at most 15,777,000 s after its current time;
a 2017 report saw tokens at exactly that maximum refused, so amsync signs with a margin
(default lifetime 180 days = 15,552,000 s).

When both a token and a key file are configured (DESIGN §5), the given token is used while it
is good; once it has expired, is within 30 days of its ``exp``, or was answered 401, amsync
signs its own from the key file for the rest of the run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from amsync.config.secret import Secret
from amsync.errors import ConfigError

logger = logging.getLogger("amsync.api.tokens")

APPLE_MAX_LIFETIME_S = 15_777_000
DEFAULT_LIFETIME_S = 15_552_000  # 180 days
DEFAULT_MARGIN_S = 86_400  # never sign closer than a day to Apple's maximum
DEFAULT_RENEW_BEFORE_S = 86_400
GIVEN_TOKEN_REPLACE_WITHIN_S = 30 * 86_400  # a given token this close to its exp is replaced

_KEY_HINT = "set AMSYNC_KEY_FILE to the MusicKit .p8 key, or AMSYNC_DEVELOPER_TOKEN instead"


@runtime_checkable
class DeveloperTokenProvider(Protocol):
    """Gives the developer token to send; ``renew()`` makes a fresh one when it can."""

    @property
    def can_renew(self) -> bool: ...

    def token(self) -> Secret: ...

    def renew(self) -> Secret: ...


class StaticDeveloperToken:
    """A developer token given as is (``AMSYNC_DEVELOPER_TOKEN`` or stored): cannot be renewed."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    @property
    def can_renew(self) -> bool:
        return False

    def token(self) -> Secret:
        return self._token

    def renew(self) -> Secret:
        return self._token


class SigningDeveloperToken:
    """Signs ES256 developer tokens with a MusicKit private key; cached, renewed before expiry."""

    def __init__(
        self,
        key_file: Path,
        team_id: str,
        key_id: str,
        lifetime_s: int = DEFAULT_LIFETIME_S,
        *,
        margin_s: int = DEFAULT_MARGIN_S,
        renew_before_s: int = DEFAULT_RENEW_BEFORE_S,
        clock: Callable[[], float] = time.time,
        origin: str | None = None,
    ) -> None:
        longest = APPLE_MAX_LIFETIME_S - margin_s
        if not 60 <= lifetime_s <= longest:
            raise ConfigError(
                f"developer token lifetime {lifetime_s} s is outside 60..{longest} s",
                hint="Apple refuses tokens valid for more than about 6 months",
            )
        if not team_id or not key_id:
            raise ConfigError(
                "signing developer tokens needs a team id and a key id",
                hint="set AMSYNC_TEAM_ID and AMSYNC_KEY_ID",
            )
        self._key = _load_key(key_file)
        self.key_file = key_file
        self._team_id = team_id
        self._key_id = key_id
        self.origin = origin
        self._lifetime_s = lifetime_s
        self._renew_before_s = min(renew_before_s, lifetime_s // 2)
        self._clock = clock
        self._lock = threading.Lock()
        self._current: Secret | None = None
        self._expires_at = 0.0

    @property
    def can_renew(self) -> bool:
        return True

    def describe(self) -> str:
        """Which key signs, for a message (no secret in it: the ids are in every token's
        header and claims): ``key id K of team T (key file F; …where each came from)``."""
        where = f"; {self.origin}" if self.origin else ""
        return f"key id {self._key_id} of team {self._team_id} (key file {self.key_file}{where})"

    def token(self) -> Secret:
        with self._lock:
            if self._current is None or self._clock() >= self._expires_at - self._renew_before_s:
                self._sign()
            assert self._current is not None
            return self._current

    def renew(self) -> Secret:
        with self._lock:
            self._sign()
            assert self._current is not None
            return self._current

    def _sign(self) -> None:
        issued_at = int(self._clock())
        expires_at = issued_at + self._lifetime_s
        encoded = jwt.encode(
            {"iss": self._team_id, "iat": issued_at, "exp": expires_at},
            self._key,
            algorithm="ES256",
            headers={"kid": self._key_id},
        )
        self._current = Secret(encoded)
        self._expires_at = float(expires_at)


class GivenOrSignedDeveloperToken:
    """A given developer token, replaced by tokens signed from a MusicKit key when it expires,
    comes within ``replace_within_s`` of its ``exp``, or Apple answers it with 401 (``renew``).

    A given token whose expiry cannot be read (not a JWT, no ``exp``) is used until Apple
    refuses it."""

    def __init__(
        self,
        given: Secret,
        signer: SigningDeveloperToken,
        *,
        replace_within_s: int = GIVEN_TOKEN_REPLACE_WITHIN_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._given = given
        self._signer = signer
        self._replace_within_s = replace_within_s
        self._clock = clock
        self._lock = threading.Lock()
        self._signing = False
        try:
            expires_at = describe_jwt(given).expires_at
        except ConfigError:
            expires_at = None
        self._given_expires_at = expires_at.timestamp() if expires_at is not None else None

    @property
    def can_renew(self) -> bool:
        return True

    @property
    def given(self) -> Secret:
        return self._given

    @property
    def signer(self) -> SigningDeveloperToken:
        return self._signer

    @property
    def signing(self) -> bool:
        """True once the key file has taken over (the given token is no longer sent)."""
        with self._lock:
            return self._signing or not self._given_good()

    def token(self) -> Secret:
        with self._lock:
            if not self._signing and not self._given_good():
                self._switch("expires within 30 days or has expired")
        return self._signer.token() if self._signing else self._given

    def renew(self) -> Secret:
        with self._lock:
            if not self._signing:
                self._switch("was refused")
        return self._signer.renew()

    def _given_good(self) -> bool:
        if self._given_expires_at is None:
            return True
        return self._given_expires_at - self._clock() > self._replace_within_s

    def _switch(self, why: str) -> None:
        self._signing = True
        logger.info("the given developer token %s: signing one from the key file instead", why)


def _load_key(key_file: Path) -> ec.EllipticCurvePrivateKey:
    try:
        pem = key_file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"key file {key_file} does not exist", hint=_KEY_HINT) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"key file {key_file} cannot be read: {reason}", hint=_KEY_HINT) from None
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError(
            f"key file {key_file} is not an unencrypted PEM private key",
            hint="use the .p8 file downloaded from Apple's developer site",
        ) from None
    except Exception:  # cryptography raises its own types for unsupported algorithms
        raise ConfigError(
            f"key file {key_file} holds a key amsync cannot use",
            hint="use the .p8 file downloaded from Apple's developer site",
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError(
            f"key file {key_file} is not an EC P-256 key (MusicKit keys are)",
            hint="use the .p8 file downloaded from Apple's developer site",
        )
    return key


@dataclass(frozen=True, slots=True)
class JwtInfo:
    """What a developer token says about itself (decoded without verifying the signature)."""

    alg: str | None
    kid: str | None
    iss: str | None
    issued_at: datetime | None
    expires_at: datetime | None

    @property
    def lifetime_s(self) -> int | None:
        if self.issued_at is None or self.expires_at is None:
            return None
        return int((self.expires_at - self.issued_at).total_seconds())

    def days_left(self, now: datetime | None = None) -> float | None:
        if self.expires_at is None:
            return None
        current = now or datetime.now(UTC)
        return (self.expires_at - current).total_seconds() / 86_400


def describe_jwt(token: Secret | str) -> JwtInfo:
    """Header and claims of a JWT; ``ConfigError`` when it is not a JWT at all."""
    raw = token.reveal() if isinstance(token, Secret) else token
    try:
        header = jwt.get_unverified_header(raw)
        claims = jwt.decode(
            raw,
            options={
                "verify_signature": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.PyJWTError:
        raise ConfigError(
            "the developer token is not a JWT",
            hint="set AMSYNC_DEVELOPER_TOKEN to the token from Apple, or use a key file",
        ) from None
    return JwtInfo(
        alg=_text(header.get("alg")),
        kid=_text(header.get("kid")),
        iss=_text(claims.get("iss")),
        issued_at=_timestamp(claims.get("iat")),
        expires_at=_timestamp(claims.get("exp")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def signing_key_of(provider: DeveloperTokenProvider) -> SigningDeveloperToken | None:
    """The key that signed the token ``provider`` sends now, if amsync signed it."""
    if isinstance(provider, SigningDeveloperToken):
        return provider
    if isinstance(provider, GivenOrSignedDeveloperToken) and provider.signing:
        return provider.signer
    return None
