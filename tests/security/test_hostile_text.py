"""Every hostile string in every free-text field a person can type into, out through every
place that shows it: the pages, their htmx fragments, the e-mails, the PDF report and the CSV
and Excel exports.

The demo project is loaded once; then, for each string, every field in FIELDS of every row is
set to it (with a marker naming the field, so that each field can be found again), each output
is drawn once, and the change is rolled back. A field is typed in through its form elsewhere
(and the forms' own checks are tested below); here it is what comes *out* that is judged."""

import datetime
import io
import time
from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from openpyxl import load_workbook

from projects import demo, reports
from projects.exports import FORMULA_STARTS
from projects.markdown import excerpt, render_markdown
from projects.models import Audience, Finding, Membership, Project, Report
from projects.roles import Role
from requirements import tasks as requirement_tasks
from requirements.models import FeedbackSeverity, FeedbackStatus
from stakeholders import tasks as stakeholder_tasks
from stakeholders.models import SpocStatus
from tests.conftest import project_manager
from tests.pdf import pdf_text
from tests.security.hostile import NUL, STRINGS, problems

PAGE, FRAGMENT, EMAIL, PDF, CSV, XLSX = "page", "fragment", "email", "pdf", "csv", "xlsx"
OUTPUTS = (PAGE, FRAGMENT, EMAIL, PDF, CSV, XLSX)

# Every CharField and TextField a person types into, and the outputs that must show it.
# A new text field fails test_every_text_field_has_a_row until it is given a row here or in
# NOT_TYPED.
FIELDS: dict[str, set[str]] = {
    "accounts.User.first_name": {PAGE, FRAGMENT, EMAIL, PDF, CSV, XLSX},
    "accounts.User.last_name": {PAGE, FRAGMENT, EMAIL, PDF, CSV, XLSX},
    "projects.BudgetLine.name": {PAGE, PDF, CSV, XLSX},
    "projects.BudgetLine.notes": {PAGE, PDF},
    "projects.Client.countries": {PAGE},
    "projects.Client.industry": {PAGE},
    "projects.Client.name": {PAGE, FRAGMENT, PDF},
    "projects.ContentRelease.title": {PAGE},
    "projects.CostEntry.description": {PAGE, CSV, XLSX},
    "projects.Milestone.name": {PAGE, PDF, CSV, XLSX},
    "projects.Project.lms_product": {PAGE},
    "projects.Project.name": {PAGE, FRAGMENT, EMAIL},
    "projects.RaidItem.description": {PAGE, CSV, XLSX},
    "projects.RaidItem.mitigation": {PAGE, PDF, CSV, XLSX},
    "projects.RaidItem.title": {PAGE, PDF, CSV, XLSX},
    "projects.Site.configuration_notes": {PAGE},
    "projects.Site.languages": {PAGE},
    "projects.Site.local_owner": {PAGE},
    "projects.Site.name": {PAGE, FRAGMENT, PDF, CSV, XLSX},
    "requirements.Baseline.note": {PAGE},
    "requirements.BaselineItem.acceptance_criteria": {PAGE},
    "requirements.BaselineItem.scope": {PAGE},
    "requirements.BaselineItem.title": {PAGE},
    "requirements.ChangeRequest.description": {PAGE},
    "requirements.ChangeRequest.impact_timeline": {PAGE},
    "requirements.ChangeRequest.proposed_criteria": {PAGE},
    "requirements.ChangeRequest.rejection_reason": {PAGE},
    "requirements.Conflict.note": {PAGE},
    "requirements.Feedback.actual": {PAGE},
    "requirements.Feedback.browser": {PAGE},
    "requirements.Feedback.device": {PAGE},
    "requirements.Feedback.expected": {PAGE},
    "requirements.Feedback.language": {PAGE},
    "requirements.Feedback.os": {PAGE},
    "requirements.Feedback.status_reason": {PAGE},
    "requirements.Feedback.steps": {PAGE},
    "requirements.Feedback.title": {PAGE, FRAGMENT, EMAIL},
    "requirements.Feedback.viewport": {PAGE},
    "requirements.FeedbackComment.body": {PAGE},
    "requirements.Goal.target": {PAGE},
    "requirements.Goal.title": {PAGE, CSV, XLSX},  # cut short in the list fragment
    "requirements.Requirement.acceptance_criteria": {PAGE, CSV, XLSX},
    "requirements.Requirement.description": {PAGE, CSV, XLSX},
    "requirements.Requirement.status_reason": {PAGE},
    "requirements.Requirement.title": {PAGE, FRAGMENT, CSV, XLSX},
    "requirements.TestRound.build": {PAGE},
    "requirements.TestRound.name": {PAGE, FRAGMENT, EMAIL},
    "stakeholders.Entry.body": {PAGE, FRAGMENT, PDF},
    "stakeholders.Entry.spoc_comment": {PAGE},
    "stakeholders.Entry.subject": {PAGE, FRAGMENT, EMAIL, PDF},
    "stakeholders.PointOfContact.reason": {PAGE},
    "stakeholders.Stakeholder.name": {PAGE, CSV, XLSX},
    "stakeholders.Stakeholder.title": {PAGE},
    # The demo has no row that shows these; they go through the same checks, and uploads'
    # names through tests/security/test_hostile_files.py.
    "requirements.Conflict.resolution": set(),
    "requirements.ImportJob.filename": set(),
    "requirements.ImportJob.message": set(),
    "requirements.Screenshot.name": set(),
    "stakeholders.Attachment.name": set(),
    "stakeholders.Entry.email_from": set(),
    "stakeholders.Entry.email_to": set(),
}

# Text fields nobody types: drawn by the app, or checked against a fixed form.
NOT_TYPED = {
    "accounts.User.password": "a password hash",
    "accounts.User.email": "an e-mail address, checked by the form",
    "projects.Project.key": "letters and digits only, checked by the form",
    "projects.Membership.calendar_token": "a random token",
    "projects.Notification.key": "built by the code",
    "projects.OutboxMessage.task": "the name of one of our tasks, written by the code",
    "projects.Submission.token": "a random one-time form token, checked against the session's form",
    "projects.Finding.code": "built by the checks",
    "projects.Finding.message": "written by the checks (quoting names typed elsewhere)",
    "projects.Finding.opens_with": "a permission's codename, named by the checks",
    "projects.Finding.url": "built by the checks",
    "stakeholders.Stakeholder.email": "an e-mail address, checked by the form",
    "stakeholders.Entry.body_html": "drawn from the body by the sanitiser",
    "stakeholders.Entry.excerpt_html": "cut from the sanitised body",
    "stakeholders.Attachment.content_type": "from the list of accepted file types",
    "requirements.Requirement.description_html": "drawn from the description by the sanitiser",
    "requirements.Screenshot.content_type": "from the list of accepted file types",
}

# A Markdown field and what is stored beside it, drawn from it: its sanitised HTML, and a list's
# excerpt of that.
MARKDOWN = {
    "stakeholders.Entry.body": {
        "body_html": render_markdown,
        "excerpt_html": lambda text: excerpt(render_markdown(text)),
    },
    "requirements.Requirement.description": {"description_html": render_markdown},
}


def text_fields() -> dict[str, models.Field]:
    found = {}
    for app in ("accounts", "projects", "stakeholders", "requirements"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField) and not field.choices:
                    found[f"{model._meta.label}.{field.name}"] = field
    return found


HUGE = 100_000


def marker(n: int) -> str:
    return f"QX{n:02d}QX"


def fill(hostile: str) -> dict[str, str]:
    """Set every typed field of every row to `hostile` followed by its field's marker; return
    field -> marker."""
    markers = {}
    for n, (name, field) in enumerate(sorted(typed_fields().items())):
        tag = marker(n)
        unique = _unique(field)
        limit = (field.max_length or len(hostile) + len(tag) + 10) - (10 if unique else 0)
        value = hostile[: limit - len(tag)] + tag
        changes = {field.name: value}
        if unique:  # each row its own value: the row's id after the marker
            changes[field.name] = Concat(Value(value), Cast("pk", models.CharField()))
        for derived, draw in MARKDOWN.get(name, {}).items():
            changes[derived] = draw(value)
        rows = field.model._base_manager.all()
        if len(hostile) > HUGE:  # one row of each kind is enough, and keeps the pages small
            rows = rows.filter(pk=rows.order_by("pk").values("pk")[:1])
        rows.update(**changes)
        markers[name] = tag
    return markers


def _unique(field) -> bool:
    together = [
        [*c.fields, *map(str, c.expressions)]
        for c in field.model._meta.constraints
        if isinstance(c, models.UniqueConstraint)
    ]
    together += list(field.model._meta.unique_together)
    return field.unique or any(field.name in name for names in together for name in names)


def typed_fields() -> dict[str, models.Field]:
    return {name: field for name, field in text_fields().items() if name not in NOT_TYPED}


# Drawing the outputs


def _pages(project) -> list[str]:
    """Every page of `project` that shows typed text, with one of each kind of object."""
    key = project.key
    lists = (
        "projects:home projects:edit projects:findings projects:history projects:plan "
        "projects:raid projects:budget projects:reports projects:members stakeholders:list "
        "stakeholders:ownership stakeholders:contact stakeholders:channel "
        "stakeholders:decisions requirements:list requirements:baseline requirements:changes "
        "requirements:conflicts requirements:goals requirements:rounds requirements:feedback_list "
        "requirements:feedback_board requirements:readiness"
    )
    urls = [reverse("projects:list"), reverse("projects:portfolio")]
    urls += [reverse(name, args=[key]) for name in lists.split()]
    for objects, name in (
        (project.sites, "projects:site_edit"),
        (project.milestones, "projects:milestone_edit"),
        (project.releases, "projects:release_edit"),
        (project.raid, "projects:raid_edit"),
        (project.budget_lines, "projects:budget_line_edit"),
        (project.cost_entries, "projects:cost_entry_edit"),
        (project.stakeholders, "stakeholders:edit"),
        (project.goals, "requirements:goal_edit"),
        (project.test_rounds, "requirements:round"),
        (project.test_rounds, "requirements:round_edit"),
    ):
        urls += [reverse(name, args=[key, pk]) for pk in objects.values_list("pk", flat=True)[:1]]
    entries = {}  # one entry of each kind and state: each shows different fields
    for entry in project.channel.order_by("pk"):
        entries.setdefault((entry.kind, entry.spoc_status, bool(entry.spoc_comment)), entry)
    urls += [entry.get_absolute_url() for entry in entries.values()]
    for objects in (project.requirements, project.change_requests):
        urls += [item.get_absolute_url() for item in objects.all()[:1]]
    urls += [item.get_absolute_url() for item in project.feedback.order_by("-status")[:2]]
    urls += [reverse("requirements:edit", args=[key, project.requirements.first().number])]
    return urls


# htmx asks these lists for their results only.
FRAGMENTS = (
    "projects:list",
    "stakeholders:channel",
    "requirements:list",
    "requirements:feedback_list",
    "requirements:feedback_board",
)


def _staff_pages(project) -> list[str]:
    return [
        reverse("projects:client_list"),
        reverse("projects:client_edit", args=[project.client_id]),
        reverse("projects:user_list"),
        reverse("projects:user_edit", args=[project.memberships.first().user_id]),
    ]


def _emails(project) -> list:
    """Send every e-mail that quotes typed text, about `project`; return them."""
    mail.outbox = []
    waiting = project.channel.filter(spoc_status=SpocStatus.WAITING).first()
    if waiting:
        stakeholder_tasks.notify_spoc_of_waiting_entry(waiting.pk)
    latest = project.channel.order_by("-created_at").first()
    Membership.objects.filter(project=project).update(wants_digest=True)
    stakeholder_tasks.send_channel_digests(latest.created_at.date().isoformat())
    fixed = project.feedback.filter(status=FeedbackStatus.FIXED).first()
    if fixed:
        requirement_tasks.notify_tester_of_fix(fixed.pk)
    severe = project.feedback.filter(severity=FeedbackSeverity.BLOCKER).order_by("-pk").first()
    requirement_tasks.send_severe_feedback_summaries(severe.created_at.date().isoformat())
    findings = list(Finding.objects.filter(project=project).values_list("pk", flat=True))
    if findings:
        from projects.tasks import notify_findings

        notify_findings(findings)
    return list(mail.outbox)


def _pdf_text(project, folder) -> str:
    report = Report.objects.create(
        project=project,
        audience=Audience.VENDOR,
        period_start=project.start_date,
        period_end=datetime.date.today(),
    )
    pdf, _pages = reports.render_pdf(reports.render_html(report))
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    return pdf_text(path)  # skipped on a workstation without poppler, fails in CI


EXPORTS = (
    "projects:raid_export",
    "projects:milestone_export",
    "projects:cost_export",
    "requirements:export",
)


def _cells(fmt: str, content: bytes) -> list[str]:
    if fmt == CSV:
        import csv

        csv.field_size_limit(2**30)  # a megabyte in a cell is what is being tested
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        return [cell for row in rows for cell in row]
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


class Run:
    """What one hostile string did to every output: their text, and what was wrong."""

    def __init__(self):
        self.texts: dict[str, list[str]] = defaultdict(list)
        self.wrong: list[str] = []
        self.drawn = Counter()

    def html(self, output: str, url: str, response, allowed) -> None:
        self.drawn[output] += 1
        if response.status_code != 200:
            self.wrong.append(f"{output} {url}: status {response.status_code}")
            return
        html = response.content.decode()
        extra = [p for p in problems(html) if p not in allowed]
        if extra:
            self.wrong.append(f"{output} {url}: {extra[:3]}")
        self.texts[output].append(html)


def draw(client, staff_client, project, folder, baseline=None) -> tuple[Run, dict]:
    """Draw every output of `project` once; `baseline` maps a URL to what its page holds
    with harmless text (our own charts), which is allowed."""
    run, seen = Run(), {}
    baseline = baseline or {}
    for who, urls in ((client, _pages(project)), (staff_client, _staff_pages(project))):
        for url in urls:
            response = who.get(url)
            if response.status_code == 200:
                seen[url] = problems(response.content.decode())
            run.html(PAGE, url, response, baseline.get(url, ()))
    for name in FRAGMENTS:
        args = [] if name == "projects:list" else [project.key]
        url = reverse(name, args=args)
        response = client.get(url, headers={"HX-Request": "true"})
        if b"<html" in response.content:
            run.wrong.append(f"{FRAGMENT} {url}: a whole page, not a fragment")
        key = url + "#fragment"
        if response.status_code == 200:
            seen[key] = problems(response.content.decode())
        run.html(FRAGMENT, url, response, baseline.get(key, ()))
    for message in _emails(project):
        run.drawn[EMAIL] += 1
        if "\n" in message.subject or "\r" in message.subject:
            run.wrong.append(f"{EMAIL} subject on two lines: {message.subject[:80]!r}")
        message.message().as_bytes()  # what the mail server would get: raises on a bad header
        if getattr(message, "alternatives", None):
            run.wrong.append(f"{EMAIL} {message.subject[:40]!r} has an HTML part")
        run.texts[EMAIL].append(message.subject + "\n" + message.body)
    run.drawn[PDF] += 1
    run.texts[PDF].append(_pdf_text(project, folder))
    for name in EXPORTS:
        for fmt in (CSV, XLSX):
            url = reverse(name, args=[project.key]) + f"?format={fmt}"
            response = client.get(url)
            run.drawn[fmt] += 1
            if response.status_code != 200:
                run.wrong.append(f"{fmt} {url}: status {response.status_code}")
                continue
            if not response["Content-Disposition"].startswith("attachment;"):
                run.wrong.append(f"{fmt} {url}: not a download")
            cells = _cells(fmt, response.content)
            run.texts[fmt].append("\n".join(cells))
            for cell in cells:
                if "QX" in cell and cell.startswith(FORMULA_STARTS):
                    run.wrong.append(f"{fmt} {url}: a formula cell {cell[:40]!r}")
    return run, seen


@pytest.fixture
def demo_project(db, client):
    demo.load()
    project = Project.objects.get(key="NWP")
    manager = project.memberships.get(role=Role.PROJECT_MANAGER, is_active=True).user
    client.force_login(manager)
    return project


@pytest.fixture
def staff_client(db):
    from django.test import Client

    staff = Client()
    staff.force_login(get_user_model().objects.filter(is_staff=True).first())
    return staff


def found_in(run: Run, markers: dict[str, str]) -> dict[str, set[str]]:
    # pdftotext breaks long words across lines and reads right-to-left text backwards.
    texts = {output: list(texts) for output, texts in run.texts.items()}
    texts[PDF] = ["".join(text.split()) for text in texts.get(PDF, [])]
    return {
        name: {
            output
            for output, found in texts.items()
            if any(tag in text or (output == PDF and tag[::-1] in text) for text in found)
        }
        for name, tag in markers.items()
    }


def test_every_text_field_has_a_row():
    fields = set(text_fields())

    assert set(FIELDS) | set(NOT_TYPED) == fields
    assert not set(FIELDS) & set(NOT_TYPED)
    assert all(outputs <= set(OUTPUTS) for outputs in FIELDS.values())


def test_hostile_text_is_inert_in_every_output(demo_project, client, staff_client, tmp_path):
    """Every string, every field, every output, one drawing each."""
    savepoint = transaction.savepoint()
    fill("Harmless words ")
    plain, allowed = draw(client, staff_client, demo_project, tmp_path)
    transaction.savepoint_rollback(savepoint)  # and the e-mails it sent, to be sent again
    assert [w for w in plain.wrong if "<svg> element" not in w] == []  # our own charts
    drawn, failures = Counter(), {}
    for name, hostile in STRINGS.items():
        started = time.monotonic()
        savepoint = transaction.savepoint()
        markers = fill(hostile)
        run, _seen = draw(client, staff_client, demo_project, tmp_path, allowed)
        if len(hostile) < 300:  # a longer one is cut short in lists, or fills one row only
            shown = found_in(run, markers)
            for field, outputs in FIELDS.items():
                missing = outputs - shown[field]
                if max(map(len, hostile.split())) > 40:
                    # Known gap: the report clips a long unbroken word in a narrow table cell.
                    missing -= {PDF}
                if missing:
                    run.wrong.append(f"{field} missing from {sorted(missing)}")
        transaction.savepoint_rollback(savepoint)
        print(f"{name}: {time.monotonic() - started:.1f}s")
        drawn += run.drawn
        if run.wrong:
            failures[name] = run.wrong
    cells = sum(len(outputs) for outputs in FIELDS.values())
    print(
        f"\n{len(STRINGS)} strings x {len(FIELDS)} fields; {cells} (field, output) pairs; "
        f"drawn per string: {dict(plain.drawn)}; drawn in all: {dict(drawn)}"
    )
    assert failures == {}


# NUL and a megabyte typed into a form


def _forms():
    import importlib
    import inspect

    from django import forms

    for app in ("accounts", "projects", "stakeholders", "requirements"):
        module = importlib.import_module(f"{app}.forms")
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                fields = [
                    name
                    for name, field in form.base_fields.items()
                    if isinstance(field, forms.CharField)
                    and not isinstance(field.widget, forms.HiddenInput)
                ]
                if fields:
                    yield form, fields


def _bound(form_class, data, project):
    import inspect

    from requirements.models import TestRound
    from tests.requirements.uat import must, open_round

    given = {
        "project": project,
        "user": project_manager(project),
        "lines": project.budget_lines.all(),
        "audiences": ["vendor"],
        "readers": [],
        "may_choose_submitter": True,
        "requirement": project.requirements.first() or must(project),
        "test_round": project.test_rounds.first() or open_round(project, []),
        "rounds": TestRound.objects.none(),
    }
    wanted = inspect.signature(form_class.__init__).parameters
    return form_class(data=data, **{k: v for k, v in given.items() if k in wanted})


@pytest.mark.django_db
def test_nul_in_any_text_field_of_any_form_is_an_error_next_to_that_field(project):
    checked = 0
    for form_class, fields in _forms():
        for name in set(fields) & set(_bound(form_class, {}, project).fields):
            form = _bound(form_class, {name: NUL}, project)
            assert not form.is_valid()
            assert "Null characters are not allowed." in form.errors.get(name, []), (
                form_class.__name__,
                name,
                form.errors.get(name),
            )
            checked += 1
    print(f"\nNUL refused in {checked} form fields")
    assert checked >= 60


@pytest.mark.django_db
def test_a_megabyte_in_any_text_field_is_a_length_error_or_accepted(project):
    megabyte = STRINGS["one-megabyte"]
    refused = accepted = 0
    for form_class, fields in _forms():
        for name in set(fields) & set(_bound(form_class, {}, project).fields):
            form = _bound(form_class, {name: megabyte}, project)
            form.is_valid()
            errors = form.errors.get(name, [])
            if any("at most" in error for error in errors):
                refused += 1
            else:
                accepted += 1
    print(f"\na megabyte: refused for its length in {refused} fields, accepted in {accepted}")
    assert refused >= 40


def test_a_megabyte_body_is_posted_and_shown_without_an_error(client, pm, project):
    client.force_login(pm)
    body = STRINGS["one-megabyte"]
    url = reverse("stakeholders:post", args=[project.key])

    long_subject = client.post(url, {"kind": "question", "subject": body, "body": "x"})
    response = client.post(url, {"kind": "question", "subject": "Long", "body": body})

    assert long_subject.status_code == 200
    assert "Ensure this value has at most 300 characters" in long_subject.content.decode()
    assert response.status_code == 302
    entry = project.channel.get()
    assert len(entry.body) == len(body)
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200 and body in page.content.decode()
