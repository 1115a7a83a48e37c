"""Two managers save the same milestone: the second is shown theirs beside yours and keeps
their own change on purpose. A stakeholder double-clicks Submit: one requirement."""

from datetime import date

import pytest
from playwright.sync_api import expect

from projects import services
from projects.models import Milestone
from projects.roles import Role
from requirements.models import Requirement
from tests.conftest import _member

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_second_manager_sees_the_other_change_and_nothing_is_lost(
    live_server, new_context, project, pm, log_in, screenshot
):
    colleague = _member(project, Role.PROJECT_MANAGER)
    milestone = services.milestone_save(
        milestone=Milestone(project=project, name="Go-live", planned_date=date(2027, 3, 1),
                            forecast_date=date(2027, 3, 1)),
        by=pm,
    )  # fmt: skip
    url = f"{live_server.url}/p/{project.key}/plan/{milestone.pk}/"
    mine, theirs = (new_context().new_page() for _ in range(2))
    log_in(mine, pm, next_path=url)
    log_in(theirs, colleague, next_path=url)
    mine.goto(url)
    theirs.goto(url)

    theirs.fill("#id_forecast_date", "2027-04-15")
    theirs.get_by_role("button", name="Save milestone").click()
    expect(theirs.get_by_text("Milestone Go-live saved.")).to_be_visible()

    mine.fill("#id_name", "Launch")
    mine.get_by_role("button", name="Save milestone").click()
    expect(mine.get_by_text("changed this milestone while you were editing it")).to_be_visible()
    row = mine.locator(".stale-changes tr.changed-by-them")
    expect(row).to_contain_text("Forecast")
    expect(row).to_contain_text("2027-04-15")
    screenshot(mine, "theirs-beside-yours")
    milestone.refresh_from_db()
    assert (milestone.name, milestone.forecast_date) == ("Go-live", date(2027, 4, 15))

    # Their forecast taken over, my name kept: saved this time.
    mine.fill("#id_forecast_date", "2027-04-15")
    mine.get_by_role("button", name="Save milestone").click()
    expect(mine.get_by_text("Milestone Launch saved.")).to_be_visible()
    milestone.refresh_from_db()
    assert (milestone.name, milestone.forecast_date) == ("Launch", date(2027, 4, 15))


def test_a_double_clicked_submit_makes_one_requirement(
    live_server, new_context, project, stakeholder, log_in, screenshot
):
    page = new_context().new_page()
    url = f"{live_server.url}/p/{project.key}/requirements/new/"
    log_in(page, stakeholder, next_path=url)
    page.goto(url)
    page.fill("#id_title", "Single sign-on")
    page.select_option("#id_area", "platform")
    page.select_option("#id_priority", "must")
    button = page.get_by_role("button", name="Submit")
    button.dblclick()
    expect(page.get_by_text("submitted.")).to_be_visible()
    screenshot(page, "submitted-once")
    assert Requirement.objects.filter(project=project).count() == 1


def test_the_submit_button_turns_off_while_the_form_is_sent(
    live_server, new_context, project, stakeholder, log_in
):
    page = new_context().new_page()
    url = f"{live_server.url}/p/{project.key}/requirements/new/"
    log_in(page, stakeholder, next_path=url)
    page.goto(url)
    page.fill("#id_title", "Single sign-on")
    # What the button was just after the click, noted where the next page can read it
    # (window.name outlives a same-site navigation).
    page.evaluate(
        """() => document.addEventListener("submit", () => setTimeout(() => {
             window.name = "disabled:" + document.querySelector(
               "form.stacked button[type=submit]").disabled;
           }, 0))"""
    )
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("submitted.")).to_be_visible()
    assert page.evaluate("window.name") == "disabled:true"
    assert Requirement.objects.filter(project=project).count() == 1
