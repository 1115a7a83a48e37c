"""What leaves Liaison as a file: status reports, their schedules, and the lists as CSV or
Excel. Beside `views.py`, which has passed the size at which a module is split."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit import services as audit
from audit.models import Kind

from . import services
from .access import project_for
from .exports import export_response, filters_refused, requested_format
from .forms import RaidFilter, ReportForm, ReportScheduleForm
from .models import Audience, Project, Report, audiences_for
from .pages import paginate, read_choices, submitted
from .views import raid_items

REPORTS_PER_PAGE = 20


def _report_for(project: Project, report_id: int) -> Report:
    """A report of an audience this person may read; the others do not exist for them."""
    reports = project.reports.readable_with(project.user_perms).select_related("project")
    return get_object_or_404(reports, pk=report_id)


def _report_form(request: HttpRequest, project: Project) -> ReportForm:
    audiences = audiences_for(project.user_perms)
    today = timezone.localdate()
    audience = request.GET.get("audience") if request.GET.get("audience") in audiences else None
    audience = audience or audiences[0]
    start, end = services.report_default_period(project=project, audience=audience, today=today)
    initial = {"audience": audience, "period_start": start, "period_end": end, "paper": "a4"}
    return ReportForm(request.POST or None, audiences=audiences, initial=initial)


@login_required
def report_list(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "view_reports")
    return _report_page(request, project, _report_form(request, project))


def _report_page(request: HttpRequest, project: Project, form: ReportForm) -> HttpResponse:
    reports = project.reports.readable_with(project.user_perms).select_related(
        "project", "created_by", "schedule"
    )
    context = {
        "project": project,
        "form": form,
        "page": paginate(request, reports, per_page=REPORTS_PER_PAGE),
        "manager": "manage_project" in project.user_perms,
    }
    return render(request, "projects/reports.html", context)


@require_POST
@login_required
def report_generate(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "view_reports")
    form = _report_form(request, project)
    report = submitted(
        request,
        form,
        lambda f: services.report_request(
            project=project,
            audience=f.cleaned_data["audience"],
            start=f.cleaned_data["period_start"],
            end=f.cleaned_data["period_end"],
            paper=f.cleaned_data["paper"],
            by=request.user,
        ),
    )
    if report is None:
        return _report_page(request, project, form)
    messages.success(request, _("The report is being drawn; it appears below when ready."))
    return redirect("projects:reports", project.key)


@login_required
def report_detail(request: HttpRequest, key: str, report_id: int) -> HttpResponse:
    """A report's row, which polls itself while the report is drawn; without JavaScript the
    link to it leads back to the list."""
    project = project_for(request, key, "view_reports")
    report = _report_for(project, report_id)
    if not request.htmx:
        return redirect("projects:reports", project.key)
    context = {"project": project, "report": report}
    return render(request, "projects/reports.html#report-row", context)


@login_required
def report_download(request: HttpRequest, key: str, report_id: int) -> FileResponse:
    project = project_for(request, key, "view_reports")
    report = _report_for(project, report_id)
    if not report.file:
        raise Http404
    audit.record(
        Kind.DOWNLOAD, request=request, project=project, subject=report.filename, obj=report
    )
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type="application/pdf",
    )


# Schedules


def _readers(project: Project) -> dict:
    return {
        audience: services.report_schedule_recipients(project=project, audience=audience)
        for audience in Audience.values
    }


@login_required
def report_schedules(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    form = ReportScheduleForm(request.POST or None, readers=_readers(project))
    saved = submitted(
        request,
        form,
        lambda f: services.report_schedule_save(
            schedule=f.save(commit=False),
            recipients=f.cleaned_data["recipients"],
            project=project,
            by=request.user,
        ),
    )
    if saved:
        messages.success(request, _("Schedule saved: %(schedule)s.") % {"schedule": saved})
        return redirect("projects:report_schedules", project.key)
    schedules = list(project.report_schedules.filter(active=True).prefetch_related("recipients"))
    context = {"project": project, "form": read_choices(request, form), "schedules": schedules}
    return render(request, "projects/report_schedules.html", context)


@require_POST
@login_required
def report_schedule_stop(request: HttpRequest, key: str, schedule_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    schedule = get_object_or_404(project.report_schedules.filter(active=True), pk=schedule_id)
    services.report_schedule_stop(schedule=schedule, by=request.user)
    messages.success(request, _("Schedule stopped: no more reports from it."))
    return redirect("projects:report_schedules", project.key)


# The lists as CSV or Excel


def _day(value) -> str:
    return value.isoformat() if value else ""


def _money(value) -> float | str:
    return float(value) if value is not None else ""


@login_required
def raid_export(request: HttpRequest, key: str) -> HttpResponse:
    """The RAID register as filtered on its page."""
    project = project_for(request, key)
    fmt = requested_format(request)
    found = RaidFilter(request.GET, queryset=raid_items(project))
    if refused := filters_refused(request, found, reverse("projects:raid", args=[key])):
        return refused
    items = found.qs
    header = [_("Kind"), _("Title"), _("Status"), _("Impact"), _("Likelihood"), _("Score"),
              _("Owner"), _("Due or check by"), _("Mitigation or plan"), _("Description"),
              _("Created")]  # fmt: skip
    rows = (
        [
            item.get_kind_display(),
            item.title,
            item.get_status_display(),
            item.get_impact_display(),
            item.get_likelihood_display(),
            item.score,
            item.owner.display_name if item.owner else "",
            _day(item.due_date),
            item.mitigation,
            item.description,
            _day(item.created_at.date()),
        ]  # fmt: skip
        for item in items
    )
    return export_response(
        fmt,
        f"{project.key}-raid",
        header,
        rows,
        request=request,
        project=project,
    )


@login_required
def milestone_export(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    fmt = requested_format(request)
    shares = "view_budget" in project.user_perms
    milestones = project.milestones.active().select_related("site", "owner")
    header = [_("Milestone"), _("Site"), _("Baseline"), _("Forecast"), _("Done"),
              _("Slip (days)"), _("Owner")]  # fmt: skip
    if shares:
        header.append(_("Budget share (%)"))
    rows = (
        [
            m.name,
            m.site.name if m.site else _("Whole project"),
            _day(m.planned_date),
            _day(m.forecast_date),
            _day(m.actual_date),
            m.slip_days,
            m.owner.display_name if m.owner else "",
        ]  # fmt: skip
        + ([_money(m.budget_share)] if shares else [])
        for m in milestones
    )
    return export_response(
        fmt,
        f"{project.key}-milestones",
        header,
        rows,
        request=request,
        project=project,
    )


@login_required
def cost_export(request: HttpRequest, key: str) -> HttpResponse:
    """The cost entries; those of vendor-internal lines only for those who may see them."""
    project = project_for(request, key, "view_budget")
    fmt = requested_format(request)
    internal = "view_internal" in project.user_perms
    entries = project.cost_entries.active().visible(internal=internal).select_related("line")
    header = [_("Date"), _("Cost"), _("Budget line"), _("Category"), _("Amount"), _("Currency"),
              _("Rate to %(currency)s") % {"currency": project.currency},
              _("In %(currency)s") % {"currency": project.currency}]  # fmt: skip
    if internal:
        header.append(_("Vendor-internal"))
    rows = (
        [
            _day(e.date),
            e.description,
            e.line.name,
            e.line.get_category_display(),
            _money(e.amount),
            e.currency,
            _money(e.rate_to_project),
            _money(e.project_amount),
        ]  # fmt: skip
        + ([_("yes") if e.line.is_internal else _("no")] if internal else [])
        for e in entries.order_by("date", "pk")
    )
    return export_response(
        fmt,
        f"{project.key}-costs",
        header,
        rows,
        request=request,
        project=project,
    )
