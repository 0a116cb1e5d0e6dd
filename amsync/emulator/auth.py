"""Developer-token and Music-User-Token checks (reference §1).

Developer tokens are either opaque strings from a configured set, or ES256 JWTs verified with a
configured public key: header ``alg`` ES256 and ``kid`` equal to the key id; claims ``iss`` equal
to the team id, ``iat`` present and not more than 60 s in the future, ``exp`` in the future and
``exp - iat <= 15,777,000``. The JWT is parsed here with base64/json; only the signature check
uses ``cryptography``. Signature results are cached per token; time checks run on every request.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

MAX_LIFETIME_SECONDS = 15_777_000
CLOCK_SKEW_SECONDS = 60


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


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
        self.verifier = verifier
        self.developer_expired = False
        self.user_revoked = False

    def developer_ok(self, authorization: str | None) -> bool:
        if self.developer_expired or not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        if token in self.developer_tokens:
            return True
        return self.verifier is not None and self.verifier.valid(token)

    def user_ok(self, music_user_token: str | None) -> bool:
        if self.user_revoked or not music_user_token:
            return False
        return music_user_token in self.music_user_tokens
