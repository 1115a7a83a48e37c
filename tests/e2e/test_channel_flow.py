"""The channel and the ownership map, in a real browser: a client stakeholder posts an instruction
outside the single point of contact, the point of contact confirms it, the vendor PM reads the
confirmation and then gives every area of the ownership map its one accountable person."""

import io
from datetime import date

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import expect

from projects import services as project_services
from projects.models import Membership, Site
from projects.roles import Role
from stakeholders import services
from stakeholders.models import Assignment, Entry, SpocStatus, Stakeholder
from tests.projects.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Publish the GDPR refresher in the German catalogue"
BODY = "Please publish the **GDPR refresher** for all German staff before go-live."
SPOC_COMMENT = "Agreed with the works council; go ahead."
WAITING_MESSAGE = (
    "Posted. As it comes from outside the single point of contact, it waits for the point of "
    "contact to confirm it before the vendor acts on it."
)


def _project_nav(page):
    return page.get_by_role("navigation", name="Project")


def _summary_row(summary, area_label):
    return summary.locator("tr").filter(
        has=summary.page.get_by_role("rowheader", name=area_label, exact=True)
    )


def _stakeholder(project, user, *, side, department, by):
    return services.stakeholder_save(
        stakeholder=Stakeholder(
            project=project,
            name=user.get_full_name(),
            email=user.email,
            side=side,
            department=department,
        ),
        by=by,
    )


def _set_letter(page, person, area_key, letter):
    """Choose a letter in one cell and wait until htmx has swapped that cell for the server's."""
    cell = f"#cell-{person.pk}-{area_key}"
    page.locator(cell).evaluate("cell => { cell.dataset.stale = 'yes'; }")
    with page.expect_response(lambda response: response.url.endswith("/ownership/set/")) as sent:
        page.select_option(f"#raci-{person.pk}-{area_key}", letter)
    assert sent.value.ok, sent.value.text()
    expect(page.locator(f"{cell}:not([data-stale])")).to_be_attached()
    expect(page.locator(f"#raci-{person.pk}-{area_key}")).to_have_value(letter)


def test_spoc_confirms_off_channel_instruction_and_pm_completes_ownership_map(
    live_server, mailoutbox, new_context, project, pm, log_in, screenshot
):
    germany = project_services.site_save(site=Site(project=project, name="Germany"), by=pm)
    spoc_user = UserFactory(first_name="Dana", last_name="Weber")
    colleague = UserFactory(first_name="Tomas", last_name="Berger")
    project_services.membership_grant(project=project, user=colleague, role=Role.STAKEHOLDER, by=pm)
    dana = _stakeholder(project, spoc_user, side="client", department="ld", by=pm)
    tomas = _stakeholder(project, colleague, side="client", department="hr", by=pm)
    priya = _stakeholder(project, pm, side="vendor", department="delivery", by=pm)
    services.contact_hand_over(
        project=project,
        side="client",
        stakeholder=dana,
        started_on=date.today(),
        reason="Kick-off",
        by=pm,
    )
    assert Membership.objects.get(project=project, user=spoc_user).role == Role.SPOC
    mailoutbox.clear()
    base = f"{live_server.url}/p/{project.key}"

    # A client stakeholder posts an instruction: it waits for the point of contact.
    colleague_page = new_context().new_page()
    log_in(colleague_page, colleague)
    colleague_page.goto(f"{base}/")
    _project_nav(colleague_page).get_by_role("link", name="Channel").click()
    expect(colleague_page).to_have_url(f"{base}/channel/")
    expect(
        _project_nav(colleague_page).get_by_role("link", name="Point of contact queue")
    ).to_have_count(0)
    colleague_page.get_by_role("link", name="New entry").click()
    colleague_page.select_option("#id_kind", "instruction")
    colleague_page.fill("#id_subject", SUBJECT)
    colleague_page.fill("#id_body", BODY)
    colleague_page.get_by_role("button", name="Post", exact=True).click()

    expect(colleague_page).to_have_url(f"{base}/channel/")
    expect(colleague_page.get_by_role("status")).to_contain_text(WAITING_MESSAGE)
    entry = Entry.objects.get(project=project)
    posted = colleague_page.locator(f"#entry-{entry.pk}")
    expect(posted).to_contain_text(SUBJECT)
    expect(posted).to_contain_text("Instruction")
    expect(posted).to_contain_text("Off-channel: waiting for the point of contact")
    expect(posted.locator(".body strong")).to_have_text("GDPR refresher")
    expect(posted.locator(".body")).not_to_contain_text("**")
    screenshot(colleague_page, "01-stakeholder-posted-off-channel")
    assert (entry.kind, entry.author, entry.author_side) == ("instruction", colleague, "client")
    assert entry.spoc_status == SpocStatus.WAITING
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([spoc_user.email], f"[{project.key}] Waiting for you: {SUBJECT}")
    ]

    # The point of contact confirms it from the queue, with a comment.
    spoc_page = new_context().new_page()
    log_in(spoc_page, spoc_user)
    spoc_page.goto(f"{base}/")
    _project_nav(spoc_page).get_by_role("link", name="Point of contact queue").click()
    expect(spoc_page).to_have_url(f"{base}/channel/queue/")
    waiting = spoc_page.locator(f"#entry-{entry.pk}")
    expect(waiting).to_contain_text(SUBJECT)
    expect(waiting).to_contain_text("Tomas Berger (Client)")
    expect(waiting.locator(".body strong")).to_have_text("GDPR refresher")
    spoc_page.fill(f"#comment-{entry.pk}", SPOC_COMMENT)
    screenshot(spoc_page, "02-spoc-queue-before-confirming")
    spoc_page.get_by_role("button", name=f"Confirm {SUBJECT}").click()

    expect(spoc_page).to_have_url(f"{base}/channel/queue/")
    expect(spoc_page.get_by_role("status")).to_contain_text(
        f"Confirmed: the vendor can act on “{SUBJECT}”."
    )
    expect(spoc_page.get_by_role("main")).to_contain_text("Nothing is waiting for you.")
    expect(spoc_page.locator(f"#entry-{entry.pk}")).to_have_count(0)
    screenshot(spoc_page, "03-spoc-queue-empty")
    entry.refresh_from_db()
    assert entry.spoc_status == SpocStatus.CONFIRMED
    assert (entry.spoc_decided_by, entry.spoc_comment) == (spoc_user, SPOC_COMMENT)
    assert entry.spoc_decided_at is not None

    # The vendor PM sees it confirmed, and by whom.
    pm_page = new_context().new_page()
    log_in(pm_page, pm)
    pm_page.goto(f"{base}/channel/")
    confirmed = pm_page.locator(f"#entry-{entry.pk}")
    expect(confirmed).to_contain_text("Confirmed by the point of contact")
    expect(confirmed).not_to_contain_text("Off-channel")
    screenshot(pm_page, "04-pm-channel-confirmed")
    confirmed.get_by_role("link", name=SUBJECT).click()
    expect(pm_page).to_have_url(f"{base}/channel/{entry.pk}/")
    decision = pm_page.locator(".callout.ok")
    expect(decision).to_contain_text("Confirmed by the point of contact: Dana Weber,")
    expect(decision).to_contain_text(SPOC_COMMENT)
    expect(pm_page.locator(".body strong")).to_have_text("GDPR refresher")
    decide = pm_page.get_by_role("heading", name="Your decision as point of contact")
    expect(decide).to_have_count(0)
    screenshot(pm_page, "05-pm-entry-confirmed-by-spoc")

    # The ownership map: every area starts without an owner.
    _project_nav(pm_page).get_by_role("link", name="Ownership").click()
    expect(pm_page).to_have_url(f"{base}/ownership/")
    summary = pm_page.locator("#ownership-summary")
    expect(summary).to_contain_text("8 areas need one accountable person")
    expect(summary).to_contain_text("Nobody is accountable for Local rollout: Germany.")
    screenshot(pm_page, "06-ownership-empty")

    local_rollout = f"local_rollout-{germany.pk}"
    owners = [
        (dana, "platform"),
        (tomas, "budget"),
        (dana, "content"),
        (dana, "configuration"),
        (tomas, "integrations"),
        (dana, "uat"),
        (tomas, "communication"),
        (tomas, local_rollout),
    ]
    for done, (person, area_key) in enumerate(owners[:3], start=1):
        _set_letter(pm_page, person, area_key, "A")
        expect(summary).to_contain_text(f"{len(owners) - done} areas need one accountable person")
    expect(pm_page.locator(f"#cell-{dana.pk}-content")).to_have_class("raci-cell accountable")

    # A second accountable for Content is flagged, and clearing it puts things right.
    _set_letter(pm_page, tomas, "content", "A")
    expect(summary).to_contain_text(
        "2 people are accountable for Content (Dana Weber, Tomas Berger): only one can be."
    )
    expect(summary).to_contain_text("6 areas need one accountable person")
    screenshot(pm_page, "07-ownership-content-doubled")
    _set_letter(pm_page, tomas, "content", "")
    expect(summary).not_to_contain_text("only one can be")
    expect(summary).to_contain_text("5 areas need one accountable person")
    expect(pm_page.locator(f"#cell-{tomas.pk}-content")).to_have_class("raci-cell")

    for done, (person, area_key) in enumerate(owners[3:], start=4):
        _set_letter(pm_page, person, area_key, "A")
        remaining = len(owners) - done
        if remaining:
            expect(summary).to_contain_text(
                f"{remaining} area needs one accountable person"
                if remaining == 1
                else f"{remaining} areas need one accountable person"
            )
    expect(summary).to_contain_text("Every area has exactly one accountable person.")
    expect(summary).not_to_contain_text("need one accountable person")
    screenshot(pm_page, "08-ownership-complete")

    accountable = {
        (a.stakeholder_id, a.area, a.site_id)
        for a in Assignment.objects.filter(project=project, letter="A")
    }
    assert accountable == {
        (dana.pk, "platform", None),
        (tomas.pk, "budget", None),
        (dana.pk, "content", None),
        (dana.pk, "configuration", None),
        (tomas.pk, "integrations", None),
        (dana.pk, "uat", None),
        (tomas.pk, "communication", None),
        (tomas.pk, "local_rollout", germany.pk),
    }
    assert Assignment.objects.held().filter(project=project).count() == len(owners)

    # Without JavaScript the map still reads, and a cell still saves with its own button.
    plain_page = new_context(java_script_enabled=False).new_page()
    log_in(plain_page, pm)
    plain_page.goto(f"{base}/ownership/")
    plain_summary = plain_page.locator("#ownership-summary")
    expect(plain_summary).to_contain_text("Every area has exactly one accountable person.")
    expect(_summary_row(plain_summary, "Platform overall")).to_contain_text("Dana Weber")
    expect(plain_page.locator(f"#raci-{dana.pk}-uat")).to_have_value("A")
    cell = plain_page.locator(f"#cell-{priya.pk}-communication")
    cell.locator("select").select_option("R")
    cell.get_by_role("button", name="Set").click()
    expect(plain_page).to_have_url(f"{base}/ownership/")
    expect(plain_page.locator(".messages")).to_contain_text("Ownership map saved.")
    expect(plain_page.locator(f"#raci-{priya.pk}-communication")).to_have_value("R")
    expect(_summary_row(plain_summary, "Communication and change")).to_contain_text("Priya Manager")
    screenshot(plain_page, "09-ownership-without-javascript")
    assert (
        Assignment.objects.get(project=project, stakeholder=priya, area="communication").letter
        == "R"
    )

    # After all those swaps the PM's page still matches a fresh load: the summary's table of
    # areas, and a grid with one cell per person and area.
    expect(_summary_row(summary, "Local rollout: Germany")).to_contain_text("Tomas Berger")
    expect(_summary_row(summary, "Content")).not_to_contain_text("More than one")
    grid = pm_page.locator("table.raci")
    expect(grid.locator("tbody tr")).to_have_count(3)
    expect(grid.locator("tbody td")).to_have_count(3 * len(owners))


def _right_edge_lightness(box) -> float:
    """How light the box's rightmost two columns of pixels are on average, in the middle half
    of its height: 255 where they are all paper."""
    image = Image.open(io.BytesIO(box.screenshot())).convert("L")
    edge = image.crop((image.width - 2, image.height // 4, image.width, 3 * image.height // 4))
    return ImageStat.Stat(edge).mean[0]


def test_on_a_phone_the_grid_shows_there_is_more_of_it_to_the_right(
    live_server, new_context, project, pm, log_in
):
    for n, department in enumerate(["it", "hr", "ld", "finance", "marketing"]):
        person = UserFactory(first_name=f"Person {n}", last_name="Doe")
        _stakeholder(project, person, side="client", department=department, by=pm)
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, pm)
    page.goto(f"{live_server.url}/p/{project.key}/ownership/")
    grid = page.locator(".grid-panel .table-wrap")
    assert grid.evaluate("box => box.scrollWidth > box.clientWidth")
    # A shadow on the right edge while columns lie beyond it; none once they are all in view.
    cut_off = _right_edge_lightness(grid)
    grid.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    at_the_end = _right_edge_lightness(grid)
    assert cut_off < at_the_end - 12, (cut_off, at_the_end)
