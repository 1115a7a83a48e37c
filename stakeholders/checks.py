"""The health checks of governance: who owns what, and whether the single point of contact
works. Registered with the engine in `projects.checks`."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.checks import Result, register, waiting_too_long
from projects.models import CheckArea, Membership, Severity
from projects.roles import Role

from .models import Assignment, Entry, Side
from .ownership import area_states, map_areas
from .services import current_contacts

THRESHOLDS = {
    # Days an off-channel request or instruction may wait for the point of contact.
    "off_channel_amber_days": 3,
    "off_channel_red_days": 7,
}


@register(CheckArea.GOVERNANCE)
def ownership_gaps(project, today):
    """Every area of the ownership map needs exactly one accountable owner."""
    areas = map_areas(list(project.sites.active()))
    assignments = Assignment.objects.filter(project=project).select_related("stakeholder")
    url = reverse("stakeholders:ownership", args=[project.key])
    for state in area_states(project.client.size_band, areas, assignments):
        if state.problem:
            yield Result(f"ownership:{state.area.key}", Severity.AMBER, state.problem, url)


@register(CheckArea.GOVERNANCE)
def point_of_contact(project, today):
    """Requests flow through one client point of contact: there must be one, still active."""
    url = reverse("stakeholders:contact", args=[project.key])
    term = current_contacts(project).get(Side.CLIENT)
    if not Membership.objects.active().filter(project=project, role=Role.SPOC).exists():
        yield Result(
            "no-spoc",
            Severity.RED,
            _("No client point of contact: instructions from the client have no channel."),
            url,
        )
    elif term is not None and not term.stakeholder.is_active:
        yield Result(
            "no-spoc",
            Severity.RED,
            _("The client point of contact, %(name)s, has left the project: hand over to someone.")
            % {"name": term.stakeholder.name},
            url,
        )


@register(CheckArea.GOVERNANCE)
def off_channel_waiting(project, today):
    """Off-channel requests and instructions the point of contact has not confirmed or
    declined within the tolerance."""
    amber, red = THRESHOLDS["off_channel_amber_days"], THRESHOLDS["off_channel_red_days"]
    waiting = Entry.objects.for_project(project).waiting()
    late = waiting_too_long(waiting, "created_at", today, amber, red)
    if late is None:
        return
    count, oldest, severity = late
    yield Result(
        "off-channel-waiting",
        severity,
        ngettext(
            "%(count)d off-channel request or instruction waits for the point of contact, "
            "for %(days)d days.",
            "%(count)d off-channel requests or instructions wait for the point of contact; "
            "the oldest for %(days)d days.",
            count,
        )
        % {"count": count, "days": oldest},
        reverse("stakeholders:channel", args=[project.key]),
    )
