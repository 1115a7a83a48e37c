"""The health checks of scope and quality: requirements that trace to nothing, wait on the
point of contact, conflict, or are not verified as go-live nears. Registered with the engine in
`projects.checks`."""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.checks import (
    Result,
    active_sites,
    by_project,
    day,
    register,
    waiting_since,
    waiting_too_long,
)
from projects.models import CheckArea, Severity
from stakeholders.checks import accountable_assignments

from .models import CLOSED, Conflict, Feedback, Requirement, Status
from .readiness import in_scope
from .services import conflict_owner, single_owners

THRESHOLDS = {
    # Days a submitted requirement may wait for the point of contact's endorsement.
    "endorsement_amber_days": 5,
    "endorsement_red_days": 10,
    # Go-live is "near" within this many days.
    "go_live_near_days": 14,
}


def _list_url(project, query: str) -> str:
    return reverse("requirements:list", args=[project.key]) + "?" + query


def _ids(projects) -> list[int]:
    return [project.pk for project in projects]


def without_goal_counts(projects, today):
    counts = dict.fromkeys(_ids(projects), 0)
    rows = (
        Requirement.objects.filter(project__in=_ids(projects))
        .without_goal()
        .values_list("project_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts.update(rows)
    return counts


@register(CheckArea.SCOPE, loads=(without_goal_counts,))
def without_goal(project, today, count):
    """Requirements that trace to no goal are a warning sign of vague goals."""
    if count:
        yield Result(
            "requirements-without-goal",
            Severity.AMBER,
            ngettext(
                "%(count)d open requirement traces to no goal.",
                "%(count)d open requirements trace to no goal.",
                count,
            )
            % {"count": count},
            reverse("requirements:goals", args=[project.key]) + "#orphans-title",
            opens_with="view_requirements",
        )


def waiting_submissions(projects, today):
    waiting = Requirement.objects.filter(status=Status.SUBMITTED)
    return waiting_since(
        waiting, "updated_at", projects, today, THRESHOLDS["endorsement_amber_days"]
    )


@register(CheckArea.GOVERNANCE, loads=(waiting_submissions,))
def waiting_for_endorsement(project, today, waiting):
    """Submitted requirements the point of contact has not endorsed or returned. The last
    change to a requirement stands for when it started waiting."""
    amber, red = THRESHOLDS["endorsement_amber_days"], THRESHOLDS["endorsement_red_days"]
    late = waiting_too_long(waiting, today, amber, red)
    if late is None:
        return
    count, oldest, severity = late
    yield Result(
        "requirements-waiting-for-spoc",
        severity,
        ngettext(
            "%(count)d submitted requirement waits for the point of contact's endorsement, "
            "for %(days)d days.",
            "%(count)d submitted requirements wait for the point of contact's endorsement; "
            "the oldest for %(days)d days.",
            count,
        )
        % {"count": count, "days": oldest},
        _list_url(project, "status=submitted"),
        opens_with="view_requirements",
    )


def unresolved_conflicts(projects, today):
    conflicts = Conflict.objects.filter(project__in=_ids(projects), resolved_at__isnull=True)
    return by_project(conflicts.select_related("first__project", "second__project"), projects)


@register(CheckArea.SCOPE, loads=(unresolved_conflicts, accountable_assignments))
def open_conflicts(project, today, conflicts, accountables):
    """Conflicting requirements wait for the accountable owner of their area."""
    owners = single_owners(accountables) if conflicts else {}
    for conflict in conflicts:
        owner = conflict_owner(conflict, owners)
        who = owner.name if owner else _("nobody (the area has no single accountable owner)")
        yield Result(
            f"conflict:{conflict.pk}",
            Severity.AMBER,
            _("%(first)s and %(second)s conflict; it is for %(who)s to settle.")
            % {"first": conflict.first.key, "second": conflict.second.key, "who": who},
            reverse("requirements:conflicts", args=[project.key]),
            owner.user_id if owner else None,
            opens_with="view_requirements",
        )


def open_musts(projects, today):
    """Project id → the site (or None) of each of its unverified Must requirements."""
    grouped: dict[int, list] = {pk: [] for pk in _ids(projects)}
    rows = (
        Requirement.objects.filter(project__in=_ids(projects))
        .musts()
        .exclude(status__in=CLOSED)
        .values_list("project_id", "site_id")
    )
    for project_id, site_id in rows:
        grouped[project_id].append(site_id)
    return grouped


def severe_feedback(projects, today):
    """Project id → the site (or None) of each of its open blocker and major feedback items."""
    grouped: dict[int, list] = {pk: [] for pk in _ids(projects)}
    rows = (
        Feedback.objects.filter(project__in=_ids(projects))
        .open()
        .blocking()
        .values_list("project_id", "round__site_id")
    )
    for project_id, site_id in rows:
        grouped[project_id].append(site_id)
    return grouped


@register(CheckArea.QUALITY, loads=(active_sites, open_musts, severe_feedback))
def go_live_not_ready(project, today, sites, open_musts, severe):
    """Go-live near (or passed) while Must requirements in its scope are not verified, or
    blocker and major test feedback in its scope is open. The whole project goes by its target
    go-live; a site by its local go-live and counts what concerns all sites and that site."""
    near = today + datetime.timedelta(days=THRESHOLDS["go_live_near_days"])
    targets = [(None, project.target_go_live)] if project.target_go_live <= near else []
    targets += [
        (site, site.local_go_live)
        for site in sites
        if site.local_go_live is not None and site.local_go_live <= near
    ]
    if not targets:
        return
    for site, go_live in targets:
        musts = sum(1 for site_id in open_musts if in_scope(site_id, site))
        feedback = sum(1 for site_id in severe if in_scope(site_id, site))
        if not musts and not feedback:
            continue
        where = site.name if site else _("the project")
        parts = []
        if musts:
            parts.append(
                ngettext("%(count)d Must requirement is not verified",
                         "%(count)d Must requirements are not verified", musts)
                % {"count": musts}
            )  # fmt: skip
        if feedback:
            parts.append(
                ngettext("%(count)d blocker or major feedback item is open",
                         "%(count)d blocker or major feedback items are open", feedback)
                % {"count": feedback}
            )  # fmt: skip
        yield Result(
            f"go-live-musts:{site.pk if site else 'project'}",
            Severity.RED,
            _("Go-live of %(where)s is on %(date)s and %(what)s.")
            % {"where": where, "date": day(go_live), "what": _(" and ").join(parts)},
            reverse("requirements:readiness", args=[project.key]),
            opens_with="view_requirements",
        )
