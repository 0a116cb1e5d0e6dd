"""Settings: command-line option > environment (``AMSYNC_*``) > ``<home>/config.toml`` > default.

Settings are built once by the CLI and passed down; nothing in amsync reads them from a global.
Tokens come from the environment or the credentials store (``credentials.py``), never from
``config.toml``; they are held as ``Secret`` so that ``repr(settings)`` shows no token.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

import platformdirs

from amsync.config.secret import Secret
from amsync.errors import ConfigError

DEFAULT_API_URL: Final = "https://api.music.apple.com"
# Apple's MusicKit on the Web script, loaded by the `amsync auth login` page. Tests and demos
# point AMSYNC_MUSICKIT_JS_URL at the emulator's stand-in (`/musickit/v3/musickit.js`).
DEFAULT_MUSICKIT_JS_URL: Final = "https://js-cdn.music.apple.com/musickit/v3/musickit.js"
DEFAULT_ACCOUNT: Final = "default"
CONFIG_FILE_NAME: Final = "config.toml"
DATABASE_FILE_NAME: Final = "amsync.db"

_ACCOUNT_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_STOREFRONT_RE: Final = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True)
class Settings:
    """Everything amsync needs to know before it talks to Apple or opens the database."""

    home: Path
    db: str
    api_url: str = DEFAULT_API_URL
    account: str = DEFAULT_ACCOUNT
    verbosity: int = 0
    storefront: str | None = None
    developer_token: Secret | None = None
    music_user_token: Secret | None = None
    key_file: Path | None = None
    team_id: str | None = None
    key_id: str | None = None
    retry_budget: float = 60.0
    catalog_refresh_days: int = 30
    max_delete_pct: float = 10.0
    max_delete_min: int = 50
    concurrency: int = 8
    musickit_js_url: str = DEFAULT_MUSICKIT_JS_URL
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def source_of(self, name: str) -> str:
        """Where a setting came from: ``option``, ``environment``, ``config`` or ``default``."""
        return self.sources.get(name, "default")

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


# name in Settings -> (environment variable, key in config.toml or None, parser)
_ENV_NAMES: Final[dict[str, str]] = {
    "db": "AMSYNC_DB",
    "api_url": "AMSYNC_API_URL",
    "account": "AMSYNC_ACCOUNT",
    "storefront": "AMSYNC_STOREFRONT",
    "developer_token": "AMSYNC_DEVELOPER_TOKEN",
    "music_user_token": "AMSYNC_MUSIC_USER_TOKEN",
    "key_file": "AMSYNC_KEY_FILE",
    "team_id": "AMSYNC_TEAM_ID",
    "key_id": "AMSYNC_KEY_ID",
    "retry_budget": "AMSYNC_RETRY_BUDGET",
    "catalog_refresh_days": "AMSYNC_CATALOG_REFRESH_DAYS",
    "max_delete_pct": "AMSYNC_MAX_DELETE",
    "concurrency": "AMSYNC_CONCURRENCY",
    "musickit_js_url": "AMSYNC_MUSICKIT_JS_URL",
}
_SECRET_NAMES: Final = frozenset({"developer_token", "music_user_token"})
_CONFIG_KEYS: Final[dict[str, str]] = {
    "db": "db",
    "api_url": "api_url",
    "account": "account",
    "storefront": "storefront",
    "key_file": "key_file",
    "team_id": "team_id",
    "key_id": "key_id",
    "retry_budget": "retry_budget",
    "catalog_refresh_days": "catalog_refresh_days",
    "max_delete_pct": "max_delete",
    "max_delete_min": "max_delete_min",
    "concurrency": "concurrency",
    "musickit_js_url": "musickit_js_url",
}


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("amsync", appauthor=False))


def resolve_home(option: str | Path | None, env: Mapping[str, str]) -> tuple[Path, str]:
    if option:
        return Path(option).expanduser(), "option"
    if env.get("AMSYNC_HOME"):
        return Path(env["AMSYNC_HOME"]).expanduser(), "environment"
    return default_home(), "default"


def load_settings(
    options: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from command-line ``options`` (``None`` values mean "not given"), the
    environment and ``<home>/config.toml``."""
    options = {k: v for k, v in (options or {}).items() if v is not None}
    env = dict(env if env is not None else {})
    home, home_source = resolve_home(options.pop("home", None), env)
    config = read_config_file(home / CONFIG_FILE_NAME)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {"home": home_source}
    for f in fields(Settings):
        name = f.name
        if name in ("home", "sources"):
            continue
        raw, source = _pick(name, options, env, config)
        if source == "default":
            continue
        values[name] = _parse(name, raw, source)
        sources[name] = source
    if "db" not in values:
        values["db"] = str(home / DATABASE_FILE_NAME)
        sources["db"] = "default"
    settings = Settings(home=home, sources=sources, **values)
    _validate(settings)
    return settings


def _pick(
    name: str, options: Mapping[str, Any], env: Mapping[str, str], config: Mapping[str, Any]
) -> tuple[Any, str]:
    if name in options:
        return options[name], "option"
    env_name = _ENV_NAMES.get(name)
    if env_name and env.get(env_name, "") != "":
        return env[env_name], "environment"
    key = _CONFIG_KEYS.get(name)
    if key and key in config:
        return config[key], "config"
    return None, "default"


def _parse(name: str, raw: Any, source: str) -> Any:
    where = _describe_source(name, source)
    if name in _SECRET_NAMES:
        return Secret(str(raw).strip())
    if name == "key_file":
        return Path(str(raw)).expanduser()
    if name in ("retry_budget", "max_delete_pct"):
        return _number(raw, where, float, minimum=0)
    if name in ("catalog_refresh_days", "max_delete_min", "concurrency", "verbosity"):
        return _number(raw, where, int, minimum=0)
    if not isinstance(raw, str):
        raise ConfigError(f"{where} must be text, not {type(raw).__name__}")
    return raw.strip()


def _number(raw: Any, where: str, kind: type[int] | type[float], *, minimum: float) -> Any:
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where} must be a number, got {str(raw)[:40]!r}") from None
    if value < minimum:
        raise ConfigError(f"{where} must be at least {minimum}, got {value}")
    return value


def _describe_source(name: str, source: str) -> str:
    if source == "environment":
        return _ENV_NAMES[name]
    if source == "config":
        return f"{CONFIG_FILE_NAME} key {_CONFIG_KEYS[name]!r}"
    return f"option --{name.replace('_', '-')}"


def check_account_name(name: str) -> str:
    """``name`` if it can name an account; else a ``ConfigError`` saying what is allowed."""
    if not _ACCOUNT_RE.match(name):
        raise ConfigError(
            f"account name {name[:70]!r} is not allowed",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return name


def _validate(settings: Settings) -> None:
    check_account_name(settings.account)
    if settings.storefront is not None and not _STOREFRONT_RE.match(settings.storefront):
        raise ConfigError(
            f"storefront {settings.storefront[:20]!r} is not a two-letter storefront code",
            hint="for example 'us' or 'gb'",
        )
    if not settings.api_url.startswith(("http://", "https://")):
        raise ConfigError(f"API URL {settings.api_url[:80]!r} must start with http:// or https://")
    if not settings.musickit_js_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"MusicKit script URL {settings.musickit_js_url[:80]!r} must start with http:// or "
            "https://",
            hint="unset AMSYNC_MUSICKIT_JS_URL to use Apple's script",
        )
    if settings.concurrency < 1:
        raise ConfigError("concurrency must be at least 1")
    signing = (settings.key_file, settings.team_id, settings.key_id)
    if any(signing) and not all(signing):
        raise ConfigError(
            "signing developer tokens needs all of AMSYNC_KEY_FILE, AMSYNC_TEAM_ID and "
            "AMSYNC_KEY_ID",
            hint="set the missing ones, or unset them and use AMSYNC_DEVELOPER_TOKEN",
        )


def read_config_file(path: Path) -> dict[str, Any]:
    """Read ``config.toml``; a missing file is an empty config, a broken one a clear error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc.__class__.__name__}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_CONFIG_KEYS.values()))
    if unknown:
        raise ConfigError(
            f"{path} has unknown keys: {', '.join(unknown)}",
            hint=f"known keys: {', '.join(sorted(_CONFIG_KEYS.values()))}",
        )
    return data
