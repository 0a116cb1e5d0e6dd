"""The ``amsync`` command line: global options, the command tree, and the one place where
errors become exit codes (DESIGN §3)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from amsync import __version__
from amsync.cli.context import AppContext
from amsync.cli.lazy_group import LazyGroup
from amsync.cli.output import error
from amsync.errors import EXIT_UNEXPECTED, EXIT_USAGE, AmsyncError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

log = logging.getLogger("amsync")


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="amsync")
@click.option(
    "--db",
    metavar="URL_OR_PATH",
    help="SQLAlchemy URL or SQLite file path [env AMSYNC_DB; default <home>/amsync.db].",
)
@click.option(
    "--home",
    metavar="DIR",
    help="Folder for config, credentials, lock and backups [env AMSYNC_HOME].",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="Apple Music API base URL [env AMSYNC_API_URL; default https://api.music.apple.com].",
)
@click.option(
    "--account",
    metavar="NAME",
    help="Which mirrored library [env AMSYNC_ACCOUNT; default 'default'].",
)
@click.option("-v", "--verbose", "verbosity", count=True, help="More output (-vv: debug log).")
@click.option("-q", "--quiet", is_flag=True, help="Less output (warnings still show).")
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """amsync keeps a complete, queryable, versioned copy of your Apple Music library.

    Start with `amsync demo` (no Apple account needed). Global options go before the command:
    `amsync --db X sync`. Exit codes: 0 done, 1 unexpected error, 2 usage or configuration
    error, 3 authorization needs a person, 4 refused (deletion guard or lock), 75 temporary
    failure: try again later.
    """
    app = AppContext(options=dict(options))
    ctx.obj = app
    ctx.call_on_close(app.close)
    _configure_logging(app.verbosity, app.quiet)


def _configure_logging(verbosity: int, quiet: bool) -> None:
    level = logging.WARNING
    if verbosity == 1:
        level = logging.INFO
    elif verbosity >= 2:
        level = logging.DEBUG
    root = logging.getLogger("amsync")
    root.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("amsync: %(levelname)s: %(name)s: %(message)s"))
        root.addHandler(handler)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every error is translated here, once."""
    try:
        result = cli.main(args=args, prog_name="amsync", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code in (1, 2) else int(exc.exit_code)
    except click.Abort:
        error("aborted")
        return EXIT_UNEXPECTED
    except AmsyncError as exc:
        runs = logging.getLogger("amsync.runs")
        if runs.handlers:  # the log file of scheduled runs, when a command attached it
            runs.error("%s (exit %d)", exc, exc.exit_code)
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except Exception as exc:  # the last line of defence: one line, no traceback
        log.debug("unexpected error", exc_info=True)
        error(
            f"unexpected {exc.__class__.__name__}: {str(exc)[:300]} "
            "(run with -vv for details, and please report it)"
        )
        return EXIT_UNEXPECTED
    return int(result) if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
