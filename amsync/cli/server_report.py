"""How ``amsync server push`` and ``server status`` read on a terminal: one summary line, the
catalogue and path prefix used, a line per playlist (action, tracks written, methods) with the
first tracks it could not write and why, a line per kind of star."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

import click

from amsync.cli.output import info, safe_text

if TYPE_CHECKING:
    from amsync.servers.report import PushReport

SHOWN_MISSING: Final = 5


_TITLES: Final = {
    "dry-run": "dry run: nothing was written; the plan for",
    "succeeded": "pushed to",
}


def render_push(report: PushReport, *, quiet: bool) -> None:
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    identity = report.identity
    what = f"{report.url}" + (
        f" ({identity.server_type})" if identity and identity.server_type else ""
    )
    counts = report.counts()
    info(
        f"{_TITLES.get(report.status, report.status)} {what}: {counts['playlists']} playlist(s), "
        f"{counts['written']:,} of {counts['tracks']:,} tracks on the server, "
        f"{counts['missing']:,} missing, {counts['ambiguous']:,} ambiguous; "
        f"{report.writes} write(s), {report.requests} request(s)",
        quiet=quiet,
    )
    source = "read from the server" if report.catalogue_source == "server" else "cached"
    info(f"  catalogue: {report.catalogue_songs:,} songs ({source})", quiet=quiet)
    if report.path_prefix is not None:
        local, remote = report.path_prefix
        info(
            f"  path prefix ({report.path_prefix_source}): {safe_text(local)}={safe_text(remote)}",
            quiet=quiet,
        )
    for line in report.playlists:
        methods = ", ".join(f"{m} {n}" for m, n in sorted(line.by_method.items()) if n)
        state = line.action + (" (adopted)" if line.adopted else "")
        tracks = f"{line.written}/{line.tracks} tracks" if line.tracks or line.written else ""
        info(
            f"  {state:<10} {safe_text(line.server_name)}"
            + (f"  {tracks}" if tracks else "")
            + (f" ({methods})" if methods else ""),
            quiet=quiet,
        )
        for missing in line.missing[:SHOWN_MISSING]:
            who = f"{missing.artist} - " if missing.artist else ""
            info(
                f"      #{missing.position}: {safe_text(who + missing.name)}: "
                f"{safe_text(missing.reason)}",
                quiet=quiet,
            )
        if len(line.missing) > SHOWN_MISSING:
            info(
                f"      … and {len(line.missing) - SHOWN_MISSING} more "
                "(`amsync server status URL --missing` lists them)",
                quiet=quiet,
            )
    for star in report.stars:
        verb = ("rate 1", "unrate") if star.kind == "rating" else ("star", "unstar")
        info(
            f"  {star.kind + 's':<10} {star.found}/{star.wanted} found; {verb[0]} "
            f"{star.to_add}, {verb[1]} {star.to_remove}, {star.left_alone} left as they were",
            quiet=quiet,
        )
