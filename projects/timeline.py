"""The milestone timeline as an SVG drawn on the server, so that the page and the PDF report show
the same picture. This module only computes positions; `projects/_timeline.html` draws them."""

import datetime
from dataclasses import dataclass, field

LABEL_WIDTH = 190
ROW = 26
TOP = 34
MARGIN = 16


@dataclass
class Row:
    name: str
    y: int
    planned_x: float
    forecast_x: float
    actual_x: float | None
    slipped: bool
    overdue: bool
    go_live: bool
    label_left: bool  # near the right edge: write "go-live" before the dot
    title: str  # the full text a screen reader or a hover shows


@dataclass
class Timeline:
    width: int
    height: int
    rows: list[Row] = field(default_factory=list)
    lanes: list[tuple[str, int]] = field(default_factory=list)  # (label, y of the lane header)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    today_x: float | None = None
    chart_left: int = LABEL_WIDTH
    chart_right: int = 0


def _month_starts(first: datetime.date, last: datetime.date, step: int):
    month = datetime.date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            yield month
        year, index = divmod(month.month - 1 + step, 12)
        month = datetime.date(month.year + year, index + 1, 1)


def build(milestones, today: datetime.date, width: int = 960) -> Timeline | None:
    """Lay out milestones (with `site` loaded) in lanes: the whole project first, then each
    site. Returns None when there is nothing to draw."""
    milestones = list(milestones)
    if not milestones:
        return None
    dates = [d for m in milestones for d in (m.planned_date, m.forecast_date, m.actual_date) if d]
    first = min([*dates, today]) - datetime.timedelta(days=10)
    last = max([*dates, today]) + datetime.timedelta(days=10)
    right = width - MARGIN
    span = (last - first).days

    def x(day: datetime.date) -> float:
        return round(LABEL_WIDTH + (right - LABEL_WIDTH) * (day - first).days / span, 1)

    timeline = Timeline(width=width, height=0, chart_right=right, today_x=x(today))
    lanes: dict[str, list] = {}
    for milestone in milestones:
        lanes.setdefault(milestone.site.name if milestone.site_id else "", []).append(milestone)
    y = TOP
    for lane in sorted(lanes, key=lambda name: (name != "", name)):
        timeline.lanes.append((lane, y))
        y += ROW
        for m in sorted(lanes[lane], key=lambda m: (m.forecast_date, m.pk or 0)):
            title = (
                f"{m.name}: planned {m.planned_date:%d %b %Y}, forecast {m.forecast_date:%d %b %Y}"
            )
            if m.actual_date:
                title += f", done {m.actual_date:%d %b %Y}"
            forecast_x = x(m.forecast_date)
            timeline.rows.append(
                Row(
                    name=m.name,
                    y=y,
                    planned_x=x(m.planned_date),
                    forecast_x=forecast_x,
                    actual_x=x(m.actual_date) if m.actual_date else None,
                    slipped=m.forecast_date > m.planned_date,
                    overdue=not m.actual_date and m.forecast_date < today,
                    go_live=m.is_go_live,
                    label_left=forecast_x > right - 70,
                    title=title,
                )
            )
            y += ROW
    timeline.height = y + MARGIN
    timeline.ticks = month_ticks(first, last, x)
    return timeline


def month_ticks(first: datetime.date, last: datetime.date, x) -> list[tuple[float, str]]:
    """(position, label) of the month starts between two days: every month, or every quarter
    or year on a long span. `x` turns a day into its position."""
    months = (last - first).days // 30
    step = 1 if months <= 14 else 3 if months <= 42 else 12
    return [
        (x(day), f"{day:%b %Y}" if day.month == 1 or step > 1 else f"{day:%b}")
        for day in _month_starts(first, last, step)
    ]
