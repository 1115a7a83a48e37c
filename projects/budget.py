"""The budget's figures: plan, actual spend, earned value, and the burn chart's layout.

Everything here reads a project's rows in a fixed number of queries (never one per line or
entry) and computes in `Decimal`. The health checks build on `figures` and
`rebilling_by_site`; the budget page on `overview`. `_burn_chart.html` draws the chart from the
positions computed here, so the page and the PDF report show the same picture.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from .models import (
    CENT,
    BudgetCategory,
    BudgetLine,
    CostEntry,
    Milestone,
    Project,
    to_project_currency,
)
from .timeline import month_ticks

RATIO = Decimal("0.0001")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figures:
    """A project's budget at a date, in the project currency. Amounts are rounded to the cent,
    ratios to four decimals; None means "not known yet" (see each field)."""

    currency: str
    planned: Decimal  # BAC: sum of planned amounts of the lines counted
    actual: Decimal  # AC: cost entries dated up to today, in project currency
    planned_to_date: Decimal  # BAC × elapsed share of start_date→target_go_live (0..1)
    pv: Decimal | None  # BAC × budget_share% of active milestones planned up to today
    ev: Decimal | None  # BAC × budget_share% of active milestones done up to today
    cpi: Decimal | None  # EV / AC (None when AC is 0 or no milestone has a share)
    spi: Decimal | None  # EV / PV (None when PV is 0 or no milestone has a share)
    eac: Decimal | None  # estimate at completion, see `estimate_at_completion`


@dataclass(frozen=True)
class Spend:
    line_id: int
    date: datetime.date
    amount: Decimal  # in the project currency


def elapsed_share(start: datetime.date, end: datetime.date, today: datetime.date) -> Decimal:
    """How much of the time from start to go-live has passed, from 0 to 1."""
    if today <= start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days) / Decimal((end - start).days)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (numerator / denominator).quantize(RATIO, rounding=ROUND_HALF_UP)


def earned_value(bac: Decimal, shares, today: datetime.date) -> tuple[Decimal, Decimal] | None:
    """(PV, EV) from `shares`, (planned date, actual date or None, budget share %) of the
    milestones that carry a share; None when none does."""
    shares = list(shares)
    if not shares:
        return None
    planned = sum((share for planned_on, _done, share in shares if planned_on <= today), ZERO)
    done = sum((share for _planned, done_on, share in shares if done_on and done_on <= today), ZERO)
    return _cents(bac * planned / 100), _cents(bac * done / 100)


def estimate_at_completion(bac: Decimal, ac: Decimal, ev: Decimal | None) -> Decimal | None:
    """EAC = BAC / CPI (= BAC × AC / EV): the cost so far per unit of value earned carries on
    to the end. While that is undefined (nothing spent or nothing earned yet) EAC = AC + (BAC −
    EV): what is left costs what was planned. None when no milestone carries a budget share,
    since nothing then says how much of the work is done."""
    if ev is None:
        return None
    if ev > 0 and ac > 0:
        return _cents(bac * ac / ev)
    return _cents(ac + bac - ev)


def compute(project: Project, lines, spend, shares, today: datetime.date) -> Figures:
    """The figures from rows already loaded: `lines` (with `planned_amount`), `spend` (Spend),
    `shares` (see `earned_value`)."""
    bac = _cents(sum((line.planned_amount for line in lines), ZERO))
    ac = _cents(sum((s.amount for s in spend if s.date <= today), ZERO))
    elapsed = elapsed_share(project.start_date, project.target_go_live, today)
    values = earned_value(bac, shares, today)
    pv, ev = values if values else (None, None)
    # Until a milestone with a share is done, value is earned in lumps too coarse to judge
    # the money spent or the pace by: the indexes and the estimate wait rather than read as a
    # disaster. A milestone late meanwhile is the timeline's finding.
    judged = bool(ev)
    return Figures(
        currency=project.currency,
        planned=bac,
        actual=ac,
        planned_to_date=_cents(bac * elapsed),
        pv=pv,
        ev=ev,
        cpi=_ratio(ev, ac) if judged else None,
        spi=_ratio(ev, pv) if judged else None,
        eac=estimate_at_completion(bac, ac, ev) if judged else None,
    )


CATEGORY_ORDER = {value: n for n, value in enumerate(BudgetCategory.values)}


def _lines(project: Project, internal: bool) -> list[BudgetLine]:
    """The lines that count, in the order of the categories."""
    rows = (
        BudgetLine.objects.filter(project=project)
        .active()
        .visible(internal=internal)
        .select_related("site")
    )
    return sorted(rows, key=lambda line: (CATEGORY_ORDER[line.category], line.name.lower()))


def _spend(project: Project, internal: bool) -> list[Spend]:
    rows = (
        CostEntry.objects.filter(project=project)
        .active()
        .visible(internal=internal)
        .values_list("line_id", "date", "amount", "rate_to_project")
    )
    return [Spend(line, on, to_project_currency(amount, rate)) for line, on, amount, rate in rows]


def _shares(project: Project) -> list[tuple]:
    return list(
        project.milestones.active()
        .filter(budget_share__isnull=False)
        .values_list("planned_date", "actual_date", "budget_share")
    )


def figures(project: Project, *, internal: bool, today: datetime.date) -> Figures:
    """The project's budget figures at `today`. With `internal=False` only the lines shared
    with the client, and their entries, count: what a client role may see. Archived lines and
    entries, and the entries of archived lines, never count. Three queries."""
    return compute(
        project, _lines(project, internal), _spend(project, internal), _shares(project), today
    )


@dataclass(frozen=True)
class _Planned:
    planned_amount: Decimal


def figures_many(projects: list[Project], *, internal: bool, today: datetime.date) -> dict:
    """Project id → `figures` for each of `projects`, in three queries for them all."""
    ids = [project.pk for project in projects]
    lines: dict[int, list] = {pk: [] for pk in ids}
    for project_id, amount in (
        BudgetLine.objects.filter(project__in=ids)
        .active()
        .visible(internal=internal)
        .values_list("project_id", "planned_amount")
    ):
        lines[project_id].append(_Planned(amount))
    spend: dict[int, list] = {pk: [] for pk in ids}
    for project_id, line, on, amount, rate in (
        CostEntry.objects.filter(project__in=ids)
        .active()
        .visible(internal=internal)
        .values_list("project_id", "line_id", "date", "amount", "rate_to_project")
    ):
        spend[project_id].append(Spend(line, on, to_project_currency(amount, rate)))
    shares: dict[int, list] = {pk: [] for pk in ids}
    for project_id, *share in (
        Milestone.objects.filter(project__in=ids)
        .active()
        .filter(budget_share__isnull=False)
        .values_list("project_id", "planned_date", "actual_date", "budget_share")
    ):
        shares[project_id].append(tuple(share))
    return {p.pk: compute(p, lines[p.pk], spend[p.pk], shares[p.pk], today) for p in projects}


def rebilling_by_site(project: Project) -> dict[int, Decimal]:
    """Site id → the planned amount of the site's active internal-rebilling lines, shared or
    vendor-internal alike. Sites without such a line are absent."""
    return rebilling_by_site_many([project])[project.pk]


def rebilling_by_site_many(projects: list[Project]) -> dict[int, dict[int, Decimal]]:
    """Project id → `rebilling_by_site` for each of `projects`, in one query."""
    rows = (
        BudgetLine.objects.filter(
            project__in=[project.pk for project in projects],
            category=BudgetCategory.INTERNAL_REBILLING,
            site__isnull=False,
        )
        .active()
        .values("project_id", "site_id")
        .annotate(total=Sum("planned_amount"))
        .order_by()
    )
    found: dict[int, dict[int, Decimal]] = {project.pk: {} for project in projects}
    for row in rows:
        found[row["project_id"]][row["site_id"]] = _cents(row["total"])
    return found


# The budget page


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    planned: Decimal
    actual: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.actual

    @property
    def over(self) -> bool:
        return self.actual > self.planned


def spent_by_line(spend, today: datetime.date) -> dict[int, Decimal]:
    """Line id → its actual spend up to today."""
    spent: dict[int, Decimal] = {}
    for s in spend:
        if s.date <= today:
            spent[s.line_id] = spent.get(s.line_id, ZERO) + s.amount
    return spent


def by_category(lines, spent: dict[int, Decimal]) -> list[CategoryRow]:
    """Plan against actual spend per category that has a line, in the order of the
    categories; `spent` is `spent_by_line`."""
    planned: dict[str, Decimal] = {}
    actual: dict[str, Decimal] = {}
    for line in lines:
        planned[line.category] = planned.get(line.category, ZERO) + line.planned_amount
        actual[line.category] = actual.get(line.category, ZERO) + spent.get(line.pk, ZERO)
    return [
        CategoryRow(value, label, planned[value], actual[value])
        for value, label in BudgetCategory.choices
        if value in planned
    ]


WIDTH, HEIGHT = 960, 340
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 92, 120, 40, 40


@dataclass
class BurnChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float  # y of the zero line
    title: str
    planned_points: str  # an SVG polyline from start (0) to go-live (BAC)
    actual_points: str  # cumulative actual spend, a step at each day money was spent
    actual_end: tuple[float, float]
    actual_label: str
    budget_y: float
    budget_label: str
    go_live_x: float
    today_x: float | None = None
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)


def money(value) -> str:
    return f"{value:,.0f}"


def _nice_step(top: float) -> float:
    """A round step (1, 2, 2.5 or 5 × a power of ten) giving at most five steps."""
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def burn_chart(
    project: Project, figures: Figures, spend, today: datetime.date, width: int = WIDTH
) -> BurnChart | None:
    """Lay out cumulative actual spend by date against the planned spend, a straight line from
    nothing at the start to the whole budget at go-live. None when there is nothing to draw."""
    counted = sorted((s for s in spend if s.date <= today), key=lambda s: s.date)
    if not figures.planned and not counted:
        return None
    start, go_live = project.start_date, project.target_go_live
    first = min([start, *(s.date for s in counted[:1])])
    last = max(go_live, today)
    span = max((last - first).days, 1)
    highest = float(max(figures.planned, figures.actual)) * 1.05 or 1.0
    step = _nice_step(highest)
    top_value = step * math.ceil(highest / step)
    right, bottom = width - PLOT_RIGHT, HEIGHT - PLOT_BOTTOM

    def x(day: datetime.date) -> float:
        return round(PLOT_LEFT + (right - PLOT_LEFT) * (day - first).days / span, 1)

    def y(value) -> float:
        return round(bottom - (bottom - PLOT_TOP) * float(value) / top_value, 1)

    planned = [(x(start), y(0)), (x(go_live), y(figures.planned)), (x(last), y(figures.planned))]
    actual = [(x(first), y(0))]
    total = ZERO
    for s in counted:
        actual.append((x(s.date), y(total)))
        total += s.amount
        actual.append((x(s.date), y(total)))
    actual.append((x(today), y(total)))
    currency = figures.currency
    return BurnChart(
        width=width,
        height=HEIGHT,
        left=PLOT_LEFT,
        right=right,
        top=PLOT_TOP,
        bottom=bottom,
        title=(
            f"Budget burn: {money(figures.actual)} {currency} spent to date against "
            f"{money(figures.planned_to_date)} {currency} planned by now, of a budget of "
            f"{money(figures.planned)} {currency} to spend by {go_live:%d %b %Y}."
        ),
        planned_points=" ".join(f"{px},{py}" for px, py in planned),
        actual_points=" ".join(f"{px},{py}" for px, py in actual),
        actual_end=actual[-1],
        actual_label=f"{money(figures.actual)} {currency}",
        budget_y=y(figures.planned),
        budget_label=f"{money(figures.planned)} {currency}",
        go_live_x=x(go_live),
        today_x=x(today) if first <= today <= last else None,
        x_ticks=month_ticks(first, last, x),
        y_ticks=[(y(value), money(value)) for value in _steps(step, top_value)],
    )


def _steps(step: float, top: float):
    value = 0.0
    while value <= top + step / 1000:
        yield value
        value += step


@dataclass
class Overview:
    """What the budget page shows, from one load of the rows."""

    figures: Figures
    categories: list[CategoryRow]
    lines: list[BudgetLine]  # each with `actual`: its spend up to today
    chart: BurnChart | None

    @property
    def left(self) -> Decimal:
        return self.figures.planned - self.figures.actual


def overview(project: Project, *, internal: bool, today: datetime.date) -> Overview:
    lines, spend = _lines(project, internal), _spend(project, internal)
    numbers = compute(project, lines, spend, _shares(project), today)
    spent = spent_by_line(spend, today)
    for line in lines:
        line.actual = spent.get(line.pk, ZERO)
    return Overview(
        figures=numbers,
        categories=by_category(lines, spent),
        lines=lines,
        chart=burn_chart(project, numbers, spend, today),
    )
