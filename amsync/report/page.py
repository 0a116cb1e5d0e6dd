"""The report as one self-contained HTML page: Jinja2 with autoescaping (a song called
``<script>`` is text), the stylesheet inline, charts as inline SVG (``charting``), thumbnails
as ``data:`` URIs (``artwork``), and a Content-Security-Policy that lets the page load nothing
from anywhere — it opens offline, from a USB stick or an e-mail."""

from __future__ import annotations

from importlib import resources
from typing import Any, Final

from amsync.report.artwork import Thumbnails
from amsync.report.document import Report
from amsync.report.model import WEEKDAYS, Headline, TopList

TEMPLATE: Final = "report.html.j2"
DAY_NAMES: Final = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)
PLURAL: Final = {"day": "days", "week": "weeks", "month": "months", "year": "years"}


def _number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _plays(n: int) -> str:
    return f"{n:,} play" + ("" if n == 1 else "s")


def _delta(now: float, before: float | None) -> tuple[str | None, str | None]:
    if before is None:
        return None, None
    if not before:
        return ("new", "up") if now else (None, None)
    change = (now - before) / before
    if abs(change) < 0.005:
        return "same as before", None
    return f"{change:+.0%}", "up" if change > 0 else "down"


def _stats(now: Headline, before: Headline | None) -> list[dict[str, Any]]:
    items: list[tuple[str, str, float, float | None, str]] = [
        ("plays", "Plays", now.plays, before.plays if before else None, _number(now.plays)),
        ("hours", "Hours", now.hours, before.hours if before else None, _number(now.hours)),
        ("songs", "Songs", now.songs, before.songs if before else None, _number(now.songs)),
        (
            "artists",
            "Artists",
            now.artists,
            before.artists if before else None,
            _number(now.artists),
        ),
        ("albums", "Albums", now.albums, before.albums if before else None, _number(now.albums)),
        ("days", "Days with music", now.days, before.days if before else None, _number(now.days)),
        (
            "streak",
            "Longest streak",
            now.longest_streak,
            before.longest_streak if before else None,
            f"{now.longest_streak:,} day" + ("" if now.longest_streak == 1 else "s"),
        ),
    ]
    found = []
    for key, label, value, earlier, text in items:
        delta, direction = _delta(value, earlier)
        found.append(
            {"key": key, "label": label, "value": text, "delta": delta, "direction": direction}
        )
    return found


def _entries(top: TopList, images: dict[str, str]) -> list[dict[str, Any]]:
    entries = []
    for row, url in zip(top.rows, top.artwork or [None] * len(top.rows), strict=False):
        if top.kind == "songs":
            name = row["name"]
            by = " · ".join(str(v) for v in (row["artist"], row["album"]) if v)
        elif top.kind == "artists":
            name, by = row["artist"], f"{row['songs']:,} song" + ("" if row["songs"] == 1 else "s")
        else:
            name, by = row["album"], row["artist"] or ""
        entries.append(
            {
                "rank": row["rank"],
                "name": name,
                "by": by,
                "plays_text": _plays(int(row["plays"] or 0)),
                "hours_text": f"{row['hours']} h",
                "image": images.get(url) if url else None,
            }
        )
    return entries


def _clock_summary(report: Report) -> str:
    plays = report.clock.plays
    if not report.clock.total:
        return ""
    day, hour = max(((d, h) for d in range(7) for h in range(24)), key=lambda c: plays[c[0]][c[1]])
    by_day = [sum(row) for row in plays]
    by_hour = [sum(plays[d][h] for d in range(7)) for h in range(24)]
    top_day = max(range(7), key=lambda d: by_day[d])
    top_hour = max(range(24), key=lambda h: by_hour[h])
    return (
        f"You listened most on {DAY_NAMES[day]} around {hour:02d}:00. Your busiest day of the "
        f"week was {DAY_NAMES[top_day][:-1]} ({percent(by_day[top_day], report.clock.total)} "
        f"of plays), your busiest hour {top_hour:02d}:00–{(top_hour + 1) % 24:02d}:00."
    )


def _texts(report: Report) -> dict[str, str]:
    head, title = report.headline, report.period.title
    disc, library = report.discoveries, report.library
    heard = disc.new_plays + disc.known_plays
    if report.period.kind == "all":
        discoveries = (
            f"{disc.new_songs:,} songs in all; each year's plays of songs first heard that year "
            "against songs from earlier years."
        )
    else:
        discoveries = (
            f"{disc.new_songs:,} songs and {disc.new_artists:,} artists were new to you in "
            f"{title}: {percent(disc.new_plays, heard)} of your plays."
        )
    favourites = ", ".join(f"{n:,} {kind}s" for kind, n in library.favourites.items())
    lost = ""
    if library.lost is not None:
        causes = ", ".join(f"{n:,} {c}" for c, n in library.lost["by_cause"].items())
        lost = (
            f"{library.lost['lost']:,} songs were lost in {title}"
            + (f" ({causes})" if causes else "")
            + f"; Apple's catalog had a replacement for {library.lost['replaced']:,}."
        )
    history = report.history
    return {
        "lede": (
            f"{head.plays:,} plays, {_number(head.hours)} hours of music, {head.songs:,} songs "
            f"by {head.artists:,} artists."
            if not report.empty
            else f"No music played in {title}."
        ),
        "nothing": (
            "No listening history yet: import Apple's privacy export with "
            "amsync import apple-data PATH, then make the report again."
            if not history
            else f"No plays in {title} in the imported listening history."
        ),
        "clock_summary": _clock_summary(report),
        "discoveries_text": discoveries,
        "skips_text": (
            f"You skipped {head.skips:,} of {head.plays + head.skips:,} plays "
            f"({percent(head.skips, head.plays + head.skips)}): moved on before half the song."
        ),
        "library_text": _library_text(report),
        "favourites_text": f"Marked favourite now: {favourites}."
        if favourites
        else "No favourites marked.",
        "lost_text": lost,
    }


def _library_text(report: Report) -> str:
    library, title = report.library, report.period.title
    parts = []
    if library.songs_added:
        parts.append(f"{library.songs_added:,} songs added")
    if library.playlists_created:
        parts.append(f"{len(library.playlists_created):,} playlists created")
    if library.playlists_changed:
        parts.append(
            f"{library.playlists_changed:,} playlists changed ({library.playlist_revisions:,} "
            "versions kept)"
        )
    if not parts:
        return f"No songs added and no playlist created or changed in {title}, as the syncs saw it."
    return f"In {title}: " + "; ".join(parts) + "."


def _heading(report: Report) -> str:
    if report.period.kind == "all":
        return "Your music, all time"
    return f"Your {report.period.title} in music"


def render_page(
    report: Report,
    *,
    thumbnails: Thumbnails | None,
    charts: dict[str, Any],
    version: str,
    source: str,
) -> str:
    """The page. ``thumbnails`` ``None``: text only (``--no-artwork``)."""
    from jinja2 import Environment, select_autoescape

    folder = resources.files("amsync.report") / "templates"
    environment = Environment(
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=False,
        lstrip_blocks=False,
    )
    template = environment.from_string((folder / TEMPLATE).read_text(encoding="utf-8"))
    images = thumbnails.images if thumbnails is not None else {}
    tops = []
    if not report.empty:
        for kind in ("songs", "artists", "albums"):
            lists = report.tops[kind]
            tops.append(
                {
                    "kind": kind,
                    "by_plays": _entries(lists["plays"], images),
                    "by_time": _entries(lists["time"], images),
                }
            )
    period = report.period
    replay = report.replay
    return template.render(
        report=report,
        account=report.account,
        heading=_heading(report),
        period_title=period.title,
        previous_title=report.previous_period.title if report.previous_period else None,
        stats=_stats(report.headline, report.previous),
        empty=report.empty,
        tops=tops,
        top_options=f" --year {period.year}" if period.kind == "year" else "",
        artwork_on=thumbnails is not None,
        charts=charts,
        over_time_title=f"Hours of music per {report.over_time.unit}",
        over_time_unit=report.over_time.unit,
        coarse_plural=PLURAL.get(report.artists_over_time.unit, "months"),
        added_unit="day" if period.kind == "month" else "month",
        weekdays=WEEKDAYS,
        replay=replay,
        replay_lists=[
            (t, replay.lists.get(t, []))
            for t in ("songs", "albums", "artists")
            if replay and replay.lists.get(t)
        ],
        percent=percent,
        css=(folder / "report.css").read_text(encoding="utf-8"),
        version=version,
        generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        source=source,
        **_texts(report),
    )


def chart_set(report: Report) -> dict[str, Any]:
    """Every chart of the report (none for an empty period)."""
    from amsync.report import charting

    if report.empty:
        charts: dict[str, Any] = {}
        if report.library.added_by_month:
            charts["added"] = _added_chart(report)
        return charting.draw(charts)
    kind = report.period.kind
    over = report.over_time
    charts = {
        "over_time": charting.bars(
            [p.label for p in over.points],
            [p.hours for p in over.points],
            unit=over.unit,
            kind=kind,
            y_title="hours",
            label=f"Hours of music per {over.unit}",
        ),
        "clock": charting.heatmap(report.clock.plays, WEEKDAYS, label="Plays by weekday and hour"),
        "discoveries": charting.stacked(
            [label for label, _, _ in report.discoveries.by_time],
            {
                "new to you": [n for _, n, _ in report.discoveries.by_time],
                "known before": [k for _, _, k in report.discoveries.by_time],
            },
            unit=report.discoveries.unit,
            kind=kind,
            y_title="plays",
            label="Plays of new and known songs",
        ),
        "skips": charting.lines(
            [p.label for p in report.skips.by_time],
            {
                "skipped": [
                    round(p.skips / (p.plays + p.skips), 4) if p.plays + p.skips else 0.0
                    for p in report.skips.by_time
                ]
            },
            unit=report.skips.unit,
            kind=kind,
            y_title="skipped",
            label="Share of plays skipped",
            percent=True,
        ),
    }
    artists = report.artists_over_time
    if artists.plays:
        charts["artists"] = charting.lines(
            artists.labels,
            dict(artists.plays.items()),
            unit=artists.unit,
            kind=kind,
            y_title="plays",
            label="Plays of your top artists",
        )
    if report.library.added_by_month:
        charts["added"] = _added_chart(report)
    return charting.draw(charts)


def _added_chart(report: Report) -> Any:
    from amsync.report import charting

    rows = report.library.added_by_month
    unit = "day" if report.period.kind == "month" else "month"
    return charting.bars(
        [label for label, _ in rows],
        [n for _, n in rows],
        unit=unit,
        kind=report.period.kind,
        y_title="songs",
        label="Songs added to the library",
    )
