"""Every write to goals and requirements."""

import copy
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from audit import services as audit
from audit.models import Kind
from projects.markdown import render_markdown
from projects.models import Membership, Project
from projects.roles import Role
from projects.services import checks_request, rows_create_with_history
from projects.tabular import read_rows
from projects.uploads import UploadedFile
from projects.versions import StaleEdit, save_over
from stakeholders.models import Area, Assignment, EntryKind, Raci, Stakeholder
from stakeholders.services import entry_post

from .imports import preview
from .models import (
    Baseline,
    BaselineItem,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Conflict,
    Feedback,
    FeedbackComment,
    FeedbackStatus,
    Goal,
    ImportJob,
    ImportState,
    MeToo,
    Requirement,
    RoundStatus,
    Screenshot,
    Status,
    TestRound,
)
from .tasks import import_requirements, notify_tester_of_fix
from .workflow import FEEDBACK_TRANSITIONS, find, may

# What a baselined requirement changes only through a change request.
BASELINED_FIELDS = ("priority", "site_id", "acceptance_criteria")


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


def _next_number(rows) -> int:
    """The next number among `rows`, a project's requirements, change requests or feedback.
    Chosen under a lock on the project's row: two people numbering at once never get the same
    number, nor leave a gap."""
    Project.objects.select_for_update().get(pk=rows.instance.pk)
    return (rows.aggregate(last=Max("number"))["last"] or 0) + 1


@transaction.atomic
def requirement_submit(*, requirement: Requirement, by) -> Requirement:
    """Give the requirement the project's next number. The project row is locked while the
    number is chosen, so two people submitting at once never get the same one, nor a gap."""
    requirement.number = _next_number(requirement.project.requirements)
    requirement.created_by = by
    return _save(requirement, by)


@transaction.atomic
def requirement_update(*, requirement: Requirement, read_version: int, by) -> Requirement:
    """Save an edit made on the version the person read; refuse it if someone saved since."""
    current = save_over(requirement, read_version=read_version)
    if current.in_baseline and any(
        getattr(requirement, name) != getattr(current, name) for name in BASELINED_FIELDS
    ):
        raise ValidationError(
            _(
                "%(key)s is in the baseline: its priority, scope and acceptance criteria change "
                "through a change request."
            )
            % {"key": current.key}
        )
    return _save(requirement, by)


def _save(requirement: Requirement, by) -> Requirement:
    requirement.description_html = render_markdown(requirement.description)
    requirement.full_clean()
    _check_scope(requirement)
    requirement._history_user = by
    requirement.save()
    checks_request(project=requirement.project)
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
    if (
        to == Status.ACCEPTED
        and not requirement.in_baseline
        and requirement.project.baselines.exists()
    ):
        raise ValidationError(
            _("The requirements are baselined: a new one joins through an approved change request.")
        )
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the others will read it.")})
    requirement.status = to
    requirement.status_reason = reason.strip()
    requirement.version += 1
    requirement._history_user = by
    requirement.save()
    checks_request(project=requirement.project)
    return requirement


# Baseline and change requests

COMMITTED = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.DELIVERED, Status.VERIFIED})


def _scope(requirement: Requirement) -> str:
    return requirement.site.name if requirement.site_id else str(_("All sites"))


@transaction.atomic
def baseline_create(*, project: Project, note: str, by) -> Baseline:
    """Freeze the accepted set. From now on its scope, priorities and criteria, and any new
    requirement, change only through approved change requests."""
    committed = list(
        project.requirements.filter(status__in=COMMITTED).select_related("site").order_by("number")
    )
    if not committed:
        raise ValidationError(_("No requirement is accepted yet: there is nothing to baseline."))
    baseline = Baseline.objects.create(project=project, note=note.strip(), created_by=by)
    BaselineItem.objects.bulk_create(
        BaselineItem(
            baseline=baseline,
            requirement=r,
            title=r.title,
            priority=r.priority,
            scope=_scope(r),
            acceptance_criteria=r.acceptance_criteria,
        )
        for r in committed
    )
    joining = [r for r in committed if not r.in_baseline]
    for requirement in joining:
        requirement.in_baseline = True
        requirement.version += 1
    # In one statement per batch, each with its history row, however large the accepted set.
    bulk_update_with_history(joining, Requirement, ["in_baseline", "version"], default_user=by)
    return baseline


@transaction.atomic
def change_request_raise(*, change: ChangeRequest, by) -> ChangeRequest:
    requirement = change.requirement
    project = requirement.project
    if requirement.change_requests.filter(status=ChangeStatus.OPEN).exists():
        raise ValidationError(
            _("%(key)s already has a change request waiting for approval.")
            % {"key": requirement.key}
        )
    if change.kind == ChangeKind.CHANGE:
        if not requirement.in_baseline:
            raise ValidationError(
                _("%(key)s is not in the baseline: edit it directly.") % {"key": requirement.key}
            )
        proposed = _proposed(change)
        if all(proposed[name] == getattr(requirement, name) for name in proposed):
            raise ValidationError(
                _(
                    "The change request changes nothing: propose a new priority, "
                    "scope or acceptance criteria."
                )
            )
    else:
        if not project.baselines.exists() or requirement.in_baseline:
            raise ValidationError(
                _("Only a requirement outside an existing baseline can be added to it.")
            )
        if requirement.status != Status.ENDORSED:
            raise ValidationError(
                _(
                    "The point of contact endorses a requirement before it can be "
                    "added to the baseline."
                )
            )
    change.project = project
    change.raised_by = by
    change.number = _next_number(project.change_requests)
    change.full_clean()
    change._history_user = by
    change.save()
    return change


def _proposed(change: ChangeRequest) -> dict:
    requirement = change.requirement
    return {
        "priority": change.proposed_priority or requirement.priority,
        "site_id": None
        if change.proposed_all_sites
        else (change.proposed_site_id or requirement.site_id),
        "acceptance_criteria": change.proposed_criteria.strip() or requirement.acceptance_criteria,
    }


@transaction.atomic
def change_request_approve(*, change: ChangeRequest, perms: frozenset[str], by) -> ChangeRequest:
    """The point of contact and the project manager both approve; the second approval applies
    the change to the requirement."""
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.OPEN:
        raise ValidationError(_("This change request is already closed."))
    now = timezone.now()
    if "endorse_requirement" in perms and not change.spoc_approved_by_id:
        change.spoc_approved_by, change.spoc_approved_at = by, now
    elif "manage_project" in perms and not change.pm_approved_by_id:
        change.pm_approved_by, change.pm_approved_at = by, now
    else:
        raise ValidationError(_("Your approval is not needed, or already given."))
    if change.spoc_approved_by_id and change.pm_approved_by_id:
        change.status = ChangeStatus.APPROVED
        _apply(change, by)
    change._history_user = by
    change.save()
    return change


def _apply(change: ChangeRequest, by) -> None:
    requirement = Requirement.objects.select_for_update().get(pk=change.requirement_id)
    if change.kind == ChangeKind.CHANGE:
        for name, value in _proposed(change).items():
            setattr(requirement, name, value)
    else:
        requirement.status = Status.ACCEPTED
        requirement.in_baseline = True
    requirement.version += 1
    requirement._history_user = by
    requirement.save()


@transaction.atomic
def change_request_reject(
    *, change: ChangeRequest, perms: frozenset[str], reason: str, by
) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.OPEN:
        raise ValidationError(_("This change request is already closed."))
    if not perms & {"endorse_requirement", "manage_project"}:
        raise ValidationError(_("Only the point of contact or the project manager decides."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is rejected.")})
    change.status = ChangeStatus.REJECTED
    change.rejection_reason = reason.strip()
    change._history_user = by
    change.save()
    return change


# Conflicts


@transaction.atomic
def conflict_raise(*, first: Requirement, second: Requirement, note: str, by) -> Conflict:
    if first.project_id != second.project_id:
        raise ValidationError({"second": _("Choose a requirement of this project.")})
    if first.pk == second.pk:
        raise ValidationError({"second": _("A requirement cannot conflict with itself.")})
    pair = Q(first=first, second=second) | Q(first=second, second=first)
    if Conflict.objects.filter(pair, resolved_at__isnull=True).exists():
        raise ValidationError({"second": _("These two are already marked as conflicting.")})
    conflict = Conflict(
        project_id=first.project_id, first=first, second=second, note=note.strip(), raised_by=by
    )
    conflict.full_clean()
    conflict._history_user = by
    conflict.save()
    checks_request(project=conflict.project)
    return conflict


def accountable_owners(project_id: int) -> dict[tuple[str, int | None], Stakeholder]:
    """(area, site) -> its one active accountable owner on the ownership map, where there is
    exactly one."""
    assignments = Assignment.objects.filter(
        project_id=project_id, letter=Raci.ACCOUNTABLE, stakeholder__is_active=True
    ).select_related("stakeholder")
    return single_owners(assignments)


def single_owners(assignments) -> dict[tuple[str, int | None], Stakeholder]:
    """(area, site) -> the stakeholder of `assignments` (active accountable letters, with their
    stakeholder) there, where there is exactly one."""
    owners: dict[tuple[str, int | None], list[Stakeholder]] = {}
    for assignment in assignments:
        owners.setdefault((assignment.area, assignment.site_id), []).append(assignment.stakeholder)
    return {place: people[0] for place, people in owners.items() if len(people) == 1}


def conflict_owner(conflict: Conflict, owners=None) -> Stakeholder | None:
    """Who settles a conflict: the accountable owner of the first requirement's area."""
    owners = accountable_owners(conflict.project_id) if owners is None else owners
    first = conflict.first
    return owners.get((first.area, first.site_id if first.area == Area.LOCAL_ROLLOUT else None))


@transaction.atomic
def conflict_resolve(*, conflict: Conflict, resolution: str, by) -> Conflict:
    conflict = (
        Conflict.objects.select_for_update()
        .select_related("first", "second", "project")
        .get(pk=conflict.pk)
    )
    if not conflict.is_open:
        raise ValidationError(_("This conflict is already resolved."))
    owner = conflict_owner(conflict)
    if owner is None:
        raise ValidationError(
            _("Nobody is accountable for %(area)s on the ownership map: name one owner first.")
            % {"area": conflict.first.get_area_display()}
        )
    if owner.user_id != by.pk:
        raise ValidationError(
            _("Only %(name)s, accountable for %(area)s, resolves this conflict.")
            % {"name": owner.name, "area": conflict.first.get_area_display()}
        )
    if not resolution.strip():
        raise ValidationError({"resolution": _("Write the decision: everyone will read it.")})
    conflict.resolution = resolution.strip()
    conflict.resolved_by = by
    conflict.resolved_at = timezone.now()
    conflict.decision = entry_post(
        project=conflict.project,
        author=by,
        kind=EntryKind.DECISION,
        subject=_("Conflict %(a)s × %(b)s resolved")
        % {"a": conflict.first.key, "b": conflict.second.key},
        body=conflict.resolution,
    )
    conflict._history_user = by
    conflict.save()
    checks_request(project=conflict.project)
    return conflict


@transaction.atomic
def requirements_bulk_transition(
    *, requirements: list[Requirement], to: str, perms: frozenset[str], by, reason: str = ""
) -> int:
    """Move several at once, all or none: one refusal and nothing changes, and the message
    names each requirement that could not move."""
    refused = []
    for requirement in requirements:
        try:
            requirement_transition(
                requirement=requirement, to=to, perms=perms, by=by, reason=reason
            )
        except ValidationError as error:
            refused.append(f"{requirement.key}: {' '.join(error.messages)}")
    if refused:
        raise ValidationError(refused)
    return len(requirements)


# Import

# Files up to this many rows are imported while the person waits; larger ones by a task.
IMPORT_NOW_LIMIT = 100


@transaction.atomic
def requirements_import(
    *, project: Project, requirements: list[Requirement], by
) -> list[Requirement]:
    """Save checked requirements all together: numbered in one go under the project lock."""
    first = _next_number(project.requirements)
    for offset, requirement in enumerate(requirements):
        requirement.project = project
        requirement.number = first + offset
        requirement.created_by = by
        requirement.description_html = render_markdown(requirement.description)
    checks_request(project=project)
    saved = rows_create_with_history(rows=requirements, by=by)
    if saved:
        audit.record(
            Kind.IMPORT,
            user=by,
            project=project,
            subject=_("%(n)d requirements imported (%(first)s to %(last)s)")
            % {"n": len(saved), "first": saved[0].key, "last": saved[-1].key},
            detail={"kind": "requirements", "rows": len(saved)},
        )
    return saved


def import_run(job: ImportJob) -> ImportJob:
    """Check the job's rows again (reporting progress), then import them all or none."""
    header, rows = read_rows(job.filename, bytes(job.content))
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING, total=len(rows), processed=0
    )

    def progress(done: int) -> None:
        if done % 50 == 0 or done == len(rows):
            ImportJob.objects.filter(pk=job.pk).update(processed=done)

    result = preview(job.project, (header, rows), on_row=progress)
    if not result.ok:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED,
            message=_("%(n)d rows have errors: correct the file and upload it again.")
            % {"n": result.error_count},
        )
    else:
        # The requirements and the job's "done" commit together: a worker killed in between
        # leaves neither, and the run that takes the job up again imports once.
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.state == ImportState.DONE:
                job.refresh_from_db()
                return job
            saved = requirements_import(
                project=job.project,
                requirements=[row.instance for row in result.rows],
                by=job.created_by,
            )
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportState.DONE,
                processed=len(rows),
                first_number=saved[0].number,
                last_number=saved[-1].number,
            )
    job.refresh_from_db()
    return job


# Longer than an import's time limit: a job still queued or running after this was lost.
IMPORT_LOST_AFTER = datetime.timedelta(minutes=10)
IMPORT_GIVEN_UP_AFTER = datetime.timedelta(days=1)


def imports_requeue_lost(*, now: datetime.datetime) -> int:
    """Queue again each import still waiting or running long after it was confirmed: its
    message was lost. A job imports once however often it runs; one lost for a day is marked
    failed (nothing of it was saved) rather than left "importing". Returns how many were
    queued again."""
    pending = ImportJob.objects.filter(state__in=(ImportState.QUEUED, ImportState.RUNNING))
    pending.filter(created_at__lt=now - IMPORT_GIVEN_UP_AFTER).update(
        state=ImportState.FAILED,
        message=_("The import was interrupted and nothing was imported: upload the file again."),
    )
    lost = list(pending.filter(created_at__lt=now - IMPORT_LOST_AFTER).values_list("pk", flat=True))
    with transaction.atomic():
        for job_id in lost:
            import_requirements.delay_on_commit(job_id)
    return len(lost)


@transaction.atomic
def import_confirm(*, job: ImportJob, by) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != ImportState.PREVIEWED:
        raise ValidationError(_("This file was already imported, or is being imported."))
    job.state = ImportState.QUEUED
    job.save(update_fields=["state"])
    if job.total <= IMPORT_NOW_LIMIT:
        return import_run(job)
    import_requirements.delay_on_commit(job.pk)
    return job


# User acceptance testing


def _check_round(test_round: TestRound, requirements, testers) -> None:
    errors = {}
    if test_round.site_id and test_round.site.project_id != test_round.project_id:
        errors["site"] = _("Choose a site of this project.")
    if any(r.project_id != test_round.project_id for r in requirements):
        errors["requirements"] = _("Choose requirements of this project.")
    members = set(
        Membership.objects.active()
        .filter(project_id=test_round.project_id, role=Role.TESTER)
        .values_list("user_id", flat=True)
    )
    if any(user.pk not in members for user in testers):
        errors["testers"] = _("Invite members of this project who have the tester role.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_save(*, test_round: TestRound, requirements, testers, by) -> TestRound:
    test_round.full_clean()
    _check_round(test_round, requirements, testers)
    test_round._history_user = by
    test_round.save()
    test_round.requirements.set(requirements)
    test_round.testers.set(testers)
    return test_round


# A round is planned, then opened for feedback, then closed (and may be opened again).
ROUND_MOVES = {
    RoundStatus.PLANNED: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN},
}


@transaction.atomic
def round_set_status(*, test_round: TestRound, status: str, by) -> TestRound:
    test_round = TestRound.objects.select_for_update().get(pk=test_round.pk)
    if status not in ROUND_MOVES[test_round.status]:
        raise ValidationError(
            _("A round that is %(status)s cannot be moved there.")
            % {"status": test_round.get_status_display().lower()}
        )
    test_round.status = status
    test_round._history_user = by
    test_round.save()
    return test_round


@transaction.atomic
def feedback_log(*, feedback: Feedback, screenshots: list[UploadedFile], by) -> Feedback:
    """A tester logs what they found in an open round they are in. Numbered like requirements:
    under a lock on the project row, without gaps."""
    test_round = TestRound.objects.select_for_update().get(pk=feedback.round_id)
    if not test_round.is_open:
        raise ValidationError(_("This round is not open: it takes no new feedback."))
    # Invited, and still a tester of the project: a person removed since is invited no more.
    still_tester = Membership.objects.active().filter(
        project_id=test_round.project_id, user=by, role=Role.TESTER
    )
    if not (test_round.testers.filter(pk=by.pk).exists() and still_tester.exists()):
        raise ValidationError(_("Only the testers invited to this round log feedback in it."))
    if (
        feedback.requirement_id
        and not test_round.requirements.filter(pk=feedback.requirement_id).exists()
    ):
        raise ValidationError({"requirement": _("Choose a requirement in this round's scope.")})
    feedback.project = test_round.project
    feedback.tester = by
    feedback.status = FeedbackStatus.NEW
    feedback.number = _next_number(test_round.project.feedback)
    feedback.full_clean()
    feedback._history_user = by
    feedback.save()
    for upload in screenshots:
        Screenshot.objects.create(
            feedback=feedback,
            file=upload.as_django_file(),
            name=upload.name,
            size=upload.size,
            content_type=upload.content_type,
        )
    checks_request(project=feedback.project)
    return feedback


def is_tester_of(feedback: Feedback, user) -> bool:
    return feedback.tester_id == user.pk


@transaction.atomic
def feedback_transition(
    *,
    feedback: Feedback,
    to: str,
    perms: frozenset[str],
    by,
    reason: str = "",
    duplicate_of: Feedback | None = None,
    read_version: int | None = None,
) -> Feedback:
    """Move feedback along its workflow, if this person may (see `workflow.FEEDBACK_TRANSITIONS`).
    A reason is also posted as a comment, so that the thread tells the whole story. Moved from
    an older version than the saved one (`read_version`), it is refused: the other person's
    triage is shown, not overwritten."""
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("project", "round")
        .get(pk=feedback.pk)
    )
    if read_version is not None and feedback.version != read_version:
        yours = copy.copy(feedback)
        yours.status, yours.status_reason = to, reason.strip()
        raise StaleEdit(current=feedback, yours=yours, read_version=read_version)
    feedback.version += 1
    transition = find(feedback.status, to, FEEDBACK_TRANSITIONS)
    if transition is None:
        raise ValidationError(
            _("Feedback that is %(status)s cannot be moved there.")
            % {"status": feedback.get_status_display().lower()}
        )
    if not may(transition, perms, is_tester_of(feedback, by)):
        raise ValidationError(_("Your role does not allow you to %(action)s this feedback.")
                              % {"action": str(transition.label).lower().rstrip("…")})  # fmt: skip
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the others will read it.")})
    if transition.needs_original:
        if duplicate_of is None or duplicate_of.project_id != feedback.project_id:
            raise ValidationError({"duplicate_of": _("Name the item of this project it repeats.")})
        if duplicate_of.pk == feedback.pk:
            raise ValidationError({"duplicate_of": _("An item cannot duplicate itself.")})
    feedback.status = to
    feedback.status_reason = reason.strip()
    feedback.duplicate_of = duplicate_of if transition.needs_original else None
    feedback._history_user = by
    feedback.save()
    if reason.strip():
        _comment(feedback, reason.strip(), by)
    if to == FeedbackStatus.FIXED:
        notify_tester_of_fix.delay_on_commit(feedback.pk)
    checks_request(project=feedback.project)
    return feedback


def _comment(feedback: Feedback, body: str, by) -> FeedbackComment:
    comment = FeedbackComment(feedback=feedback, author=by, body=body)
    comment._history_user = by
    comment.save()
    return comment


@transaction.atomic
def feedback_comment(*, feedback: Feedback, body: str, by) -> FeedbackComment:
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    return _comment(feedback, body.strip(), by)


@transaction.atomic
def feedback_me_too(*, feedback: Feedback, by) -> bool:
    """Count another tester of the round who met the same open problem, once per person.
    Returns whether this was their first "me too"."""
    if feedback.tester_id == by.pk:
        raise ValidationError(_("This is your own item."))
    if not feedback.is_open:
        raise ValidationError(_("This item is no longer open."))
    if not feedback.round.testers.filter(pk=by.pk).exists():
        raise ValidationError(_("Only the testers of this round can say they met it too."))
    return MeToo.objects.get_or_create(feedback=feedback, user=by)[1]
