"""The health checks: small functions of a project that return what is wrong with it.

Each app registers its own checks with `register` (the way Django's system checks are
registered), so this engine never reaches into the other apps. `services.findings_refresh` runs
them all and stores what they found as `Finding` rows that open and close over time.

A check yields `Result`s for the problems it sees and nothing when all is well: an area with no
open finding is green. A result's `code` names the problem and the thing it is about
("milestone-overdue:42"), so the same problem found again tomorrow is the same finding.
"""

import datetime
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import budget
from .models import (
    SEVERITY_RANK,
    CheckArea,
    ContentRelease,
    Level,
    Milestone,
    RaidItem,
    RaidKind,
    Severity,
    Site,
    lead_times,
)

# Every threshold of the checks in `projects`, in one place (the other apps keep theirs in
# their own checks.py). Days are calendar days.
THRESHOLDS = {
    # Forecast later than the baseline by more than this: amber; by more than the red one: red.
    "slip_amber_days": 14,
    "slip_red_days": 30,
    # Actual spend against the plan for the elapsed time, as a ratio.
    "spend_ahead_amber": 1.10,
    "spend_ahead_red": 1.25,
    # Estimate at completion against the budget, as a ratio.
    "eac_over_amber": 1.05,
    "eac_over_red": 1.15,
    # Earned value indexes below these.
    "index_amber": 0.90,
    "index_red": 0.80,
}


@dataclass(frozen=True)
class Result:
    code: str
    severity: Severity
    message: str
    url: str
    owner_id: int | None = None
    # The permission the page at `url` needs: those without it read the finding, unlinked.
    opens_with: str = "view_project"


CheckFunction = Callable[..., Iterable[Result]]
# A loader reads what a check needs for many projects at once: `loader(projects, today)` returns
# a mapping with an entry for each of the projects' ids.
Loader = Callable[[list, datetime.date], Mapping[int, Any]]


@dataclass(frozen=True)
class Check:
    function: CheckFunction
    area: CheckArea
    loads: tuple[Loader, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"


_checks: dict[str, Check] = {}


def register(area: CheckArea, *, loads: tuple[Loader, ...] = ()):
    """Decorator for a check: `function(project, today, *loaded) -> Iterable[Result]`, where
    `loaded` is what each of `loads` read for this project. The nightly run checks every project
    with one read per loader, not one per project; checks that share a loader share its read."""

    def decorate(function: CheckFunction) -> CheckFunction:
        check = Check(function, CheckArea(area), tuple(loads))
        _checks[check.name] = check

        @functools.wraps(function)
        def alone(project, today, *loaded):
            """Called on one project without what it loads, the check loads it itself."""
            if not loaded:
                loaded = tuple(loader([project], today)[project.pk] for loader in check.loads)
            return function(project, today, *loaded)

        return alone

    return decorate


def registered() -> list[Check]:
    return list(_checks.values())


def run_all(project, today: datetime.date) -> list[tuple[CheckArea, Result]]:
    return run_many([project], today)[project.pk]


def run_many(projects: list, today: datetime.date) -> dict[int, list[tuple[CheckArea, Result]]]:
    """Every check on each of `projects`: project id -> (area, result) pairs."""
    loaded: dict[Loader, Mapping[int, Any]] = {}
    for check in _checks.values():
        for loader in check.loads:
            if loader not in loaded:
                loaded[loader] = loader(projects, today)
    found: dict[int, list[tuple[CheckArea, Result]]] = {project.pk: [] for project in projects}
    for check in _checks.values():
        for project in projects:
            args = [loaded[loader][project.pk] for loader in check.loads]
            found[project.pk].extend(
                (check.area, result) for result in check.function(project, today, *args)
            )
    return found


def by_project(rows: Iterable, projects: list) -> dict[int, list]:
    """Model rows grouped by their project, in the order read; an empty list for a project
    with none."""
    grouped: dict[int, list] = {project.pk: [] for project in projects}
    for row in rows:
        grouped[row.project_id].append(row)
    return grouped


def worst(severities: Iterable[str]) -> Severity:
    return max((Severity(s) for s in severities), key=SEVERITY_RANK.get, default=Severity.GREEN)


def rag(findings) -> dict[str, Severity]:
    """The status per area: its worst open finding, green when it has none."""
    by_area: dict[str, list[str]] = {area: [] for area in CheckArea.values}
    for finding in findings:
        by_area[finding.area].append(finding.severity)
    return {area: worst(severities) for area, severities in by_area.items()}


def day(value: datetime.date) -> str:
    """A date as findings write it: 3 Mar 2027."""
    return _day(value, get_language())


@functools.lru_cache(maxsize=1024)
def _day(value: datetime.date, language: str | None) -> str:
    # Many projects share a go-live or a hosting end: the nightly run words each date once.
    return date_format(value, "j M Y")


def waiting_since(queryset, field: str, projects: list, today: datetime.date, amber: int):
    """Project id → (how many of the things in `queryset` waited more than `amber` days, when
    the oldest of them started waiting (`field`)), or None, for each of `projects` in one
    query that counts them: a project's waiting rows are not read one by one."""
    # The start of that day in the current time zone: what `__date__lt` means, without casting
    # every row's time to a date.
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=amber), datetime.time())
    )
    ids = [project.pk for project in projects]
    late = (
        queryset.filter(project__in=ids, **{f"{field}__lt": cutoff})
        .order_by()
        .values("project_id")
        .annotate(count=Count("pk"), oldest=Min(field))
    )
    found: dict[int, tuple[int, datetime.datetime] | None] = dict.fromkeys(ids)
    found.update((row["project_id"], (row["count"], row["oldest"])) for row in late)
    return found


def waiting_too_long(waiting, today: datetime.date, amber: int, red: int):
    """For what `waiting_since` found for a project: (how many waited more than `amber` days,
    the oldest's days, its severity), or None when none did."""
    if waiting is None:
        return None
    count, oldest = waiting
    days = (today - timezone.localdate(oldest)).days
    return count, days, by_thresholds(days, amber, red)


def by_thresholds(value: float, amber: float, red: float, *, above: bool = True) -> Severity:
    """Green, amber or red for `value` against two thresholds; `above` says which way is bad.
    A value exactly at a threshold is not past it."""
    if above:
        return Severity.RED if value > red else Severity.AMBER if value > amber else Severity.GREEN
    return Severity.RED if value < red else Severity.AMBER if value < amber else Severity.GREEN


# The checks of the plan, the sites and the RAID register.


def active_sites(projects, today):
    return by_project(Site.objects.active().filter(project__in=[p.pk for p in projects]), projects)


def open_milestones(projects, today):
    milestones = Milestone.objects.active().filter(
        project__in=[p.pk for p in projects], actual_date__isnull=True
    )
    return by_project(milestones.select_related("site"), projects)


def _plan_url(project) -> str:
    return reverse("projects:plan", args=[project.key])


@register(CheckArea.TIMELINE, loads=(open_milestones,))
def milestones_late(project, today, milestones):
    """An unfinished milestone past its forecast is overdue (red); a forecast that moved past
    the tolerance from its baseline has slipped (amber, red beyond the second tolerance)."""
    for milestone in milestones:
        overdue = milestone.forecast_date < today
        severity = by_thresholds(
            milestone.slip_days, THRESHOLDS["slip_amber_days"], THRESHOLDS["slip_red_days"]
        )
        if not overdue and severity == Severity.GREEN:
            continue  # most milestones: nothing to word
        where = f" ({milestone.site.name})" if milestone.site_id else ""
        url = reverse("projects:milestone_edit", args=[project.key, milestone.pk])
        if overdue:
            days = (today - milestone.forecast_date).days
            yield Result(
                f"milestone-overdue:{milestone.pk}",
                Severity.RED,
                _("%(name)s%(where)s is overdue by %(days)d days.")
                % {"name": milestone.name, "where": where, "days": days},
                url,
                milestone.owner_id,
                opens_with="manage_project",
            )
        if severity != Severity.GREEN:
            yield Result(
                f"milestone-slip:{milestone.pk}",
                severity,
                _("%(name)s%(where)s has slipped %(days)d days against its baseline.")
                % {"name": milestone.name, "where": where, "days": milestone.slip_days},
                url,
                milestone.owner_id,
                opens_with="manage_project",
            )


@register(CheckArea.GOVERNANCE)
def hosting_term(project, today):
    """The hosting contract must last as long as the programme the platform serves."""
    end, needed = project.hosting_term_end, project.programme_end
    if end and needed and end < needed:
        yield Result(
            "hosting-term",
            Severity.RED,
            _(
                "The hosting term ends on %(end)s but the programme runs until %(needed)s: "
                "the platform would go dark for %(days)d days."
            )
            % {"end": day(end), "needed": day(needed), "days": (needed - end).days},
            reverse("projects:edit", args=[project.key]),
            opens_with="manage_project",
        )


def available_releases(projects, today):
    releases = ContentRelease.objects.filter(
        project__in=[p.pk for p in projects], archived_at__isnull=True, available_on__isnull=False
    )
    return by_project(releases, projects)


@register(CheckArea.TIMELINE, loads=(active_sites, available_releases))
def content_lead_time(project, today, sites, releases):
    """Central quality control that holds content back from a site: the median lead time from
    ready to available above the site's target."""
    for row in lead_times(sites, releases):
        if row["over"]:
            yield Result(
                f"content-lead-time:{row['site'].pk}",
                Severity.AMBER,
                _(
                    "Content reaches learners in %(site)s after %(median)s days (median), "
                    "above the target of %(target)s days."
                )
                % {"site": row["site"].name, "median": row["median"], "target": row["target"]},
                _plan_url(project) + "#releases-heading",
            )


def late_assumptions(projects, today):
    assumptions = RaidItem.objects.open().filter(
        project__in=[p.pk for p in projects],
        kind=RaidKind.ASSUMPTION,
        impact=Level.HIGH,
        due_date__lt=today,
    )
    return by_project(assumptions, projects)


@register(CheckArea.GOVERNANCE, loads=(late_assumptions,))
def assumptions_unchecked(project, today, assumptions):
    """A high-impact assumption still unvalidated after its validation date."""
    for item in assumptions:
        yield Result(
            f"assumption-unchecked:{item.pk}",
            Severity.RED,
            _("High-impact assumption not checked since %(date)s: %(title)s")
            % {"date": day(item.due_date), "title": item.title},
            reverse("projects:raid_edit", args=[project.key, item.pk]),
            item.owner_id,
            opens_with="manage_project",
        )


# The checks of the budget. They weigh every line, vendor-internal ones included, which is why
# only vendor roles see budget findings (`FindingQuerySet.visible_with`).


def money(amount, currency: str) -> str:
    return f"{amount:,.0f} {currency}"


def budget_verdicts(numbers: budget.Figures) -> dict[str, Severity]:
    """Green, amber or red for each budget figure that has a threshold (spend against the plan
    for the time elapsed, the estimate at completion against the budget, CPI and SPI), for those
    figures that are known. The checks and the budget page read the same verdicts."""
    verdicts = {}
    if numbers.planned and numbers.planned_to_date:
        verdicts["spend"] = by_thresholds(
            float(numbers.actual / numbers.planned_to_date),
            THRESHOLDS["spend_ahead_amber"],
            THRESHOLDS["spend_ahead_red"],
        )
    if numbers.planned and numbers.eac is not None:
        verdicts["eac"] = by_thresholds(
            float(numbers.eac / numbers.planned),
            THRESHOLDS["eac_over_amber"],
            THRESHOLDS["eac_over_red"],
        )
    for name in ("cpi", "spi"):
        value = getattr(numbers, name)
        if value is not None:
            verdicts[name] = by_thresholds(
                float(value), THRESHOLDS["index_amber"], THRESHOLDS["index_red"], above=False
            )
    return verdicts


def _percent_over(value, base) -> int:
    return round((value / base - 1) * 100)


def internal_figures(projects, today):
    return budget.figures_many(projects, internal=True, today=today)


@register(CheckArea.BUDGET, loads=(internal_figures,))
def budget_against_plan(project, today, numbers):
    """Spend ahead of the plan for the time elapsed; an estimate at completion over budget;
    earned value indexes (CPI, SPI) below threshold."""
    verdicts = {
        name: severity
        for name, severity in budget_verdicts(numbers).items()
        if severity != Severity.GREEN
    }
    if not verdicts:
        return
    url = reverse("projects:budget", args=[project.key])
    currency = numbers.currency
    if "spend" in verdicts:
        yield Result(
            "spend-ahead-of-plan",
            verdicts["spend"],
            _(
                "Spent %(actual)s against %(plan)s planned for the time elapsed: "
                "%(percent)d%% ahead of plan."
            )
            % {
                "actual": money(numbers.actual, currency),
                "plan": money(numbers.planned_to_date, currency),
                "percent": _percent_over(numbers.actual, numbers.planned_to_date),
            },
            url,
            opens_with="view_budget",
        )
    if "eac" in verdicts:
        yield Result(
            "estimate-over-budget",
            verdicts["eac"],
            _("The estimate at completion, %(eac)s, is %(percent)d%% over the budget of %(bac)s.")
            % {
                "eac": money(numbers.eac, currency),
                "bac": money(numbers.planned, currency),
                "percent": _percent_over(numbers.eac, numbers.planned),
            },
            url,
            opens_with="view_budget",
        )
    meanings = {
        "cpi": _("each unit spent earns %(value)s of planned work"),
        "spi": _("work is earned at %(value)s of the planned pace"),
    }
    for name, meaning in meanings.items():
        if name in verdicts:
            value = f"{getattr(numbers, name):.2f}"
            yield Result(
                f"earned-value-{name}",
                verdicts[name],
                _("%(index)s is %(value)s: %(meaning)s.")
                % {"index": name.upper(), "value": value, "meaning": meaning % {"value": value}},
                url,
                opens_with="view_budget",
            )


def rebilling(projects, today):
    return budget.rebilling_by_site_many(projects)


@register(CheckArea.BUDGET, loads=(rebilling, active_sites))
def rebilling_above_local_alternative(project, today, rebilled, sites):
    """Internal rebilling from head office that costs a site more than a local LMS would: the
    rebilling planned for the site against one year of the local alternative. Paying head
    office more than a year of a local platform is the classic glocal failure."""
    for site in sites:
        if site.local_alternative_cost is None or site.pk not in rebilled:
            continue
        if rebilled[site.pk] > site.local_alternative_cost:
            url = reverse("projects:budget", args=[project.key])
            yield Result(
                f"rebilling:{site.pk}",
                Severity.AMBER,
                _(
                    "%(site)s is rebilled %(rebilled)s by head office, more than a local "
                    "alternative costs a year (%(alternative)s)."
                )
                % {
                    "site": site.name,
                    "rebilled": money(rebilled[site.pk], project.currency),
                    "alternative": money(site.local_alternative_cost, project.currency),
                },
                url,
                opens_with="view_budget",
            )
