"""Developer-token and Music-User-Token checks (reference §1), and the emulator's own tokens.

Developer tokens are either opaque strings from a configured set, or ES256 JWTs verified with a
public key (a configured one, or the emulator's own): header ``alg`` ES256 and ``kid`` equal to
the key id; claims ``iss`` equal to the team id, ``iat`` present and not more than 60 s in the
future, ``exp`` in the future and ``exp - iat <= 15,777,000``. The JWT is parsed and built here
with base64/json; only signatures use ``cryptography``. Signature results are cached per token;
time checks run on every request.

``JwtIssuer`` is how the emulator hands out developer tokens shaped like Apple's: it generates a
P-256 key with a random 10-character key id and team id, and signs 180-day ES256 JWTs with it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import string
import threading
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

MAX_LIFETIME_SECONDS = 15_777_000
ISSUED_LIFETIME_SECONDS = 180 * 86_400  # what the emulator signs: Apple's maximum less a margin
CLOCK_SKEW_SECONDS = 60
_ID_ALPHABET = string.ascii_uppercase + string.digits


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64url_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _random_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


class JwtIssuer:
    """The emulator's own MusicKit key: signs ES256 developer tokens that its verifier accepts."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.key_id = _random_id()
        self.team_id = _random_id()

    @property
    def public_key_pem(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    def verifier(self) -> JwtVerifier:
        return JwtVerifier(self.public_key_pem, self.key_id, self.team_id)

    def issue(self, lifetime_s: int = ISSUED_LIFETIME_SECONDS, now: float | None = None) -> str:
        issued_at = int(time.time() if now is None else now)
        header = {"alg": "ES256", "kid": self.key_id, "typ": "JWT"}
        claims = {"iss": self.team_id, "iat": issued_at, "exp": issued_at + lifetime_s}
        signing_input = ".".join(
            _b64url_text(json.dumps(part, separators=(",", ":")).encode())
            for part in (header, claims)
        )
        der = self._key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{signing_input}.{_b64url_text(signature)}"


class JwtVerifier:
    """Verifies ES256 developer tokens against one public key, key id and team id."""

    def __init__(self, public_key_pem: bytes | str, key_id: str, team_id: str) -> None:
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        key = load_pem_public_key(pem)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise ValueError("the developer-token key must be an EC (P-256) public key")
        self._key = key
        self.key_id = key_id
        self.team_id = team_id
        self._claims: dict[str, dict[str, Any] | None] = {}
        self._lock = threading.Lock()

    def _decode(self, token: str) -> dict[str, Any] | None:
        """Signature-checked claims, or None when the token is malformed or badly signed."""
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64url(header_b64))
            claims = json.loads(_b64url(payload_b64))
            signature = _b64url(signature_b64)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            return None
        if header.get("alg") != "ES256" or header.get("kid") != self.key_id:
            return None
        if len(signature) != 64:
            return None
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            self._key.verify(der, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return None
        return claims

    def valid(self, token: str, now: float | None = None) -> bool:
        with self._lock:
            if token not in self._claims:
                self._claims[token] = self._decode(token)
            claims = self._claims[token]
        if claims is None:
            return False
        now = time.time() if now is None else now
        iat, exp = claims.get("iat"), claims.get("exp")
        if claims.get("iss") != self.team_id:
            return False
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            return False
        if isinstance(iat, bool) or isinstance(exp, bool):
            return False
        if iat > now + CLOCK_SKEW_SECONDS or exp <= now:
            return False
        return exp - iat <= MAX_LIFETIME_SECONDS


class TokenChecker:
    """Holds the accepted tokens and the expired/revoked switches."""

    def __init__(
        self,
        developer_tokens: set[str] | None,
        music_user_tokens: set[str] | None,
        verifier: JwtVerifier | None,
    ) -> None:
        self.developer_tokens = set(developer_tokens or ())
        self.music_user_tokens = set(music_user_tokens or ())
        self.verifiers: list[JwtVerifier] = [verifier] if verifier is not None else []
        self.developer_expired = False
        self.user_revoked = False

    @property
    def verifier(self) -> JwtVerifier | None:
        """The first verifier (the configured public key, when there is one)."""
        return self.verifiers[0] if self.verifiers else None

    def developer_ok(self, authorization: str | None, now: float | None = None) -> bool:
        if self.developer_expired or not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        return self.developer_token_ok(token, now)

    def developer_token_ok(self, token: str, now: float | None = None) -> bool:
        if self.developer_expired:
            return False
        if token in self.developer_tokens:
            return True
        return any(verifier.valid(token, now) for verifier in self.verifiers)

    def user_ok(self, music_user_token: str | None) -> bool:
        if self.user_revoked or not music_user_token:
            return False
        return music_user_token in self.music_user_tokens
