"""The project status report: its sections, drawn as a PDF by WeasyPrint.

Each app registers the sections it owns with `register_section` in its `AppConfig.ready` (the
way it registers its tabs and checks), so that the report never reaches into the other apps.
A section is a template drawn from what its `build` function returns for a `Scope`; a section
whose `build` returns None is left out of that report.
"""

import datetime
import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import budget, checks, timeline
from .models import (
    AUDIENCE_PERMISSION,
    SEVERITY_RANK,
    Audience,
    CheckArea,
    Report,
    ReportState,
    Severity,
)
from .roles import STAFF_PERMISSIONS


@dataclass(frozen=True)
class Scope:
    """What one report covers, and for whom."""

    project: object
    audience: str
    start: datetime.date
    end: datetime.date
    today: datetime.date  # the day the figures are judged on

    @property
    def internal(self) -> bool:
        return self.audience == Audience.VENDOR

    @property
    def perms(self) -> frozenset[str]:
        """The permissions of the report's reader: a client report is drawn as a client
        reader would see the project, whoever asks for it."""
        if self.internal:
            return STAFF_PERMISSIONS
        return STAFF_PERMISSIONS - {AUDIENCE_PERMISSION[Audience.VENDOR]}


@dataclass(frozen=True)
class Section:
    title: str | Promise
    template: str
    build: Callable[[Scope], dict | None]
    order: int


_sections: dict[Callable, Section] = {}


def register_section(title, template: str, build, *, order: int = 50) -> None:
    """Add a section to every report: `template` drawn with `build(scope)` as `data`.
    Sections appear in `order`: summary 10, timeline 20, budget 30, requirements 40, feedback
    50, decisions 60, RAID 70."""
    _sections[build] = Section(title, template, build, order)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: section.order)


# The sections of `projects`

TOP_RAID_ITEMS = 10


def summary_section(scope: Scope) -> dict:
    findings = sorted(
        scope.project.findings.open().visible_with(scope.perms).select_related("owner"),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.area, f.opened_at),
    )
    rag = checks.rag(findings)
    return {
        "rag": [
            {"label": label, "severity": Severity(rag[area])}
            for area, label in CheckArea.choices
            if area != CheckArea.BUDGET or scope.internal
        ],
        "findings": findings,
    }


def timeline_section(scope: Scope) -> dict:
    milestones = list(scope.project.milestones.active().select_related("site", "owner"))
    return {
        "milestones": milestones,
        "timeline": timeline.build(milestones, today=scope.today, width=720),
    }


def budget_section(scope: Scope) -> dict | None:
    overview = budget.overview(scope.project, internal=scope.internal, today=scope.today)
    return {"budget": overview, "internal": scope.internal} if overview.lines else None


def raid_section(scope: Scope) -> dict | None:
    items = scope.project.raid.open().filter(archived_at__isnull=True).select_related("owner")
    top = sorted(items, key=lambda item: (-item.score, item.due_date or datetime.date.max))
    return {"items": top[:TOP_RAID_ITEMS]} if top else None


def register_project_sections() -> None:
    register_section(
        _("Status at a glance"), "projects/report/summary.html", summary_section, order=10
    )
    register_section(_("Milestones"), "projects/report/timeline.html", timeline_section, order=20)
    register_section(_("Budget"), "projects/report/budget.html", budget_section, order=30)
    register_section(_("Top risks and issues"), "projects/report/raid.html", raid_section, order=70)


# Drawing the PDF

# The origin that static URLs in the report resolve against. `.invalid` can never name a real
# host (RFC 2606): nothing under it is fetched from a network, only from our static files.
BASE_URL = "https://liaison.invalid/"


class RefusedURL(ValueError):
    pass


def static_fetcher(url: str, headers=None):
    """WeasyPrint's URL fetcher: our static files, found through the staticfiles finders, and
    nothing else (no file://, no network, no data: URLs). A refusal leaves the resource out."""
    from weasyprint.urls import URLFetcherResponse

    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if (
        parts.scheme != "https"
        or parts.netloc != urlsplit(BASE_URL).netloc
        or not parts.path.startswith(prefix)
    ):
        raise RefusedURL(f"Not one of our static files: {url[:80]}")
    name = posixpath.normpath(unquote(parts.path[len(prefix) :]))
    if name.startswith(("..", "/")) or "\x00" in name:
        raise RefusedURL(f"Not one of our static files: {url[:80]}")
    path = finders.find(name)
    if not path:
        raise RefusedURL(f"No such static file: {name}")
    with open(path, "rb") as handle:
        body = handle.read()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _fetcher():
    from weasyprint.urls import URLFetcher

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return static_fetcher(url, headers)

    return StaticFilesFetcher()


def scope_for(report: Report) -> Scope:
    return Scope(
        project=report.project,
        audience=report.audience,
        start=report.period_start,
        end=report.period_end,
        today=min(report.period_end, timezone.localdate()),
    )


def render_html(report: Report) -> str:
    scope = scope_for(report)
    drawn = []
    for section in sections():
        data = section.build(scope)
        if data is not None:
            drawn.append({"title": section.title, "template": section.template, "data": data})
    context = {
        "report": report,
        "project": report.project,
        "scope": scope,
        "sections": drawn,
        "generated_on": timezone.localdate(),
    }
    return render_to_string("projects/report/report.html", context)


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of a report's HTML, and its page count."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render()
    return document.write_pdf(), len(document.pages)


def draw(report: Report, progress: Callable[[int], None] = lambda percent: None) -> None:
    """Draw `report` and store its PDF, unless another run stored it meanwhile: a stored
    report never changes. Called from the task only."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    progress(10)
    html = render_html(report)
    progress(40)
    pdf, pages = render_pdf(html)
    progress(90)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.state == ReportState.DONE:
            return
        report.file.save(report.filename, ContentFile(pdf), save=False)
        report.pages = pages
        report.state = ReportState.DONE
        report.progress = 100
        report.finished_at = timezone.now()
        report.save(update_fields=["file", "pages", "state", "progress", "finished_at"])
