"""The credentials store: ``<home>/credentials.json``, created with mode 0600.

One entry per account holds the developer token and the music user token that ``amsync auth``
stored, and when each was saved (the music user token's age is how amsync warns before Apple's
~180-day expiry). Tokens are only ever read back as ``Secret``. Writes are atomic: a new file is
created 0600 beside the old one and renamed over it.
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

CREDENTIALS_FILE_NAME: Final = "credentials.json"
_FORMAT: Final = "amsync.credentials"


@dataclass(frozen=True)
class StoredCredentials:
    developer_token: Secret | None = None
    developer_token_saved_at: datetime | None = None
    music_user_token: Secret | None = None
    music_user_token_obtained_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.developer_token is None and self.music_user_token is None


class CredentialStore:
    """Reads and writes the per-account credentials file in ``home``."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.path = home / CREDENTIALS_FILE_NAME

    def load(self, account: str) -> StoredCredentials:
        entry = self._read().get(account)
        if not isinstance(entry, dict):
            return StoredCredentials()
        return StoredCredentials(
            developer_token=_secret(entry.get("developer_token")),
            developer_token_saved_at=stored_moment(entry.get("developer_token_saved_at")),
            music_user_token=_secret(entry.get("music_user_token")),
            music_user_token_obtained_at=stored_moment(entry.get("music_user_token_obtained_at")),
        )

    def save(
        self,
        account: str,
        *,
        developer_token: Secret | None = None,
        music_user_token: Secret | None = None,
        now: datetime | None = None,
    ) -> StoredCredentials:
        """Store the tokens given; a ``None`` token keeps what is stored."""
        now = now or datetime.now(UTC)
        accounts = self._read()
        entry = dict(accounts.get(account) or {})
        if developer_token is not None:
            entry["developer_token"] = developer_token.reveal()
            entry["developer_token_saved_at"] = now.isoformat()
        if music_user_token is not None:
            entry["music_user_token"] = music_user_token.reveal()
            entry["music_user_token_obtained_at"] = now.isoformat()
        accounts[account] = entry
        self._write(accounts)
        return self.load(account)

    def clear(self, account: str) -> bool:
        """Remove an account's tokens; true when there was something to remove."""
        accounts = self._read()
        if account not in accounts:
            return False
        del accounts[account]
        self._write(accounts)
        return True

    def accounts(self) -> list[str]:
        return sorted(self._read())

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(
                f"cannot read the credentials file {self.path}: {exc.strerror or exc}"
            ) from None
        try:
            data = json.loads(text)
        except ValueError:
            raise ConfigError(
                f"the credentials file {self.path} is damaged",
                hint="remove it and store the tokens again with `amsync auth set`",
            ) from None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ConfigError(
                f"{self.path} is not an amsync credentials file",
                hint="move it away and store the tokens again with `amsync auth set`",
            )
        accounts = data.get("accounts")
        return dict(accounts) if isinstance(accounts, dict) else {}

    def _write(self, accounts: dict[str, Any]) -> None:
        payload = json.dumps({"format": _FORMAT, "version": 1, "accounts": accounts}, indent=2)
        write_private_file(self.path, payload, what="credentials file")


def _secret(value: Any) -> Secret | None:
    return Secret(value) if isinstance(value, str) and value else None
