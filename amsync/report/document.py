"""A report: every section's numbers for one account and period, read in one consistent
snapshot of the mirror (``build_report``), and the same as one JSON document (``as_dict``,
``amsync report --format json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Final

from amsync.db.reading import Reader
from amsync.domain.timestamps import iso_utc
from amsync.query.listening import has_history
from amsync.report import listening
from amsync.report.library import library_section
from amsync.report.model import (
    ArtistsOverTime,
    Clock,
    Discoveries,
    Headline,
    Library,
    Replay,
    Series,
    Skips,
    TopList,
)
from amsync.report.period import ReportPeriod
from amsync.report.replay import replay_section
from amsync.report.tops import top_lists

FORMAT: Final = "amsync.report"
VERSION: Final = 1
ARTISTS_OVER_TIME: Final = 5


@dataclass(slots=True)
class Report:
    account: str
    period: ReportPeriod
    generated_at: datetime
    history: bool  # any listening imported at all
    headline: Headline
    previous_period: ReportPeriod | None = None
    previous: Headline | None = None
    over_time: Series = field(default_factory=lambda: Series("day"))
    clock: Clock = field(default_factory=Clock)
    tops: dict[str, dict[str, TopList]] = field(default_factory=dict)
    artists_over_time: ArtistsOverTime = field(default_factory=lambda: ArtistsOverTime("month"))
    discoveries: Discoveries = field(default_factory=Discoveries)
    skips: Skips = field(default_factory=Skips)
    library: Library = field(default_factory=Library)
    replay: Replay | None = None

    @property
    def empty(self) -> bool:
        """Nothing played in the period."""
        return self.headline.plays + self.headline.skips == 0

    def artwork_urls(self) -> list[str]:
        """Every artwork URL template the page shows, in the order it shows them, once."""
        seen: dict[str, None] = {}
        for kind in ("songs", "artists", "albums"):
            for by in ("plays", "time"):
                top = self.tops.get(kind, {}).get(by)
                for url in top.artwork if top else []:
                    if url:
                        seen.setdefault(url, None)
        return list(seen)

    def as_dict(self) -> dict[str, Any]:
        previous = None
        if self.previous_period is not None and self.previous is not None:
            previous = {"period": self.previous_period.slug, **self.previous.as_dict()}
        return {
            "format": FORMAT,
            "version": VERSION,
            "account": self.account,
            "period": {
                "kind": self.period.kind,
                "name": self.period.slug,
                "title": self.period.title,
                "start": iso_utc(self.period.start),
                "end": iso_utc(self.period.end),
            },
            "generated_at": iso_utc(self.generated_at),
            "listening_history": self.history,
            "empty": self.empty,
            "headline": self.headline.as_dict(),
            "previous": previous,
            "top": {
                kind: {f"by_{by}": top.as_dict() for by, top in lists.items()}
                for kind, lists in self.tops.items()
            },
            "over_time": self.over_time.as_dict(),
            "clock": self.clock.as_dict(),
            "artists_over_time": self.artists_over_time.as_dict(),
            "discoveries": self.discoveries.as_dict(),
            "skips": self.skips.as_dict(),
            "library": self.library.as_dict(),
            "replay": self.replay.as_dict() if self.replay else None,
        }


def build_report(
    reader: Reader,
    account_id: int,
    account: str,
    period: ReportPeriod,
    *,
    now: datetime,
    zone: tzinfo | None = None,
    zone_name: str = "this computer's time zone",
) -> Report:
    """Every section of the report (``zone``: the time zone of the listening clock where the
    export's UTC offset was not kept; ``None``: this computer's)."""
    days = listening.day_rows(reader, account_id, period)
    report = Report(
        account=account,
        period=period,
        generated_at=now,
        history=bool(days) or has_history(reader, account_id),
        headline=listening.headline(reader, account_id, period, days),
    )
    previous = period.previous()
    if previous is not None and report.history:
        earlier = listening.day_rows(reader, account_id, previous)
        report.previous_period = previous
        report.previous = listening.headline(reader, account_id, previous, earlier)
    report.library = library_section(reader, account_id, period)
    report.replay = replay_section(reader, account_id, period)
    if report.empty:
        return report
    report.over_time = listening.series(period, days)
    report.clock = listening.clock(reader, account_id, period, zone, zone_name)
    report.tops = top_lists(reader, account_id, period)
    artists = [str(r["artist"]) for r in report.tops["artists"]["plays"].rows]
    report.artists_over_time = listening.artists_over_time(
        reader, account_id, period, artists[:ARTISTS_OVER_TIME]
    )
    report.discoveries = listening.discoveries(reader, account_id, period)
    report.skips = listening.skips(reader, account_id, period, days)
    return report
