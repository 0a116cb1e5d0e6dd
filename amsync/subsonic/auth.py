"""How amsync signs in to a Subsonic-compatible server.

===================== ===================================================================
server                parameters amsync sends
===================== ===================================================================
offers OpenSubsonic   ``apiKey=KEY`` — when no user is given: the secret is an API key
apiKeyAuthentication  (the server names the user)
API 1.13 or later     ``u=USER&t=md5(password + salt)&s=salt``, a fresh random salt per
                      request (the password never leaves the machine)
older (Supysonic      ``u=USER&p=enc:<password in hex>`` — what those servers understand;
reports 1.12)         hex is an encoding, not a protection: use HTTPS
===================== ===================================================================

A server that reports 1.13 or later but answers a token with error 10 (parameter missing),
41 (token authentication not supported for this user, e.g. LDAP) or 42 (mechanism not
supported) is asked again with the hex-encoded password; ``-v`` says which mode was used and
why. Every parameter goes in a POST body (``wire``), never in a URL.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from amsync.config.secret import Secret
from amsync.domain.media_server import AuthMode

TOKEN_SINCE: Final = (1, 13, 0)
SPOKEN_UP_TO: Final = (1, 16, 1)
API_KEY_EXTENSION: Final = "apiKeyAuthentication"
FALLBACK_CODES: Final = frozenset({10, 41, 42})


def version_tuple(version: str | None) -> tuple[int, ...]:
    """``"1.16.1"`` → ``(1, 16, 1)``; anything unreadable counts as ``(0,)``."""
    parts: list[int] = []
    for piece in (version or "").split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or (0,)


def spoken_version(server_version: str | None) -> str:
    """The protocol version amsync announces (``v``): the server's, up to 1.16.1."""
    version = min(version_tuple(server_version), SPOKEN_UP_TO)
    if version < (1, 2, 0):
        version = (1, 2, 0)
    return ".".join(str(n) for n in (*version, 0, 0)[:3])


def choose_mode(api_version: str | None, extensions: tuple[str, ...], user: str | None) -> AuthMode:
    if user is None and API_KEY_EXTENSION in extensions:
        return AuthMode.API_KEY
    if version_tuple(api_version) >= TOKEN_SINCE:
        return AuthMode.TOKEN
    return AuthMode.PASSWORD


def describe(mode: AuthMode, api_version: str | None) -> str:
    """Why this mode, for ``-v``."""
    if mode is AuthMode.API_KEY:
        return "an OpenSubsonic API key"
    if mode is AuthMode.TOKEN:
        return f"a salted token (the server reports API {api_version}, 1.13 or later)"
    return (
        f"the hex-encoded password (the server reports API {api_version}, older than 1.13, "
        "which knows no tokens)"
    )


class Signer:
    """The sign-in parameters of each request (a fresh salt every time for tokens)."""

    def __init__(self, mode: AuthMode, user: str | None, secret: Secret) -> None:
        self.mode = mode
        self.user = user
        self._secret = secret

    def params(self) -> list[tuple[str, str]]:
        value = self._secret.reveal()
        if self.mode is AuthMode.API_KEY:
            return [("apiKey", value)]
        user = [("u", self.user or "")]
        if self.mode is AuthMode.TOKEN:
            salt = secrets.token_hex(8)
            token = hashlib.md5((value + salt).encode("utf-8"), usedforsecurity=False)
            return [*user, ("t", token.hexdigest()), ("s", salt)]
        return [*user, ("p", "enc:" + value.encode("utf-8").hex())]

    def secret_forms(self) -> list[str]:
        """The forms of the secret that could appear on the wire, longest first."""
        value = self._secret.reveal()
        forms = {value, value.encode("utf-8").hex()}
        return sorted((f for f in forms if f), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` (a server's message, say) with every form of the secret blanked."""
        for form in self.secret_forms():
            text = text.replace(form, "***")
        return text
