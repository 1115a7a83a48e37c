"""Who may move a requirement from which status to which: one table, used by the services to
enforce and by the pages to show only the buttons a person may use."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    permission: str
    label: str | Promise
    needs_reason: bool = False
    # The person who submitted it may do this too, whatever their role.
    submitter_may: bool = False


TRANSITIONS = (
    Transition(frozenset({Status.SUBMITTED}), Status.ENDORSED, "endorse_requirement", _("Endorse")),
    Transition(frozenset({Status.SUBMITTED}), Status.RETURNED, "endorse_requirement",
               _("Return for clarification"), needs_reason=True),
    Transition(frozenset({Status.RETURNED}), Status.SUBMITTED, "endorse_requirement",
               _("Resubmit"), submitter_may=True),
    Transition(frozenset({Status.ENDORSED}), Status.ACCEPTED, "manage_project", _("Accept")),
    Transition(frozenset({Status.ENDORSED}), Status.DECLINED, "manage_project", _("Decline"),
               needs_reason=True),
    Transition(frozenset({Status.ACCEPTED}), Status.IN_PROGRESS, "work_requirements",
               _("Start work")),
    Transition(frozenset({Status.IN_PROGRESS}), Status.DELIVERED, "work_requirements",
               _("Mark delivered")),
    Transition(frozenset({Status.DELIVERED}), Status.VERIFIED, "endorse_requirement", _("Verify")),
    Transition(frozenset({Status.DELIVERED}), Status.IN_PROGRESS, "endorse_requirement",
               _("Send back to work"), needs_reason=True),
    Transition(frozenset({Status.SUBMITTED, Status.RETURNED, Status.ENDORSED}), Status.WITHDRAWN,
               "endorse_requirement", _("Withdraw"), needs_reason=True, submitter_may=True),
)  # fmt: skip


def may(transition: Transition, perms: frozenset[str], is_submitter: bool) -> bool:
    return transition.permission in perms or (transition.submitter_may and is_submitter)


def available(status: str, perms: frozenset[str], is_submitter: bool) -> list[Transition]:
    return [t for t in TRANSITIONS if status in t.sources and may(t, perms, is_submitter)]


def find(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if source in t.sources and t.target == target), None)
