"""A project's first day, in a real browser: the vendor PM sets it up and invites a client
stakeholder, who chooses a password from the e-mail and finds the project; an outsider cannot."""

import re
from datetime import date

import pytest
from django.conf import settings
from playwright.sync_api import expect

from projects.models import Membership, Project, Site
from projects.roles import Role
from tests.projects.factories import ClientFactory, ProjectFactory, SiteFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
INVITEE_EMAIL = "dana.weber@northwind-pharma.example"
INVITEE_PASSWORD = "Orchard-Lantern-9174"


def _project_nav(page):
    return page.get_by_role("navigation", name="Project")


def test_pm_sets_up_project_and_invited_stakeholder_joins(
    live_server, mailoutbox, page, new_context, pm, outsider, log_in, screenshot
):
    ClientFactory(name="Northwind Pharma")

    # The PM signs in and lands on their projects.
    log_in(page, pm)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My projects")).to_be_visible()

    # New project: a go-live before the start is refused next to the field.
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    page.select_option("#id_client", label="Northwind Pharma")
    page.fill("#id_name", "Northwind LMS rollout")
    page.fill("#id_key", "nwp")
    page.fill("#id_lms_product", "Moodle Workplace")
    page.select_option("#id_deployment_model", "managed")
    page.fill("#id_start_date", "2026-09-01")
    page.fill("#id_target_go_live", "2026-08-15")
    page.fill("#id_hosting_term_end", "2030-08-31")
    page.fill("#id_programme_end", "2031-12-31")
    page.select_option("#id_currency", "CHF")
    page.get_by_role("button", name="Create project").click()

    go_live = page.locator("#id_target_go_live")
    expect(go_live).to_have_attribute("aria-invalid", "true")
    expect(go_live.locator("xpath=..")).to_contain_text(
        "Go-live cannot be before the project starts."
    )
    expect(page.locator("#id_name")).to_have_value("Northwind LMS rollout")
    screenshot(page, "01-go-live-before-start-refused")
    assert not Project.objects.filter(key="NWP").exists()

    page.fill("#id_target_go_live", "2027-03-01")
    page.get_by_role("button", name="Create project").click()

    expect(page).to_have_url(f"{live_server.url}/p/NWP/")
    expect(page.get_by_role("heading", level=1, name="Northwind LMS rollout")).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text("NWP · Northwind Pharma")
    expect(page.get_by_role("status")).to_contain_text("Project NWP created.")
    expect(page.locator(".facts").first).to_contain_text("Managed hosting")
    screenshot(page, "02-project-created")
    project = Project.objects.get(key="NWP")
    assert project.client.name == "Northwind Pharma"
    assert project.target_go_live == date(2027, 3, 1)
    assert project.currency == "CHF"
    assert Membership.objects.filter(
        project=project, user=pm, role=Role.PROJECT_MANAGER, is_active=True
    ).exists()

    # A first site.
    page.get_by_role("link", name="Add a site").click()
    page.fill("#id_name", "Germany")
    page.fill("#id_local_go_live", "2027-04-12")
    page.get_by_role("button", name="Save site").click()

    expect(page).to_have_url(f"{live_server.url}/p/NWP/")
    sites = page.get_by_role("region", name="Sites")
    expect(sites).to_contain_text("Germany")
    expect(sites).to_contain_text("Local go-live 12 Apr 2027")
    screenshot(page, "03-site-added")
    site = Site.objects.get(project=project)
    assert (site.name, site.local_go_live) == ("Germany", date(2027, 4, 12))

    # Invite a client stakeholder, who has no account yet.
    _project_nav(page).get_by_role("link", name="Members").click()
    expect(page).to_have_url(f"{live_server.url}/p/NWP/members/")
    page.fill("#id_email", INVITEE_EMAIL)
    page.select_option("#id_role", "stakeholder")
    page.get_by_role("button", name="Add member", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        f"{INVITEE_EMAIL} added as Client stakeholder; they have been sent an e-mail."
    )
    expect(page.get_by_role("region", name="Members", exact=True)).to_contain_text(INVITEE_EMAIL)
    screenshot(page, "04-stakeholder-invited")
    invitee = Membership.objects.get(project=project, user__email=INVITEE_EMAIL).user
    assert not invitee.has_usable_password()
    # The invitee gets one e-mail; the PM's are the health checks' news of the new project.
    (invitation,) = [m for m in mailoutbox if m.to == [INVITEE_EMAIL]]
    to_pm = [m.subject for m in mailoutbox if m.to == [pm.email]]
    assert to_pm and all("The health checks found" in subject for subject in to_pm)
    assert "Northwind LMS rollout" in invitation.subject
    link = re.search(r"https?://\S+/accounts/password/set/\S+", invitation.body)
    assert link, invitation.body
    assert link.group().startswith(settings.SITE_URL)

    # The stakeholder follows the link in a browser of their own.
    stakeholder_page = new_context().new_page()
    stakeholder_page.goto(link.group().replace(settings.SITE_URL, live_server.url, 1))
    expect(stakeholder_page).to_have_url(re.compile(r"/set-password/?$"))
    expect(stakeholder_page.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(stakeholder_page.get_by_role("main")).to_contain_text(INVITEE_EMAIL)
    stakeholder_page.fill("#id_new_password1", INVITEE_PASSWORD)
    stakeholder_page.fill("#id_new_password2", INVITEE_PASSWORD)
    screenshot(stakeholder_page, "05-stakeholder-chooses-password")
    stakeholder_page.get_by_role("button", name="Set password and sign in").click()

    expect(stakeholder_page).to_have_url(f"{live_server.url}/")
    expect(stakeholder_page.get_by_role("heading", name="My projects")).to_be_visible()
    expect(stakeholder_page.get_by_role("status")).to_contain_text("Your password is set")
    project_link = stakeholder_page.get_by_role("link", name="NWP · Northwind LMS rollout")
    expect(project_link).to_be_visible()
    expect(stakeholder_page.locator("#results")).to_contain_text("Client stakeholder")
    screenshot(stakeholder_page, "06-stakeholder-my-projects")
    invitee.refresh_from_db()
    assert invitee.check_password(INVITEE_PASSWORD)

    project_link.click()
    expect(stakeholder_page).to_have_url(f"{live_server.url}/p/NWP/")
    expect(
        stakeholder_page.get_by_role("heading", level=1, name="Northwind LMS rollout")
    ).to_be_visible()
    expect(stakeholder_page.get_by_role("region", name="Sites")).to_contain_text("Germany")
    expect(stakeholder_page.get_by_role("link", name="Add a site")).to_have_count(0)
    screenshot(stakeholder_page, "07-stakeholder-project-home")

    # Someone from another project gets "not found", not a hint that the project exists.
    outsider_page = new_context().new_page()
    log_in(outsider_page, outsider)
    response = outsider_page.goto(f"{live_server.url}/p/NWP/")
    assert response.status == 404
    expect(outsider_page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(outsider_page.get_by_role("main")).not_to_contain_text("Northwind LMS rollout")
    screenshot(outsider_page, "08-outsider-not-found")


def test_project_home_fits_a_phone_screen(live_server, new_context, pm, log_in, screenshot):
    project = ProjectFactory(
        key="NWP",
        name="Northwind Pharma global LMS rollout",
        client=ClientFactory(name="Northwind Pharma"),
        manager=pm,
    )
    SiteFactory(project=project, name="Germany", local_go_live=date(2027, 4, 12))
    SiteFactory(project=project, name="Retail business unit, Benelux")
    ProjectFactory(key="NWPX", name="Northwind Pharma sandbox", manager=pm)
    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, pm)
    screenshot(phone, "01-my-projects")

    phone.goto(f"{live_server.url}/p/NWP/")

    expect(
        phone.get_by_role("heading", level=1, name="Northwind Pharma global LMS rollout")
    ).to_be_visible()
    expect(phone.get_by_role("region", name="Sites")).to_contain_text("Retail business unit")
    screenshot(phone, "02-project-home")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_switcher_opens_from_the_keyboard_and_leads_to_another_project(
    live_server, page, pm, log_in, screenshot
):
    ProjectFactory(key="NWP", name="Northwind rollout", manager=pm)
    ProjectFactory(key="ACME", name="Acme academy", manager=pm)
    log_in(page, pm)
    page.goto(f"{live_server.url}/p/NWP/")

    # The menu is fetched when it is first opened, here from the keyboard.
    switcher = page.locator("details.switcher")
    switcher.locator("summary").focus()
    page.keyboard.press("Enter")
    here = switcher.get_by_role("link", name="NWP · Northwind rollout")
    expect(here).to_have_attribute("aria-current", "page")
    expect(switcher.locator("li").last).to_have_text("All my projects…")  # below the projects
    screenshot(page, "01-switcher-open")

    switcher.get_by_role("link", name="ACME · Acme academy").click()
    expect(page.get_by_role("heading", level=1, name="Acme academy")).to_be_visible()
    expect(page.locator("details.switcher summary")).to_have_text("ACME")
