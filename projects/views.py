import copy
import datetime
import tempfile
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.two_factor import authenticator
from audit import services as audit
from audit.models import Kind

from . import archive, budget, checks, services, timeline
from .access import project_for, require
from .calendar import milestones_ics
from .filters import ProjectFilter
from .forms import (
    ASSIGNABLE_ROLES,
    ArchiveImportForm,
    BudgetLineForm,
    ClientForm,
    ContentReleaseForm,
    CostEntryForm,
    MemberAddForm,
    MemberRoleForm,
    MilestoneForm,
    ProjectCreateForm,
    ProjectEditForm,
    RaidFilter,
    RaidForm,
    SaveAsTemplateForm,
    SearchForm,
    SiteForm,
    StaffUserForm,
)
from .history import history_entries
from .models import (
    SEVERITY_RANK,
    BudgetLine,
    CheckArea,
    Client,
    ContentRelease,
    CostEntry,
    Membership,
    Milestone,
    Project,
    RaidItem,
    Severity,
    Site,
    lead_times,
)
from .pages import page_or_fragment, paginate, read_choices, submitted
from .roles import VENDOR_ROLES, Role
from .templates import copied_labels

User = get_user_model()


def _search(request: HttpRequest) -> str:
    form = SearchForm(request.GET)
    return form.cleaned_data["q"] if form.is_valid() else ""


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied(_("Only vendor staff administer clients and users."))
        return view(request, *args, **kwargs)

    return wrapper


# Projects


# The header's project switcher: the person's current projects, the first this many by name.
SWITCHER_SIZE = 12


@login_required
def project_switcher(request: HttpRequest) -> HttpResponse:
    """The switcher's menu, fetched when it is first opened: most pages are read without
    opening it, and none of them pays for its query. Opened as a page, it is the project list."""
    if not request.htmx:
        return redirect("projects:list")
    projects = (
        Project.objects.visible_to(request.user)
        .current()
        .only("key", "name")
        .order_by("name")[:SWITCHER_SIZE]
    )
    context = {"projects": list(projects), "current": request.GET.get("current", "")}
    return render(request, "base.html#switcher-projects", context)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    visible = Project.objects.visible_to(request.user)
    my_role = Membership.objects.active().filter(project=OuterRef("pk"), user=request.user)
    projects = (
        visible.select_related("client")
        .annotate(
            my_role=Subquery(my_role.values("role")[:1]),
            site_count=Count("sites", filter=Q(sites__archived_at__isnull=True), distinct=True),
        )
        .order_by("client__name", "name")
    )
    clients = Client.objects.filter(projects__in=visible).distinct()
    project_filter = ProjectFilter(request.GET, queryset=projects, clients=clients)
    page = paginate(request, project_filter.qs)
    for item in page:
        item.my_role_label = Role(item.my_role).label if item.my_role else ""
    context = {
        "filter": project_filter,
        "page": page,
        "can_create": services.user_may_create_projects(request.user),
    }
    context["shows_portfolio"] = context["can_create"] or any(
        project.my_role in VENDOR_ROLES for project in page
    )
    read_choices(request, project_filter.form)
    return render(
        request, page_or_fragment(request, "projects/project_list.html", "results"), context
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not services.user_may_create_projects(request.user):
        raise PermissionDenied(_("Only vendor project managers and staff create projects."))
    # "New project from this template" links preselect the source; the form still checks it.
    form = ProjectCreateForm(
        request.POST or None, user=request.user, initial={"source": request.GET.get("source")}
    )
    project = submitted(
        request,
        form,
        lambda f: services.project_create(
            project=f.save(commit=False), source=f.cleaned_data["source"], by=request.user
        ),
    )
    if project:
        messages.success(request, _("Project %(key)s created.") % {"key": project.key})
        return redirect(project)
    context = {"form": read_choices(request, form), "copied": copied_labels()}
    return render(request, "projects/project_form.html", context)


@login_required
def project_home(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    all_sites = list(project.sites.all())
    sites = [site for site in all_sites if site.archived_at is None]
    archived_sites = [site for site in all_sites if site.archived_at is not None]
    members = (
        Membership.objects.active()
        .filter(project=project)
        .values("role")
        .annotate(n=Count("id"), mine=Count("id", filter=Q(user=request.user)))
    )
    counts = {row["role"]: row["n"] for row in members}
    my_role = next((row["role"] for row in members if row["mine"]), None)
    # The open findings and those closed lately, in one read.
    findings = list(
        project.findings.visible_with(project.user_perms).filter(
            Q(closed_at__isnull=True)
            | Q(closed_at__gte=timezone.now() - datetime.timedelta(days=RECENTLY_CLOSED_DAYS))
        )
    )
    open_findings = sorted(
        (f for f in findings if f.closed_at is None),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.area, f.opened_at),
    )
    context = {
        "project": project,
        "rag": _rag_cells(checks.rag(open_findings), project.user_perms),
        "open_findings": open_findings,
        "recently_closed": sorted(
            (f for f in findings if f.closed_at is not None),
            key=lambda f: f.closed_at,
            reverse=True,
        )[:RECENTLY_CLOSED_SHOWN],
        "sites": sites,
        "archived_sites": archived_sites if "manage_project" in project.user_perms else [],
        "role_counts": [(label, counts.get(role, 0)) for role, label in Role.choices],
        "member_total": sum(counts.values()),
        "my_role": Role(my_role).label if my_role else None,
        "has_spoc": counts.get(Role.SPOC, 0) > 0,
        "can_create": project.is_template and services.user_may_create_projects(request.user),
    }
    return render(request, "projects/project_home.html", context)


RECENTLY_CLOSED_DAYS = 30
RECENTLY_CLOSED_SHOWN = 8


def _rag_cells(rag: dict, perms: frozenset[str]) -> list[dict]:
    """The areas in order with their status; none where the person may not see the area's
    findings (budget findings weigh vendor-internal lines)."""
    return [
        {
            "area": area,
            "label": label,
            "severity": Severity(rag[area])
            if area != CheckArea.BUDGET or "view_internal" in perms
            else None,
        }
        for area, label in CheckArea.choices
    ]


@login_required
def project_findings(request: HttpRequest, key: str) -> HttpResponse:
    """Every finding of the project, open and closed: when each problem appeared and ended."""
    project = project_for(request, key)
    findings = project.findings.visible_with(project.user_perms).select_related("owner")
    area = request.GET.get("area", "")
    if area in CheckArea.values:
        findings = findings.filter(area=area)
    context = {
        "project": project,
        "page": paginate(request, findings),
        "areas": CheckArea.choices
        if "view_internal" in project.user_perms
        else [c for c in CheckArea.choices if c[0] != CheckArea.BUDGET],
        "area": area,
    }
    return render(request, "projects/findings.html", context)


@require_POST
@login_required
def project_run_checks(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    opened = services.findings_refresh(project=project)
    messages.success(
        request,
        _("The checks ran: %(count)d new findings.") % {"count": len(opened)}
        if opened
        else _("The checks ran: nothing new."),
    )
    return redirect(project)


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Every live project the vendor person works on × the five areas, worst first."""
    user = request.user
    vendor = Membership.objects.active().filter(user=user, role__in=VENDOR_ROLES).exists()
    if not (user.is_staff or vendor):
        raise PermissionDenied(_("The portfolio is for vendor staff and project managers."))
    page = paginate(request, Project.objects.portfolio_for(user))
    severity_of = {rank: severity for severity, rank in SEVERITY_RANK.items()}
    for project in page.object_list:
        project.cells = [
            {"area": area, "label": label, "severity": severity_of[getattr(project, f"rag_{area}")]}
            for area, label in CheckArea.choices
        ]
    context = {"page": page, "areas": CheckArea.choices, "today": timezone.localdate()}
    return render(request, "projects/portfolio.html", context)


@login_required
def project_edit(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    # A copy: a refused change must not show in the page around the form.
    form = ProjectEditForm(request.POST or None, instance=copy.copy(project))
    if submitted(
        request,
        form,
        lambda f: services.project_update(project=f.save(commit=False), by=request.user),
    ):
        messages.success(request, _("Project details saved."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def project_archive(request: HttpRequest, key: str) -> FileResponse:
    project = project_for(request, key, "manage_project")
    # Spooled to disk: a project with many files does not sit whole in memory.
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    archive.export_project(project, out)
    out.seek(0)
    filename = archive.default_filename(project)
    audit.record(Kind.EXPORT, request=request, project=project, subject=filename, obj=project)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )


@staff_required
def project_import(request: HttpRequest) -> HttpResponse:
    form = ArchiveImportForm(request.POST or None, request.FILES or None)
    project = submitted(
        request,
        form,
        lambda f: services.project_import(source=f.cleaned_data["archive"], by=request.user),
    )
    if project:
        messages.success(
            request,
            _("%(project)s imported. People new to this instance reset their password to sign in.")
            % {"project": project},
        )
        return redirect(project)
    return render(request, "projects/project_import.html", {"form": form})


@login_required
def project_save_template(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    form = SaveAsTemplateForm(
        request.POST or None, initial={"name": _("%(name)s template") % {"name": project.name}}
    )
    template = submitted(
        request,
        form,
        lambda f: services.project_save_as_template(
            source=project, by=request.user, **f.cleaned_data
        ),
    )
    if template:
        messages.success(
            request,
            _("Template %(key)s saved from %(source)s: new projects can start from it.")
            % {"key": template.key, "source": project.key},
        )
        return redirect(template)
    context = {"form": form, "project": project, "copied": copied_labels()}
    return render(request, "projects/save_template.html", context)


@login_required
def project_history(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    entries = history_entries(
        (project.client.history.all(), _("Client"), lambda row: row.name),
        (project.history.all(), _("Project"), lambda row: f"{row.key} · {row.name}"),
        (Site.history.filter(project_id=project.pk), _("Site"), lambda row: row.name),
        (
            Membership.history.filter(project_id=project.pk).select_related("user"),
            _("Member"),
            lambda row: str(row.user),
        ),
    )
    return render(
        request, "projects/history.html", {"project": project, "page": paginate(request, entries)}
    )


# Sites


def _site_for(project: Project, site_id: int) -> Site:
    return get_object_or_404(project.sites, pk=site_id)


@login_required
def site_add(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    return _site_form(request, project, Site(project=project))


@login_required
def site_edit(request: HttpRequest, key: str, site_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    return _site_form(request, project, _site_for(project, site_id))


def _site_form(request: HttpRequest, project: Project, site: Site) -> HttpResponse:
    form = SiteForm(request.POST or None, instance=copy.copy(site))
    saved = submitted(
        request, form, lambda f: services.site_save(site=f.save(commit=False), by=request.user)
    )
    if saved:
        messages.success(request, _("Site %(name)s saved.") % {"name": saved.name})
        return redirect(project)
    return render(request, "projects/site_form.html", {"form": form, "project": project})


@require_POST
@login_required
def site_archive(request: HttpRequest, key: str, site_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    site = _site_for(project, site_id)
    archived = request.POST.get("archived") != "0"
    services.site_set_archived(site=site, archived=archived, by=request.user)
    if archived:
        messages.success(request, _("Site %(name)s archived.") % {"name": site.name})
    else:
        messages.success(request, _("Site %(name)s restored.") % {"name": site.name})
    return redirect(project)


# Members


def _membership_for(project: Project, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.active().select_related("user"), project=project, pk=membership_id
    )


@login_required
def member_list(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    memberships = Membership.objects.active().filter(project=project).select_related("user")
    context = {
        "project": project,
        "mine": memberships.filter(user=request.user).first(),
        "site_url": settings.SITE_URL,
        "page": paginate(request, memberships),
        "add_form": MemberAddForm(),
        "role_choices": ASSIGNABLE_ROLES,
    }
    return render(request, "projects/members.html", context)


@login_required
def member_add(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    form = MemberAddForm(request.POST or None)
    membership = submitted(
        request,
        form,
        lambda f: services.member_add(project=project, by=request.user, **f.cleaned_data),
    )
    if membership:
        messages.success(
            request,
            _("%(person)s added as %(role)s; they have been sent an e-mail.")
            % {"person": membership.user.email, "role": membership.get_role_display()},
        )
        return redirect("projects:members", project.key)
    return render(request, "projects/member_add.html", {"form": form, "project": project})


@require_POST
@login_required
def member_role(request: HttpRequest, key: str, membership_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    membership = _membership_for(project, membership_id)
    form = MemberRoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.member_set_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
        except ValidationError as refusal:
            error = refusal.messages[0]
            membership.refresh_from_db()
    else:
        error = form.errors["role"][0]
    if request.htmx:
        context = {
            "project": project,
            "membership": membership,
            "role_choices": ASSIGNABLE_ROLES,
            "row_error": error,
            "saved": error is None,
        }
        return render(request, "projects/members.html#member-row", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {"person": membership.user, "role": membership.get_role_display()},
        )
    return redirect("projects:members", project.key)


@require_POST
@login_required
def member_remove(request: HttpRequest, key: str, membership_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    membership = _membership_for(project, membership_id)
    try:
        services.member_remove(membership=membership, by=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(
            request, _("%(person)s no longer has access.") % {"person": membership.user}
        )
    return redirect("projects:members", project.key)


# Clients (vendor staff)


@staff_required
def client_list(request: HttpRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    clients = Client.objects.annotate(project_count=Count("projects")).order_by("name")
    clients = clients if show_archived else clients.active()
    query = _search(request)
    if query:
        clients = clients.filter(name__icontains=query)
    context = {"page": paginate(request, clients), "q": query, "show_archived": show_archived}
    return render(request, "projects/client_list.html", context)


@staff_required
def client_create(request: HttpRequest) -> HttpResponse:
    return _client_form(request, Client())


@staff_required
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    return _client_form(request, get_object_or_404(Client, pk=client_id))


def _client_form(request: HttpRequest, client: Client) -> HttpResponse:
    form = ClientForm(request.POST or None, instance=copy.copy(client))
    saved = submitted(
        request, form, lambda f: services.client_save(client=f.save(commit=False), by=request.user)
    )
    if saved:
        messages.success(request, _("Client %(name)s saved.") % {"name": saved.name})
        return redirect("projects:client_list")
    history = (
        history_entries((client.history.all(), _("Client"), lambda row: row.name))
        if client.pk
        else []
    )
    return render(
        request, "projects/client_form.html", {"form": form, "client": client, "history": history}
    )


@require_POST
@staff_required
def client_archive(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    archived = request.POST.get("archived") != "0"
    services.client_set_archived(client=client, archived=archived, by=request.user)
    if archived:
        messages.success(request, _("Client %(name)s archived.") % {"name": client.name})
    else:
        messages.success(request, _("Client %(name)s restored.") % {"name": client.name})
    return redirect("projects:client_list")


# People (vendor staff)


@staff_required
def user_list(request: HttpRequest) -> HttpResponse:
    query = _search(request)
    users = User.objects.annotate(
        project_count=Count("memberships", filter=Q(memberships__is_active=True))
    ).order_by("email")
    if query:
        users = users.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return render(
        request, "projects/user_list.html", {"page": paginate(request, users), "q": query}
    )


@staff_required
def user_create(request: HttpRequest) -> HttpResponse:
    return _user_form(request, User(is_active=True))


@staff_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_form(request, get_object_or_404(User, pk=user_id))


@require_POST
@staff_required
def user_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person lost their phone: remove their second factor so that they can set up a new one."""
    person = get_object_or_404(User, pk=user_id)
    if account_services.two_factor_reset(user=person, by=request.user):
        messages.success(
            request,
            _("Two-factor sign-in was reset for %(email)s: they set it up again at their next "
              "sign-in.") % {"email": person.email},
        )  # fmt: skip
    else:
        messages.info(request, _("%(email)s had no second factor.") % {"email": person.email})
    return redirect("projects:user_edit", user_id=person.pk)


def _user_form(request: HttpRequest, person) -> HttpResponse:
    initial = {"may_create_projects": person.pk and services.user_may_create_projects(person)}
    form = StaffUserForm(request.POST or None, instance=copy.copy(person), initial=initial)
    saved = submitted(
        request,
        form,
        lambda f: services.user_save(
            user=f.save(commit=False),
            may_create_projects=f.cleaned_data["may_create_projects"],
            by=request.user,
        ),
    )
    if saved:
        messages.success(request, _("Account %(email)s saved.") % {"email": saved.email})
        return redirect("projects:user_list")
    context = {
        "form": form,
        "person": person,
        "two_factor_on": bool(person.pk) and authenticator(person) is not None,
    }
    return render(request, "projects/user_form.html", context)


@require_POST
@login_required
def member_digest(request: HttpRequest, key: str) -> HttpResponse:
    """A member turns their own daily digest e-mail on or off."""
    project = project_for(request, key)
    membership = get_object_or_404(Membership.objects.active(), project=project, user=request.user)
    wants = request.POST.get("wants_digest") == "1"
    services.member_set_digest(membership=membership, wants_digest=wants, by=request.user)
    if wants:
        messages.success(request, _("You will get a daily digest of this project by e-mail."))
    else:
        messages.success(request, _("Daily digest turned off."))
    return redirect("projects:members", project.key)


# The plan


@login_required
def plan(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    milestones = list(project.milestones.active().select_related("site", "owner"))
    releases = list(project.releases.filter(archived_at__isnull=True).select_related("site"))
    context = {
        "project": project,
        "milestones": milestones,
        "timeline": timeline.build(milestones, today=timezone.localdate()),
        "releases": releases,
        "lead_times": lead_times(list(project.sites.active()), releases),
    }
    return render(request, "projects/plan.html", context)


def _milestone_for(project: Project, milestone_id: int) -> Milestone:
    return get_object_or_404(project.milestones.active(), pk=milestone_id)


@login_required
def milestone_edit(request: HttpRequest, key: str, milestone_id: int | None = None) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    milestone = (
        _milestone_for(project, milestone_id) if milestone_id else Milestone(project=project)
    )
    form = MilestoneForm(request.POST or None, instance=copy.copy(milestone), project=project)
    saved = submitted(
        request,
        form,
        lambda f: services.milestone_save(
            milestone=f.save(commit=False), read_version=f.cleaned_data["version"], by=request.user
        ),
    )
    if saved:
        messages.success(request, _("Milestone %(name)s saved.") % {"name": saved.name})
        return redirect("projects:plan", project.key)
    context = {"project": project, "form": form, "milestone": milestone}
    return render(request, "projects/milestone_form.html", context)


@require_POST
@login_required
def milestone_archive(request: HttpRequest, key: str, milestone_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    milestone = _milestone_for(project, milestone_id)
    services.milestone_set_archived(milestone=milestone, archived=True, by=request.user)
    messages.success(request, _("Milestone %(name)s archived.") % {"name": milestone.name})
    return redirect("projects:plan", project.key)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private milestone feed. Calendar programs cannot sign in: the secret link is
    the key, and the member can replace it at any time."""
    membership = get_object_or_404(
        Membership.objects.active().select_related("project"),
        calendar_token=token,
        user__is_active=True,
    )
    project = membership.project
    milestones = project.milestones.active().select_related("site")
    response = HttpResponse(milestones_ics(project, milestones), content_type="text/calendar")
    response["Content-Disposition"] = f'inline; filename="{project.key}-milestones.ics"'
    return response


@require_POST
@login_required
def calendar_link(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    membership = get_object_or_404(Membership.objects.active(), project=project, user=request.user)
    services.member_new_calendar_link(membership=membership, by=request.user)
    messages.success(
        request, _("Your private calendar link is ready; any earlier link no longer works.")
    )
    return redirect("projects:members", project.key)


@login_required
def release_edit(request: HttpRequest, key: str, release_id: int | None = None) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    release = (
        get_object_or_404(project.releases.filter(archived_at__isnull=True), pk=release_id)
        if release_id
        else ContentRelease(project=project)
    )
    form = ContentReleaseForm(request.POST or None, instance=copy.copy(release), project=project)
    saved = submitted(
        request,
        form,
        lambda f: services.release_save(release=f.save(commit=False), by=request.user),
    )
    if saved:
        messages.success(request, _("Content release %(title)s saved.") % {"title": saved.title})
        return redirect("projects:plan", project.key)
    context = {"project": project, "form": form, "release": release}
    return render(request, "projects/release_form.html", context)


# The RAID register


def raid_items(project: Project):
    """The register in the order of its page and its export: soonest due first."""
    return (
        project.raid.filter(archived_at__isnull=True)
        .select_related("owner")
        .order_by(F("due_date").asc(nulls_last=True), "-created_at")
    )


@login_required
def raid_list(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    raid_filter = RaidFilter(request.GET, queryset=raid_items(project))
    context = {"project": project, "filter": raid_filter, "page": paginate(request, raid_filter.qs)}
    return render(request, "projects/raid.html", context)


@login_required
def raid_edit(request: HttpRequest, key: str, item_id: int | None = None) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    item = (
        get_object_or_404(project.raid.filter(archived_at__isnull=True), pk=item_id)
        if item_id
        else RaidItem(project=project, kind=request.GET.get("kind", ""))
    )
    form = RaidForm(request.POST or None, instance=copy.copy(item), project=project)
    saved = submitted(
        request, form, lambda f: services.raid_save(item=f.save(commit=False), by=request.user)
    )
    if saved:
        messages.success(
            request,
            _("%(kind)s saved: %(title)s")
            % {"kind": saved.get_kind_display(), "title": saved.title},
        )
        return redirect("projects:raid", project.key)
    return render(
        request, "projects/raid_form.html", {"project": project, "form": form, "item": item}
    )


# The budget


def _sees_internal(project: Project) -> bool:
    return "view_internal" in project.user_perms


def _lines(project: Project):
    """The project's current budget lines this person may see."""
    return project.budget_lines.active().visible(internal=_sees_internal(project))


def _entries(project: Project):
    return project.cost_entries.active().visible(internal=_sees_internal(project))


def _line_for(project: Project, line_id: int) -> BudgetLine:
    return get_object_or_404(_lines(project), pk=line_id)


def _entry_for(project: Project, entry_id: int) -> CostEntry:
    return get_object_or_404(_entries(project), pk=entry_id)


def _budget_item(request: HttpRequest, key: str, fetch, item_id: int | None, new=None):
    """The project and one of its budget rows (a `new` one without an id), for a manager.
    The row is looked up before the role is checked: a vendor-internal row is not found,
    rather than refused, for a client role that may not know it exists."""
    if item_id is None:
        project = project_for(request, key, "manage_project")
        return project, new(project)
    project = project_for(request, key, "view_budget")
    item = fetch(project, item_id)
    require(request, project, "manage_project")
    return project, item


@login_required
def budget_page(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "view_budget")
    today = timezone.localdate()
    internal = _sees_internal(project)
    overview = budget.overview(project, internal=internal, today=today)
    context = {
        "project": project,
        "today": today,
        "internal": internal,
        "manager": "manage_project" in project.user_perms,
        "budget": overview,
        # The badges beside the figures say what the health checks would say of them.
        "verdicts": checks.budget_verdicts(overview.figures),
        "page": paginate(request, _entries(project).select_related("line")),
    }
    return render(request, "projects/budget.html", context)


def _budget_form(request: HttpRequest, project: Project, item, form, save) -> HttpResponse:
    saved = submitted(request, form, save)
    if saved:
        messages.success(
            request,
            _("%(kind)s %(name)s saved.")
            % {"kind": capfirst(saved._meta.verbose_name), "name": saved},
        )
        return redirect("projects:budget", project.key)
    kind = "line" if isinstance(item, BudgetLine) else "entry"
    context = {"project": project, "form": form, "item": item, "kind": kind}
    return render(request, "projects/budget_form.html", context)


def _new_line(project: Project) -> BudgetLine:
    return BudgetLine(project=project)


def _new_entry(project: Project) -> CostEntry:
    return CostEntry(project=project, currency=project.currency, date=timezone.localdate())


@login_required
def budget_line_edit(request: HttpRequest, key: str, line_id: int | None = None) -> HttpResponse:
    project, line = _budget_item(request, key, _line_for, line_id, new=_new_line)
    form = BudgetLineForm(request.POST or None, instance=copy.copy(line), project=project)
    return _budget_form(
        request,
        project,
        line,
        form,
        lambda f: services.budget_line_save(line=f.save(commit=False), by=request.user),
    )


@login_required
def cost_entry_edit(request: HttpRequest, key: str, entry_id: int | None = None) -> HttpResponse:
    project, entry = _budget_item(request, key, _entry_for, entry_id, new=_new_entry)
    form = CostEntryForm(
        request.POST or None, instance=copy.copy(entry), project=project, lines=_lines(project)
    )
    return _budget_form(
        request,
        project,
        entry,
        form,
        lambda f: services.cost_entry_save(entry=f.save(commit=False), by=request.user),
    )


@require_POST
@login_required
def budget_line_archive(request: HttpRequest, key: str, line_id: int) -> HttpResponse:
    project, line = _budget_item(request, key, _line_for, line_id)
    services.budget_line_set_archived(line=line, archived=True, by=request.user)
    messages.success(
        request,
        _("Budget line %(name)s archived; its costs no longer count.") % {"name": line.name},
    )
    return redirect("projects:budget", project.key)


@require_POST
@login_required
def cost_entry_archive(request: HttpRequest, key: str, entry_id: int) -> HttpResponse:
    project, entry = _budget_item(request, key, _entry_for, entry_id)
    services.cost_entry_set_archived(entry=entry, archived=True, by=request.user)
    messages.success(request, _("Cost entry %(name)s archived.") % {"name": entry.description})
    return redirect("projects:budget", project.key)
