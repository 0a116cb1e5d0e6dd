"""The ``amsync`` command line: global options, the command tree, and the one place where
errors become exit codes (DESIGN §3)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from amsync import DOCS_URL, __version__
from amsync.cli import process_exit
from amsync.cli.context import AppContext
from amsync.cli.global_options import global_options
from amsync.cli.lazy_group import LazyGroup
from amsync.cli.logging_setup import configure_logging
from amsync.cli.output import error
from amsync.cli.process_exit import EXIT_BROKEN_PIPE
from amsync.cli.usage_errors import usage_error_line
from amsync.errors import EXIT_UNEXPECTED, EXIT_USAGE, AmsyncError, RunInterrupted

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

log = logging.getLogger("amsync")


@click.group(
    cls=LazyGroup,
    context_settings=CONTEXT_SETTINGS,
    epilog=f"Documentation: {DOCS_URL} (in a checkout: `mkdocs serve`).",
)
@click.version_option(__version__, "--version", prog_name="amsync")
@global_options
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """amsync keeps a complete, queryable, versioned copy of your Apple Music library.

    Start with `amsync demo` (no Apple account needed). Global options go before or after the
    command: `amsync --db X stats` or `amsync stats --db X`. Listings take --format
    table|tsv|csv|json (piped: tsv). Exit codes: 0 done, 1 unexpected error, 2 usage or
    configuration error, 3 authorization needs a person, 4 refused (deletion guard or lock),
    75 temporary failure: try again later; 129/130/143 stopped by a signal, 141 output closed.
    """
    app = AppContext(options=dict(options))
    ctx.obj = app
    ctx.call_on_close(app.close)
    configure_logging(app.verbosity, app.quiet)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every error is translated here, once. Signals,
    broken pipes and unwritable output are handled by ``process_exit``; the run log's end
    line is written here (``logfile.end_run``)."""
    process_exit.standard_descriptors()
    with process_exit.signals_handled():
        code, failure, signal_name = _run_command(args)
        if signal_name is None and code != EXIT_BROKEN_PIPE:
            problem = process_exit.flush_stdout()
            if problem is not None:
                process_exit.silence_stdout()
            if problem == "broken pipe":
                code, failure = EXIT_BROKEN_PIPE, None
            elif problem is not None and failure is None:  # else the error is said already
                failure = f"cannot write the output: {problem}"
                error(failure)
                code = EXIT_USAGE
        # A run began only if its command loaded the log module; `--version` and `--help`
        # never import it (its logging.handlers import is a tenth of their startup).
        logfile = sys.modules.get("amsync.cli.logfile")
        if logfile is not None:
            logfile.end_run(code, failure, interrupted=signal_name)
        notices = sys.modules.get("amsync.cli.run_notices")  # loaded by runs that notify
        if notices is not None:
            notices.run_ended(code, failure, signal_name)
    return code


def _run_command(args: list[str] | None) -> tuple[int, str | None, str | None]:
    """The exit code, the one-line error shown (if any) and the signal that interrupted the
    command (if any)."""
    try:
        result = cli.main(args=args, prog_name="amsync", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code), None, None
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        return EXIT_USAGE, None, None
    except click.UsageError as exc:
        line = usage_error_line(exc)
        error(line)
        return EXIT_USAGE, line, None
    except click.ClickException as exc:
        exc.show()
        return (EXIT_USAGE if exc.exit_code in (1, 2) else int(exc.exit_code)), exc.message, None
    except click.Abort:
        error("aborted")
        return EXIT_UNEXPECTED, "aborted", None
    except AmsyncError as exc:
        error(str(exc))
        return exc.exit_code, str(exc), None
    except RunInterrupted as exc:
        error(f"interrupted by {exc.signal_name}")
        return exc.exit_code, None, exc.signal_name
    except KeyboardInterrupt:
        error("interrupted")
        return 130, None, "SIGINT"
    except BaseException as exc:
        if process_exit.broken_pipe(exc):  # the reader went away: quiet, like other tools
            process_exit.silence_stdout()
            return EXIT_BROKEN_PIPE, None, None
        if isinstance(exc, SystemExit):
            raise
        if not isinstance(exc, Exception):
            raise
        problem = process_exit.environment_problem(exc)
        if problem is not None:  # a full disk, a read-only place: the user can act on it
            error(problem)
            return EXIT_USAGE, problem, None
        # the last line of defence: one line, no traceback
        log.debug("unexpected error", exc_info=True)
        message = (
            f"unexpected {exc.__class__.__name__}: {str(exc)[:300]} "
            "(run with -vv for details, and please report it)"
        )
        error(message)
        return EXIT_UNEXPECTED, message, None
    return (int(result) if isinstance(result, int) else 0), None, None


def main() -> None:
    sys.exit(run())
