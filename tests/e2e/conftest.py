"""End-to-end tests in Debian's Chromium, driven by Playwright against pytest-django's live server.

`playwright install` cannot work here, so the browser is the system one: `apt-get install
chromium` (Debian's package). Without it these tests are skipped on a workstation and fail in CI.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from accounts.two_factor import authenticator, two_factor_required
from tests.conftest import authenticator_code, verified_device

# Sync Playwright runs an event loop in the test thread; Django refuses ORM calls from a thread
# with a running loop unless told that this is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
SCREENSHOT_DIR = REPO_ROOT / "var" / "screenshots"

PASSWORD = "a-Strong-pass-42"  # what tests.projects.factories.UserFactory sets
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MISSING_CHROMIUM = (
    "End-to-end tests need Debian's Chromium at /usr/bin/chromium: "
    "run `apt-get install chromium` (`playwright install` cannot work here)."
)


def chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def _is_e2e(item) -> bool:
    # This hook sees every collected item of the session, not only those in this folder.
    return E2E_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    missing = chromium_path() is None
    for item in items:
        if not _is_e2e(item):
            continue
        item.add_marker(pytest.mark.e2e)
        if missing and not in_ci():
            item.add_marker(pytest.mark.skip(reason=MISSING_CHROMIUM))


@pytest.fixture(scope="session", autouse=True)
def _chromium_required():
    """In CI a missing browser is a failure of every e2e test, not a quiet skip."""
    if chromium_path() is None:
        if in_ci():
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, _chromium_required):
    """pytest-playwright's launch options (--headed, --slowmo…), pointed at Debian's Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url():
    """No fixed base URL: tests use `live_server.url`. This also replaces pytest-playwright's own
    `base_url`, a session fixture on a class that pytest 9 warns about."""
    return None


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot as var/screenshots/<test>--<step>.png; returns the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def take(page, step: str) -> Path:
        step_name = re.sub(r"[^\w.-]+", "-", step).strip("-")
        path = SCREENSHOT_DIR / f"{test_name}--{step_name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(live_server):
    """Sign `user` in through the real login page, with a code from their authenticator when
    they must give one; leaves the page where the login redirects."""

    def sign_in(page, user, password: str = PASSWORD, next_path: str = ""):
        device = verified_device(user) if two_factor_required(user) else authenticator(user)
        url = f"{live_server.url}/accounts/login/"
        page.goto(f"{url}?next={next_path}" if next_path else url)
        page.fill("#id_username", user.email)
        page.fill("#id_password", password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(lambda address: "/accounts/login/" not in address)
        if device is not None:
            page.fill("#id_code", authenticator_code(device))
            page.get_by_role("button", name="Verify", exact=True).click()
            page.wait_for_url(lambda address: "/accounts/two-factor/" not in address)
        return page

    return sign_in
