"""The global options (``--db``, ``--home``, ``--api-url``, ``--account``, ``-v``, ``-q``),
accepted before the command (``amsync --db X stats``) and after it (``amsync stats --db X``).

The root group declares them once, from ``GLOBAL_OPTIONS``. Every command loaded through the
lazy group (and each of its sub-commands) gets hidden copies (``attach_global_options``) whose
callbacks put the value where the root's would have gone: ``AppContext.options`` (the root's
callback has run by then; settings are built later, on first use), and ``ctx.meta`` so that
shell completion, which runs no callbacks of the root, sees them too. A value after the
command wins over one before it; ``-v`` counts add up (``amsync -v sync -v`` is ``-vv``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
LATE_OPTIONS_KEY: Final = "amsync.late_global_options"
_ATTACHED: Final = "_amsync_global_options"


class GlobalOption(NamedTuple):
    name: str
    declarations: tuple[str, ...]
    settings: dict[str, Any]


GLOBAL_OPTIONS: Final = (
    GlobalOption(
        "db",
        ("--db",),
        {
            "metavar": "URL_OR_PATH",
            "help": "SQLAlchemy URL or SQLite file path [env AMSYNC_DB; default <home>/amsync.db].",
        },
    ),
    GlobalOption(
        "home",
        ("--home",),
        {
            "metavar": "DIR",
            "help": "Folder for config, credentials, lock and backups [env AMSYNC_HOME].",
        },
    ),
    GlobalOption(
        "api_url",
        ("--api-url",),
        {
            "metavar": "URL",
            "help": "Apple Music API base URL [env AMSYNC_API_URL; default "
            "https://api.music.apple.com].",
        },
    ),
    GlobalOption(
        "account",
        ("--account",),
        {
            "metavar": "NAME",
            "help": "Which mirrored library [env AMSYNC_ACCOUNT; default 'default'].",
            "shell_complete": "accounts",
        },
    ),
    GlobalOption(
        "notify",
        ("--notify",),
        {
            "metavar": "URLS",
            "help": "Apprise URLs to notify of failures, lost songs and expiring tokens "
            "(space or comma separated) [env AMSYNC_NOTIFY].",
        },
    ),
    GlobalOption(
        "verbosity",
        ("-v", "--verbose"),
        {
            "count": True,
            "help": "More output: -v per-collection summaries, retries and throttling; "
            "-vv every request.",
        },
    ),
    GlobalOption(
        "quiet",
        ("-q", "--quiet"),
        {"is_flag": True, "help": "Less output (warnings still show)."},
    ),
)
NAMES: Final = frozenset(option.name for option in GLOBAL_OPTIONS)


def _complete_account(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from amsync.cli.completion import complete_account

    return complete_account(ctx, param, incomplete)


def _settings(option: GlobalOption) -> dict[str, Any]:
    settings = dict(option.settings)
    if settings.get("shell_complete") == "accounts":
        settings["shell_complete"] = _complete_account
    return settings


def global_options(func: F) -> F:
    """The root group's options."""
    for option in reversed(GLOBAL_OPTIONS):
        func = click.option(*option.declarations, option.name, **_settings(option))(func)
    return func


def late_options(ctx: click.Context) -> dict[str, Any]:
    """The global options given after the command (for completion, which runs no callbacks)."""
    found: dict[str, Any] = ctx.meta.setdefault(LATE_OPTIONS_KEY, {})
    return found


def given_options(ctx: click.Context) -> dict[str, Any]:
    """Every global option as the command line gave it, before or after the command."""
    root = ctx.find_root()
    options = {name: root.params.get(name) for name in NAMES}
    for name, value in late_options(ctx).items():
        if name == "verbosity":
            options[name] = int(options.get(name) or 0) + int(value)
        else:
            options[name] = value
    return options


def _record(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """The callback of a global option given after the command."""
    if value is None or value is False or value == 0:
        return
    name = str(param.name)
    late = late_options(ctx)
    late[name] = int(late.get(name, 0)) + int(value) if name == "verbosity" else value
    from amsync.cli.context import AppContext

    app = ctx.find_object(AppContext)
    if app is None:
        return
    if name == "verbosity":
        app.options[name] = int(app.options.get(name) or 0) + int(value)
    else:
        app.options[name] = value
    if name in ("verbosity", "quiet"):
        from amsync.cli.logging_setup import configure_logging

        configure_logging(app.verbosity, app.quiet)


def attach_global_options(command: click.Command) -> click.Command:
    """Hidden copies of the global options on ``command`` and its sub-commands (once)."""
    if getattr(command, _ATTACHED, False):
        return command
    taken = {opt for param in command.params for opt in getattr(param, "opts", ())}
    for option in GLOBAL_OPTIONS:
        if taken & set(option.declarations):
            continue  # the command's own option of that name wins
        settings = _settings(option)
        settings.pop("help", None)
        command.params.append(
            click.Option(
                [*option.declarations, option.name],
                hidden=True,
                expose_value=False,
                callback=_record,
                **settings,
            )
        )
    setattr(command, _ATTACHED, True)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach_global_options(sub)
    return command
