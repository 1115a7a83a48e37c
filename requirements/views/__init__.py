import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.access import project_for
from projects.exports import FORMATS, export_response, filters_refused
from projects.history import item_history
from projects.models import Project
from projects.pages import in_project, page_or_fragment, paginate, read_choices, submitted
from projects.tabular import MAX_BYTES, read_rows
from projects.uploads import clean_name

from .. import services
from ..forms import (
    BaselineForm,
    BulkTransitionForm,
    ChangeRequestForm,
    ConflictForm,
    DecisionForm,
    GoalForm,
    ImportForm,
    RequirementFilter,
    RequirementForm,
    ResolutionForm,
    TransitionForm,
)
from ..imports import COLUMNS, already_in, preview
from ..models import CLOSED, ChangeKind, ChangeRequest, Goal, ImportJob, Requirement, Status
from ..workflow import available

READERS = ("view_requirements", "submit_requirement")


def _project(request: HttpRequest, key: str) -> Project:
    """Requirements are read by those who see all of them and by submitters (their own)."""
    project = project_for(request, key)
    if not project.user_perms & set(READERS):
        raise PermissionDenied(_("Your role on this project does not include requirements."))
    return project


def _requirements(request: HttpRequest, project: Project):
    return (
        Requirement.objects.for_project(project)
        .visible_to(request.user, project.user_perms)
        .select_related("project", "submitter", "site", "goal")
    )


def _requirement_for(request: HttpRequest, project: Project, number: int) -> Requirement:
    return get_object_or_404(_requirements(request, project), number=number)


def may_edit(requirement: Requirement, perms: frozenset[str], user) -> bool:
    if perms & {"work_requirements", "manage_project"}:
        return True
    return services.is_submitter(requirement, user) and requirement.status in (
        Status.SUBMITTED,
        Status.RETURNED,
    )


# What a row of the list shows: not the texts, and of the site and goal their names.
_ROW_FIELDS = (
    "project__key", "number", "title", "priority", "status", "area", "site__name", "goal__title",
)  # fmt: skip


@login_required
def requirement_list(request: HttpRequest, key: str) -> HttpResponse:
    project = _project(request, key)
    queryset = (
        _requirements(request, project)
        .select_related(None)
        .select_related("project", "site", "goal")
        .only(*_ROW_FIELDS)
        .with_ranks()
    )
    requirement_filter = RequirementFilter(request.GET, queryset=queryset, project=project)
    context = {
        "project": project,
        "filter": requirement_filter,
        "page": paginate(request, requirement_filter.qs, per_page=50),
        "sees_all": "view_requirements" in project.user_perms,
        "status_choices": Status.choices,
    }
    read_choices(request, requirement_filter.form)
    template = page_or_fragment(request, "requirements/requirement_list.html", "results")
    return render(request, template, context)


@login_required
def requirement_detail(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = _project(request, key)
    requirement = _requirement_for(request, project, number)
    context = {
        "project": project,
        "requirement": requirement,
        "transitions": available(
            requirement.status,
            project.user_perms,
            services.is_submitter(requirement, request.user),
        ),
        "may_edit": may_edit(requirement, project.user_perms, request.user),
        "has_baseline": project.baselines.exists(),
        "history": item_history(
            request, requirement.history.all(), _("Requirement"), requirement.key
        ),
    }
    return render(request, "requirements/requirement_detail.html", context)


@login_required
def requirement_new(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "submit_requirement")
    requirement = Requirement(project=project)
    form = RequirementForm(
        request.POST or None,
        instance=requirement,
        project=project,
        may_choose_submitter="manage_project" in project.user_perms,
    )
    if not form.fields.get("submitter"):
        # A client submits as themselves: their stakeholder entry, when they have one.
        requirement.submitter = project.stakeholders.active().filter(user=request.user).first()
    saved = submitted(
        request,
        form,
        lambda f: services.requirement_submit(requirement=f.save(commit=False), by=request.user),
    )
    if saved:
        messages.success(request, _("%(key)s submitted.") % {"key": saved.key})
        return redirect(saved)
    return render(request, "requirements/requirement_form.html", {"project": project, "form": form})


@login_required
def requirement_edit(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = _project(request, key)
    requirement = _requirement_for(request, project, number)
    if not may_edit(requirement, project.user_perms, request.user):
        raise PermissionDenied(_("Only the vendor team, or its submitter before endorsement, "
                                 "edits a requirement."))  # fmt: skip
    form = RequirementForm(
        request.POST or None,
        instance=copy.copy(requirement),
        project=project,
        may_choose_submitter="manage_project" in project.user_perms,
    )
    saved = submitted(
        request,
        form,
        lambda f: services.requirement_update(
            requirement=f.save(commit=False),
            read_version=f.cleaned_data["version"] or 0,
            by=request.user,
        ),
    )
    if saved:
        messages.success(request, _("%(key)s saved.") % {"key": saved.key})
        return redirect(saved)
    context = {"project": project, "form": form, "requirement": requirement}
    return render(request, "requirements/requirement_form.html", context)


@require_POST
@login_required
def requirement_transition(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = _project(request, key)
    requirement = _requirement_for(request, project, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That status change could not be read."))
        return redirect(requirement)
    try:
        services.requirement_transition(
            requirement=requirement,
            to=form.cleaned_data["to"],
            perms=project.user_perms,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        requirement.refresh_from_db()
        messages.success(
            request,
            _("%(key)s is now %(status)s.")
            % {"key": requirement.key, "status": requirement.get_status_display().lower()},
        )
    return redirect(requirement)


@login_required
def goal_list(request: HttpRequest, key: str) -> HttpResponse:
    project = _project(request, key)
    visible = list(_requirements(request, project))
    context = {
        "project": project,
        "goals": [
            (goal, [r for r in visible if r.goal_id == goal.pk])
            for goal in project.goals.filter(is_active=True)
        ],
        "orphans": [r for r in visible if r.goal_id is None and r.status not in CLOSED],
        "form": GoalForm() if "manage_project" in project.user_perms else None,
    }
    return render(request, "requirements/goals.html", context)


@login_required
def goal_edit(request: HttpRequest, key: str, goal_id: int | None = None) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    goal = get_object_or_404(project.goals, pk=goal_id) if goal_id else Goal(project=project)
    form = GoalForm(request.POST or None, instance=copy.copy(goal))
    if submitted(
        request, form, lambda f: services.goal_save(goal=f.save(commit=False), by=request.user)
    ):
        messages.success(request, _("Goal saved."))
        return redirect("requirements:goals", project.key)
    return render(
        request, "requirements/goal_form.html", {"project": project, "form": form, "goal": goal}
    )


# Baseline, change requests and conflicts


@login_required
def baseline(request: HttpRequest, key: str) -> HttpResponse:
    project = _project(request, key)
    form = BaselineForm(request.POST or None)
    if request.method == "POST":
        project = project_for(request, key, "manage_project")
        done = submitted(
            request,
            form,
            lambda f: services.baseline_create(
                project=project, note=f.cleaned_data["note"], by=request.user
            ),
        )
        if done:
            messages.success(
                request, _("Baseline taken: %(n)d requirements.") % {"n": done.items.count()}
            )
            return redirect("requirements:baseline", project.key)
    baselines = project.baselines.select_related("created_by").prefetch_related("items")
    context = {"project": project, "form": form, "baselines": baselines}
    return render(request, "requirements/baseline.html", context)


@login_required
def change_new(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    requirement = _requirement_for(request, project, number)
    change = ChangeRequest(
        requirement=requirement,
        kind=ChangeKind.CHANGE if requirement.in_baseline else ChangeKind.ADD,
    )
    form = ChangeRequestForm(request.POST or None, instance=change, requirement=requirement)
    saved = submitted(
        request,
        form,
        lambda f: services.change_request_raise(change=f.save(commit=False), by=request.user),
    )
    if saved:
        messages.success(
            request,
            _("%(key)s raised: it waits for the point of contact and the project manager.")
            % {"key": saved.key},
        )
        return redirect(saved)
    context = {"project": project, "requirement": requirement, "form": form, "change": change}
    return render(request, "requirements/change_form.html", context)


def _changes(project: Project):
    return project.change_requests.select_related(
        "requirement__site", "proposed_site", "raised_by", "spoc_approved_by", "pm_approved_by"
    )


def _change_for(project: Project, number: int) -> ChangeRequest:
    change = get_object_or_404(_changes(project), number=number)
    return in_project(project, [change], "requirement")[0]


@login_required
def change_list(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    page = in_project(project, paginate(request, _changes(project)), "requirement")
    return render(request, "requirements/changes.html", {"project": project, "page": page})


@login_required
def change_detail(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    change = _change_for(project, number)
    may_decide = change.status == "open" and bool(
        ("endorse_requirement" in project.user_perms and not change.spoc_approved_by_id)
        or ("manage_project" in project.user_perms and not change.pm_approved_by_id)
    )
    context = {"project": project, "change": change, "may_decide": may_decide}
    return render(request, "requirements/change_detail.html", context)


@require_POST
@login_required
def change_decide(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    change = _change_for(project, number)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(change)
    try:
        if form.cleaned_data["decision"] == "approve":
            change = services.change_request_approve(
                change=change, perms=project.user_perms, by=request.user
            )
        else:
            change = services.change_request_reject(
                change=change,
                perms=project.user_perms,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if change.status == "open":
            messages.success(
                request,
                _("Your approval of %(key)s is recorded; it still needs the other approval.")
                % {"key": change.key},
            )
        else:
            messages.success(
                request,
                _("%(key)s: %(status)s.")
                % {"key": change.key, "status": change.get_status_display()},
            )
    return redirect(change)


@login_required
def conflict_new(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    requirement = _requirement_for(request, project, number)
    form = ConflictForm(request.POST or None, requirement=requirement)
    saved = submitted(
        request,
        form,
        lambda f: services.conflict_raise(first=requirement, by=request.user, **f.action_data),
    )
    if saved:
        messages.success(
            request, _("Marked as conflicting. The accountable owner of the area resolves it.")
        )
        return redirect("requirements:conflicts", project.key)
    context = {"project": project, "requirement": requirement, "form": form}
    return render(request, "requirements/conflict_form.html", context)


@login_required
def conflict_list(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    conflicts = project.conflicts.select_related(
        "first", "second", "raised_by", "resolved_by", "decision"
    )
    page = in_project(project, paginate(request, conflicts), "first", "second", "decision")
    owners = services.accountable_owners(project.pk)
    for conflict in page:
        conflict.owner = services.conflict_owner(conflict, owners) if conflict.is_open else None
    context = {"project": project, "page": page, "form": ResolutionForm()}
    return render(request, "requirements/conflicts.html", context)


@require_POST
@login_required
def conflict_resolve(request: HttpRequest, key: str, conflict_id: int) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    conflict = get_object_or_404(project.conflicts, pk=conflict_id)
    form = ResolutionForm(request.POST)
    try:
        services.conflict_resolve(
            conflict=conflict,
            resolution=form.cleaned_data["resolution"] if form.is_valid() else "",
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Conflict resolved; the decision is in the decision log."))
    return redirect("requirements:conflicts", project.key)


@login_required
def requirement_export(request: HttpRequest, key: str) -> HttpResponse:
    """The list as filtered on the page, as CSV or Excel."""
    project = _project(request, key)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404
    queryset = _requirements(request, project).select_related("created_by").with_ranks()
    found = RequirementFilter(request.GET, queryset=queryset, project=project)
    if refused := filters_refused(request, found, reverse("requirements:list", args=[key])):
        return refused
    rows = found.qs
    header = [
        _("Key"),
        _("Title"),
        _("Status"),
        _("Priority"),
        _("Area"),
        _("Scope"),
        _("Goal"),
        _("Submitter"),
        _("Type"),
        _("In the baseline"),
        _("Acceptance criteria"),
        _("Description"),
        _("Submitted"),
        _("Last changed"),
    ]
    return export_response(
        fmt,
        f"{project.key}-requirements",
        header,
        (
            [
                r.key,
                r.title,
                r.get_status_display(),
                r.get_priority_display(),
                r.get_area_display(),
                r.site.name if r.site_id else _("All sites"),
                r.goal.title if r.goal_id else "",
                r.submitter.name if r.submitter_id else "",
                r.get_kind_display(),
                _("yes") if r.in_baseline else _("no"),
                r.acceptance_criteria,
                r.description,
                r.created_at.date().isoformat(),
                r.updated_at.date().isoformat(),
            ]
            for r in rows
        ),
        request=request,
        project=project,
    )


@require_POST
@login_required
def requirement_bulk(request: HttpRequest, key: str) -> HttpResponse:
    """The project manager changes the status of several requirements at once."""
    project = project_for(request, key, "manage_project")
    form = BulkTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick at least one requirement and choose the new status."))
        return redirect("requirements:list", project.key)
    chosen = list(
        Requirement.objects.for_project(project)
        .filter(number__in=form.cleaned_data["numbers"])
        .select_related("project", "submitter")
    )
    try:
        moved = services.requirements_bulk_transition(
            requirements=chosen,
            to=form.cleaned_data["to"],
            perms=project.user_perms,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, _("Nothing was changed. ") + " ".join(error.messages))
    else:
        messages.success(request, _("%(n)d requirements changed.") % {"n": moved})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("requirements:list", args=[project.key])
    return redirect(back)


# Import


@login_required
def requirement_import(request: HttpRequest, key: str) -> HttpResponse:
    """Upload: the file is kept and previewed with an error per row and per cell; nothing is
    saved until the person confirms."""
    project = project_for(request, key, "manage_project")
    form = ImportForm(request.POST or None, request.FILES or None)
    result, job, repeats = None, None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_BYTES + 1)
        try:
            table = read_rows(upload.name, content)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            result = preview(project, table)
            if result.ok:
                repeats = already_in(project, result.rows)
                job = ImportJob.objects.create(
                    project=project,
                    created_by=request.user,
                    filename=clean_name(upload.name),
                    content=content,
                    total=len(result.rows),
                )
    context = {
        "project": project, "form": form, "preview": result, "job": job, "columns": COLUMNS,
        "repeats": repeats,
    }  # fmt: skip
    return render(request, "requirements/import.html", context)


def _job_for(project: Project, job_id: int) -> ImportJob:
    return get_object_or_404(project.imports, pk=job_id)


@require_POST
@login_required
def import_confirm(request: HttpRequest, key: str, job_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    job = _job_for(project, job_id)
    try:
        job = services.import_confirm(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("requirements:import_job", project.key, job.pk)


@login_required
def import_job(request: HttpRequest, key: str, job_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    job = _job_for(project, job_id)
    template = "requirements/import_job.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"project": project, "job": job})
