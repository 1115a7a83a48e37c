"""The health checks: each at and around its threshold, the findings they open and close, the
e-mail that goes out once per finding, the coalesced runs, and the pages that show them."""

import datetime
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects import checks, services
from projects.models import (
    CheckArea,
    Finding,
    Level,
    Milestone,
    PendingCheck,
    Project,
    RaidItem,
    RaidKind,
    RaidStatus,
    Severity,
)
from projects.roles import Role
from projects.tasks import run_nightly_checks
from stakeholders import checks as stakeholder_checks
from tests.projects.factories import ProjectFactory, SiteFactory, UserFactory

TODAY = date(2026, 11, 24)


def codes(project, today=TODAY):
    return {result.code: (area, result.severity) for area, result in checks.run_all(project, today)}


def _milestone(project, pm, *, planned, forecast=None, done=None, name="Configuration signed off"):
    return services.milestone_save(
        milestone=Milestone(
            project=project,
            name=name,
            planned_date=planned,
            forecast_date=forecast or planned,
            actual_date=done,
            owner=pm,
        ),
        by=pm,
    )


# The rules, at their thresholds


def test_by_thresholds_is_green_at_the_threshold_and_past_it_beyond():
    assert checks.by_thresholds(14, 14, 30) == Severity.GREEN
    assert checks.by_thresholds(15, 14, 30) == Severity.AMBER
    assert checks.by_thresholds(30, 14, 30) == Severity.AMBER
    assert checks.by_thresholds(31, 14, 30) == Severity.RED
    assert checks.by_thresholds(0.9, 0.9, 0.8, above=False) == Severity.GREEN
    assert checks.by_thresholds(0.89, 0.9, 0.8, above=False) == Severity.AMBER
    assert checks.by_thresholds(0.79, 0.9, 0.8, above=False) == Severity.RED


def test_rag_is_the_worst_open_finding_per_area_and_green_without_one():
    found = [
        Finding(area=CheckArea.TIMELINE, severity=Severity.AMBER),
        Finding(area=CheckArea.TIMELINE, severity=Severity.RED),
        Finding(area=CheckArea.SCOPE, severity=Severity.AMBER),
    ]
    assert checks.rag(found) == {
        "timeline": Severity.RED,
        "budget": Severity.GREEN,
        "scope": Severity.AMBER,
        "quality": Severity.GREEN,
        "governance": Severity.GREEN,
    }


@pytest.mark.parametrize(
    ("forecast", "expected"),
    [
        (TODAY, None),  # due today is not overdue
        (TODAY - timedelta(days=1), Severity.RED),
    ],
)
def test_an_unfinished_milestone_past_its_forecast_is_overdue(project, pm, forecast, expected):
    milestone = _milestone(project, pm, planned=forecast)
    found = codes(project).get(f"milestone-overdue:{milestone.pk}")
    assert (found[1] if found else None) == expected


def test_a_milestone_done_late_is_not_overdue(project, pm):
    milestone = _milestone(project, pm, planned=date(2026, 10, 1), done=date(2026, 10, 20))
    assert not [c for c in codes(project) if str(milestone.pk) in c]


@pytest.mark.parametrize(
    ("slip", "expected"),
    [(14, None), (15, Severity.AMBER), (30, Severity.AMBER), (31, Severity.RED)],
)
def test_forecast_slip_against_the_baseline(project, pm, slip, expected):
    planned = date(2027, 1, 10)
    milestone = _milestone(project, pm, planned=planned, forecast=planned + timedelta(days=slip))
    found = codes(project).get(f"milestone-slip:{milestone.pk}")
    assert (found[1] if found else None) == expected
    assert "milestone-overdue:" not in " ".join(codes(project))


@pytest.mark.parametrize(
    ("hosting_end", "expected"),
    [(date(2030, 12, 31), None), (date(2030, 12, 30), Severity.RED), (None, None)],
)
def test_hosting_term_ending_before_the_programme(project, pm, hosting_end, expected):
    project.hosting_term_end = hosting_end
    project.programme_end = date(2030, 12, 31)
    services.project_update(project=project, by=pm)
    assert codes(project).get("hosting-term", (None, None))[1] == expected


@pytest.mark.parametrize(("median_days", "expected"), [(14, None), (15, Severity.AMBER)])
def test_content_lead_time_above_the_site_target(project, pm, median_days, expected):
    from projects.models import ContentRelease

    site = SiteFactory(project=project, content_qc_target_days=14)
    ready = date(2026, 9, 1)
    services.release_save(
        release=ContentRelease(
            project=project,
            site=site,
            title="Compliance pack",
            ready_on=ready,
            available_on=ready + timedelta(days=median_days),
        ),
        by=pm,
    )
    assert codes(project).get(f"content-lead-time:{site.pk}", (None, None))[1] == expected


@pytest.mark.parametrize(
    ("impact", "due", "status", "expected"),
    [
        (Level.HIGH, TODAY - timedelta(days=1), RaidStatus.OPEN, Severity.RED),
        (Level.HIGH, TODAY, RaidStatus.OPEN, None),  # due today: still time
        (Level.MEDIUM, TODAY - timedelta(days=1), RaidStatus.OPEN, None),
        (Level.HIGH, TODAY - timedelta(days=1), RaidStatus.VALIDATED, None),
    ],
)
def test_high_impact_assumption_past_its_validation_date(
    project, pm, impact, due, status, expected
):
    item = services.raid_save(
        item=RaidItem(
            project=project,
            kind=RaidKind.ASSUMPTION,
            title="Learners' computers play video",
            impact=impact,
            due_date=due,
            status=status,
        ),
        by=pm,
    )
    found = codes(project).get(f"assumption-unchecked:{item.pk}")
    assert (found[1] if found else None) == expected


def test_off_channel_waiting_thresholds(project, pm, stakeholder):
    from stakeholders.models import Entry, EntryKind, Side, SpocStatus

    amber = stakeholder_checks.THRESHOLDS["off_channel_amber_days"]
    red = stakeholder_checks.THRESHOLDS["off_channel_red_days"]
    entry = Entry.objects.create(
        project=project,
        kind=EntryKind.REQUEST,
        author=stakeholder,
        author_side=Side.CLIENT,
        subject="Add the sales academy",
        spoc_status=SpocStatus.WAITING,
    )

    def waited(days):
        Entry.objects.filter(pk=entry.pk).update(
            created_at=timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(12)))
            - timedelta(days=days)
        )
        return codes(project).get("off-channel-waiting", (None, None))[1]

    assert waited(amber) is None
    assert waited(amber + 1) == Severity.AMBER
    assert waited(red) == Severity.AMBER
    assert waited(red + 1) == Severity.RED


def test_no_point_of_contact_is_red_and_naming_one_clears_it(project, pm, spoc):
    assert "no-spoc" not in codes(project)
    other = ProjectFactory(manager=pm)
    assert codes(other)["no-spoc"] == (CheckArea.GOVERNANCE, Severity.RED)


def test_ownership_gaps_are_one_finding_per_area(project):
    found = [code for code in codes(project) if code.startswith("ownership:")]
    assert "ownership:platform" in found and "ownership:budget" in found


# Findings open, stay, close and notify once


def test_a_finding_opens_notifies_once_stays_quiet_and_closes(
    project, pm, django_capture_on_commit_callbacks
):
    milestone = _milestone(project, pm, planned=date(2026, 11, 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        opened = services.findings_refresh(project=project)
    overdue = Finding.objects.get(project=project, code=f"milestone-overdue:{milestone.pk}")
    assert overdue in opened and overdue.closed_at is None
    about_it = [m for m in mail.outbox if milestone.name in m.body]
    assert [m.to for m in about_it] == [[pm.email]]  # the owner is the project manager: once
    assert "new problems" in about_it[0].subject  # one e-mail for everything the run found
    assert f"Red · Timeline: {milestone.name} is overdue by" in about_it[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.findings_refresh(project=project)
    assert mail.outbox == []  # still open: nobody is told again
    assert Finding.objects.filter(project=project, code=overdue.code).count() == 1

    milestone.actual_date = date(2026, 11, 20)
    services.milestone_save(milestone=milestone, by=pm)
    services.findings_refresh(project=project)
    overdue.refresh_from_db()
    assert overdue.closed_at is not None


def test_a_finding_that_comes_back_is_new_and_notifies_again(
    project, pm, django_capture_on_commit_callbacks
):
    milestone = _milestone(project, pm, planned=date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.findings_refresh(project=project)
    milestone.forecast_date = date(2027, 1, 1)  # moved: no longer overdue
    services.milestone_save(milestone=milestone, by=pm)
    services.findings_refresh(project=project)
    milestone.forecast_date = date(2026, 11, 2)  # overdue again
    services.milestone_save(milestone=milestone, by=pm)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.findings_refresh(project=project)
    rows = Finding.objects.filter(code=f"milestone-overdue:{milestone.pk}").order_by("opened_at")
    assert [row.closed_at is None for row in rows] == [False, True]
    assert [m.to for m in mail.outbox if milestone.name in m.body] == [[pm.email]]


def test_the_owner_and_every_project_manager_are_told(
    project, pm, team_member, django_capture_on_commit_callbacks
):
    second_pm = UserFactory()
    services.membership_grant(project=project, user=second_pm, role=Role.PROJECT_MANAGER, by=pm)
    item = services.raid_save(
        item=RaidItem(
            project=project,
            kind=RaidKind.ASSUMPTION,
            title="Hosting term covers the programme",
            impact=Level.HIGH,
            due_date=date(2026, 11, 1),
            owner=team_member,
        ),
        by=pm,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.findings_refresh(project=project)
    told = {m.to[0]: m.body for m in mail.outbox if item.title in m.body}
    assert sorted(told) == sorted([pm.email, second_pm.email, team_member.email])
    # The assumption is edited on a page of the managers': its owner, a team member, is told
    # of it without a link that would refuse them.
    edit = reverse("projects:raid_edit", args=[project.key, item.pk])
    assert edit in told[pm.email] and edit in told[second_pm.email]
    assert edit not in told[team_member.email]
    assert reverse("projects:home", args=[project.key]) in told[team_member.email]


def test_a_finding_keeps_its_identity_when_it_worsens(project, pm):
    planned = date(2027, 1, 10)
    milestone = _milestone(project, pm, planned=planned, forecast=planned + timedelta(days=20))
    services.findings_refresh(project=project)
    first = Finding.objects.get(code=f"milestone-slip:{milestone.pk}")
    assert first.severity == Severity.AMBER
    milestone.forecast_date = planned + timedelta(days=40)
    services.milestone_save(milestone=milestone, by=pm)
    services.findings_refresh(project=project)
    first.refresh_from_db()
    assert first.severity == Severity.RED and first.closed_at is None
    assert "40 days" in first.message


# Runs after changes, coalesced; and nightly


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_runs_the_checks_once(project, pm):
    from django.db import transaction

    with transaction.atomic():
        for n in range(5):
            _milestone(project, pm, planned=date(2026, 11, 1) + timedelta(days=n), name=f"M{n}")
    overdue = Finding.objects.filter(project=project, code__startswith="milestone-overdue:")
    # One run saw all five changes: their findings share the run's time.
    assert overdue.count() == 5
    assert len(set(overdue.values_list("opened_at", flat=True))) == 1
    assert PendingCheck.objects.count() == 0  # eager here: the queued run has happened


def test_a_change_while_a_run_is_queued_rides_along(
    project, pm, django_capture_on_commit_callbacks
):
    PendingCheck.objects.create(project=project)  # a run is queued and has not started
    with django_capture_on_commit_callbacks(execute=True):
        _milestone(project, pm, planned=date(2026, 11, 1))
    assert PendingCheck.objects.filter(project=project).count() == 1
    assert not Finding.objects.filter(project=project).exists()  # left to the queued run


def test_the_nightly_run_checks_every_live_project(project, pm, django_capture_on_commit_callbacks):
    closed = ProjectFactory(manager=pm, status="closed")
    _milestone(project, pm, planned=date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run_nightly_checks()
    assert Finding.objects.filter(project=project, code__startswith="milestone-overdue:").exists()
    assert not Finding.objects.filter(project=closed).exists()
    assert set(Project.objects.live()) >= {project}


# Pages


def _with_findings(project, pm):
    _milestone(project, pm, planned=date(2026, 11, 1), name="Kick-off workshop")
    Finding.objects.create(
        project=project,
        code="budget-test",
        area=CheckArea.BUDGET,
        severity=Severity.RED,
        message="Spend is 40% ahead of plan (vendor-internal lines included).",
        url=reverse("projects:home", args=[project.key]),
        opened_at=timezone.now(),
    )
    services.findings_refresh(project=project)


def test_home_shows_rag_and_open_findings_linking_to_the_fix(client, project, pm):
    _with_findings(project, pm)
    client.force_login(pm)
    html = client.get(reverse("projects:home", args=[project.key])).content.decode()
    assert "Kick-off workshop is overdue by" in html
    assert (
        reverse("projects:milestone_edit", args=[project.key, Milestone.objects.get().pk]) in html
    )
    assert 'class="rag red"' in html
    assert "Spend is 40% ahead of plan" in html


def test_a_rag_badge_names_its_area_and_colour_or_says_why_it_is_hidden():
    from projects.models import Severity
    from projects.templatetags.rag import rag_badge

    red = rag_badge({"label": "Budget & scope", "severity": Severity.RED})
    assert red == (
        '<span class="rag red" title="Budget &amp; scope: Red">'
        '<span class="rag-dot" aria-hidden="true"></span>Red</span>'
    )
    hidden = rag_badge({"label": "Budget", "severity": None})
    assert hidden == '<span class="rag none">Judged on vendor-internal figures</span>'


def test_client_roles_do_not_see_findings_judged_on_internal_budget(client, project, pm, spoc):
    _with_findings(project, pm)
    client.force_login(spoc)
    home = client.get(reverse("projects:home", args=[project.key])).content.decode()
    history = client.get(reverse("projects:findings", args=[project.key])).content.decode()
    assert "Kick-off workshop is overdue" in home and "Kick-off workshop is overdue" in history
    assert "Spend is 40% ahead" not in home and "Spend is 40% ahead" not in history
    # The tile says why it shows no colour, in words a phone or a screen reader shows too.
    assert '<strong>Budget</strong><span class="rag none">Judged on vendor-internal' in home


def test_findings_history_shows_when_each_opened_and_closed(client, project, pm):
    milestone = _milestone(project, pm, planned=date(2026, 11, 1), name="Kick-off workshop")
    services.findings_refresh(project=project)
    milestone.actual_date = date(2026, 11, 3)
    services.milestone_save(milestone=milestone, by=pm)
    services.findings_refresh(project=project)
    client.force_login(pm)
    html = client.get(reverse("projects:findings", args=[project.key]), {"area": "timeline"})
    html = html.content.decode()
    assert "Kick-off workshop is overdue" in html and ">open<" not in html.replace(" ", "")
    # When, written as on every other page: "7 Dec 2026, 12:11".
    assert re.search(r">\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}</td>", html)


def test_run_checks_now(client, project, pm):
    _milestone(project, pm, planned=date(2026, 11, 1), name="Kick-off workshop")
    client.force_login(pm)
    response = client.post(reverse("projects:run_checks", args=[project.key]), follow=True)
    assert "The checks ran:" in response.content.decode()
    assert Finding.objects.filter(project=project, code__startswith="milestone-overdue:").exists()


def test_portfolio_lists_projects_worst_first(client, pm, project):
    calm = ProjectFactory(manager=pm, name="Calm rollout")
    _milestone(project, pm, planned=date(2026, 11, 1))
    services.findings_refresh(project=project)
    Finding.objects.filter(project=calm).delete()
    client.force_login(pm)
    html = client.get(reverse("projects:portfolio")).content.decode()
    table = html[html.index("<table") :]
    assert table.index(project.name) < table.index("Calm rollout")


def test_portfolio_is_for_the_vendor(client, project, spoc, team_member, outsider):
    client.force_login(spoc)
    assert client.get(reverse("projects:portfolio")).status_code == 403
    client.force_login(team_member)
    assert project.name in client.get(reverse("projects:portfolio")).content.decode()


# The budget's checks, on the figures of `projects.budget`


def _budget(project, pm, *, planned, spent, on, site=None, category="implementation"):
    from decimal import Decimal

    from projects.models import BudgetLine, CostEntry

    line = services.budget_line_save(
        line=BudgetLine(
            project=project,
            category=category,
            name="Implementation services",
            planned_amount=Decimal(planned),
            site=site,
        ),
        by=pm,
    )
    if spent:
        services.cost_entry_save(
            entry=CostEntry(
                project=project,
                line=line,
                date=on,
                description="Invoice",
                amount=Decimal(spent),
                currency=project.currency,
            ),
            by=pm,
        )
    return line


@pytest.mark.parametrize(
    ("spent", "expected"),
    [
        ("55000", None),
        ("55001", Severity.AMBER),
        ("62500", Severity.AMBER),
        ("62501", Severity.RED),
    ],
)
def test_spend_ahead_of_plan_for_the_time_elapsed(project, pm, spent, expected):
    # Ten days of twenty have passed: 50,000 of the 100,000 planned should be spent by now.
    project.start_date, project.target_go_live = date(2026, 1, 1), date(2026, 1, 21)
    services.project_update(project=project, by=pm)
    _budget(project, pm, planned="100000", spent=spent, on=date(2026, 1, 5))
    found = codes(project, today=date(2026, 1, 11)).get("spend-ahead-of-plan")
    assert (found[1] if found else None) == expected


@pytest.mark.parametrize(
    ("done_share", "expected_cpi", "expected"),
    [
        ("50", None, None),  # CPI 1.00, EAC 100,000
        ("45", None, Severity.AMBER),  # CPI 0.90 (at the threshold), EAC 111,111
        ("44", Severity.AMBER, Severity.AMBER),  # CPI 0.88, EAC 113,636
        ("35", Severity.RED, Severity.RED),  # CPI 0.70, EAC 142,857
    ],
)
def test_earned_value_and_estimate_at_completion(project, pm, done_share, expected_cpi, expected):
    from decimal import Decimal

    # 50,000 spent of 100,000; a milestone worth `done_share`% is done: CPI = share / 50.
    _budget(project, pm, planned="100000", spent="50000", on=date(2026, 10, 1))
    services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Configuration",
            planned_date=date(2026, 10, 1),
            forecast_date=date(2026, 10, 1),
            actual_date=date(2026, 10, 1),
            budget_share=Decimal(done_share),
        ),
        by=pm,
    )
    found = codes(project)
    assert found.get("earned-value-cpi", (None, None))[1] == expected_cpi
    # EAC = BAC / CPI: 100,000 × 50 / share; over 115% of the budget is red.
    assert found.get("estimate-over-budget", (None, None))[1] == expected


def test_rebilling_above_a_year_of_the_local_alternative(project, pm):
    from decimal import Decimal

    site = SiteFactory(project=project, local_alternative_cost=Decimal("15000"))
    _budget(
        project, pm, planned="15000", spent=None, on=None, site=site, category="internal_rebilling"
    )
    assert f"rebilling:{site.pk}" not in codes(project)
    _budget(project, pm, planned="1", spent=None, on=None, site=site, category="internal_rebilling")
    assert codes(project)[f"rebilling:{site.pk}"] == (CheckArea.BUDGET, Severity.AMBER)


def test_spending_before_any_milestone_is_due_raises_no_earned_value_alarm(project, pm):
    from decimal import Decimal

    _budget(project, pm, planned="100000", spent="20000", on=date(2026, 10, 1))
    services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Configuration",
            planned_date=date(2027, 1, 15),
            forecast_date=date(2027, 1, 15),
            budget_share=Decimal("40"),
        ),
        by=pm,
    )
    found = codes(project)
    assert "earned-value-cpi" not in found and "estimate-over-budget" not in found


def test_the_day_is_judged_the_same_whoever_runs_the_checks(project, pm):
    milestone = _milestone(project, pm, planned=timezone.localdate())  # due today
    code = f"milestone-overdue:{milestone.pk}"
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"):
        with timezone.override(zone):
            services.findings_refresh(project=project)
        assert not Finding.objects.filter(code=code).exists(), zone


def test_an_owner_who_left_the_project_is_not_told(
    project, pm, team_member, django_capture_on_commit_callbacks
):
    item = services.raid_save(
        item=RaidItem(
            project=project,
            kind=RaidKind.ASSUMPTION,
            title="Hosting term covers the programme",
            impact=Level.HIGH,
            due_date=date(2026, 11, 1),
            owner=team_member,
        ),
        by=pm,
    )
    membership = project.memberships.get(user=team_member)
    services.member_remove(membership=membership, by=pm)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.findings_refresh(project=project)
    assert [m.to for m in mail.outbox if item.title in m.body] == [[pm.email]]


def test_templates_and_closed_projects_are_not_checked(project, pm):
    from projects.models import ProjectStatus

    _milestone(project, pm, planned=date(2026, 11, 1))
    for status in (ProjectStatus.TEMPLATE, ProjectStatus.CLOSED):
        Project.objects.filter(pk=project.pk).update(status=status)
        assert services.findings_refresh(project=project) == []
        assert not Finding.objects.filter(project=project).exists()


@pytest.mark.parametrize(("spent", "badge"), [("55000", False), ("55001", True)])
def test_the_budget_page_badges_spend_as_the_check_judges_it(client, project, pm, spent, badge):
    # Ten days of twenty have passed: 50,000 of 100,000 planned by now; the check's amber is
    # beyond 110% of that, and the page's badge says the same.
    today = timezone.localdate()
    project.start_date, project.target_go_live = (
        today - timedelta(days=10),
        today + timedelta(days=10),
    )
    services.project_update(project=project, by=pm)
    _budget(project, pm, planned="100000", spent=spent, on=today - timedelta(days=1))
    client.force_login(pm)
    html = client.get(reverse("projects:budget", args=[project.key])).content.decode()
    assert ("ahead of plan" in html) is badge
    assert ("spend-ahead-of-plan" in codes(project, today)) is badge


@pytest.mark.django_db
def test_every_finding_a_person_is_shown_links_only_to_a_page_they_may_open(client):
    """On the demo, which has findings of every area: for each member of NWP, each link of a
    finding on the project's page opens, and a finding whose page is closed to them is text."""
    import re

    from projects import demo

    demo.load()
    project = Project.objects.get(key="NWP")
    services.findings_refresh(project=project)
    seen_unlinked = 0
    for membership in project.memberships.select_related("user"):
        client.force_login(membership.user)
        home = client.get(reverse("projects:home", args=[project.key])).content.decode()
        health = home[home.index('id="health-title"') :]
        findings = health.split("Closed in the last 30 days")[0]  # the open ones
        for link in set(re.findall(r'<span class="what"><a href="([^"]+)">', findings)):
            response = client.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, (membership.role, link, response.status_code)
        seen_unlinked += len(re.findall(r'<span class="what">[^<]', findings))
    assert seen_unlinked  # some roles read findings they cannot act on
