"""A status report in a real browser: the project manager draws one, watches its row move
from queued to ready without reloading the page, and downloads the PDF."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects import services
from projects.models import BudgetLine, Report
from tests.pdf import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_pm_draws_a_report_watches_its_progress_and_downloads_it(
    live_server, page, project, pm, log_in, screenshot, tmp_path
):
    services.budget_line_save(
        line=BudgetLine(project=project, category="licences", name="Moodle licences",
                        planned_amount=Decimal("48000")),
        by=pm,
    )  # fmt: skip
    earlier = Report.objects.create(
        project=project, audience="vendor", period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 14), state="running", progress=40,
    )  # fmt: skip
    log_in(page, pm, next_path=f"/p/{project.key}/reports/")
    expect(page.get_by_role("heading", name="Status reports")).to_be_visible()
    # A report being drawn shows its progress and follows its state without a reload.
    running = page.locator(f"#report-{earlier.pk}")
    expect(running.locator("progress")).to_have_attribute("value", "40")
    screenshot(page, "progress")
    Report.objects.filter(pk=earlier.pk).update(progress=70)
    expect(running.locator("progress")).to_have_attribute("value", "70", timeout=10_000)
    Report.objects.filter(pk=earlier.pk).update(state="failed")
    expect(running.get_by_text("Failed")).to_be_visible(timeout=10_000)
    expect(running.locator("progress")).to_have_count(0)
    page.select_option("#id_audience", "client")
    page.select_option("#id_paper", "letter")
    screenshot(page, "form")
    page.get_by_role("button", name="Draw the report").click()

    report = Report.objects.exclude(pk=earlier.pk).get(project=project)
    row = page.locator(f"#report-{report.pk}")
    expect(row).to_be_visible()
    # The row polls itself (htmx) until the worker is done, then offers the download.
    link = row.get_by_role("link", name="Download PDF")
    expect(link).to_be_visible(timeout=30_000)
    screenshot(page, "ready")

    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename == report.filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = pdf_text(saved)
    assert "Northwind rollout" in text and "Moodle licences" in text
    report.refresh_from_db()
    assert pdf_pages(saved) == report.pages


def test_pm_schedules_a_weekly_client_report(live_server, page, project, pm, observer, log_in,
                                              screenshot):  # fmt: skip
    from projects.models import ReportSchedule

    log_in(page, pm, next_path=f"/p/{project.key}/reports/")
    page.get_by_role("link", name="Schedules").click()
    page.select_option("#id_frequency", "weekly")
    page.select_option("#id_weekday", "0")
    page.fill("#id_hour", "7")
    page.get_by_label(observer.display_name).check()
    page.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_text("Every Monday at 7:00")).to_be_visible()
    screenshot(page, "schedules")
    schedule = ReportSchedule.objects.get(project=project)
    assert list(schedule.recipients.all()) == [observer]
