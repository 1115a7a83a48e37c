"""Requirements, in a real browser: a client stakeholder submits one, the point of contact
endorses it, the vendor PM accepts it and takes the baseline; a change request then needs both
their approvals, and a conflict is settled by the accountable owner of the area."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.access import project_permissions
from requirements import services
from requirements.models import (
    ChangeRequest,
    ChangeStatus,
    Conflict,
    Priority,
    Requirement,
    Status,
)
from stakeholders import services as stakeholder_services
from stakeholders.models import Entry, EntryKind, Stakeholder

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TITLE = "Enrol new hires in their onboarding path automatically"
DESCRIPTION = (
    "Every new hire should find the **onboarding path** for their job code waiting on day one."
)
CRITERIA = [
    "A new hire with job code SALES is enrolled in Sales onboarding",
    "Enrolment happens within 24 hours of the nightly HRIS import",
]
OTHER_TITLE = "Managers approve every enrolment by hand"
CHANGE_WHY = "The works council asked for a manual check first; automatic enrolment can wait."
RESOLUTION = "Automatic enrolment for new hires; managers are informed, not asked."


def _project_nav(page):
    return page.get_by_role("navigation", name="Project")


def _stakeholder(project, user, by):
    return stakeholder_services.stakeholder_save(
        stakeholder=Stakeholder(
            project=project,
            name=user.get_full_name(),
            email=user.email,
            side="client",
            department="ld",
            site=None,
            user=user,
        ),
        by=by,
    )


def _accepted(project, *, title, submitter, spoc, pm):
    """A requirement taken through the workflow by the services, as the people would."""
    requirement = services.requirement_submit(
        requirement=Requirement(
            project=project,
            title=title,
            area="configuration",
            priority=Priority.MUST,
            submitter=submitter,
        ),
        by=spoc,
    )
    for to, by in ((Status.ENDORSED, spoc), (Status.ACCEPTED, pm)):
        requirement = services.requirement_transition(
            requirement=requirement, to=to, perms=project_permissions(by, project), by=by
        )
    return requirement


def test_requirement_goes_from_submission_through_baseline_change_and_conflict(
    live_server, new_context, project, pm, spoc, stakeholder, log_in, screenshot
):
    client = _stakeholder(project, stakeholder, pm)
    sabine = _stakeholder(project, spoc, pm)
    stakeholder_services.assignment_set(
        project=project, stakeholder=sabine, area="configuration", site_id=None, letter="A", by=pm
    )
    other = _accepted(project, title=OTHER_TITLE, submitter=sabine, spoc=spoc, pm=pm)
    assert (other.key, other.status) == ("NWP-1", Status.ACCEPTED)
    base = f"{live_server.url}/p/{project.key}"

    # The client stakeholder submits a requirement from the Requirements tab.
    client_page = new_context().new_page()
    log_in(client_page, stakeholder)
    client_page.goto(f"{base}/")
    _project_nav(client_page).get_by_role("link", name="Requirements").click()
    expect(client_page).to_have_url(f"{base}/requirements/")
    client_page.get_by_role("link", name="Submit a requirement").click()
    expect(client_page).to_have_url(f"{base}/requirements/new/")
    client_page.fill("#id_title", TITLE)
    client_page.fill("#id_description", DESCRIPTION)
    client_page.select_option("#id_area", "configuration")
    client_page.select_option("#id_priority", "must")
    client_page.fill("#id_acceptance_criteria", "\n".join(CRITERIA))
    client_page.get_by_role("button", name="Submit", exact=True).click()

    requirement = Requirement.objects.get(project=project, title=TITLE)
    key = requirement.key
    assert key == "NWP-2"
    detail_url = f"{base}/requirements/{requirement.number}/"
    expect(client_page).to_have_url(detail_url)
    expect(client_page.get_by_role("status")).to_contain_text(f"{key} submitted.")
    article = client_page.get_by_role("article")
    expect(article.locator(".badge.status-submitted")).to_have_text("Submitted")
    expect(article.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(article.locator(".body strong")).to_have_text("onboarding path")
    expect(article.locator(".body")).not_to_contain_text("**")
    expect(article.locator("ol > li")).to_have_text(CRITERIA)
    expect(article.locator(".facts")).to_contain_text(client.name)
    expect(article.locator(".facts")).to_contain_text("Configuration")
    expect(client_page.get_by_role("link", name="Mark a conflict")).to_have_count(0)
    expect(client_page.get_by_role("button", name="Endorse")).to_have_count(0)
    screenshot(client_page, "01-stakeholder-submitted")
    assert (requirement.status, requirement.priority, requirement.area) == (
        Status.SUBMITTED,
        Priority.MUST,
        "configuration",
    )
    assert (requirement.submitter, requirement.created_by) == (client, stakeholder)
    assert requirement.criteria == CRITERIA

    # Their list holds their own requirement only, not the point of contact's.
    _project_nav(client_page).get_by_role("link", name="Requirements").click()
    expect(client_page).to_have_url(f"{base}/requirements/")
    expect(client_page.get_by_role("main")).to_contain_text("The requirements you submitted.")
    rows = client_page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(key)
    expect(rows).to_contain_text(TITLE)
    expect(client_page.locator("#results")).not_to_contain_text(OTHER_TITLE)
    expect(client_page.locator("#results")).to_contain_text("1 requirement")
    screenshot(client_page, "02-stakeholder-list-own-only")

    # The point of contact endorses it.
    spoc_page = new_context().new_page()
    log_in(spoc_page, spoc)
    spoc_page.goto(f"{base}/requirements/")
    spoc_page.locator("#results").get_by_role("link", name=TITLE).click()
    expect(spoc_page).to_have_url(detail_url)
    spoc_page.get_by_role("button", name="Endorse", exact=True).click()
    expect(spoc_page).to_have_url(detail_url)
    expect(spoc_page.get_by_role("status")).to_contain_text(f"{key} is now endorsed.")
    expect(spoc_page.locator("article .badge.status-endorsed")).to_have_text("Endorsed")
    expect(spoc_page.get_by_role("button", name="Endorse", exact=True)).to_have_count(0)
    screenshot(spoc_page, "03-spoc-endorsed")
    requirement.refresh_from_db()
    assert requirement.status == Status.ENDORSED

    # The vendor PM accepts it, then baselines the accepted set from Change control.
    pm_page = new_context().new_page()
    log_in(pm_page, pm)
    pm_page.goto(detail_url)
    pm_page.get_by_role("button", name="Accept", exact=True).click()
    expect(pm_page.get_by_role("status")).to_contain_text(f"{key} is now accepted.")
    expect(pm_page.locator("article .badge.status-accepted")).to_have_text("Accepted")
    requirement.refresh_from_db()
    assert requirement.status == Status.ACCEPTED

    _project_nav(pm_page).get_by_role("link", name="Change control").click()
    expect(pm_page).to_have_url(f"{base}/changes/")
    pm_page.get_by_role("link", name="Baseline", exact=True).click()
    expect(pm_page).to_have_url(f"{base}/baseline/")
    expect(pm_page.get_by_role("main")).to_contain_text("No baseline yet")
    pm_page.get_by_role("button", name="Baseline the accepted requirements").click()
    expect(pm_page).to_have_url(f"{base}/baseline/")
    expect(pm_page.get_by_role("status")).to_contain_text("Baseline taken: 2 requirements.")
    baseline_rows = pm_page.locator("section table tbody tr")
    expect(baseline_rows).to_have_count(2)
    expect(baseline_rows.filter(has_text=TITLE)).to_contain_text("Must")
    expect(baseline_rows.filter(has_text=TITLE)).to_contain_text("All sites")
    expect(baseline_rows.filter(has_text=TITLE)).to_contain_text(CRITERIA[1])
    expect(baseline_rows.filter(has_text=OTHER_TITLE)).to_have_count(1)
    expect(pm_page.get_by_role("button", name="Take a new baseline")).to_be_visible()
    screenshot(pm_page, "04-pm-baseline-taken")
    baseline = project.baselines.get()
    assert sorted(item.requirement.key for item in baseline.items.all()) == ["NWP-1", "NWP-2"]
    requirement.refresh_from_db()
    other.refresh_from_db()
    assert requirement.in_baseline and other.in_baseline

    # The PM raises a change request: the priority drops to Should.
    pm_page.goto(detail_url)
    expect(pm_page.locator("article")).to_contain_text("In the baseline")
    pm_page.get_by_role("link", name="Raise a change request").click()
    expect(pm_page).to_have_url(f"{base}/requirements/{requirement.number}/change/")
    expect(pm_page.get_by_role("heading", name=f"Change request for {key}")).to_be_visible()
    pm_page.select_option("#id_proposed_priority", "should")
    pm_page.fill("#id_description", CHANGE_WHY)
    pm_page.fill("#id_impact_timeline", "None: it leaves the go-live scope")
    pm_page.fill("#id_impact_budget", "-1500")
    pm_page.get_by_role("button", name="Raise the change request").click()

    change = ChangeRequest.objects.get(project=project)
    change_url = f"{base}/changes/{change.number}/"
    expect(pm_page).to_have_url(change_url)
    expect(pm_page.get_by_role("status")).to_contain_text(
        f"{change.key} raised: it waits for the point of contact and the project manager."
    )
    change_panel = pm_page.locator("section", has=pm_page.locator("#cr-title"))
    expect(change_panel).to_contain_text("Waiting for approval")
    expect(change_panel).to_contain_text(CHANGE_WHY)
    expect(change_panel).to_contain_text("-1,500.00 EUR")
    assert (change.kind, change.proposed_priority, change.status) == (
        "change",
        Priority.SHOULD,
        ChangeStatus.OPEN,
    )
    assert change.impact_budget == Decimal("-1500")

    # The point of contact approves first: the change waits for the PM.
    spoc_page.goto(f"{base}/")
    _project_nav(spoc_page).get_by_role("link", name="Change control").click()
    spoc_page.get_by_role("link", name=change.key).click()
    expect(spoc_page).to_have_url(change_url)
    spoc_page.get_by_role("button", name="Approve", exact=True).click()
    expect(spoc_page).to_have_url(change_url)
    expect(spoc_page.get_by_role("status")).to_contain_text(
        f"Your approval of {change.key} is recorded; it still needs the other approval."
    )
    expect(spoc_page.locator(".facts")).to_contain_text(f"approved by {spoc.get_full_name()}")
    expect(spoc_page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    screenshot(spoc_page, "05-spoc-approved-change-first")
    requirement.refresh_from_db()
    assert requirement.priority == Priority.MUST

    # The PM's approval applies it.
    pm_page.goto(change_url)
    pm_page.get_by_role("button", name="Approve", exact=True).click()
    expect(pm_page.get_by_role("status")).to_contain_text(f"{change.key}: Approved and applied.")
    expect(pm_page.locator("#cr-title").locator("xpath=..")).to_contain_text("Approved and applied")
    screenshot(pm_page, "06-pm-change-approved")
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert (change.spoc_approved_by, change.pm_approved_by) == (spoc, pm)
    requirement.refresh_from_db()
    assert requirement.priority == Priority.SHOULD

    pm_page.locator("#cr-title").get_by_role("link", name=key).click()
    expect(pm_page).to_have_url(detail_url)
    article = pm_page.get_by_role("article")
    expect(article.locator("p.muted .badge").last).to_have_text("Should")
    history = pm_page.locator(".history")
    expect(history.locator("li.change", has_text="Must → Should")).to_have_text(
        "Priority: Must → Should"
    )
    screenshot(pm_page, "07-pm-requirement-after-change")

    # The baselined priority cannot be edited directly: the form says where it changes.
    pm_page.get_by_role("link", name="Edit", exact=True).click()
    expect(pm_page).to_have_url(f"{base}/requirements/{requirement.number}/edit/")
    expect(pm_page.locator("#id_priority")).to_be_disabled()
    expect(pm_page.locator("#id_priority_helptext")).to_have_text(
        "Baselined: change it through a change request."
    )
    screenshot(pm_page, "08-pm-edit-baselined-fields-locked")
    requirement.refresh_from_db()
    assert requirement.priority == Priority.SHOULD

    # The PM marks a conflict with the other requirement; the owner of Configuration settles it.
    pm_page.goto(detail_url)
    pm_page.get_by_role("link", name="Mark a conflict").click()
    expect(pm_page).to_have_url(f"{base}/requirements/{requirement.number}/conflict/")
    pm_page.select_option("#id_second", label=f"{other.key} {OTHER_TITLE}")
    pm_page.fill("#id_note", "One enrols automatically, the other wants a manager's approval.")
    pm_page.get_by_role("button", name="Mark as conflicting").click()

    expect(pm_page).to_have_url(f"{base}/conflicts/")
    expect(pm_page.get_by_role("status")).to_contain_text(
        "Marked as conflicting. The accountable owner of the area resolves it."
    )
    conflict = Conflict.objects.get(project=project)
    assert (conflict.first, conflict.second, conflict.raised_by) == (requirement, other, pm)
    listed = pm_page.locator("article.entry")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(f"{key} × {other.key}")
    expect(listed).to_contain_text("Open")
    expect(listed).to_contain_text(f"{sabine.name}, accountable for Configuration, settles it.")
    expect(listed.get_by_role("button", name="Resolve")).to_have_count(0)
    expect(listed.locator("textarea")).to_have_count(0)
    screenshot(pm_page, "09-pm-conflict-waits-for-owner")

    spoc_page.goto(f"{base}/")
    _project_nav(spoc_page).get_by_role("link", name="Conflicts").click()
    expect(spoc_page).to_have_url(f"{base}/conflicts/")
    spoc_page.fill(f"#resolution-{conflict.pk}", RESOLUTION)
    spoc_page.get_by_role("button", name="Resolve", exact=True).click()
    expect(spoc_page).to_have_url(f"{base}/conflicts/")
    expect(spoc_page.get_by_role("status")).to_contain_text(
        "Conflict resolved; the decision is in the decision log."
    )
    settled = spoc_page.locator("article.entry")
    expect(settled).to_contain_text("Resolved")
    expect(settled.locator(".callout.ok")).to_contain_text(RESOLUTION)
    expect(settled.get_by_role("button", name="Resolve")).to_have_count(0)
    screenshot(spoc_page, "10-spoc-conflict-resolved")

    _project_nav(spoc_page).get_by_role("link", name="Decisions").click()
    expect(spoc_page).to_have_url(f"{base}/channel/decisions/")
    decision_row = spoc_page.locator("tbody tr", has_text=f"Conflict {key} × {other.key} resolved")
    expect(decision_row).to_have_count(1)
    expect(decision_row).to_contain_text(RESOLUTION)
    expect(decision_row).to_contain_text(spoc.get_full_name())
    screenshot(spoc_page, "11-spoc-decision-log")
    conflict.refresh_from_db()
    assert (conflict.resolution, conflict.resolved_by) == (RESOLUTION, spoc)
    assert conflict.resolved_at is not None
    decision = Entry.objects.get(pk=conflict.decision_id)
    assert (decision.kind, decision.author) == (EntryKind.DECISION, spoc)
    assert decision.subject == f"Conflict {key} × {other.key} resolved"


def test_requirements_list_fits_a_phone_screen(
    live_server, new_context, project, pm, spoc, log_in, screenshot
):
    sabine = _stakeholder(project, spoc, pm)
    _accepted(project, title=OTHER_TITLE, submitter=sabine, spoc=spoc, pm=pm)
    services.requirement_submit(
        requirement=Requirement(
            project=project,
            title="Report completion of the mandatory compliance curriculum per country, "
            "business unit and line manager, exportable to Excel",
            area="configuration",
            submitter=sabine,
        ),
        by=spoc,
    )
    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, pm)

    phone.goto(f"{live_server.url}/p/{project.key}/requirements/")

    expect(phone.locator("#results tbody tr")).to_have_count(2)
    expect(phone.locator("#results")).to_contain_text("Report completion of the mandatory")
    screenshot(phone, "01-requirements-list")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_going_back_to_a_filtered_list_shows_that_list_with_its_filters(
    live_server, new_context, project, pm, log_in, screenshot
):
    for title, area in (("Single sign-on", "platform"), ("French onboarding", "content")):
        services.requirement_submit(
            requirement=Requirement(project=project, title=title, area=area), by=pm
        )
    page = new_context().new_page()
    url = f"{live_server.url}/p/{project.key}/requirements/"
    log_in(page, pm, next_path=url)
    page.goto(url)
    results = page.locator("#results")
    page.select_option("#id_area", "content")
    page.wait_for_url("**area=content**")
    expect(results.get_by_text("Single sign-on")).to_have_count(0)

    # Back from an item to the list htmx filtered: the whole page, not the part it swapped.
    page.get_by_role("link", name="French onboarding").click()
    expect(page.get_by_role("heading", name="French onboarding")).to_be_visible()
    page.go_back()
    expect(_project_nav(page)).to_be_visible()
    expect(page.locator("#id_area")).to_have_value("content")
    expect(results.get_by_text("French onboarding")).to_be_visible()
    expect(results.get_by_text("Single sign-on")).to_have_count(0)

    # Back from one filter to the one before: the controls say what the list shows.
    page.select_option("#id_sort", "-key")
    page.wait_for_url("**sort=-key**")
    page.select_option("#id_area", "platform")
    page.wait_for_url("**area=platform**")
    page.go_back()
    page.wait_for_url("**area=content**")
    expect(page.locator("#id_area")).to_have_value("content")
    expect(page.locator("#id_sort")).to_have_value("-key")
    expect(results.get_by_text("French onboarding")).to_be_visible()
    expect(results.get_by_text("Single sign-on")).to_have_count(0)
    screenshot(page, "back-to-the-filtered-list")
