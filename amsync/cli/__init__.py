"""The ``amsync`` command line: global options, the command tree, and the one place where
errors become exit codes (DESIGN §3)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from amsync import __version__
from amsync.cli.context import AppContext
from amsync.cli.global_options import global_options
from amsync.cli.lazy_group import LazyGroup
from amsync.cli.logging_setup import configure_logging
from amsync.cli.output import error
from amsync.cli.usage_errors import usage_error_line
from amsync.errors import EXIT_UNEXPECTED, EXIT_USAGE, AmsyncError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

log = logging.getLogger("amsync")


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="amsync")
@global_options
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """amsync keeps a complete, queryable, versioned copy of your Apple Music library.

    Start with `amsync demo` (no Apple account needed). Global options go before or after the
    command: `amsync --db X stats` or `amsync stats --db X`. Listings take --format
    table|tsv|csv|json (piped: tsv). Exit codes: 0 done, 1 unexpected error, 2 usage or
    configuration error, 3 authorization needs a person, 4 refused (deletion guard or lock),
    75 temporary failure: try again later.
    """
    app = AppContext(options=dict(options))
    ctx.obj = app
    ctx.call_on_close(app.close)
    configure_logging(app.verbosity, app.quiet)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every error is translated here, once."""
    try:
        result = cli.main(args=args, prog_name="amsync", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        return EXIT_USAGE
    except click.UsageError as exc:
        error(usage_error_line(exc))
        return EXIT_USAGE
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
