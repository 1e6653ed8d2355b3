"""Alerts over time as inline SVG bars: buckets filled in, geometry computed here, markup in the template.

Bars are drawn from plain numbers so the page needs no JavaScript and no external library; each
bar carries a ``<title>`` (the browser shows it on hover) and the chart a text summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from secops.center.stores.base import AlertQuery, AlertStore

WIDTH = 960
HEIGHT = 170
AXIS = 18  # room under the bars for the labels
PAD = 20  # room left and right so the outer labels are not cut


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str  # shown under every few bars
    title: str  # the hover text


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    peak: int
    total: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        return self.height - AXIS


def bar_chart(points: list[tuple[str, str, int]], label_every: int) -> BarChart:
    """``points``: (axis label, hover title, count), oldest first."""
    peak = max((n for _, _, n in points), default=0)
    slot = (WIDTH - 2 * PAD) / max(len(points), 1)
    usable = HEIGHT - AXIS - 4
    bars = []
    for index, (label, title, count) in enumerate(points):
        height = usable * count / peak if peak else 0.0
        if count and height < 1.5:
            height = 1.5  # a single alert among thousands must still be visible
        bars.append(
            Bar(
                x=round(PAD + index * slot + slot * 0.1, 2),
                y=round(HEIGHT - AXIS - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
                count=count,
                label=label if index % label_every == 0 else "",
                title=title,
            )
        )
    return BarChart(bars=bars, peak=peak, total=sum(n for _, _, n in points))


def hourly(store: AlertStore, now: datetime, zone: tzinfo, school: str | None = None) -> BarChart:
    """The last 24 hours, one bar per hour (the current hour last)."""
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=23)
    counts = dict(store.histogram(AlertQuery(school=school, since=start), "hour"))
    points = []
    for step in range(24):
        bucket = start + timedelta(hours=step)
        local = bucket.astimezone(zone)
        n = counts.get(bucket, 0)
        points.append((f"{local:%H}时", f"{local:%m-%d %H}:00 起 1 小时：{n} 条", n))
    return bar_chart(points, label_every=3)


def daily(store: AlertStore, now: datetime, zone: tzinfo, school: str | None = None) -> BarChart:
    """The last 30 days, one bar per day in the local time zone (the store's hourly buckets regrouped,
    so a day runs midnight to midnight in Beijing time, not in UTC)."""
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=29)
    per_day: dict[str, int] = {}
    for bucket, n in store.histogram(AlertQuery(school=school, since=first), "hour"):
        key = f"{bucket.astimezone(zone):%Y-%m-%d}"
        per_day[key] = per_day.get(key, 0) + n
    points = []
    for step in range(30):
        day = (first + timedelta(days=step)).date()
        n = per_day.get(day.isoformat(), 0)
        points.append((f"{day:%m-%d}", f"{day:%Y-%m-%d}：{n} 条", n))
    return bar_chart(points, label_every=5)
