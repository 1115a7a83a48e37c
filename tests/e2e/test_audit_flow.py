"""Vendor staff look into a refused access in a real browser: someone mistypes their password
and is refused a page, and staff find both in the audit log, filter it, and download it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent, Kind

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_find_a_failed_sign_in_and_a_refusal_in_the_audit_log(
    live_server, page, new_context, pm, project, stakeholder, staff, log_in, screenshot
):
    # A stakeholder mistypes their password, then signs in and tries a manager's page.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", stakeholder.email)
    page.fill("#id_password", "not-my-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("form")).to_contain_text("enter a correct")
    log_in(page, stakeholder)
    response = page.goto(f"{live_server.url}/p/{project.key}/raid/new/")
    assert response.status == 403
    page.context.clear_cookies()

    # Staff open the log from the staff navigation: newest first, the refusal on top.
    staff_page = new_context().new_page()
    log_in(staff_page, staff)
    staff_page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(staff_page.get_by_role("heading", name="Audit log")).to_be_visible()
    rows = staff_page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Signed in")  # staff's own sign-in
    expect(rows.nth(1)).to_contain_text("Access refused")
    expect(rows.nth(1)).to_contain_text(f"/p/{project.key}/raid/new/")
    screenshot(staff_page, "01-audit-log")

    # Filter by kind and person: only the failed sign-in, with what was typed.
    staff_page.select_option("#id_kind", "sign_in_failed")
    staff_page.fill("#id_person", stakeholder.email)
    staff_page.get_by_role("button", name="Filter").click()
    expect(staff_page).to_have_url(re.compile(r"kind=sign_in_failed"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sign-in failed")
    expect(rows.first).to_contain_text(stakeholder.email)
    screenshot(staff_page, "02-filtered")

    # The filtered list downloads as CSV, and that export is itself in the log.
    with staff_page.expect_download() as download:
        staff_page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "audit-log.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Sign-in failed" in text and "Access refused" not in text
    assert AuditEvent.objects.filter(kind=Kind.EXPORT, actor=staff).count() == 1
