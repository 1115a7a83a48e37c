"""Each page's query count is pinned and does not grow with its rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import BudgetLine, CostEntry, Site
from projects.roles import Role
from tests.projects.factories import ClientFactory, ProjectFactory, SiteFactory, UserFactory


def _grow_projects(project, pm, n):
    for _ in range(n):
        SiteFactory(project=ProjectFactory(manager=pm))


def _grow_members(project, pm, n):
    for _ in range(n):
        services.membership_grant(project=project, user=UserFactory(), role=Role.TESTER, by=pm)


def _grow_history(project, pm, n):
    for _ in range(n):
        site = SiteFactory(project=project)
        site.name = f"Renamed {site.pk}"
        services.site_save(site=site, by=pm)


def _grow_sites(project, pm, n):
    for _ in range(n):
        services.site_save(site=Site(project=project, name=f"Site {Site.objects.count()}"), by=pm)


def _grow_clients(project, pm, n):
    for _ in range(n):
        ProjectFactory(client=ClientFactory(), manager=pm)


def _grow_users(project, pm, n):
    _grow_members(project, pm, n)


def _grow_budget(project, pm, n):
    """n lines on n sites, every other one vendor-internal, each with a cost in another
    currency; more entries than a page holds."""
    for k in range(n):
        line = services.budget_line_save(
            line=BudgetLine(project=project, category="internal_rebilling", name=f"Line {k}",
                            site=SiteFactory(project=project), planned_amount=Decimal(1000),
                            is_internal=k % 2 == 1),
            by=pm,
        )  # fmt: skip
        services.cost_entry_save(
            entry=CostEntry(project=project, line=line, date=date(2026, 10, 1), amount=Decimal(9),
                            description="Invoice", currency="USD", rate_to_project=Decimal("0.9")),
            by=pm,
        )  # fmt: skip


# url name, needs the project key, how to add rows, who looks, queries pinned
def _grow_findings(project, pm, n):
    from datetime import timedelta

    from django.utils import timezone

    from projects.models import CheckArea, Finding, Severity

    now = timezone.now()
    Finding.objects.bulk_create(
        Finding(
            project=project,
            code=f"grown:{Finding.objects.count()}-{i}",
            area=CheckArea.values[i % 5],
            severity=Severity.RED if i % 2 else Severity.AMBER,
            message=f"Problem {i}",
            url="/",
            owner=pm,
            opened_at=now - timedelta(days=i),
            closed_at=now if i % 3 == 0 else None,
        )
        for i in range(n)
    )


def _grow_portfolio(project, pm, n):
    for _ in range(n):
        _grow_findings(ProjectFactory(manager=pm), pm, 2)


def _grow_reports(project, pm, n):
    """n reports of both audiences, some by a schedule; more than a page holds."""
    from datetime import timedelta

    from projects.models import Report, ReportSchedule

    schedule = ReportSchedule.objects.create(project=project, audience="client", frequency="weekly")
    Report.objects.bulk_create(
        Report(project=project, audience=("client", "vendor")[k % 2], created_by=pm,
               period_start=date(2026, 10, 1), period_end=date(2026, 10, 1) + timedelta(days=k),
               schedule=schedule if k % 3 == 0 else None, state="done", pages=3,
               file=f"reports/{k}.pdf")
        for k in range(n)
    )  # fmt: skip


def _grow_schedules(project, pm, n):
    from projects.models import ReportSchedule

    for _ in range(n):
        schedule = ReportSchedule.objects.create(
            project=project, audience="client", frequency="weekly"
        )
        schedule.recipients.set([pm, UserFactory()])


PAGES = [
    ("projects:list", False, _grow_projects, "pm", 7),
    # Its "Start from" list holds every project the person manages.
    ("projects:create", False, _grow_projects, "pm", 6),
    ("projects:home", True, _grow_sites, "pm", 10),
    ("projects:home", True, _grow_findings, "pm", 10),
    ("projects:findings", True, _grow_findings, "pm", 8),
    ("projects:portfolio", False, _grow_portfolio, "pm", 6),
    ("projects:members", True, _grow_members, "pm", 9),
    ("projects:history", True, _grow_history, "pm", 10),
    ("projects:budget", True, _grow_budget, "pm", 11),
    ("projects:budget", True, _grow_budget, "spoc", 11),
    ("projects:reports", True, _grow_reports, "pm", 9),
    ("projects:reports", True, _grow_reports, "observer", 9),
    ("projects:report_schedules", True, _grow_schedules, "pm", 9),
    ("projects:client_list", False, _grow_clients, "staff", 5),
    ("projects:user_list", False, _grow_users, "staff", 5),
]


@pytest.mark.parametrize(("url_name", "scoped", "grow", "who", "pinned"), PAGES)
def test_query_count_is_pinned_at_two_sizes(
    client, project, pm, persona, django_assert_num_queries, url_name, scoped, grow, who, pinned
):
    url = reverse(url_name, args=[project.key] if scoped else [])
    client.force_login(persona(who))
    client.get(url)  # warm the per-process caches (content types) that a live server has warm
    for rows in (2, 30):
        grow(project, pm, rows)
        with django_assert_num_queries(pinned):
            response = client.get(url)
        assert response.status_code == 200


# The testing pages: the board, the list and a round, as they fill with feedback.


def _testing_setup(project, pm):
    from tests.conftest import _member
    from tests.requirements.uat import open_round

    testers = [_member(project, Role.TESTER) for _ in range(2)]
    return open_round(project, testers), testers


def _grow_feedback(test_round, testers, n):
    from requirements.models import FeedbackStatus
    from tests.requirements.uat import log, move, must

    pm = test_round.project.memberships.get(role=Role.PROJECT_MANAGER).user
    for i in range(n):
        requirement = must(test_round.project, title=f"Requirement {i}")
        test_round.requirements.add(requirement)
        tester = testers[i % 2]
        item = log(test_round, tester, requirement=requirement, severity="major")
        if i % 3 == 0:
            move(item, FeedbackStatus.FIXING, pm)


TESTING_PAGES = [
    ("requirements:feedback_board", False, 12),
    ("requirements:feedback_list", False, 13),
    ("requirements:round", True, 11),
]


@pytest.mark.parametrize(("url_name", "with_round", "pinned"), TESTING_PAGES)
def test_testing_pages_query_count_is_pinned_at_two_sizes(
    client, project, pm, django_assert_num_queries, url_name, with_round, pinned
):
    test_round, testers = _testing_setup(project, pm)
    url = reverse(url_name, args=[project.key, test_round.pk] if with_round else [project.key])
    client.force_login(pm)
    client.get(url)
    for rows in (2, 30):
        _grow_feedback(test_round, testers, rows)
        with django_assert_num_queries(pinned):
            response = client.get(url)
        assert response.status_code == 200
