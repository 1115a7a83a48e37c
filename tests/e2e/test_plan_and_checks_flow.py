"""Timelines and budgets checked continuously, in a real browser: the project manager moves a
milestone's forecast past tolerance and sees the timeline turn amber on the project home and
the portfolio, then records a cost and sees the burn chart change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects import services
from projects.models import BudgetLine, CostEntry, Finding, Milestone, Severity

pytestmark = pytest.mark.django_db(transaction=True)


def _rag(page, area):
    return page.locator(".rag-areas li", has_text=area).locator(".rag")


def test_pm_sees_a_slip_turn_the_timeline_amber_and_a_cost_move_the_burn_chart(
    live_server, page, project, pm, spoc, log_in, screenshot
):
    today = timezone.localdate()
    project.start_date, project.target_go_live = (
        today - timedelta(days=60),
        today + timedelta(days=120),
    )
    services.project_update(project=project, by=pm)
    planned = today + timedelta(days=45)
    milestone = services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Configuration signed off",
            planned_date=planned,
            forecast_date=planned,
            owner=pm,
            budget_share=Decimal("30"),
        ),
        by=pm,
    )
    line = services.budget_line_save(
        line=BudgetLine(
            project=project,
            category="implementation",
            name="Configuration services",
            planned_amount=Decimal("100000"),
        ),
        by=pm,
    )
    services.cost_entry_save(
        entry=CostEntry(
            project=project,
            line=line,
            date=today - timedelta(days=30),
            description="Sprint 1",
            amount=Decimal("20000"),
            currency=project.currency,
        ),
        by=pm,
    )
    services.findings_refresh(project=project)

    log_in(page, pm, next_path=f"/p/{project.key}/")
    expect(_rag(page, "Timeline")).to_have_text("Green")
    screenshot(page, "01-home-on-plan")

    # The forecast moves 20 days past the baseline: beyond the 14-day tolerance.
    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_role("link", name="Configuration signed off").first.click()
    page.fill("#id_forecast_date", (planned + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_text("Milestone Configuration signed off saved.")).to_be_visible()
    screenshot(page, "02-plan-with-slip")

    page.get_by_role("link", name="Overview").click()
    expect(_rag(page, "Timeline")).to_have_text("Amber")
    slip = page.locator(".findings li", has_text="has slipped 20 days against its baseline")
    expect(slip).to_be_visible()
    screenshot(page, "03-home-timeline-amber")
    assert Finding.objects.open().get(code=f"milestone-slip:{milestone.pk}").severity == (
        Severity.AMBER
    )

    # The portfolio shows the same, with the go-live date.
    page.goto(f"{live_server.url}/portfolio/")
    row = page.locator("tbody tr", has_text=project.name)
    expect(row.locator("td[data-label='Timeline'] .rag")).to_have_text("Amber")
    screenshot(page, "04-portfolio-timeline-amber")

    # A cost recorded today moves the actual spend on the burn chart.
    page.goto(f"{live_server.url}/p/{project.key}/budget/")
    chart = page.locator("svg.burn-chart")
    expect(chart.locator("title")).to_contain_text("20,000")
    page.get_by_role("link", name="Record a cost").click()
    page.select_option("#id_line", label="Configuration services")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_description", "Sprint 2")
    page.fill("#id_amount", "25000")
    page.get_by_role("button", name="Save").click()
    expect(chart.locator("title")).to_contain_text("45,000")
    expect(chart).to_contain_text("45,000")
    screenshot(page, "05-budget-after-cost")
    assert CostEntry.objects.filter(project=project).count() == 2
