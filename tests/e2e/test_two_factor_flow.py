"""Two-factor sign-in, in a real browser: a project manager is sent to set it up, adds the key to
an "app" (the test computes the codes from the key on the page), keeps the recovery codes, and
signs in again with a code, then with a recovery code that works only once."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.two_factor import authenticator, recovery_codes_left

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Strong-pass-42"  # what tests.projects.factories.UserFactory sets


class App:
    """An authenticator app holding the key read from the page; each code is typed once."""

    def __init__(self, key_text: str):
        self.key = b32decode(key_text.replace(" ", ""))
        self.used_step = -1

    def code(self) -> str:
        step = int(time.time()) // 30
        ahead = 1 if step <= self.used_step else 0  # the server takes each step's code once
        self.used_step = step + ahead
        return f"{totp(self.key, drift=ahead):06d}"


def _password_step(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Liaison")).to_be_visible()


def test_pm_sets_up_two_factor_and_signs_in_with_a_code_then_a_recovery_code(
    live_server, page, project, pm, screenshot
):
    # The password alone leads to setting up a second factor, whatever page was asked for.
    _password_step(page, live_server, pm)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Vendor staff and project managers sign in")
    page.goto(f"{live_server.url}/p/NWP/")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    screenshot(page, "01-set-up")

    app = App(page.locator("#two-factor-key").inner_text())
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("#id_code").locator("xpath=..")).to_contain_text("That code is not right")

    time.sleep(1.1)  # one wrong code: the next try waits a second
    page.fill("#id_code", app.code())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "02-recovery-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_url(f"{live_server.url}/p/NWP/")
    expect(page.get_by_role("heading", name="Northwind rollout")).to_be_visible()
    _sign_out(page)

    # Next sign-in: the password, then a code from the app.
    _password_step(page, live_server, pm)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.fill("#id_code", app.code())
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("heading", name="My projects")).to_be_visible()
    _sign_out(page)

    # Without the phone: a recovery code, once.
    _password_step(page, live_server, pm)
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("heading", name="My projects")).to_be_visible()
    expect(page.get_by_text("You signed in with a recovery code")).to_contain_text("9 left")
    screenshot(page, "03-signed-in-with-a-recovery-code")
    _sign_out(page)

    _password_step(page, live_server, pm)
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#id_code").locator("xpath=..")).to_contain_text("That code is not right")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    screenshot(page, "04-spent-recovery-code-refused")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert recovery_codes_left(pm) == 9
    assert authenticator(pm).confirmed
