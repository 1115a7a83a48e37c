"""Roles on a project and the object permissions each one grants.

This table is the one place that decides what a role may do; `services.project_sync_role_groups`
turns it into django-guardian permissions on each project's role groups.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROJECT_MANAGER = "pm", _("Vendor project manager")
    TEAM_MEMBER = "team", _("Vendor team member")
    SPOC = "spoc", _("Client point of contact")
    STAKEHOLDER = "stakeholder", _("Client stakeholder")
    TESTER = "tester", _("Tester")
    OBSERVER = "observer", _("Observer (sponsor)")


VENDOR_ROLES = frozenset({Role.PROJECT_MANAGER, Role.TEAM_MEMBER})

# codename -> what a person may do with it, as shown on a refusal page.
PERMISSIONS = {
    "view_project": _("see the project summary"),
    "manage_project": _("manage the project: its set-up, plan, budget, test rounds and members"),
    "submit_requirement": _("submit requirements"),
    "view_requirements": _("see all requirements"),
    "work_requirements": _("work on requirements"),
    "endorse_requirement": _("endorse or return requirements"),
    "log_feedback": _("log test feedback"),
    "triage_feedback": _("triage test feedback"),
    "read_channel": _("read the channel"),
    "post_channel": _("post in the channel"),
    "confirm_off_channel": _("confirm or decline off-channel requests"),
    "view_budget": _("see the shared budget"),
    "view_internal": _("see vendor-internal budget lines and notes"),
    "view_reports": _("read status reports"),
}

_EVERYONE = {"view_project"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # The client's acts (endorsing, confirming off-channel requests) and testing stay with the
    # client: a project manager who could do them would undo the single point of contact.
    Role.PROJECT_MANAGER: frozenset(PERMISSIONS)
    - {"endorse_requirement", "confirm_off_channel", "log_feedback"},
    Role.TEAM_MEMBER: frozenset(
        _EVERYONE
        | {
            "view_requirements",
            "work_requirements",
            "triage_feedback",
            "read_channel",
            "post_channel",
            "view_budget",
            "view_internal",
            "view_reports",
        }
    ),
    Role.SPOC: frozenset(
        _EVERYONE
        | {
            "submit_requirement",
            "view_requirements",
            "endorse_requirement",
            "read_channel",
            "post_channel",
            "confirm_off_channel",
            "view_budget",
            "view_reports",
        }
    ),
    Role.STAKEHOLDER: frozenset(_EVERYONE | {"submit_requirement", "read_channel", "post_channel"}),
    Role.TESTER: frozenset(_EVERYONE | {"log_feedback"}),
    Role.OBSERVER: frozenset(_EVERYONE | {"view_reports"}),
}

# Vendor staff administer every project as its project manager would.
STAFF_PERMISSIONS = ROLE_PERMISSIONS[Role.PROJECT_MANAGER]


def permissions_for(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS[Role(role)]
