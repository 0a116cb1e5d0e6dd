"""Settings: command-line option > environment (``AMSYNC_*``) > ``<home>/config.toml`` > default.

Settings are built once by the CLI and passed down; nothing in amsync reads them from a global.
Tokens come from the environment or the credentials store (``credentials.py``), never from
``config.toml``; they are held as ``Secret`` so that ``repr(settings)`` shows no token.

Every setting is described once in ``SETTINGS``: its environment variable, its ``config.toml``
key, its command-line option (global or a command's, e.g. ``sync --max-delete``) and the one
parser that validates it. The same parser checks the value whatever its source, and its error
names that source: ``AMSYNC_MAX_DELETE=500 (environment): must be a number from 0 to 100``,
``…/config.toml key max_delete = 500: …``, ``--max-delete 500 (option): …`` (exit 2).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import platformdirs

from amsync.config.secret import Secret
from amsync.errors import ConfigError

DEFAULT_API_URL: Final = "https://api.music.apple.com"
DEFAULT_ACCOUNT: Final = "default"
CONFIG_FILE_NAME: Final = "config.toml"
DATABASE_FILE_NAME: Final = "amsync.db"
# Apple's MusicKit on the Web script, loaded by the `amsync auth login` page. Tests and demos
# point AMSYNC_MUSICKIT_JS_URL at the emulator's stand-in (`/musickit/v3/musickit.js`).
DEFAULT_MUSICKIT_JS_URL: Final = "https://js-cdn.music.apple.com/musickit/v3/musickit.js"

_ACCOUNT_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_STOREFRONT_RE: Final = re.compile(r"^[a-z]{2}$")
_IDENTIFIER_RE: Final = re.compile(r"^[A-Za-z0-9]{1,64}$")


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
    notify: tuple[Secret, ...] = ()
    """Apprise URLs to notify (they may hold passwords or tokens: kept as ``Secret``)."""
    rate_memory: Path | None = None  # None: <home>/rate-memory.json
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    config_path: Path | None = field(default=None, compare=False)

    def source_of(self, name: str) -> str:
        """Where a setting came from: ``option``, ``environment``, ``config`` or ``default``."""
        return self.sources.get(name, "default")

    def describe_source(self, name: str) -> str:
        """Where a setting came from, in words a user can act on: ``AMSYNC_RETRY_BUDGET``,
        ``config.toml key retry_budget``, ``option --max-delete`` or ``the default``."""
        spec = SETTINGS.get(name)
        source = self.source_of(name)
        if spec is None or source == "default":
            return "the default"
        if source == "environment" and spec.env:
            return spec.env
        if source == "config" and spec.config_key:
            return f"{CONFIG_FILE_NAME} key {spec.config_key}"
        if source == "option" and spec.option:
            return f"option {spec.option}"
        return source

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


# --- one parser per setting ------------------------------------------------------------------

Parser = Callable[[Any, str], Any]
"""A raw value and where it came from (for the message) → the value, or ``ConfigError``."""


def _shown(raw: Any) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: must be text, not {_kind(raw)}")
    value = raw.strip()
    if not value:
        raise ConfigError(f"{where}: must not be empty")
    return value


def _kind(raw: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list"}.get(
        type(raw), type(raw).__name__
    )


def _url(raw: Any, where: str) -> str:
    value = _http_url(raw, where, hint=f"the Apple Music API is {DEFAULT_API_URL}")
    parts = urlsplit(value)
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: must be a base URL without '?' or '#'")
    return value


def _script_url(raw: Any, where: str) -> str:
    return _http_url(raw, where, hint="unset AMSYNC_MUSICKIT_JS_URL to use Apple's script")


def _http_url(raw: Any, where: str, *, hint: str) -> str:
    value = _text(raw, where)
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: must be an http:// or https:// URL with a host", hint=hint)
    return value


def _account(raw: Any, where: str) -> str:
    value = _text(raw, where)
    if not _ACCOUNT_RE.match(value):
        raise ConfigError(
            f"{where}: account name {value[:70]!r} is not allowed",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return value


def _storefront(raw: Any, where: str) -> str:
    value = _text(raw, where).lower()
    if not _STOREFRONT_RE.match(value):
        raise ConfigError(
            f"{where}: not a two-letter storefront code", hint="for example 'us' or 'gb'"
        )
    return value


def _secret(raw: Any, where: str) -> Secret:
    value = str(raw).strip()
    if any(c.isspace() for c in value):
        raise ConfigError(f"{where}: a token has no spaces or line breaks in it")
    return Secret(value)


_URL_START: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_SEPARATOR: Final = re.compile(r"\s+|,(?=\s*[A-Za-z][A-Za-z0-9+.-]*://)")


def split_notify_urls(text: str) -> list[str]:
    """Apprise URLs separated by spaces or commas. A comma separates only when a URL follows
    it, so a URL's own commas (``mailto://…?to=a@x.org,b@y.org``) stay in it."""
    return [part.strip(", ") for part in _URL_SEPARATOR.split(text) if part.strip(", ")]


_HOST: Final = re.compile(
    r"^(localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)(:\d+)?$"
)


def shown_url(url: str) -> str:
    """A URL as amsync may print it: the scheme, and the host when it is a host name or an
    address (Apprise URLs carry passwords and tokens everywhere else — a Telegram bot token
    or an ntfy topic stands where a host would)."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    if not host:
        return f"{scheme}://"
    return f"{scheme}://{host}" if _HOST.match(host) else f"{scheme}://…"


def _notify(raw: Any, where: str) -> tuple[Secret, ...]:
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        urls = [url for item in raw for url in split_notify_urls(item)]
    elif isinstance(raw, str):
        urls = split_notify_urls(raw)
    else:
        raise ConfigError(f"{where}: must be Apprise URLs (text, or a list of text)")
    if not urls:
        raise ConfigError(
            f"{where}: names no Apprise URL", hint="for example json://host/path or ntfy://topic"
        )
    for number, url in enumerate(urls, 1):
        if not _URL_START.match(url):  # not shown: it may hold a password
            raise ConfigError(
                f"{where}: URL {number} of {len(urls)} is not an Apprise URL (scheme://…)",
                hint="an Apprise URL looks like mailto://user:password@host or json://host/path",
            )
    return tuple(Secret(url) for url in urls)


def _path(raw: Any, where: str) -> Path:
    return Path(_text(raw, where)).expanduser()


def _identifier(raw: Any, where: str) -> str:
    value = _text(raw, where)
    if not _IDENTIFIER_RE.match(value):
        raise ConfigError(f"{where}: must be letters and digits (Apple's 10-character ids)")
    return value


def _number(
    kind: type[int] | type[float], low: float, high: float | None, unit: str = ""
) -> Parser:
    whole = kind is int
    words = "a whole number" if whole else "a number"
    span = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}"
    expected = f"must be {words} {span}{unit}"

    def parse(raw: Any, where: str) -> Any:
        value: float
        if isinstance(raw, bool):
            raise ConfigError(f"{where}: {expected}, not true/false")
        if isinstance(raw, int | float):
            value = raw
        else:
            try:
                value = float(str(raw).strip())
            except ValueError:
                raise ConfigError(f"{where}: {expected}") from None
        if not math.isfinite(value) or value < low or (high is not None and value > high):
            raise ConfigError(f"{where}: {expected}")
        if whole:
            if not float(value).is_integer():
                raise ConfigError(f"{where}: {expected}")
            return int(value)
        return float(value)

    return parse


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One setting: where it can be set and how it is checked."""

    name: str
    parse: Parser
    env: str | None = None
    config_key: str | None = None
    option: str | None = None  # the command-line option (global, or a command's)
    secret: bool = False


def _specs(*specs: SettingSpec) -> dict[str, SettingSpec]:
    return {spec.name: spec for spec in specs}


SETTINGS: Final[dict[str, SettingSpec]] = _specs(
    SettingSpec("db", _text, "AMSYNC_DB", "db", "--db"),
    SettingSpec("api_url", _url, "AMSYNC_API_URL", "api_url", "--api-url"),
    SettingSpec("account", _account, "AMSYNC_ACCOUNT", "account", "--account"),
    SettingSpec("storefront", _storefront, "AMSYNC_STOREFRONT", "storefront"),
    SettingSpec("developer_token", _secret, "AMSYNC_DEVELOPER_TOKEN", secret=True),
    SettingSpec("music_user_token", _secret, "AMSYNC_MUSIC_USER_TOKEN", secret=True),
    SettingSpec("key_file", _path, "AMSYNC_KEY_FILE", "key_file"),
    SettingSpec("team_id", _identifier, "AMSYNC_TEAM_ID", "team_id"),
    SettingSpec("key_id", _identifier, "AMSYNC_KEY_ID", "key_id"),
    SettingSpec(
        "retry_budget",
        _number(float, 0, 86_400, " (seconds)"),
        "AMSYNC_RETRY_BUDGET",
        "retry_budget",
    ),
    SettingSpec(
        "catalog_refresh_days",
        _number(int, 0, 3650, " (days)"),
        "AMSYNC_CATALOG_REFRESH_DAYS",
        "catalog_refresh_days",
        "--refresh-catalog",
    ),
    SettingSpec(
        "max_delete_pct",
        _number(float, 0, 100, " (percent)"),
        "AMSYNC_MAX_DELETE",
        "max_delete",
        "--max-delete",
    ),
    SettingSpec("max_delete_min", _number(int, 0, None, " (items)"), None, "max_delete_min"),
    SettingSpec("concurrency", _number(int, 1, 64), "AMSYNC_CONCURRENCY", "concurrency"),
    SettingSpec("musickit_js_url", _script_url, "AMSYNC_MUSICKIT_JS_URL", "musickit_js_url"),
    SettingSpec("notify", _notify, "AMSYNC_NOTIFY", "notify", "--notify", secret=True),
    SettingSpec("rate_memory", _path, "AMSYNC_RATE_MEMORY", "rate_memory"),
    SettingSpec("verbosity", _number(int, 0, None), option="-v"),
)
CONFIG_KEYS: Final = frozenset(s.config_key for s in SETTINGS.values() if s.config_key)


def where_from(spec: SettingSpec, raw: Any, source: str, config_path: Path | None = None) -> str:
    """How an error names a value's source (a secret's value is never shown)."""
    if source == "environment":
        return (
            f"{spec.env} (environment)"
            if spec.secret
            else f"{spec.env}={_shown(raw)} (environment)"
        )
    if source == "config":
        path = config_path or Path(CONFIG_FILE_NAME)
        if spec.secret:
            return f"{path} key {spec.config_key}"
        return f"{path} key {spec.config_key} = {_shown(raw)}"
    if spec.secret:
        return f"{spec.option or spec.name} (option)"
    return f"{spec.option or spec.name} {_shown(raw)} (option)"


def parse_setting(name: str, raw: Any, source: str, config_path: Path | None = None) -> Any:
    """``raw`` checked and converted by setting ``name``'s parser; ``ConfigError`` naming the
    source otherwise."""
    spec = SETTINGS[name]
    return spec.parse(raw, where_from(spec, raw, source, config_path))


# --- loading ---------------------------------------------------------------------------------


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
    """Build settings from command-line ``options`` (``None`` values mean "not given"; keys
    are ``Settings`` field names), the environment and ``<home>/config.toml``."""
    options = {k: v for k, v in (options or {}).items() if v is not None}
    env = dict(env if env is not None else {})
    home, home_source = resolve_home(options.pop("home", None), env)
    config_path = home / CONFIG_FILE_NAME
    config = read_config_file(config_path)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {"home": home_source}
    for f in fields(Settings):
        spec = SETTINGS.get(f.name)
        if spec is None:
            continue
        raw, source = _pick(spec, options, env, config)
        if source == "default":
            continue
        values[f.name] = parse_setting(f.name, raw, source, config_path)
        sources[f.name] = source
    if "db" not in values:
        values["db"] = str(home / DATABASE_FILE_NAME)
        sources["db"] = "default"
    settings = Settings(home=home, sources=sources, config_path=config_path, **values)
    _validate(settings)
    return settings


def _pick(
    spec: SettingSpec, options: Mapping[str, Any], env: Mapping[str, str], config: Mapping[str, Any]
) -> tuple[Any, str]:
    if spec.name in options:
        return options[spec.name], "option"
    if spec.env and env.get(spec.env, "") != "":
        return env[spec.env], "environment"
    if spec.config_key and spec.config_key in config:
        return config[spec.config_key], "config"
    return None, "default"


def check_account_name(name: str) -> str:
    """``name`` if it can name an account; else a ``ConfigError`` saying what is allowed."""
    if not _ACCOUNT_RE.match(name):
        raise ConfigError(
            f"account name {name[:70]!r} is not allowed",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return name


def _validate(settings: Settings) -> None:
    """What no single setting can tell on its own."""
    signing = (settings.key_file, settings.team_id, settings.key_id)
    if any(signing) and not all(signing):
        raise ConfigError(
            "signing developer tokens needs all of AMSYNC_KEY_FILE, AMSYNC_TEAM_ID and "
            "AMSYNC_KEY_ID (or key_file, team_id and key_id in config.toml)",
            hint="set the missing ones, or unset them and use AMSYNC_DEVELOPER_TOKEN",
        )


def _os_error_words(path: Path, exc: OSError) -> str:
    """What an ``OSError`` on ``path`` means, in words (no exception class names)."""
    if isinstance(exc, NotADirectoryError):
        parent = next((p for p in path.parents if p.exists()), path.parent)
        return f"{parent} is a file, not a folder (the amsync home must be a folder)"
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a folder, not a file"
    if isinstance(exc, PermissionError):
        return f"permission denied (check the rights on {path} and its folder)"
    return exc.strerror or "it cannot be read"


def read_config_file(path: Path) -> dict[str, Any]:
    """Read ``config.toml``; a missing file is an empty config, a broken one a clear error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {_os_error_words(path, exc)}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"{path} has unknown keys: {', '.join(unknown)}",
            hint=f"known keys: {', '.join(sorted(CONFIG_KEYS))}",
        )
    return data
