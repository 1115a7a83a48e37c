import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit import services as audit
from audit.models import Kind
from projects.access import project_for
from projects.models import Project
from projects.pages import (
    id_or_404,
    in_project,
    once,
    page_or_fragment,
    paginate,
    read_choices,
    related_count,
    submitted,
)
from projects.tabular import MAX_BYTES, decode
from projects.uploads import MAX_SIZE, check_upload, check_uploads

from . import imports, services
from .eml import parse_eml
from .forms import (
    AssignmentForm,
    ChannelFilter,
    DecisionForm,
    EmailRecordForm,
    EntryForm,
    HandoverForm,
    ImportConfirmForm,
    ImportForm,
    StakeholderFilter,
    StakeholderForm,
)
from .models import Assignment, Attachment, Entry, EntryKind, PointOfContact, Stakeholder
from .ownership import area_states, map_areas, parse_area_key

# Stakeholders


def _stakeholder_for(project: Project, stakeholder_id: int) -> Stakeholder:
    return get_object_or_404(project.stakeholders, pk=stakeholder_id)


@login_required
def stakeholder_list(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    people = project.stakeholders.select_related("site", "user")
    people_filter = StakeholderFilter(request.GET, queryset=people, project=project)
    context = {
        "project": project,
        "page": paginate(request, people_filter.qs),
        "filter": people_filter,
    }
    read_choices(request, people_filter.form)
    return render(request, "stakeholders/stakeholder_list.html", context)


@login_required
def stakeholder_add(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    return _stakeholder_form(request, project, Stakeholder(project=project))


@login_required
def stakeholder_edit(request: HttpRequest, key: str, stakeholder_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    return _stakeholder_form(request, project, _stakeholder_for(project, stakeholder_id))


def _stakeholder_form(request: HttpRequest, project: Project, stakeholder: Stakeholder):
    # A copy: a refused change must not show in the page around the form.
    form = StakeholderForm(request.POST or None, instance=copy.copy(stakeholder), project=project)
    saved = submitted(
        request,
        form,
        lambda f: services.stakeholder_save(stakeholder=f.save(commit=False), by=request.user),
    )
    if saved:
        messages.success(request, _("%(name)s saved.") % {"name": saved.name})
        return redirect("stakeholders:list", project.key)
    context = {"project": project, "form": form, "stakeholder": stakeholder}
    return render(request, "stakeholders/stakeholder_form.html", context)


@require_POST
@login_required
def stakeholder_active(request: HttpRequest, key: str, stakeholder_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    stakeholder = _stakeholder_for(project, stakeholder_id)
    active = request.POST.get("active") == "1"
    services.stakeholder_set_active(stakeholder=stakeholder, active=active, by=request.user)
    if active:
        messages.success(request, _("%(name)s is active again.") % {"name": stakeholder.name})
    else:
        messages.success(
            request, _("%(name)s is marked as having left.") % {"name": stakeholder.name}
        )
    return redirect("stakeholders:list", project.key)


@login_required
def stakeholder_import(request: HttpRequest, key: str) -> HttpResponse:
    """Upload shows a preview; confirming posts the same text back and saves all or nothing."""
    project = project_for(request, key, "manage_project")
    form = ImportForm(request.POST or None, request.FILES or None)
    preview, text = None, ""
    confirm = ImportConfirmForm(request.POST if "confirm" in request.POST else None)
    if request.method == "POST" and "confirm" in request.POST:
        text = request.POST.get("text", "")
        preview = imports.preview(project, text)
        if preview.ok and (
            saved := submitted(
                request,
                confirm,
                lambda f: services.stakeholders_import(
                    stakeholders=[row.instance for row in preview.rows], by=request.user
                ),
            )
        ):
            messages.success(
                request,
                ngettext("%(n)d stakeholder imported.", "%(n)d stakeholders imported.", len(saved))
                % {"n": len(saved)},
            )
            return redirect("stakeholders:list", project.key)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = check_upload(upload.name, upload.read(MAX_BYTES + 1))
        except ValidationError as error:
            form.add_error("file", error)
        else:
            text = decode(checked.content)
            preview = imports.preview(project, text)
    context = {
        "project": project, "form": form, "confirm": confirm, "preview": preview, "text": text
    }  # fmt: skip
    return render(request, "stakeholders/import.html", context)


# The ownership map


def _map_context(project: Project) -> dict:
    sites = list(project.sites.active())
    areas = map_areas(sites)
    assignments = list(
        Assignment.objects.held().filter(project=project).select_related("stakeholder")
    )
    people = list(project.stakeholders.active().select_related("site"))
    letters = {(a.stakeholder_id, a.area, a.site_id): a.letter for a in assignments}
    grid = [
        (person, [(area, letters.get((person.pk, area.area, area.site_id), "")) for area in areas])
        for person in people
    ]
    states = area_states(project.client.size_band, areas, assignments)
    return {
        "project": project,
        "areas": areas,
        "grid": grid,
        "states": states,
        "gaps": [state for state in states if state.problem],
        "advice": [state for state in states if state.advice],
        "band": project.client.size_band,
        "manages": "manage_project" in project.user_perms,
        "set_url": reverse("stakeholders:ownership_set", args=[project.key]),
    }


@login_required
def ownership_map(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    return render(request, "stakeholders/ownership_map.html", _map_context(project))


@require_POST
@login_required
def ownership_set(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("That cell could not be read."), status=400)
    stakeholder = _stakeholder_for(project, form.cleaned_data["stakeholder"])
    try:
        area, site_id = parse_area_key(form.cleaned_data["area"])
        services.assignment_set(
            project=project,
            stakeholder=stakeholder,
            area=area,
            site_id=site_id,
            letter=form.cleaned_data["letter"],
            by=request.user,
        )
    except (ValueError, ValidationError):
        return HttpResponse(_("That area is not part of this project's map."), status=400)
    if request.htmx:
        # The changed cell, and the summary beside the grid swapped out of band.
        context = {**_map_context(project), "cell_person": stakeholder, "oob": True}
        context["cell"] = next(
            cell
            for person, cells in context["grid"]
            if person.pk == stakeholder.pk
            for cell in cells
            if cell[0].key == form.cleaned_data["area"]
        )
        return render(request, "stakeholders/ownership_map.html#cell-update", context)
    messages.success(request, _("Ownership map saved."))
    return redirect("stakeholders:ownership", project.key)


# The point of contact


@login_required
def contact(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key)
    form = HandoverForm(request.POST or None, project=project)
    if request.method == "POST":
        project = project_for(request, key, "manage_project")
    term = submitted(
        request,
        form,
        lambda f: services.contact_hand_over(project=project, by=request.user, **f.action_data),
    )
    if term:
        messages.success(
            request, _("%(name)s is now the point of contact.") % {"name": term.stakeholder.name}
        )
        return redirect("stakeholders:contact", project.key)
    terms = list(
        PointOfContact.objects.filter(project=project).select_related("stakeholder", "named_by")
    )
    context = {
        "project": project,
        "current": services.current_contacts(project),
        "terms": terms,
        "form": read_choices(request, form),
    }
    return render(request, "stakeholders/contact.html", context)


# The channel


# Links to entries name their project: the one already loaded (see `in_project`).
def _entry_for(project: Project, entry_id: int) -> Entry:
    return in_project(project, [get_object_or_404(_entries(project), pk=entry_id)], "corrects")[0]


# The channel reads like a mailbox: a long page, scrolled, rather than many short ones.
ENTRIES_PER_PAGE = 100


def _entries(project: Project):
    return (
        Entry.objects.for_project(project)
        .select_related("author", "corrects", "spoc_decided_by")
        .annotate(
            correction_count=related_count(Entry.objects, "corrects"),
            attachment_count=related_count(Attachment.objects, "entry"),
        )
    )


# What a row of the channel shows: its excerpt, not the body, and of the people their names.
_ROW_FIELDS = (
    "project", "kind", "author__first_name", "author__last_name", "author__email",
    "author_side", "subject", "excerpt_html", "corrects__subject", "corrects__project",
    "spoc_status", "created_at",
)  # fmt: skip


@login_required
def channel(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "read_channel")
    rows = _entries(project).select_related(None).select_related("author", "corrects")
    entry_filter = ChannelFilter(request.GET, queryset=rows.only(*_ROW_FIELDS), project=project)
    context = {
        "project": project,
        "page": in_project(
            project, paginate(request, entry_filter.qs, per_page=ENTRIES_PER_PAGE), "corrects"
        ),
        "filter": entry_filter,
        "form": EntryForm(),
    }
    read_choices(request, entry_filter.form)
    return render(
        request, page_or_fragment(request, "stakeholders/channel.html", "entries"), context
    )


@login_required
def entry_post(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "post_channel")
    corrects = None
    corrects_id = request.POST.get("corrects") or request.GET.get("corrects")
    if corrects_id:
        corrects = _entry_for(project, id_or_404(corrects_id))
        if corrects.author_id != request.user.pk and "manage_project" not in project.user_perms:
            raise PermissionDenied(_("Only its author or the project manager corrects an entry."))
    form = EntryForm(request.POST or None, request.FILES or None)
    if corrects and request.method == "GET":
        form.initial = {
            "kind": corrects.kind,
            "subject": _("Correction: %(s)s") % {"s": corrects.subject},
        }
    if request.method == "POST" and form.is_valid():
        try:
            files = check_uploads(form.cleaned_data["files"], field="files")
            entry = once(
                request,
                form,
                lambda f: services.entry_post(
                    project=project,
                    author=request.user,
                    kind=f.cleaned_data["kind"],
                    subject=f.cleaned_data["subject"],
                    body=f.cleaned_data["body"],
                    corrects=corrects,
                    files=files,
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _posted_message(entry))
            return redirect("stakeholders:channel", project.key)
    context = {"project": project, "form": form, "corrects": corrects}
    return render(request, "stakeholders/entry_form.html", context)


def _posted_message(entry: Entry) -> str:
    if entry.off_channel:
        return _(
            "Posted. As it comes from outside the single point of contact, it waits for the "
            "point of contact to confirm it before the vendor acts on it."
        )
    return _("Posted.")


@login_required
def email_record(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "post_channel")
    form = EmailRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            original = check_upload(upload.name, upload.read(MAX_SIZE + 1))
            if not original.name.endswith(".eml"):
                raise ValidationError(_("Choose an .eml file."))
            parsed = parse_eml(original.content)
            entry = once(
                request,
                form,
                lambda f: services.entry_post(
                    project=project,
                    author=request.user,
                    kind=EntryKind.EMAIL,
                    subject=parsed.subject or _("(no subject)"),
                    body=parsed.text,
                    files=[original, *parsed.attachments],
                    email_from=parsed.sender,
                    email_to=parsed.recipients,
                    email_date=parsed.sent,
                ),
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("E-mail recorded."))
            for refusal in parsed.refused:
                messages.warning(request, _("Attachment not kept: %(why)s") % {"why": refusal})
            return redirect(entry)
    return render(request, "stakeholders/email_form.html", {"project": project, "form": form})


@login_required
def entry_detail(request: HttpRequest, key: str, entry_id: int) -> HttpResponse:
    project = project_for(request, key, "read_channel")
    entry = _entry_for(project, entry_id)
    context = {
        "project": project,
        "entry": entry,
        "attachments": entry.attachments.all(),
        "corrections": entry.corrections.select_related("author", "project"),
        "decision_form": DecisionForm(),
    }
    return render(request, "stakeholders/entry_detail.html", context)


@login_required
def spoc_queue(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "confirm_off_channel")
    page = paginate(request, _entries(project).waiting())
    context = {"project": project, "page": in_project(project, page, "corrects")}
    return render(request, "stakeholders/spoc_queue.html", context)


@require_POST
@login_required
def entry_decide(request: HttpRequest, key: str, entry_id: int) -> HttpResponse:
    project = project_for(request, key, "confirm_off_channel")
    entry = _entry_for(project, entry_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.entry_spoc_decide(
            entry=entry, by=request.user, confirm=confirm, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(entry)
    if confirm:
        messages.success(
            request, _("Confirmed: the vendor can act on “%(s)s”.") % {"s": entry.subject}
        )
    else:
        messages.success(request, _("Declined: “%(s)s”.") % {"s": entry.subject})
    return redirect("stakeholders:queue", project.key)


@login_required
def decision_log(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "read_channel")
    page = paginate(request, _entries(project).decisions())
    context = {"project": project, "page": in_project(project, page, "corrects")}
    return render(request, "stakeholders/decisions.html", context)


@login_required
def attachment(request: HttpRequest, key: str, attachment_id: int) -> FileResponse:
    project = project_for(request, key, "read_channel")
    item = get_object_or_404(Attachment, pk=attachment_id, entry__project=project)
    audit.record(Kind.DOWNLOAD, request=request, project=project, subject=item.name, obj=item)
    # Always a download, never shown inline: an uploaded file must not run as a page of ours.
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.name,
        content_type="application/octet-stream",
    )
