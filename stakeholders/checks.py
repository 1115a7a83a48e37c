"""The health checks of governance: who owns what, and whether the single point of contact
works. Registered with the engine in `projects.checks`."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.checks import (
    Result,
    active_sites,
    register,
    waiting_since,
    waiting_too_long,
)
from projects.models import CheckArea, Membership, Severity
from projects.roles import Role

from .models import Assignment, Entry, PointOfContact, Raci, Side
from .ownership import area_states, map_areas

THRESHOLDS = {
    # Days an off-channel request or instruction may wait for the point of contact.
    "off_channel_amber_days": 3,
    "off_channel_red_days": 7,
}


def _ids(projects) -> list[int]:
    return [project.pk for project in projects]


@dataclass(frozen=True, slots=True)
class Owner:
    """What the checks read of an accountable stakeholder."""

    name: str
    department: str
    site_id: int | None
    is_active: bool
    user_id: int | None


@dataclass(frozen=True, slots=True)
class Accountable:
    """An accountable letter on the ownership map, shaped as the `Assignment` it stands for."""

    area: str
    site_id: int | None
    letter: str
    stakeholder: Owner


def accountable_assignments(projects, today):
    """The accountable letters of active stakeholders: all an area's problem depends on (the
    other letters and inactive people only ever give advice, which no check reports). Plain
    rows rather than models: every project's map is read every night."""
    rows = Assignment.objects.filter(
        project__in=_ids(projects), letter=Raci.ACCOUNTABLE, stakeholder__is_active=True
    ).values_list(
        "project_id", "area", "site_id", "letter", "stakeholder__name",
        "stakeholder__department", "stakeholder__site_id", "stakeholder__user_id",
    )  # fmt: skip
    grouped: dict[int, list[Accountable]] = {pk: [] for pk in _ids(projects)}
    for project_id, area, site_id, letter, name, department, home, user_id in rows:
        owner = Owner(name, department, home, True, user_id)
        grouped[project_id].append(Accountable(area, site_id, letter, owner))
    return grouped


@register(CheckArea.GOVERNANCE, loads=(active_sites, accountable_assignments))
def ownership_gaps(project, today, sites, assignments):
    """Every area of the ownership map needs exactly one accountable owner."""
    areas = map_areas(sites)
    url = None
    for state in area_states(project.client.size_band, areas, assignments, advise=False):
        if state.problem:
            url = url or reverse("stakeholders:ownership", args=[project.key])
            yield Result(f"ownership:{state.area.key}", Severity.AMBER, state.problem, url)


def client_contacts(projects, today):
    """Project id → its current client point of contact's term (as `current_contacts`), or
    None."""
    current: dict[int, PointOfContact | None] = dict.fromkeys(_ids(projects))
    terms = PointOfContact.objects.filter(project__in=_ids(projects), side=Side.CLIENT)
    for term in terms.select_related("stakeholder"):
        if current[term.project_id] is None:
            current[term.project_id] = term
    return current


def with_spoc(projects, today):
    """Project id → whether it has an active member in the point-of-contact role."""
    found = set(
        Membership.objects.active()
        .filter(project__in=_ids(projects), role=Role.SPOC)
        .values_list("project_id", flat=True)
    )
    return {pk: pk in found for pk in _ids(projects)}


@register(CheckArea.GOVERNANCE, loads=(client_contacts, with_spoc))
def point_of_contact(project, today, term, has_spoc):
    """Requests flow through one client point of contact: there must be one, still active."""
    if has_spoc and (term is None or term.stakeholder.is_active):
        return
    url = reverse("stakeholders:contact", args=[project.key])
    if not has_spoc:
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


def waiting_entries(projects, today):
    waiting = Entry.objects.waiting()
    return waiting_since(
        waiting, "created_at", projects, today, THRESHOLDS["off_channel_amber_days"]
    )


@register(CheckArea.GOVERNANCE, loads=(waiting_entries,))
def off_channel_waiting(project, today, waiting):
    """Off-channel requests and instructions the point of contact has not confirmed or
    declined within the tolerance."""
    amber, red = THRESHOLDS["off_channel_amber_days"], THRESHOLDS["off_channel_red_days"]
    late = waiting_too_long(waiting, today, amber, red)
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
        opens_with="read_channel",
    )
