"""``amsync report``: a listening and library report of a year, a month or all time — one
self-contained HTML file, or the same numbers as JSON. (Everything heavy — the database, the
charting library, httpx — is imported when the command runs.)"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import click

from amsync.cli.context import AppContext, pass_app
from amsync.cli.output import warn
from amsync.errors import UsageError

STDOUT = "-"
CHUNK = 16_384


@click.command("report")
@click.option("--year", metavar="YYYY", help="The year (UTC), e.g. 2025.")
@click.option("--month", metavar="YYYY-MM", help="The month (UTC), e.g. 2025-03.")
@click.option("--all", "everything", is_flag=True, help="All time.")
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Where to write it (default: amsync-report-PERIOD.html, or .json, in the current "
    "folder; - for standard output).",
)
@click.option(
    "--no-artwork", is_flag=True, help="No pictures: a text-only file, and no network at all."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "json"]),
    default="html",
    show_default=True,
    help="A page to look at, or the same numbers as one JSON document.",
)
@click.option(
    "--tz",
    "zone_name",
    metavar="ZONE",
    help="Time zone (e.g. Europe/Berlin) of the listening clock for plays whose UTC offset "
    "the import did not keep (default: this computer's).",
)
@pass_app
def report(
    app: AppContext,
    year: str | None,
    month: str | None,
    everything: bool,
    output: str | None,
    no_artwork: bool,
    fmt: str,
    zone_name: str | None,
) -> None:
    """Your year (or month, or all time) in music: a report to open in a browser.

    Headline numbers against the period before, top songs, artists and albums with their
    artwork, listening over time, your listening clock, top artists over the months, new
    discoveries, skips, your library's changes and favourites, and Apple's own Replay beside
    amsync's count. One HTML file with everything inside: it opens offline and makes no
    request. Default: the last complete year with listening. Prints the file's path.
    """
    from amsync.db.reading import account_id_of
    from amsync.report.document import build_report
    from amsync.report.period import default_period, parse_period

    chosen = parse_period(year, month, everything)
    zone, zone_text = _zone(zone_name)
    if output not in (None, STDOUT):
        from amsync.export.atomic_files import output_target

        output_target(Path(output))  # a path that cannot be written fails before any work
    now = datetime.now(UTC)
    with app.reading() as reader:
        account_id = account_id_of(reader, app.settings.account)
        period = chosen or default_period(reader, account_id, now)
        document = build_report(
            reader,
            account_id,
            app.settings.account,
            period,
            now=now,
            zone=zone,
            zone_name=zone_text,
        )
    if document.empty:
        warn(_nothing_played(document.history, period.title))
    target = output or f"amsync-report-{period.slug}.{fmt}"
    if fmt == "json":
        text = json.dumps(document.as_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = _page(app, document, artwork=not no_artwork)
    _write(target, text)
    if target != STDOUT:
        click.echo(target)


def _nothing_played(history: bool, title: str) -> str:
    if not history:
        return (
            "no listening history is imported: the report shows the library alone — import "
            "Apple's privacy export with `amsync import apple-data PATH`"
        )
    return (
        f"no plays in {title} in the imported listening history: the report shows the library "
        "alone (without --year, --month or --all: the last complete year with listening)"
    )


def _zone(name: str | None) -> tuple[tzinfo | None, str]:
    if name is None:
        local = datetime.now().astimezone().tzname() or "local time"
        return None, f"this computer's time zone ({local})"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz {name!r} is not a time zone name like Europe/Berlin or America/New_York"
        ) from None


def _page(app: AppContext, document: object, *, artwork: bool) -> str:
    from amsync import __version__
    from amsync.report.artwork import ArtworkCache, thumbnails
    from amsync.report.document import Report
    from amsync.report.page import chart_set, render_page

    assert isinstance(document, Report)
    images = None
    if artwork:
        from amsync.api.artwork import ArtworkDownloader
        from amsync.cli.process_exit import run_async

        cache = ArtworkCache(Path(app.settings.home) / "cache" / "artwork")
        source = ArtworkDownloader(runner=run_async)
        images = thumbnails(document.artwork_urls(), source, cache)
        if images.missing:
            warn(
                f"{images.missing} of {images.missing + len(images.images)} pictures could not "
                "be fetched; the page shows a placeholder for them"
            )
    return render_page(
        document,
        thumbnails=images,
        charts=chart_set(document),
        version=__version__,
        source=f"the amsync mirror of account {document.account!r}",
    )


def _write(target: str, text: str) -> None:
    if target == STDOUT:
        # In pieces: one big write into a pipe whose reader goes away can end without an
        # error (the rest silently lost); a piece at a time meets the closed pipe.
        for start in range(0, len(text), CHUNK):
            sys.stdout.write(text[start : start + CHUNK])
        sys.stdout.flush()
        return
    from amsync.export.atomic_files import atomic_text_file

    with atomic_text_file(Path(target)) as handle:
        handle.write(text)
