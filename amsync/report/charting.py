"""The report's charts: Vega-Lite specifications built with Altair and rendered to SVG by
vl-convert (which runs Vega itself, offline), then put inline in the page — so the file needs
no script and no network when it is opened, and the charts' colours follow the page's light
or dark style through CSS (Vega marks its SVG elements with classes such as
``role-axis-label``).

This is the one module that imports a charting library, and it imports it only when a chart
is made (``amsync --version`` and ``--help`` stay fast). Every chart comes in a wide and a
narrow drawing (a phone shows the narrow one), has a title outside the picture (the page's
``figcaption``) and a table or text beside it; the SVG itself is marked ``role="img"`` with
the title as its label. The data are numbers and labels amsync made, and artist names in one
legend: vl-convert writes text as XML text (``&lt;`` …), and an SVG that holds a script or an
event attribute anyway is refused (the page then shows the table alone).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import altair

ACCENT: Final = "#e0335a"
SECOND: Final = "#7b8794"
WIDE: Final = (660, 190)
NARROW: Final = (330, 190)
FONT: Final = "sans-serif"  # the page's own font is put on the SVG text by CSS
VALIDATE = False  # Altair's schema check costs ~0.1 s a chart; the tests switch it on
_LONG_FRACTION: Final = re.compile(r"(\d\.\d\d)\d+")
_UNSAFE: Final = re.compile(r"<script|javascript:|\son[a-z]+\s*=|<foreignobject", re.I)


@dataclass(frozen=True, slots=True)
class Drawing:
    """A chart drawn twice: ``wide`` and ``narrow`` SVG (empty when it could not be drawn)."""

    wide: str
    narrow: str


@dataclass(frozen=True, slots=True)
class Planned:
    """A chart to draw: its wide and narrow Altair charts and its label (``draw`` draws)."""

    wide: Any
    narrow: Any
    label: str


def draw(planned: dict[str, Planned]) -> dict[str, Drawing]:
    """Every planned chart drawn, the conversions side by side (vl-convert converts in
    threads of its own: a report's dozen drawings take about half the time)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [
        (name, which, getattr(plan, which), plan.label)
        for name, plan in planned.items()
        for which in ("wide", "narrow")
    ]
    with ThreadPoolExecutor(max_workers=min(4, len(jobs) or 1)) as pool:
        svgs = list(pool.map(lambda job: _render(job[2], job[3]), jobs))
    drawn: dict[str, dict[str, str]] = {}
    for (name, which, _, _), svg in zip(jobs, svgs, strict=True):
        drawn.setdefault(name, {})[which] = svg
    return {name: Drawing(parts["wide"], parts["narrow"]) for name, parts in drawn.items()}


def _alt() -> Any:
    import altair as alt

    return alt


def _shown(labels: Sequence[str], unit: str, kind: str, narrow: bool) -> list[str]:
    """The bars whose label the axis shows (see ``amsync.report.buckets`` for labels)."""
    if unit == "day":
        days = (1, 8, 15, 22, 29) if narrow else (1, 5, 10, 15, 20, 25, 30)
        return [label for label in labels if int(label[8:10]) in days]
    if unit == "week":
        months = (1, 4, 7, 10) if narrow else tuple(range(1, 13))
        return [label for label in labels if int(label[8:10]) <= 7 and int(label[5:7]) in months]
    if unit == "month" and kind == "all":
        years = [label for label in labels if label.endswith("-01")]
        return years[:: max(1, len(years) // (5 if narrow else 10))]
    if unit == "year":
        return list(labels)[:: max(1, len(labels) // (6 if narrow else 12))]
    if unit == "month" and narrow:
        return list(labels)[::2]
    return list(labels)


def _label_expr(unit: str, kind: str) -> str:
    """How a shown label reads: a day's number, a week's or month's month, a year."""
    if unit == "day":
        return "toNumber(slice(datum.value, 8, 10))"
    if unit == "week":
        return "utcFormat(toDate(datum.value), '%b')"
    if unit == "month" and kind == "all":
        return "slice(datum.value, 0, 4)"
    if unit == "month":
        return "utcFormat(toDate(datum.value + '-01'), '%b')"
    return "datum.value"


def _x_axis(labels: Sequence[str], unit: str, kind: str, narrow: bool) -> Any:
    alt = _alt()
    return alt.X(
        "label:O",
        sort=None,
        title=None,
        axis=alt.Axis(
            values=_shown(labels, unit, kind, narrow),
            labelExpr=_label_expr(unit, kind),
            labelAngle=0,
            ticks=False,
        ),
    )


def _configure(chart: altair.TopLevelMixin) -> Any:
    return (
        chart.configure(background="transparent", font=FONT, padding=4, aria=False)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=11, grid=False, domain=False)
        .configure_axisY(grid=True)
        .configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom", title=None)
    )


def _render(chart: Any, label: str) -> str:
    import vl_convert

    svg = str(vl_convert.vegalite_to_svg(chart.to_dict(validate=VALIDATE)))
    if _UNSAFE.search(svg) or not svg.startswith("<svg"):
        return ""
    svg = _LONG_FRACTION.sub(r"\1", svg)  # a hundredth of a pixel is plenty, and 40 % smaller
    attributes = f'<svg role="img" aria-label="{html.escape(label)}" focusable="false" '
    return attributes + svg[len("<svg ") :]


def _twice(build: Any, label: str) -> Planned:
    return Planned(build(*WIDE, False), build(*NARROW, True), label)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str,
    kind: str,
    y_title: str,
    label: str,
) -> Planned:
    alt = _alt()
    values_list = [{"label": x, "value": v} for x, v in zip(labels, values, strict=True)]

    def build(width: int, height: int, narrow: bool) -> Any:
        chart = (
            alt.Chart(alt.Data(values=values_list))
            .mark_bar(color=ACCENT)
            .encode(
                x=_x_axis(labels, unit, kind, narrow),
                y=alt.Y("value:Q", title=y_title, axis=alt.Axis(tickCount=4)),
            )
            .properties(width=width, height=height)
        )
        return _configure(chart)

    return _twice(build, label)


def stacked(
    labels: Sequence[str],
    parts: dict[str, Sequence[int]],
    *,
    unit: str,
    kind: str,
    y_title: str,
    label: str,
) -> Planned:
    alt = _alt()
    names = list(parts)
    rows = [
        {"label": x, "part": name, "value": parts[name][i], "order": names.index(name)}
        for i, x in enumerate(labels)
        for name in names
    ]

    def build(width: int, height: int, narrow: bool) -> Any:
        chart = (
            alt.Chart(alt.Data(values=rows))
            .mark_bar()
            .encode(
                x=_x_axis(labels, unit, kind, narrow),
                y=alt.Y("value:Q", title=y_title, stack="zero", axis=alt.Axis(tickCount=4)),
                color=alt.Color(
                    "part:N", sort=names, scale=alt.Scale(domain=names, range=[ACCENT, SECOND])
                ),
                order=alt.Order("order:Q"),
            )
            .properties(width=width, height=height)
        )
        return _configure(chart)

    return _twice(build, label)


def lines(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    unit: str,
    kind: str,
    y_title: str,
    label: str,
    percent: bool = False,
) -> Planned:
    alt = _alt()
    names = list(series)
    rows = [
        {"label": x, "series": name, "value": series[name][i]}
        for name in names
        for i, x in enumerate(labels)
    ]
    single = len(names) == 1

    def build(width: int, height: int, narrow: bool) -> Any:
        encoding: dict[str, Any] = {
            "x": _x_axis(labels, unit, kind, narrow),
            "y": alt.Y(
                "value:Q",
                title=y_title,
                axis=alt.Axis(tickCount=4, format="%") if percent else alt.Axis(tickCount=4),
            ),
        }
        mark: dict[str, Any] = {"point": {"size": 18}, "strokeWidth": 2}
        if single:
            mark["color"] = ACCENT
        else:
            encoding["color"] = alt.Color(
                "series:N",
                sort=names,
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(columns=2 if narrow else 5, labelLimit=150 if narrow else 180),
            )
        chart = (
            alt.Chart(alt.Data(values=rows))
            .mark_line(**mark)
            .encode(**encoding)
            .properties(width=width, height=height)
        )
        return _configure(chart)

    return _twice(build, label)


def heatmap(plays: Sequence[Sequence[int]], weekdays: Sequence[str], *, label: str) -> Planned:
    """Plays by weekday (rows) and hour (columns): darker is more."""
    alt = _alt()
    rows = [
        {"weekday": weekdays[d], "hour": h, "plays": plays[d][h]}
        for d in range(len(weekdays))
        for h in range(24)
    ]

    def build(width: int, height: int, narrow: bool) -> Any:
        hours = (
            "datum.value % 6 == 0 ? datum.value : ''"
            if narrow
            else "datum.value % 3 == 0 ? datum.value : ''"
        )
        chart = (
            alt.Chart(alt.Data(values=rows))
            .mark_rect(color=ACCENT)
            .encode(
                x=alt.X(
                    "hour:O",
                    title="hour of the day",
                    axis=alt.Axis(labelExpr=hours, labelAngle=0, ticks=False, grid=False),
                ),
                y=alt.Y(
                    "weekday:O",
                    sort=list(weekdays),
                    title=None,
                    axis=alt.Axis(grid=False, ticks=False),
                ),
                opacity=alt.Opacity("plays:Q", scale=alt.Scale(range=[0.06, 1]), legend=None),
            )
            .properties(width=width, height=height)
        )
        return _configure(chart)

    return _twice(build, label)
