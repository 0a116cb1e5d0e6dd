"""``amsync completion bash|zsh|fish``: the shell completion script (click's mechanism), and
the completions that read the mirror: account names (``--account``) and playlist names
(``show playlist``, ``--playlist``).

Install: ``eval "$(amsync completion bash)"`` in ``~/.bashrc``, ``eval "$(amsync completion
zsh)"`` in ``~/.zshrc``, ``amsync completion fish > ~/.config/fish/completions/amsync.fish``.
The shell then runs ``amsync`` with ``_AMSYNC_COMPLETE=<shell>_complete`` to ask for
candidates; the mirror is read the fast way (``AppContext.reading``), honouring ``--db``,
``--home`` and ``--account`` typed earlier on the line. A completion that fails (no database
yet) offers nothing rather than an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from amsync.cli.context import AppContext
    from amsync.db.reading import Reader

SHELLS: Final = ("bash", "zsh", "fish")
COMPLETE_VAR: Final = "_AMSYNC_COMPLETE"


def _names(ctx: click.Context, lookup: Callable[[Reader, AppContext], list[str]]) -> list[str]:
    from amsync.cli.context import AppContext
    from amsync.cli.global_options import given_options
    from amsync.errors import AmsyncError

    app = AppContext(options=given_options(ctx), env=dict(os.environ))
    try:
        with app.reading() as reader:
            return lookup(reader, app)
    except (AmsyncError, OSError, ValueError):
        return []
    finally:
        app.close()


def complete_account(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from amsync.db.reading import account_names

    found = _names(ctx, lambda reader, _app: account_names(reader, incomplete))
    return [CompletionItem(name) for name in found]


def complete_playlist(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from amsync.db.reading import account_id_of
    from amsync.query.playlist_lookup import playlist_names

    def lookup(reader: Reader, app: AppContext) -> list[str]:
        return playlist_names(reader, account_id_of(reader, app.settings.account), incomplete)

    return [CompletionItem(name) for name in _names(ctx, lookup)]


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Commands, options, account names and playlist names complete. Add to ~/.bashrc: eval
    "$(amsync completion bash)"; to ~/.zshrc: eval "$(amsync completion zsh)"; for fish:
    amsync completion fish > ~/.config/fish/completions/amsync.fish
    """
    from click.shell_completion import get_completion_class

    from amsync.cli import cli

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # the choice above lists only click's shells
    click.echo(completion_class(cli, {}, "amsync", COMPLETE_VAR).source(), nl=False)
