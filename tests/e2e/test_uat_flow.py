"""User acceptance testing in a real browser at phone size: a tester logs feedback with a pasted
screenshot, the project manager triages it on the board to fixing and fixed, the tester verifies
the fix, and the readiness page follows."""

import base64

import pytest
from playwright.sync_api import expect

from projects.roles import Role
from requirements import services
from requirements.models import Feedback, FeedbackStatus, Requirement
from tests.conftest import _member
from tests.requirements.uat import PNG, go_live_milestone, log, open_round, verified

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TITLE = "Video stops after ten seconds on the sales course"


PASTE = """(data) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
  document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer }));
}"""


def test_tester_logs_feedback_the_vendor_fixes_it_and_the_tester_verifies_it(
    live_server, new_context, project, pm, spoc, team_member, tester, log_in, screenshot
):
    requirement = services.requirement_submit(
        requirement=Requirement(project=project, title="Sales course plays on phones",
                                priority="must"),
        by=pm,
    )  # fmt: skip
    requirement = verified(requirement, pm=pm, spoc=spoc, team_member=team_member)
    go_live_milestone(project, done=True)
    colleague = _member(project, Role.TESTER)
    other = services.requirement_submit(
        requirement=Requirement(project=project, title="Reports in local time"), by=pm
    )
    test_round = open_round(project, [tester, colleague], requirements=[requirement, other])
    log(test_round, colleague, title="Video does not play on the tablet", severity="minor")
    base = f"{live_server.url}/p/{project.key}"

    manager = new_context(viewport=PHONE).new_page()
    log_in(manager, pm)
    manager.goto(f"{base}/readiness/")
    expect(manager.locator(".readiness").first).to_contain_text("Ready for go-live")
    screenshot(manager, "01-readiness-before")

    # The tester, on a phone: My rounds, the round, the form.
    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, tester)
    phone.goto(f"{base}/")
    phone.get_by_role("navigation", name="Project").get_by_role("link", name="Testing").click()
    expect(phone.get_by_role("heading", name="My rounds")).to_be_visible()
    phone.get_by_role("link", name=test_round.name).click()
    phone.get_by_role("link", name="Log feedback").click()
    expect(phone.locator("#id_viewport")).to_have_value("390×844")
    expect(phone.locator("#id_device")).to_have_value("phone")
    expect(phone.locator("#id_browser")).not_to_have_value("")

    # A similar open item of the round is offered as the title is typed.
    phone.locator("#id_title").press_sequentially("Video stops", delay=20)
    expect(phone.locator("#similar")).to_contain_text("Video does not play on the tablet")
    expect(phone.locator("#similar").get_by_role("button", name="Me too")).to_be_visible()
    screenshot(phone, "02-tester-similar-suggested")
    phone.locator("#id_title").fill(TITLE)
    phone.select_option("#id_severity", "major")
    phone.fill("#id_steps", "Open Sales 101, play the first video")
    phone.fill("#id_expected", "The video plays to the end")
    phone.fill("#id_actual", "It stops after ten seconds")
    # The requirement is found among the round's by typing part of its title.
    phone.locator("#requirement-search").press_sequentially("sales course", delay=10)
    expect(phone.locator("#id_requirement option")).to_have_count(2)  # and "not about one"
    expect(phone.locator("#id_requirement")).to_have_value(str(requirement.pk))
    phone.evaluate(PASTE, base64.b64encode(PNG).decode())
    expect(phone.locator("[data-paste-list] li")).to_have_count(1)
    screenshot(phone, "03-tester-form-filled")
    phone.get_by_role("button", name="Send", exact=True).click()

    item = Feedback.objects.get(title=TITLE)
    assert item.key == "NWP-F2" and item.tester == tester and item.status == FeedbackStatus.NEW
    assert item.viewport == "390×844" and item.screenshots.count() == 1
    expect(phone.get_by_role("status")).to_contain_text("NWP-F2 logged")
    expect(phone.locator(".screenshots img")).to_have_count(1)
    screenshot(phone, "04-tester-item-logged")

    manager.reload()
    expect(manager.locator(".readiness").first).to_contain_text("NWP-F2")
    screenshot(manager, "05-readiness-blocked")

    # The project manager triages on the board: fixing, then fixed, in place.
    manager.goto(f"{base}/feedback/board/")
    manager.locator("#card-2").get_by_role("button", name="Start fixing").click()
    expect(manager.locator("#board [role=status]")).to_contain_text("NWP-F2 moved to “Fixing”")
    fixing = manager.get_by_role("region", name="Fixing")
    expect(fixing.locator("#card-2")).to_be_visible()
    screenshot(manager, "06-board-fixing")
    fixing.locator("#card-2").get_by_role("button", name="Mark fixed").focus()
    manager.keyboard.press("Enter")
    confirmed = manager.locator("#board [role=status]")
    expect(confirmed).to_contain_text("NWP-F2 moved to “Fixed, to verify”")
    expect(
        manager.get_by_role("region", name="Fixed, to verify").locator("#card-2")
    ).to_be_visible()
    screenshot(manager, "07-board-fixed")
    item.refresh_from_db()
    assert item.status == FeedbackStatus.FIXED

    # The tester verifies the fix from their item.
    phone.reload()
    expect(phone.get_by_role("button", name="Start fixing")).to_have_count(0)
    phone.get_by_role("button", name="Verify the fix").click()
    expect(phone.locator("#status-panel")).to_contain_text("NWP-F2 moved to “Verified”")
    expect(phone.locator("#history-panel li").first).to_contain_text("Fixed, to verify → Verified")
    screenshot(phone, "08-tester-verified")
    item.refresh_from_db()
    assert item.status == FeedbackStatus.VERIFIED
    assert [h.history_user for h in item.history.order_by("history_id")] == [
        tester, pm, pm, tester
    ]  # fmt: skip

    manager.goto(f"{base}/readiness/")
    expect(manager.locator(".readiness").first).to_contain_text("Ready for go-live")
    screenshot(manager, "09-readiness-ready")

    # The round's page: per tester and per requirement, logged, open and verified.
    manager.goto(f"{base}/testing/{test_round.pk}/")
    testers = manager.get_by_role("region", name="Progress per tester")
    expect(testers.get_by_role("row", name=tester.display_name).get_by_role("cell")).to_have_text(
        [tester.display_name, "1", "0", "1"]
    )
    scope = manager.get_by_role("region", name="Progress per requirement in scope")
    expect(scope.get_by_role("row", name=requirement.key).get_by_role("cell")).to_have_text(
        [f"{requirement.key} {requirement.title}", "1", "0", "1"]
    )
    screenshot(manager, "10-round-progress")


def test_a_long_thread_opens_on_its_latest_comments_and_the_rest_are_a_click_away(
    live_server, new_context, project, tester, team_member, log_in, screenshot
):
    item = log(open_round(project, [tester]), tester, title=TITLE)
    for n in range(1, 26):
        services.feedback_comment(feedback=item, body=f"Comment number {n}.", by=team_member)
    page = new_context().new_page()
    log_in(page, tester)
    page.goto(f"{live_server.url}{item.get_absolute_url()}")
    thread = page.locator("#comments")
    expect(thread.locator("li")).to_have_count(20)
    expect(thread.locator("li").first).to_contain_text("Comment number 6.")
    expect(thread.locator("li").last).to_contain_text("Comment number 25.")
    screenshot(page, "thread-latest")
    thread.get_by_role("link", name="Show the earlier comments").click()
    expect(thread.locator("li")).to_have_count(25)
    expect(thread.locator("li").first).to_contain_text("Comment number 1.")
    expect(thread.get_by_role("link", name="Show the earlier comments")).to_have_count(0)
    screenshot(page, "thread-whole")


def test_a_status_change_refused_for_its_reason_says_so_beside_the_reason(
    live_server, new_context, project, tester, team_member, log_in, screenshot
):
    item = log(open_round(project, [tester]), tester, title=TITLE)
    page = new_context().new_page()
    log_in(page, team_member)
    page.goto(f"{live_server.url}{item.get_absolute_url()}")
    panel = page.locator("#status-panel")
    panel.get_by_role("button", name="Won't fix").click()
    reason = panel.get_by_role("textbox", name="Why (won't fix)")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    expect(panel.get_by_text("Give a reason: the others will read it.")).to_be_visible()
    screenshot(page, "reason-refused")
    reason.fill("The legacy player is retired next month.")
    panel.get_by_role("button", name="Won't fix").click()
    expect(panel.get_by_text("moved to “Won't fix”")).to_be_visible()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.WONT_FIX


def test_a_move_far_down_the_board_is_confirmed_where_the_person_is(
    live_server, new_context, project, tester, team_member, log_in, screenshot
):
    test_round = open_round(project, [tester])
    items = [log(test_round, tester, title=f"{TITLE} ({n})") for n in range(1, 13)]
    page = new_context(viewport=PHONE).new_page()
    log_in(page, team_member)
    page.goto(f"{live_server.url}/p/{project.key}/feedback/board/")
    lowest = page.locator(f"#card-{items[0].number}")  # the oldest: the column's last card
    lowest.get_by_role("button", name="Triage").click()
    message = page.locator("#board [role=status]")
    expect(message).to_contain_text(f"{items[0].key} moved to “Triaged”")
    expect(message).to_be_in_viewport()
    expect(message).to_be_focused()
    screenshot(page, "moved-far-down")


def test_on_a_phone_the_board_leads_to_each_column_with_its_count(
    live_server, new_context, project, tester, team_member, log_in, screenshot
):
    test_round = open_round(project, [tester])
    for n in range(1, 13):
        log(test_round, tester, title=f"{TITLE} ({n})")
    page = new_context(viewport=PHONE).new_page()
    log_in(page, team_member)
    page.goto(f"{live_server.url}/p/{project.key}/feedback/board/")
    columns = page.get_by_role("navigation", name="Columns")
    expect(columns.get_by_role("link", name="New 12")).to_be_visible()
    columns.get_by_role("link", name="Duplicate 0").click()
    expect(page.get_by_role("heading", name="Duplicate 0")).to_be_in_viewport()
    screenshot(page, "board-columns-on-a-phone")
    # Wide enough for the columns side by side, their own headings say as much.
    wide = new_context(viewport={"width": 1400, "height": 900}).new_page()
    log_in(wide, team_member)
    wide.goto(f"{live_server.url}/p/{project.key}/feedback/board/")
    expect(wide.get_by_role("navigation", name="Columns")).to_be_hidden()
