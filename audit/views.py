import datetime
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from projects.exports import export_response, filters_refused, requested_format
from projects.pages import paginate, read_choices
from projects.views import staff_required

from .filters import AuditEventFilter
from .models import AuditEvent


def _events(request: HttpRequest) -> AuditEventFilter:
    queryset = AuditEvent.objects.select_related("actor", "project").newest_first()
    return AuditEventFilter(request.GET, queryset=queryset)


@staff_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = _events(request)
    read_choices(request, events.form)
    context = {
        "filter": events,
        "page": paginate(request, events.qs, per_page=50),
        "filtered": any(request.GET.get(name) for name in events.filters),
    }
    return render(request, "audit/event_list.html", context)


@staff_required
def event_export(request: HttpRequest) -> HttpResponse:
    """The log as filtered on the page."""
    fmt = requested_format(request)
    events = _events(request)
    if refused := filters_refused(request, events, reverse("audit:list")):
        return refused
    header = [_("When (UTC)"), _("What"), _("Who"), _("User name"), _("IP address"),
              _("Project"), _("About"), _("Object"), _("Address"), _("Detail")]  # fmt: skip
    rows = (
        [
            event.at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            event.get_kind_display(),
            event.actor.display_name if event.actor else "",
            event.username,
            event.ip_address or "",
            event.project.key if event.project else "",
            event.subject,
            f"{event.object_type}:{event.object_id}" if event.object_type else "",
            event.path,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
        ]
        for event in events.qs.iterator(chunk_size=2000)
    )
    return export_response(fmt, "audit-log", header, rows, request=request)
