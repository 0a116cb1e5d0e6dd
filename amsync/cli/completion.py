r"""``amsync completion bash|zsh|fish``: the shell completion script (click's mechanism), and
the completions that read the mirror: account names (``--account``) and playlist names
(``show playlist``, ``--playlist``).

Install: ``eval "$(amsync completion bash)"`` in ``~/.bashrc``, ``eval "$(amsync completion
zsh)"`` in ``~/.zshrc``, ``amsync completion fish > ~/.config/fish/completions/amsync.fish``.
The shell then runs ``amsync`` with ``_AMSYNC_COMPLETE=<shell>_complete`` to ask for
candidates; the mirror is read the fast way (``AppContext.reading``), honouring ``--db``,
``--home`` and ``--account`` typed earlier on the line. A completion that fails (no database
yet) offers nothing rather than an error.

Names with spaces, quotes and other characters the shell treats specially (``Broken Song``)
are completed escaped, so the completed line runs as typed (issue 22, item 4), and a second
TAB where nothing more can be inserted lists the candidates. Each shell escapes what it
inserts with its own rules — the values go to it as they are: bash's script completes them as
readline completes file names (``compopt -o filenames``: ``Broken\ Song``, or ``"Broken Song"``
after an opening quote; the longest common part is computed on the names, so it never ends
half-way through an escape), zsh's ``compadd`` quotes them, and fish escapes completions
itself; fish's script splits each answer at its first comma only (a name may hold commas). A
name holding a line break cannot cross the one-answer-per-line protocol and is not offered.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem, ShellComplete

    from amsync.cli.context import AppContext
    from amsync.db.reading import Reader

SHELLS: Final = ("bash", "zsh", "fish")
COMPLETE_VAR: Final = "_AMSYNC_COMPLETE"

# click's bash script, with each value added to COMPREPLY as one word (``read -r``: as sent)
# and completed as readline completes file names (``compopt -o filenames``): readline escapes
# what it inserts and lists the values as they are.
_SOURCE_BASH: Final = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response

    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \
%(complete_var)s=bash_complete $1)

    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            compopt -o filenames
            COMPREPLY+=("$value")
        fi
    done

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""

# click's fish script, with each answer split at its first comma only.
_SOURCE_FISH: Final = """\
function %(complete_func)s;
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) \
COMP_CWORD=(commandline -t) %(prog_name)s);

    for completion in $response;
        set -l metadata (string split -m 1 "," $completion);

        if test $metadata[1] = "dir";
            __fish_complete_directories $metadata[2];
        else if test $metadata[1] = "file";
            __fish_complete_path $metadata[2];
        else if test $metadata[1] = "plain";
            echo $metadata[2];
        end;
    end;
end;

complete --no-files --command %(prog_name)s --arguments \
"(%(complete_func)s)";
"""


def one_line(value: str) -> bool:
    """Whether a value can cross a one-answer-per-line protocol (zsh, fish)."""
    return "\n" not in value and "\r" not in value


def completion_classes() -> dict[str, type[ShellComplete]]:
    """click's completion classes for bash, zsh and fish, with the escaping above; registered
    with click (``add_completion_class``) by the root group before it answers a completion."""
    from click.shell_completion import BashComplete, FishComplete, ZshComplete

    class AmsyncBash(BashComplete):
        source_template = _SOURCE_BASH

        def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
            found = super().get_completions(args, incomplete)
            return [item for item in found if one_line(str(item.value))]

    class AmsyncZsh(ZshComplete):
        def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
            found = super().get_completions(args, incomplete)
            return [item for item in found if one_line(str(item.value))]

    class AmsyncFish(FishComplete):
        source_template = _SOURCE_FISH

        def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
            found = super().get_completions(args, incomplete)
            return [item for item in found if one_line(str(item.value))]

    return {"bash": AmsyncBash, "zsh": AmsyncZsh, "fish": AmsyncFish}


def register() -> None:
    from click.shell_completion import add_completion_class

    for name, cls in completion_classes().items():
        add_completion_class(cls, name)


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
    from amsync.cli import cli

    completion_class = completion_classes()[shell]
    click.echo(completion_class(cli, {}, "amsync", COMPLETE_VAR).source(), nl=False)
