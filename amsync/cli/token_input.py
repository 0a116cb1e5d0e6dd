"""Tokens as people paste them: cleaned up, and the obvious mix-ups refused in one line.

A music user token is taken as the bare ``media-user-token`` cookie value, as
``media-user-token=VALUE`` (also inside a whole ``Cookie:`` line, with ``; Path=…`` after it), as
a ``Music-User-Token: VALUE`` header line, quoted, or with whitespace around it. A developer
token is taken as the JWT, or as an ``Authorization: Bearer JWT`` line. Refused: a JWT in the
music user token's place, a private key (``.p8``) in the developer token's place (amsync signs
its own tokens from it: ``AMSYNC_KEY_FILE``), a developer token that is not an ES256 JWT or has
expired. No message ever contains the value.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from amsync.api.tokens import describe_jwt
from amsync.errors import ConfigError

_QUOTES: Final = "\"'`“”‘’"
_COOKIE: Final = re.compile(r"(?i)(?:^|[\s;])media-user-token\s*=\s*([^;\s]*)")
_HEADER: Final = re.compile(r"(?i)^(?:music-user-token|media-user-token)\s*:\s*")
_BEARER: Final = re.compile(r"(?i)^(?:authorization\s*:\s*)?bearer\s+")
_JWT: Final = re.compile(r"^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$")
_TOKEN_CHARS: Final = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no space
KEY_FILE_HINT: Final = (
    "to let amsync sign its own developer tokens, set AMSYNC_KEY_FILE to the .p8 file "
    "(with AMSYNC_TEAM_ID and AMSYNC_KEY_ID)"
)


def _unwrap(text: str) -> str:
    """Whitespace and one layer of matching-ish quotes off both ends (repeatedly)."""
    value = text.strip()
    while len(value) >= 2 and value[0] in _QUOTES and value[-1] in _QUOTES:
        value = value[1:-1].strip()
    return value


def _is_private_key(value: str) -> bool:
    return "-----BEGIN" in value and "PRIVATE KEY" in value


def _is_jwt(value: str) -> bool:
    return bool(_JWT.match(value))


def clean_music_user_token(text: str) -> str:
    """The music user token in what was pasted; ``""`` for an empty answer (keep)."""
    value = _unwrap(text)
    if not value:
        return ""
    if _is_private_key(value):
        raise ConfigError(
            "that is a private key, not a music user token (nothing was stored)",
            hint="paste the media-user-token cookie value, or run `amsync auth login`",
        )
    cookie = _COOKIE.search(value)
    if cookie is not None:
        value = _unwrap(cookie.group(1))
    else:
        value = _unwrap(_HEADER.sub("", value, count=1))
    if not value:
        raise ConfigError(
            "the media-user-token cookie in what was pasted is empty (nothing was stored)",
            hint="copy the cookie's Value column from music.apple.com while signed in",
        )
    if _is_jwt(_BEARER.sub("", value, count=1)):
        raise ConfigError(
            "that looks like a developer token (a JWT), not a music user token "
            "(nothing was stored)",
            hint="give the developer token first and the music user token second; the music "
            "user token is the media-user-token cookie, or comes from `amsync auth login`",
        )
    if not _TOKEN_CHARS.match(value):
        raise ConfigError(
            "the music user token holds spaces, quotes or characters outside ASCII "
            "(nothing was stored)",
            hint="paste only the cookie's value (the Value column of media-user-token)",
        )
    return value


def clean_developer_token(text: str, now: datetime | None = None) -> str:
    """The developer token in what was pasted (or read from a file); ``""`` for empty."""
    value = _unwrap(text)
    if not value:
        return ""
    if _is_private_key(value):
        raise ConfigError(
            "that is a MusicKit private key (.p8), not a developer token (nothing was stored)",
            hint=KEY_FILE_HINT,
        )
    value = _unwrap(_BEARER.sub("", value, count=1))
    if not _is_jwt(value):
        raise ConfigError(
            "the developer token is not a JWT (nothing was stored)",
            hint="Apple's developer tokens are three dot-separated parts starting with 'eyJ'; "
            + KEY_FILE_HINT,
        )
    info = describe_jwt(value)  # ConfigError when the parts do not decode
    if info.alg != "ES256":
        raise ConfigError(
            f"the developer token is signed with {info.alg or 'no algorithm'}; Apple accepts "
            "only ES256 (nothing was stored)",
            hint=KEY_FILE_HINT,
        )
    days = info.days_left(now or datetime.now(UTC))
    if days is not None and days <= 0 and info.expires_at is not None:
        raise ConfigError(
            f"the developer token expired on {info.expires_at:%Y-%m-%d} (nothing was stored)",
            hint="get a new one, or " + KEY_FILE_HINT,
        )
    return value
