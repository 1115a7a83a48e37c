"""The status report: what each audience reads in the PDF, and where WeasyPrint may fetch from."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from projects import reports, services
from projects.models import (
    BudgetLine,
    CostEntry,
    Milestone,
    Notification,
    RaidItem,
    Report,
    ReportSchedule,
    ReportState,
)
from projects.reports import RefusedURL, static_fetcher
from stakeholders import services as stakeholder_services
from tests.pdf import pdf_info, pdf_pages, pdf_text

D = datetime.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def budget(project, pm):
    shared = services.budget_line_save(
        line=BudgetLine(project=project, category="licences", name="Moodle licences",
                        planned_amount=Decimal("10000")),
        by=pm,
    )  # fmt: skip
    internal = services.budget_line_save(
        line=BudgetLine(project=project, category="implementation",
                        name="Head office rebilling", planned_amount=Decimal("5000"),
                        is_internal=True),
        by=pm,
    )  # fmt: skip
    for line, amount in ((shared, "2500"), (internal, "1250")):
        services.cost_entry_save(
            entry=CostEntry(project=project, line=line, date=D(2026, 10, 1),
                            description="Invoice", amount=Decimal(amount), currency="EUR"),
            by=pm,
        )  # fmt: skip
    services.milestone_save(
        milestone=Milestone(project=project, name="Go-live Germany",
                            planned_date=D(2027, 3, 1), forecast_date=D(2027, 3, 15)),
        by=pm,
    )  # fmt: skip
    services.raid_save(
        item=RaidItem(project=project, kind="risk", title="Old learner PCs cannot play video",
                      impact="high", likelihood="high"),
        by=pm,
    )  # fmt: skip
    return shared, internal


def generate(project, by, audience, captured, **fields):
    fields.setdefault("start", timezone.localdate() - datetime.timedelta(days=13))
    fields.setdefault("end", timezone.localdate())
    fields.setdefault("paper", "a4")
    with captured(execute=True):
        report = services.report_request(project=project, audience=audience, by=by, **fields)
    report.refresh_from_db()
    return report


def test_client_report_has_the_shared_figures_and_none_of_the_internal_ones(
    project, pm, budget, django_capture_on_commit_callbacks
):
    report = generate(project, pm, "client", django_capture_on_commit_callbacks)
    assert report.state == ReportState.DONE and report.progress == 100
    text = pdf_text(report.file.path)
    assert "Moodle licences" in text
    assert "10,000.00" in text and "2,500.00" in text
    assert "Head office rebilling" not in text
    assert "15,000.00" not in text and "3,750.00" not in text
    assert "Old learner PCs cannot play video" in text
    assert "Go-live Germany" in text
    assert report.file.name.startswith("reports/") and project.key not in report.file.name


def test_vendor_report_has_everything(project, pm, budget, django_capture_on_commit_callbacks):
    report = generate(project, pm, "vendor", django_capture_on_commit_callbacks, paper="letter")
    text = pdf_text(report.file.path)
    assert "Moodle licences" in text and "Head office rebilling" in text
    assert "15,000.00" in text and "3,750.00" in text
    assert "vendor-internal" in text


def test_report_has_a_cover_page_numbers_and_an_outline(
    project, pm, budget, django_capture_on_commit_callbacks
):
    report = generate(project, pm, "vendor", django_capture_on_commit_callbacks)
    assert report.pages >= 2
    assert pdf_pages(report.file.path) == report.pages
    text = pdf_text(report.file.path)
    assert not re.search(rf"\b1 ?/ ?{report.pages}\b", text)  # the cover has no number
    assert re.search(rf"\b2 ?/ ?{report.pages}\b", text)
    document = HTML(
        string=reports.render_html(report),
        base_url=reports.BASE_URL,
        url_fetcher=reports._fetcher(),
    ).render()
    # (label, target, children, state) per bookmark
    ((label, _target, children, _state),) = document.make_bookmark_tree()
    assert label == project.name
    titles = [child[0] for child in children]
    assert titles[:3] == ["Status at a glance", "Milestones", "Budget"]
    assert "Top risks and issues" in titles


def test_the_report_body_is_laid_out_as_blocks_not_as_the_screens_flex_column(
    project, pm, budget, django_capture_on_commit_callbacks
):
    """WeasyPrint lays a flex container out again for each page it spans: with the screen's
    flex body, 50 pages took 12 times as long as 10 (`make bench` times it)."""
    report = generate(project, pm, "vendor", django_capture_on_commit_callbacks)
    document = HTML(
        string=reports.render_html(report),
        base_url=reports.BASE_URL,
        url_fetcher=reports._fetcher(),
    ).render()
    for page in document.pages:
        (body,) = (box for box in page._page_box.children[0].children if box.element_tag == "body")
        assert type(body) is boxes.BlockBox


def test_report_pages_follow_the_paper_chosen(project, pm, django_capture_on_commit_callbacks):
    letter = generate(project, pm, "client", django_capture_on_commit_callbacks, paper="letter")
    a4 = generate(project, pm, "client", django_capture_on_commit_callbacks)
    assert pdf_info(letter.file.path)["Page size"].startswith("612 x 792 pts")
    assert pdf_info(a4.file.path)["Page size"].endswith("(A4)")


def test_decisions_of_the_period_are_in_the_report(project, pm, django_capture_on_commit_callbacks):
    stakeholder_services.entry_post(
        project=project, author=pm, kind="decision", subject="Single sign-on through Azure AD"
    )
    report = generate(project, pm, "client", django_capture_on_commit_callbacks)
    assert "Single sign-on through Azure AD" in pdf_text(report.file.path)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/css/report.css",
        "https://example.com/static/css/report.css",
        "http://liaison.invalid/static/css/report.css",
        "https://localhost/static/css/report.css",
        "data:text/css,body{color:red}",
        "https://liaison.invalid/static/../../../etc/passwd",
        "https://liaison.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://liaison.invalid/media/reports/x.pdf",
        "https://liaison.invalid/static/no-such-file.css",
    ],
)
def test_the_url_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        static_fetcher(url)


def test_the_url_fetcher_serves_our_static_files():
    response = static_fetcher("https://liaison.invalid/static/fonts/DejaVuSans.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"
    response = static_fetcher("https://liaison.invalid/static/css/report.css")
    assert response.content_type == "text/css"


def test_a_local_file_linked_from_html_is_never_read(tmp_path):
    sheet = tmp_path / "leak.css"
    sheet.write_text('body::before { content: "LEAKED-SECRET"; }')
    html = f'<link rel="stylesheet" href="file://{sheet}"><p>Status</p>'
    pdf = HTML(string=html, base_url=reports.BASE_URL, url_fetcher=reports._fetcher()).write_pdf()
    target = tmp_path / "out.pdf"
    target.write_bytes(pdf)
    text = pdf_text(target)
    assert "Status" in text and "LEAKED-SECRET" not in text


# Schedules


def test_weekly_schedule_period_is_the_week_up_to_the_last_occurrence(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    schedule = ReportSchedule(
        frequency="weekly", weekday=0, hour=8,
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    # Tuesday 24 Nov 2026, 10:00 in Berlin: due since Monday 23 Nov 08:00.
    now = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    assert schedule.period_due(now) == (D(2026, 11, 17), D(2026, 11, 23))
    # Monday 23 Nov 07:30 in Berlin: the hour has not come, the week before is the last due.
    now = datetime.datetime(2026, 11, 23, 6, 30, tzinfo=datetime.UTC)
    assert schedule.period_due(now) == (D(2026, 11, 10), D(2026, 11, 16))


def test_monthly_schedule_period_and_a_new_schedule_waits_for_its_first_day():
    created = datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC)
    schedule = ReportSchedule(frequency="monthly", day_of_month=5, hour=6, created_at=created)
    now = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    assert schedule.period_due(now) == (D(2026, 10, 6), D(2026, 11, 5))
    schedule.created_at = datetime.datetime(2026, 11, 6, tzinfo=datetime.UTC)
    assert schedule.period_due(now) is None


def test_a_scheduled_report_is_drawn_and_sent_once_even_when_the_task_runs_twice(
    project, pm, observer, stakeholder, budget, django_capture_on_commit_callbacks
):
    schedule = ReportSchedule.objects.create(project=project, audience="client",
                                             frequency="weekly", weekday=0, hour=8)  # fmt: skip
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    # The stakeholder may not read reports: chosen by mistake, still never sent one.
    schedule.recipients.set([pm, observer, stakeholder])
    now = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.report_schedules_run(now=now)

    (report,) = Report.objects.filter(schedule=schedule)
    assert report.state == ReportState.DONE
    assert (report.period_start, report.period_end) == (D(2026, 11, 17), D(2026, 11, 23))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pm.email, observer.email])
    for message in mail.outbox:
        ((filename, content, mimetype),) = message.attachments
        assert filename == report.filename and mimetype == "application/pdf"
        assert content[:5] == b"%PDF-"
    assert Notification.objects.filter(key__startswith=f"report:{report.pk}:").count() == 2


def _weekly(project, *recipients):
    schedule = ReportSchedule.objects.create(project=project, audience="client",
                                             frequency="weekly", weekday=0, hour=8)  # fmt: skip
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    schedule.recipients.set(recipients)
    return schedule


def test_a_scheduled_report_the_worker_lost_is_drawn_and_sent_by_the_next_run(
    project, pm, django_capture_on_commit_callbacks
):
    schedule = _weekly(project, pm)
    lost = Report.objects.create(project=project, audience="client", schedule=schedule,
                                 period_start=D(2026, 11, 17), period_end=D(2026, 11, 23),
                                 state="running", progress=40)  # fmt: skip
    now = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    # Still within the time a report may take: being drawn, not lost.
    Report.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_schedules_run(now=now)
    lost.refresh_from_db()
    assert lost.state == ReportState.RUNNING and mail.outbox == []

    Report.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_schedules_run(now=now)
    lost.refresh_from_db()
    assert lost.state == ReportState.DONE
    assert [m.to for m in mail.outbox] == [[pm.email]]


def test_a_drawn_report_whose_e_mail_did_not_go_is_sent_by_the_next_run(
    project, pm, observer, django_capture_on_commit_callbacks
):
    schedule = _weekly(project, pm, observer)
    now = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_schedules_run(now=now)
    report = Report.objects.get(schedule=schedule)
    # As if the worker died after telling the observer only.
    Notification.objects.filter(key=f"report:{report.pk}:{pm.pk}").delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_schedules_run(now=now)
    assert [m.to for m in mail.outbox] == [[pm.email]]


def test_drawing_again_never_replaces_a_stored_report(
    project, pm, django_capture_on_commit_callbacks
):
    report = generate(project, pm, "client", django_capture_on_commit_callbacks)
    stored, content = report.file.name, report.file.read()
    reports.draw(report)
    report.refresh_from_db()
    assert report.file.name == stored and report.file.read() == content


def test_open_feedback_is_counted_by_status_and_severity(
    project, pm, tester, django_capture_on_commit_callbacks
):
    from tests.requirements.uat import log, move, open_round

    test_round = open_round(project, [tester])
    log(test_round, tester, title="Video stops", severity="blocker")
    log(test_round, tester, title="Typo in the menu", severity="cosmetic")
    done = log(test_round, tester, title="Old problem", severity="major")
    move(done, "wont_fix", pm, reason="Works as designed")
    report = generate(project, pm, "client", django_capture_on_commit_callbacks)
    text = pdf_text(report.file.path)
    section = text[text.index("Open test feedback by severity") :]
    assert re.search(r"New\s+1\s+0\s+0\s+1\s+2", section), section[:600]
