"""How ``amsync listens fill | push | export`` tell what they did (text; ``--json`` prints the
reports' own documents)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

import click

from amsync.cli.output import info, safe_text

if TYPE_CHECKING:
    from amsync.listens.push_plan import PushPlan
    from amsync.listens.report import FillReport, PushReport, Unresolved

SHOWN: Final = 10
SOURCES: Final = (
    ("mirror", "the mirror"),
    ("export", "Apple's file"),
    ("catalog", "Apple's catalog"),
    ("daily", "the daily history"),
)
OUTCOMES: Final = {
    "ambiguous": "ambiguous (several artists fit)",
    "conflict": "catalog and daily history disagree",
    "not-found": "no exact match in the catalog",
    "not-looked-up": "not looked up (no album, or nothing to search for)",
}


def _share(part: int, whole: int) -> str:
    return f" ({part / whole:.1%})" if whole else ""


def _song(name: str, album: str | None) -> str:
    text = safe_text(name[:120])
    return f"{text} — {safe_text(album[:120])}" if album else text


def _unresolved(title: str, unresolved: Unresolved) -> None:
    groups = unresolved.as_list(SHOWN)
    if not groups:
        return
    info(title)
    for group in groups:
        info(f"  {group['plays']:>7,}  {_song(group['name'], group['album'])}  ({group['why']})")
    more = len(unresolved.counts) - len(groups)
    if more > 0:
        info(f"  … and {more:,} more songs (--json lists them)")


def render_fill(report: FillReport, *, quiet: bool) -> None:
    head = "dry run: nothing was looked up or written; " if report.dry_run else ""
    with_artist = report.with_artist
    info(
        f"{head}account {safe_text(report.account)}: {report.plays:,} plays, with an artist "
        f"{with_artist:,}{_share(with_artist, report.plays)}"
    )
    if not report.plays:
        info(
            "no listening history yet: import Apple's privacy export with "
            "`amsync import apple-data PATH`"
        )
        return
    sources = [f"{label} {report.artist_from[key]:,}" for key, label in SOURCES]
    info("  artist from " + ", ".join(sources))
    missing = sum(report.without_artist.values())
    if missing:
        parts = [f"{n:,} {OUTCOMES.get(k, k)}" for k, n in report.without_artist.most_common()]
        info(f"  without an artist: {missing:,} — " + ", ".join(parts))
    if report.pairs:
        if report.dry_run and report.lookups_to_make:
            looked = (
                f"a real run would look up {report.lookups_to_make:,} (one request each), "
                f"{report.lookups_cached:,} known from earlier runs"
            )
        else:
            looked = (
                f"{report.lookups_made:,} looked up now ({report.requests:,} requests, "
                f"{report.throttled:,} throttled), {report.lookups_cached:,} known from "
                "earlier runs"
            )
        info(f"catalog look-ups: {report.pairs:,} song/album pairs — {looked}")
    if not quiet:
        _unresolved("without an artist, most played:", report.unresolved)
    info(
        "next: `amsync listens push URL --dry-run` says what would be sent (URL: "
        "https://api.listenbrainz.org, or your server's ListenBrainz API)",
        quiet=quiet,
    )


def render_push(report: PushReport, *, quiet: bool) -> None:
    target = safe_text(report.target)
    user = f" (user {safe_text(report.user_name)})" if report.user_name else ""
    if report.dry_run:
        info(f"dry run: nothing was sent; a push to {target} would send {report.to_send:,} listens")
    elif report.to_send == 0:
        info(f"nothing to send to {target}{user}")
    else:
        info(
            f"pushed to {target}{user}: {report.accepted:,} listens accepted, "
            f"{len(report.refused):,} refused ({report.requests:,} requests, "
            f"{report.throttled:,} throttled)"
        )
    info(
        f"  {report.plays:,} plays in the period; {report.listens:,} real listens with an "
        f"artist; accepted by this server before: {report.already_accepted:,}"
        + (f"; refused before: {report.refused_before:,}" if report.refused_before else "")
    )
    skipped = report.skipped.as_list()
    if skipped:
        info(f"skipped (not sent): {report.skipped.total:,}")
        for item in skipped:
            info(f"  {item['count']:>9,}  {safe_text(item['reason'])}")
    if report.refused:
        info("refused by the server (recorded; not sent again):")
        for refused in report.refused[:SHOWN]:
            listen = refused.listen
            info(
                f"  {_when(listen.listened_at)}  {_song(listen.track_name, listen.artist_name)}: "
                f"{safe_text(refused.reason[:200])}"
            )
        if len(report.refused) > SHOWN:
            info(f"  … and {len(report.refused) - SHOWN:,} more (--json lists them)")
    if not quiet:
        _unresolved("plays without an artist, most played:", report.without_artist)
        if report.without_artist.total:
            info("  (`amsync listens fill` finds artists in Apple's catalog)")
    if report.dry_run and report.sample and not quiet:
        from amsync import __version__
        from amsync.listenbrainz import json_line

        info("the first listens, as they would be sent:")
        for listen in report.sample:
            info("  " + safe_text(json_line(listen, __version__)))


def _when(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def _destination(output: str | None) -> Iterator[TextIO]:
    from amsync.export.atomic_files import STDOUT, atomic_text_file

    if output is None or output == STDOUT:
        yield sys.stdout
        return
    with atomic_text_file(Path(output), newline="\n") as handle:
        yield handle


def write_lines(output: str | None, lines: Iterable[str]) -> int:
    """``lines`` to ``output`` (a file, replaced whole when done; stdout for None or ``-``)."""
    written = 0
    with _destination(output) as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
            written += 1
        handle.flush()
    return written


def export_summary(plan: PushPlan, written: int, output: str | None, *, quiet: bool) -> None:
    """What was written, on stderr when the listens went to stdout."""
    if quiet:
        return
    to_stdout = output is None or output == "-"
    where = "stdout" if to_stdout else safe_text(str(output))
    lines = [f"{written:,} listens written to {where} (of {plan.plays:,} plays)"]
    for item in plan.skipped.as_list():
        lines.append(f"  skipped {item['count']:,}: {safe_text(item['reason'])}")
    for line in lines:
        if to_stdout:
            with contextlib.suppress(OSError, ValueError):
                click.echo(line, err=True)
        else:
            info(line)
