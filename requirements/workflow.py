"""Who may move a requirement, or a piece of test feedback, from which status to which: one table
each, used by the services to enforce and by the pages to show only the buttons a person may use."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import FeedbackStatus as F
from .models import Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    # None: nobody by role, only the person who submitted it.
    permission: str | None
    label: str | Promise
    needs_reason: bool = False
    # The person who submitted it (the tester, for feedback) may do this too, whatever their role.
    submitter_may: bool = False
    # For feedback: the item it duplicates must be named.
    needs_original: bool = False


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


_TRIAGE = "triage_feedback"
_UNSETTLED = frozenset({F.NEW, F.TRIAGED, F.FIXING})

FEEDBACK_TRANSITIONS = (
    Transition(frozenset({F.NEW}), F.TRIAGED, _TRIAGE, _("Triage")),
    Transition(frozenset({F.NEW, F.TRIAGED}), F.FIXING, _TRIAGE, _("Start fixing")),
    Transition(frozenset({F.FIXING}), F.FIXED, _TRIAGE, _("Mark fixed")),
    # Only the tester who logged it says whether the fix works.
    Transition(frozenset({F.FIXED}), F.VERIFIED, None, _("Verify the fix"), submitter_may=True),
    Transition(frozenset({F.FIXED}), F.FIXING, None, _("Reopen: not fixed"), needs_reason=True,
               submitter_may=True),
    Transition(frozenset({F.VERIFIED, F.FIXED}), F.CLOSED, _TRIAGE, _("Close")),
    Transition(_UNSETTLED, F.WONT_FIX, _TRIAGE, _("Won't fix"), needs_reason=True),
    Transition(_UNSETTLED, F.DUPLICATE, _TRIAGE, _("Duplicate of…"), needs_original=True),
    Transition(frozenset({F.WONT_FIX, F.DUPLICATE, F.CLOSED}), F.TRIAGED, _TRIAGE,
               _("Reopen"), needs_reason=True),
)  # fmt: skip


def may(transition: Transition, perms: frozenset[str], is_submitter: bool) -> bool:
    by_role = transition.permission is not None and transition.permission in perms
    return by_role or (transition.submitter_may and is_submitter)


def available(
    status: str, perms: frozenset[str], is_submitter: bool, table=TRANSITIONS
) -> list[Transition]:
    return [t for t in table if status in t.sources and may(t, perms, is_submitter)]


def find(source: str, target: str, table=TRANSITIONS) -> Transition | None:
    return next((t for t in table if source in t.sources and t.target == target), None)
