"""The health checks of scope and quality: requirements that trace to nothing, wait on the
point of contact, conflict, or are not verified as go-live nears. Registered with the engine in
`projects.checks`."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.checks import Result, day, register, waiting_too_long
from projects.models import CheckArea, Severity

from .models import CLOSED, Conflict, Feedback, Requirement, Status
from .readiness import in_scope
from .services import accountable_owners, conflict_owner

THRESHOLDS = {
    # Days a submitted requirement may wait for the point of contact's endorsement.
    "endorsement_amber_days": 5,
    "endorsement_red_days": 10,
    # Go-live is "near" within this many days.
    "go_live_near_days": 14,
}


def _list_url(project, query: str) -> str:
    return reverse("requirements:list", args=[project.key]) + "?" + query


@register(CheckArea.SCOPE)
def without_goal(project, today):
    """Requirements that trace to no goal are a warning sign of vague goals."""
    count = Requirement.objects.for_project(project).without_goal().count()
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
        )


@register(CheckArea.GOVERNANCE)
def waiting_for_endorsement(project, today):
    """Submitted requirements the point of contact has not endorsed or returned. The last
    change to a requirement stands for when it started waiting."""
    amber, red = THRESHOLDS["endorsement_amber_days"], THRESHOLDS["endorsement_red_days"]
    waiting = Requirement.objects.for_project(project).filter(status=Status.SUBMITTED)
    late = waiting_too_long(waiting, "updated_at", today, amber, red)
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
    )


@register(CheckArea.SCOPE)
def open_conflicts(project, today):
    """Conflicting requirements wait for the accountable owner of their area."""
    conflicts = Conflict.objects.filter(project=project, resolved_at__isnull=True)
    conflicts = list(conflicts.select_related("first__project", "second__project"))
    owners = accountable_owners(project.pk) if conflicts else {}
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
        )


@register(CheckArea.QUALITY)
def go_live_not_ready(project, today):
    """Go-live near (or passed) while Must requirements in its scope are not verified, or
    blocker and major test feedback in its scope is open. The whole project goes by its target
    go-live; a site by its local go-live and counts what concerns all sites and that site."""
    near = today + datetime.timedelta(days=THRESHOLDS["go_live_near_days"])
    targets = [(None, project.target_go_live)] if project.target_go_live <= near else []
    targets += [
        (site, site.local_go_live)
        for site in project.sites.active().filter(local_go_live__lte=near)
    ]
    if not targets:
        return
    open_musts = list(
        Requirement.objects.for_project(project)
        .musts()
        .exclude(status__in=CLOSED)
        .values_list("site_id", flat=True)
    )
    severe = list(
        Feedback.objects.for_project(project)
        .open()
        .blocking()
        .values_list("round__site_id", flat=True)
    )
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
        )
