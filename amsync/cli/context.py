"""The CLI's context object: global options → settings → store, credentials and API client.

This is the one composition root (DESIGN §1): commands ask the context for what they need and
everything is built lazily, once, and closed when the command ends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from amsync.cli.output import warn
from amsync.config.home import ensure_home

log = logging.getLogger("amsync.cli")

if TYPE_CHECKING:  # imported when first used: `amsync --help` must not pay for them
    from amsync.api import AppleMusicClient
    from amsync.cli.client_factory import ResolvedTokens
    from amsync.config.credentials import CredentialStore
    from amsync.config.settings import Settings
    from amsync.db.reading import Reader, SqliteReader
    from amsync.db.store import Store


@dataclass
class AppContext:
    options: dict[str, Any]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _settings: Settings | None = None
    _stores: dict[tuple[bool, bool], Store] = field(default_factory=dict)
    _scratch: dict[str, Store] = field(default_factory=dict)
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from amsync.config.settings import load_settings

            self._settings = load_settings(self.options, self.env)
        return self._settings

    @property
    def verbosity(self) -> int:
        return int(self.options.get("verbosity") or 0)

    @property
    def quiet(self) -> bool:
        return bool(self.options.get("quiet"))

    def use_options(self, **options: Any) -> Settings:
        """Settings with a command's own options for settings (``sync --max-delete``…) taken
        as the command-line source: checked by the same parser as the environment and
        ``config.toml`` values, and outranking them. ``None`` means "not given"."""
        given = {name: value for name, value in options.items() if value is not None}
        if given:
            self.options.update(given)
            self._settings = None
        return self.settings

    def writable_home(self) -> Path:
        """The home folder, created if missing; ``ConfigError`` (exit 2) when it cannot be
        created or written."""
        return ensure_home(self.settings.home)

    def credentials(self) -> CredentialStore:
        from amsync.config.credentials import CredentialStore

        return CredentialStore(self.settings.home)

    def tokens(self) -> ResolvedTokens:
        """The tokens in effect, with where each came from (never printed)."""
        from amsync.cli.client_factory import resolve_tokens

        return resolve_tokens(self.settings, self.credentials())

    def check_credentials(self) -> None:
        """``CredentialsMissing`` (exit 3) when a token the API needs is missing — called by
        the commands that talk to Apple Music before they create anything (home, log,
        database), so that a first run without tokens leaves nothing behind."""
        from amsync.cli.client_factory import client_config

        client_config(self.settings, self.tokens())

    def client(self, *, remember_rate: bool = True) -> AppleMusicClient:
        """A client for Apple Music; warns on stderr about tokens close to expiry.

        Its request rate starts where the rate memory says the last run with this API and
        token issuer ended (``-v`` says which); with ``remember_rate`` what it finds is kept
        for the next run when the command ends (a dry run only reads the memory)."""
        from amsync.cli.client_factory import client_config, make_client, token_warnings
        from amsync.cli.rate_start import recall_start, remember_end
        from amsync.config.rate_memory import memory_path

        tokens = self.tokens()
        config = client_config(self.settings, tokens)  # CredentialsMissing before the memory
        memory = memory_path(self.settings.home, self.settings.rate_memory)
        start = recall_start(memory, config.base_url, config.developer_token, config.rate)
        log.info("request rate: %s", start.description)
        config = replace(config, start_rate=start.start)
        for message in token_warnings(tokens):
            warn(message)
        client = make_client(config)
        if remember_rate:
            self._cleanups.append(lambda: remember_end(memory, start, client))
        return client

    def store(self, *, create: bool = True, readonly: bool = False) -> Store:
        """The database, opened once per command (and per mode)."""
        key = (create, readonly)
        if key not in self._stores:
            from amsync.db.store import open_store

            if create and not readonly:
                ensure_home(self.settings.home, writable=False)
            self._stores[key] = open_store(self.settings.db, create=create, readonly=readonly)
        return self._stores[key]

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """One consistent read of the mirror for the offline commands.

        A reading command never creates or changes the database file — not a missing one, not
        an empty (0-byte) one, not one of an older amsync (it is refused with the way to
        upgrade it) — whatever the file's permissions: every way in here opens it read-only.
        An SQLite mirror at this amsync's schema is read with the standard library's
        ``sqlite3`` (no SQLAlchemy to load: these commands answer in about 0.1 s); anything
        else goes through the store opened read-only, whose checks give the errors."""
        with self._fast_reader() as fast:
            if fast is not None:
                yield fast
                return
        from amsync.query.snapshot import reading

        with reading(self.store(create=False, readonly=True)) as reader:
            yield reader

    @contextmanager
    def _fast_reader(self) -> Iterator[SqliteReader | None]:
        from amsync.db.reading import open_sqlite_reader, sqlite_path_of

        path = sqlite_path_of(self.settings.db)
        if path is None:
            yield None
            return
        with open_sqlite_reader(path) as reader:
            yield reader

    @contextmanager
    def sql_source(self) -> Iterator[Store | SqliteReader]:
        """Where ``amsync query`` runs its statement: the fast SQLite reader, or the store
        opened read-only."""
        with self._fast_reader() as fast:
            if fast is not None:
                yield fast
                return
        yield self.store(create=False, readonly=True)

    def store_or_scratch(self) -> Store:
        """For commands that must create nothing (``sync --dry-run``): the database if it
        exists; when the SQLite file does not, an empty throwaway database in a temporary
        folder, removed when the command ends — neither the home nor the database is made."""
        from amsync.db.engine import database_url, is_sqlite

        url = database_url(self.settings.db)
        if not is_sqlite(url) or Path(str(url.database)).exists():
            return self.store(create=False)
        if "scratch" not in self._scratch:
            import tempfile

            from amsync.db.store import open_store

            folder = tempfile.TemporaryDirectory(prefix="amsync-dry-run-")
            self._cleanups.append(folder.cleanup)
            self._scratch["scratch"] = open_store(str(Path(folder.name) / "empty.db"))
        return self._scratch["scratch"]

    @property
    def uses_scratch_store(self) -> bool:
        return bool(self._scratch)

    def close(self) -> None:
        for store in [*self._stores.values(), *self._scratch.values()]:
            store.close()
        self._stores.clear()
        self._scratch.clear()
        for cleanup in reversed(self._cleanups):
            cleanup()
        self._cleanups.clear()


def app_context(ctx: click.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    if obj is None:  # pragma: no cover - the root group always sets it
        raise RuntimeError("amsync CLI context missing")
    return obj


pass_app = click.make_pass_decorator(AppContext)
