import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.access import project_for
from projects.history import history_entries
from projects.models import Project
from projects.pages import paginate, submitted

from . import services
from .forms import GoalForm, RequirementFilter, RequirementForm, TransitionForm
from .models import CLOSED, Goal, Requirement, Status
from .workflow import available

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


@login_required
def requirement_list(request: HttpRequest, key: str) -> HttpResponse:
    project = _project(request, key)
    queryset = _requirements(request, project).with_priority_rank()
    requirement_filter = RequirementFilter(request.GET, queryset=queryset, project=project)
    context = {
        "project": project,
        "filter": requirement_filter,
        "page": paginate(request, requirement_filter.qs, per_page=50),
        "sees_all": "view_requirements" in project.user_perms,
    }
    template = "requirements/requirement_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
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
        "history": history_entries(
            (requirement.history.all(), _("Requirement"), lambda row: requirement.key)
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
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_update(
                requirement=form.save(commit=False),
                read_version=form.cleaned_data["version"] or 0,
                by=request.user,
            )
        except services.StaleEdit as error:
            stale = error.current
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(key)s saved.") % {"key": requirement.key})
            return redirect(requirement)
    context = {"project": project, "form": form, "requirement": requirement, "stale": stale}
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
