"""The coverage chart: ``Timeline.to_dict()`` in, inline SVG and its data table out.

Drawing only: the counts are the library's (``NewsIndex.timeline``). ``coverage_chart``
computes the geometry, ``svg`` and ``table`` write the markup (hundreds of small elements:
f-strings with every text escaped, several times faster than a template loop); the card
around them is ``_chart.html``. No chart library, no script, nothing from elsewhere.

>>> chart = coverage_chart({"interval": "month", "counting": "stories", "series": [
...     {"query": "oil", "total": 3, "undated": 0,
...      "points": [{"date": "2025-01", "count": 1}, {"date": "2025-02", "count": 2}]}]})
>>> chart.y_max, [b.label for b in chart.buckets], chart.series[0].bars
(2, ['Jan 2025', 'Feb 2025'], [(86.9, 85.0, 75.0), (421.9, 10.0, 150.0)])
"""

from __future__ import annotations

import calendar
import functools
import math
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup, escape

#: The wide chart's drawing size; a phone gets a narrower, taller one (``NARROW``).
WIDTH, HEIGHT = 720, 190
NARROW = {"width": 360, "height": 210, "labels": 3}
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 30
#: Dots are drawn on each point when there are few enough to tell apart.
MAX_DOTS = 60
#: Of a bucket's width, what its column fills (the rest is the gap between columns).
BAR_SHARE = 0.72
#: About this many labels under the x axis.
X_LABELS = 6


@dataclass
class Series:
    query: str
    label: str
    total: int
    undated: int
    line: str  # "x,y x,y ..." for <polyline>
    area: str  # the same line closed along the x axis, for the main series' fill
    dots: list[tuple[float, float, int]] = field(default_factory=list)
    #: ``(x, y, height)`` of a column per bucket: a lone series is drawn as columns.
    bars: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass
class Bucket:
    date: str  # 2025-06 or 2025-06-03: also the from/to of a click
    label: str
    x: float  # left edge of its column
    counts: list[int]


@dataclass
class Chart:
    interval: str
    counting: str
    series: list[Series]
    buckets: list[Bucket]
    y_max: int
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    column: float  # a bucket's width
    bar_width: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP

    @property
    def bottom(self) -> float:
        return self.height - BOTTOM

    @property
    def right(self) -> float:
        return self.width - RIGHT

    @property
    def peak(self) -> Bucket | None:
        """The main query's busiest bucket (for the chart's text description)."""
        return max(self.buckets, key=lambda b: b.counts[0], default=None)


#: Tops of the y axis, times a power of ten: each halves into a whole number or a .5.
NICE_STEPS = (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value: int) -> int:
    """The smallest readable top for a y axis at or above ``value`` (``nice_ceiling(7) == 8``)."""
    if value <= 2:
        return max(1, value)
    power = 10 ** math.floor(math.log10(value))
    return next(int(step * power) for step in NICE_STEPS if int(step * power) >= value)


@functools.lru_cache(maxsize=4096)
def bucket_label(date: str) -> str:
    """``2025-06`` → ``Jun 2025``; ``2025-06-03`` → ``3 Jun 2025``."""
    parts = date.split("-")
    month = calendar.month_abbr[int(parts[1])] if len(parts) > 1 else ""
    if len(parts) == 3:
        return f"{int(parts[2])} {month} {parts[0]}"
    return f"{month} {parts[0]}".strip()


def coverage_chart(
    timeline: dict, width: int = WIDTH, height: int = HEIGHT, labels: int = X_LABELS
) -> Chart | None:
    """The chart of a timeline's dict, or None when no series has a dated point."""
    series = timeline["series"]
    if not series or not series[0]["points"]:
        return None
    dates = [p["date"] for p in series[0]["points"]]
    counts = [[p["count"] for p in s["points"]] for s in series]
    y_max = nice_ceiling(max(max(c) for c in counts))
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    column = plot_w / len(dates)

    # Each bucket's edges and middle rounded in one go, each count's height once (a chart
    # of a decade by month has hundreds of points, and counts repeat).
    edges = LEFT + np.arange(len(dates)) * column
    middles = _tenths(edges + column / 2)
    half = column * BAR_SHARE / 2
    heights: dict[int, float] = {}

    def y(count: int) -> float:
        found = heights.get(count)
        if found is None:
            found = heights[count] = round(TOP + plot_h * (1 - count / y_max), 1)
        return found

    base = height - BOTTOM
    lone = len(series) == 1  # one series: columns; several: lines, to compare
    drawn = []
    for s, values in zip(series, counts, strict=True):
        points = [(px, y(c)) for px, c in zip(middles, values, strict=True)]
        line = area = ""
        dots: list[tuple[float, float, int]] = []
        bars: list[tuple[float, float, float]] = []
        if lone:
            bar_lefts = _tenths(np.array(middles) - half)
            bars = [
                (bx, py, round(base - py, 1))
                for bx, (_, py) in zip(bar_lefts, points, strict=True)
                if py < base
            ]
        else:
            line = " ".join(f"{px},{py}" for px, py in points)
            area = f"{points[0][0]},{base} {line} {points[-1][0]},{base}"
            if len(dates) <= MAX_DOTS:
                dots = [(px, py, c) for (px, py), c in zip(points, values, strict=True)]
        drawn.append(
            Series(
                query=s["query"],
                label=s["query"] or "everything",
                total=s["total"],
                undated=s["undated"],
                line=line,
                area=area,
                dots=dots,
                bars=bars,
            )
        )
    step = max(1, math.ceil(len(dates) / labels))
    return Chart(
        interval=timeline["interval"],
        counting=timeline.get("counting", "stories"),
        series=drawn,
        buckets=[
            Bucket(d, bucket_label(d), left, list(per_series))
            for d, left, per_series in zip(
                dates, _tenths(edges), zip(*counts, strict=True), strict=True
            )
        ],
        y_max=y_max,
        y_ticks=[(y(v), v) for v in sorted({0, y_max})]
        + ([(y(y_max // 2), y_max // 2)] if y_max % 2 == 0 and y_max > 2 else []),
        x_labels=[(middles[i], bucket_label(dates[i])) for i in range(0, len(dates), step)],
        column=round(column, 2),
        bar_width=round(column * BAR_SHARE, 1),
        width=width,
        height=height,
    )


def _tenths(values: np.ndarray) -> list[float]:
    """Coordinates to a tenth of a unit: short in the markup, finer than a pixel."""
    return np.round(values, 1).tolist()


def _num(value: float) -> str:
    return f"{value:g}"


def svg(chart: Chart, size: str, bucket_url: str | None = None) -> Markup:
    """The chart as ``<svg>``; with ``bucket_url`` (ending in ``?`` or ``&``) each bucket
    links to the search narrowed to it (``from=…&to=…``), its counts as a tooltip."""
    ids = f"chart-title-{size} chart-desc-{size}"
    peak = chart.peak
    summary = "; ".join(f"{s.label}: {s.total:,}" for s in chart.series)
    described = (
        f"{summary}, from {chart.buckets[0].label} to {chart.buckets[-1].label}"
        + (f"; busiest {peak.label} with {peak.counts[0]:,}" if peak else "")
        + f". The table below lists every {chart.interval}."
    )
    out = [
        f'<svg class="chart {size}" viewBox="0 0 {chart.width} {chart.height}" role="img" '
        f'aria-labelledby="{ids}" focusable="false">',
        f'<title id="chart-title-{size}">{escape(chart.counting.capitalize())} per '
        f"{chart.interval}</title>",
        f'<desc id="chart-desc-{size}">{escape(described)}</desc>',
    ]
    for y, value in chart.y_ticks:
        out.append(
            f'<line class="grid" x1="{chart.left}" x2="{_num(chart.right)}" y1="{y}" y2="{y}">'
            f'</line><text class="y-label" x="{chart.left - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle">{value:,}</text>'
        )
    for index, series in enumerate(chart.series):
        if series.bars:
            out += [
                f'<rect class="bar s0" x="{x}" y="{y}" width="{chart.bar_width}" '
                f'height="{h}" rx="1.5"></rect>'
                for x, y, h in series.bars
            ]
            continue
        if index == 0:
            out.append(f'<polygon class="area s0" points="{series.area}"></polygon>')
        out.append(f'<polyline class="line s{index}" points="{series.line}"></polyline>')
        out += [
            f'<circle class="dot s{index}" cx="{x}" cy="{y}" r="3"></circle>'
            for x, y, _ in series.dots
        ]
    if bucket_url is not None:
        base = escape(bucket_url)
        height = _num(chart.bottom - chart.top)
        many = len(chart.series) > 1
        for bucket in chart.buckets:
            counts = ", ".join(
                f"{count:,} {series.label}" if many else f"{count:,}"
                for count, series in zip(bucket.counts, chart.series, strict=True)
            )
            out.append(
                f'<a href="{base}from={bucket.date}&amp;to={bucket.date}" tabindex="-1" '
                f'class="bucket"><title>{bucket.label}: {escape(counts)} (show only these)'
                f'</title><rect x="{bucket.x}" y="{chart.top}" width="{chart.column}" '
                f'height="{height}"></rect></a>'
            )
    out.append(
        f'<line class="axis" x1="{chart.left}" x2="{_num(chart.right)}" '
        f'y1="{_num(chart.bottom)}" y2="{_num(chart.bottom)}"></line>'
    )
    out += [
        f'<text class="x-label" x="{x}" y="{chart.height - 8}" text-anchor="middle">{label}</text>'
        for x, label in chart.x_labels
    ]
    out.append("</svg>")
    return Markup("".join(out))


def table(chart: Chart) -> Markup:
    """The chart's numbers as a table: the accessible (and copyable) form of the chart."""
    head = "".join(f'<th scope="col">{escape(s.label)}</th>' for s in chart.series)
    rows = "".join(
        f'<tr><th scope="row">{bucket.label}</th>'
        + "".join(f"<td>{count:,}</td>" for count in bucket.counts)
        + "</tr>"
        for bucket in chart.buckets
    )
    caption = f"{escape(chart.counting.capitalize())} per {chart.interval}"
    return Markup(
        f'<table><caption class="visually-hidden">{caption}</caption><thead><tr>'
        f'<th scope="col">{chart.interval.capitalize()}</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
