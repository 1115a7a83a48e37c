"""The Content-Security-Policy holds in a real browser: the main pages, their htmx swaps and the
feedback form's script run with no violation reported, because every script and style is a file."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects import services as project_services
from projects.models import BudgetLine, CostEntry
from stakeholders import services as channel_services
from tests.requirements.uat import log, must, open_round

pytestmark = pytest.mark.django_db(transaction=True)

# Collect what the page reports, from the first script on: violations don't survive a navigation,
# so each page is read before leaving it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


class Violations:
    """CSP violations seen by a browser context, from its console and its pages' events."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def on(self, page) -> list[str]:
        return [*self.console, *page.evaluate("window.__cspViolations || []")]


@pytest.fixture
def demo(project, pm, tester):
    """A little of everything the main pages show: requirements, a round with feedback, costs."""
    first = must(project, title="Single sign-on for all staff")
    second = must(project, title="Reports in local time")
    test_round = open_round(project, [tester], requirements=[first, second])
    log(test_round, tester, title="Video does not play on the tablet")
    line = project_services.budget_line_save(
        line=BudgetLine(project=project, category="licences", name="Moodle licences",
                        planned_amount=Decimal(1000)),
        by=pm,
    )  # fmt: skip
    project_services.cost_entry_save(
        entry=CostEntry(project=project, line=line, date=date(2026, 10, 1),
                        description="First invoice", amount=Decimal("420.50"), currency="EUR"),
        by=pm,
    )  # fmt: skip
    channel_services.entry_post(
        project=project, author=pm, kind="instruction", subject="Kick-off on Monday"
    )
    return test_round


def test_main_pages_run_under_the_policy_with_no_violation(
    live_server, new_context, project, pm, tester, demo, log_in, screenshot
):
    base = f"{live_server.url}/p/{project.key}"
    context = new_context()
    violations = Violations(context)
    page = context.new_page()
    log_in(page, pm)

    page.goto(f"{base}/")
    expect(page.get_by_role("main")).to_contain_text(project.name)
    assert violations.on(page) == []

    # The requirements list filters in place through htmx: the results swap, the page stays.
    page.goto(f"{base}/requirements/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("document.body.dataset.sameDocument = 'yes'")
    page.locator("#id_q").press_sequentially("local time", delay=10)
    expect(rows).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Reports in local time")
    expect(page).to_have_url(re.compile(r"/requirements/\?q=local%20time"))  # pushed by htmx
    assert page.evaluate("document.body.dataset.sameDocument") == "yes"  # swapped, not reloaded
    screenshot(page, "01-requirements-filtered")
    assert violations.on(page) == []

    # The triage board moves a card in place.
    page.goto(f"{base}/feedback/board/")
    page.locator("#card-1").get_by_role("button", name="Start fixing").click()
    expect(page.locator("#board [role=status]")).to_contain_text("NWP-F1 moved to “Fixing”")
    screenshot(page, "02-board-fixing")
    assert violations.on(page) == []

    page.goto(f"{base}/budget/")
    expect(page.locator("svg.burn-chart")).to_be_visible()
    assert violations.on(page) == []

    page.goto(f"{base}/channel/")
    expect(page.get_by_role("heading", name="Kick-off on Monday")).to_be_visible()
    assert violations.on(page) == []

    page.goto(f"{base}/reports/")
    expect(page.get_by_role("main")).to_contain_text("report")
    assert violations.on(page) == []

    # The feedback form's own script fills in the tester's environment.
    tester_context = new_context()
    tester_violations = Violations(tester_context)
    form = tester_context.new_page()
    log_in(form, tester)
    form.goto(f"{base}/testing/{demo.pk}/log/")
    expect(form.locator("#id_browser")).not_to_have_value("")
    expect(form.locator("#id_viewport")).not_to_have_value("")
    form.locator("#id_title").press_sequentially("Video does", delay=20)
    expect(form.locator("#similar")).to_contain_text("Video does not play on the tablet")
    screenshot(form, "03-feedback-form")
    assert tester_violations.on(form) == []


def test_an_inline_style_would_be_reported(live_server, new_context, pm, log_in):
    """The listener above is worth trusting: an inline style is refused and seen."""
    context = new_context()
    violations = Violations(context)
    page = context.new_page()
    log_in(page, pm)
    page.evaluate(
        "document.head.appendChild(document.createElement('style')).textContent ="
        " 'body { color: red }'"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in violation for violation in violations.on(page))
    assert page.evaluate("getComputedStyle(document.body).color") != "rgb(255, 0, 0)"
