"""Every write to goals and requirements."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from projects.markdown import render_markdown
from projects.models import Project

from .models import Goal, Requirement
from .workflow import find, may


class StaleEdit(ValidationError):
    """Someone else saved the requirement after this person opened it."""

    def __init__(self, current: Requirement):
        super().__init__(
            _(
                "%(who)s changed this requirement while you were editing it. Their version is "
                "shown below; re-apply your change to it."
            )
            % {"who": _who_last(current)}  # fmt: skip
        )
        self.current = current


def _who_last(requirement: Requirement) -> str:
    last = requirement.history.select_related("history_user").first()
    return str(last.history_user) if last and last.history_user else _("Someone")


@transaction.atomic
def goal_save(*, goal: Goal, by) -> Goal:
    goal.full_clean()
    goal._history_user = by
    goal.save()
    return goal


def _check_scope(requirement: Requirement) -> None:
    errors = {}
    if requirement.site_id and requirement.site.project_id != requirement.project_id:
        errors["site"] = _("Choose a site of this project.")
    if requirement.goal_id and requirement.goal.project_id != requirement.project_id:
        errors["goal"] = _("Choose a goal of this project.")
    if requirement.submitter_id and requirement.submitter.project_id != requirement.project_id:
        errors["submitter"] = _("Choose a stakeholder of this project.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def requirement_submit(*, requirement: Requirement, by) -> Requirement:
    """Give the requirement the project's next number. The project row is locked while the
    number is chosen, so two people submitting at once never get the same one, nor a gap."""
    project = Project.objects.select_for_update().get(pk=requirement.project_id)
    last = project.requirements.aggregate(last=Max("number"))["last"] or 0
    requirement.number = last + 1
    requirement.created_by = by
    requirement.description_html = render_markdown(requirement.description)
    requirement.full_clean()
    _check_scope(requirement)
    requirement._history_user = by
    requirement.save()
    return requirement


@transaction.atomic
def requirement_update(*, requirement: Requirement, read_version: int, by) -> Requirement:
    """Save an edit made on the version the person read; refuse it if someone saved since."""
    current = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if current.version != read_version:
        raise StaleEdit(current)
    requirement.version = current.version + 1
    requirement.description_html = render_markdown(requirement.description)
    requirement.full_clean()
    _check_scope(requirement)
    requirement._history_user = by
    requirement.save()
    return requirement


def is_submitter(requirement: Requirement, user) -> bool:
    return bool(requirement.submitter_id) and requirement.submitter.user_id == user.pk


@transaction.atomic
def requirement_transition(*, requirement: Requirement, to: str, perms: frozenset[str], by,
                           reason: str = "") -> Requirement:  # fmt: skip
    """Move a requirement along its workflow, if this person may (see `workflow.TRANSITIONS`)."""
    requirement = (
        Requirement.objects.select_for_update(of=("self",))
        .select_related("project", "submitter")
        .get(pk=requirement.pk)
    )
    transition = find(requirement.status, to)
    if transition is None:
        raise ValidationError(
            _("A requirement that is %(status)s cannot be moved there.")
            % {"status": requirement.get_status_display().lower()}
        )
    if not may(transition, perms, is_submitter(requirement, by)):
        raise ValidationError(_("Your role does not allow you to %(action)s this requirement.")
                              % {"action": str(transition.label).lower()})  # fmt: skip
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the others will read it.")})
    requirement.status = to
    requirement.status_reason = reason.strip()
    requirement.version += 1
    requirement._history_user = by
    requirement.save()
    return requirement
