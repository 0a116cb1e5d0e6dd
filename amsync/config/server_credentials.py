"""Passwords (or OpenSubsonic API keys) for Subsonic-compatible servers, as ``amsync server
login`` stores them: ``<home>/server-credentials.json``, mode 0600, written atomically — like the
Apple Music tokens in ``credentials.json``. One entry per server URL and user; the password is
only ever read back as a ``Secret``.

Where a push finds its password, in order: ``--password-file FILE``, the environment
(``AMSYNC_SUBSONIC_PASSWORD``), then this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from amsync.config.private_files import write_private_file
from amsync.config.secret import Secret
from amsync.domain.timestamps import stored_moment
from amsync.errors import ConfigError

SERVER_CREDENTIALS_FILE: Final = "server-credentials.json"
PASSWORD_ENV: Final = "AMSYNC_SUBSONIC_PASSWORD"  # noqa: S105  (a variable's name)
_FORMAT: Final = "amsync.server-credentials"
_WHAT: Final = "server credentials file"


@dataclass(frozen=True)
class ServerLogin:
    url: str
    user: str | None  # None: an API key, which names its user itself
    password: Secret
    saved_at: datetime | None = None


class ServerCredentialStore:
    """Reads and writes ``<home>/server-credentials.json``."""

    def __init__(self, home: Path) -> None:
        self.path = home / SERVER_CREDENTIALS_FILE

    def find(self, url: str, user: str | None) -> ServerLogin | None:
        """The login stored for ``url`` and ``user``; with no ``user``, the one stored for
        ``url`` when there is exactly one."""
        found = [login for login in self.logins() if login.url == url]
        if user is not None:
            found = [login for login in found if login.user == user]
        return found[0] if len(found) == 1 else None

    def users(self, url: str) -> list[str | None]:
        return [login.user for login in self.logins() if login.url == url]

    def logins(self) -> list[ServerLogin]:
        found = []
        for entry in self._read():
            if not isinstance(entry, dict):
                continue
            url, user, password = entry.get("url"), entry.get("user"), entry.get("password")
            if not isinstance(url, str) or not isinstance(password, str) or not password:
                continue
            found.append(
                ServerLogin(
                    url,
                    user if isinstance(user, str) and user else None,
                    Secret(password),
                    stored_moment(entry.get("saved_at")),
                )
            )
        return found

    def save(self, url: str, user: str | None, password: Secret) -> ServerLogin:
        now = datetime.now(UTC)
        entries = [
            e
            for e in self._read()
            if not (isinstance(e, dict) and e.get("url") == url and e.get("user") == user)
        ]
        entries.append(
            {"url": url, "user": user, "password": password.reveal(), "saved_at": now.isoformat()}
        )
        self._write(entries)
        return ServerLogin(url, user, password, now)

    def remove(self, url: str, user: str | None) -> int:
        """Forget the logins for ``url`` (and ``user``, when given); how many were removed."""
        entries = self._read()
        kept = [
            e
            for e in entries
            if not (
                isinstance(e, dict)
                and e.get("url") == url
                and (user is None or e.get("user") == user)
            )
        ]
        if len(kept) != len(entries):
            self._write(kept)
        return len(entries) - len(kept)

    def _read(self) -> list[Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ConfigError(
                f"cannot read the {_WHAT} {self.path}: {exc.strerror or exc}"
            ) from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ConfigError(
                f"{self.path} is not an amsync server credentials file",
                hint="move it away and run `amsync server login URL` again",
            )
        entries = data.get("servers")
        return list(entries) if isinstance(entries, list) else []

    def _write(self, entries: list[Any]) -> None:
        payload = json.dumps({"format": _FORMAT, "version": 1, "servers": entries}, indent=2)
        write_private_file(self.path, payload, what=_WHAT)
