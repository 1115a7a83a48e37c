"""Each page's query count is pinned and does not grow with its rows."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import BudgetLine, CostEntry, Site
from projects.roles import Role
from tests.projects.factories import ClientFactory, ProjectFactory, SiteFactory, UserFactory
from tests.rendering import no_queries_while_rendering


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


def _grow_audit(project, pm, n):
    """n events of each kind the page shows differently: by a person, with a project, and a
    failed sign-in by no account."""
    from audit import services as audit
    from audit.models import Kind

    for k in range(n):
        audit.record(Kind.EXPORT, user=pm, project=project, subject=f"NWP-raid-{k}.csv")
        audit.record(Kind.SIGN_IN_FAILED, username=f"guess{k}@example.com")
        audit.record(Kind.ACCESS_REFUSED, user=UserFactory(), subject="Refused")


def _grow_changes(project, pm, n):
    """n change requests, each to add an endorsed requirement of its own to the baseline."""
    from requirements import services as requirement_services
    from requirements.models import ChangeKind, ChangeRequest, Requirement, Status
    from tests.requirements.uat import must

    if not project.baselines.exists():
        accepted = must(project, title="Accepted")
        Requirement.objects.filter(pk=accepted.pk).update(status=Status.ACCEPTED)
        requirement_services.baseline_create(project=project, note="Signed off", by=pm)
    for i in range(n):
        requirement = must(project, title=f"Requirement {i}")
        Requirement.objects.filter(pk=requirement.pk).update(status=Status.ENDORSED)
        requirement.refresh_from_db()
        change = ChangeRequest(requirement=requirement, kind=ChangeKind.ADD, description="Asked")
        requirement_services.change_request_raise(change=change, by=pm)


def _grow_conflicts(project, pm, n):
    """n conflicts between two requirements, every other one settled into the decision log by
    the area's accountable owner."""
    from requirements import services as requirement_services
    from tests.requirements.uat import must
    from tests.stakeholders.factories import accountable

    if not project.stakeholders.filter(user=pm).exists():
        accountable(project, pm, "platform", name="Owner", by=pm)
    for i in range(n):
        conflict = requirement_services.conflict_raise(
            first=must(project, title=f"Global {i}"),
            second=must(project, title=f"Regional {i}"),
            note="Opposite asks",
            by=pm,
        )
        if i % 2:
            requirement_services.conflict_resolve(conflict=conflict, resolution="Global", by=pm)


PAGES = [
    ("projects:list", False, _grow_projects, "pm", 6),
    # Its "Start from" list holds every project the person manages.
    ("projects:create", False, _grow_projects, "pm", 5),
    ("projects:home", True, _grow_sites, "pm", 6),
    ("projects:home", True, _grow_findings, "pm", 6),
    ("projects:findings", True, _grow_findings, "pm", 4),
    ("projects:portfolio", False, _grow_portfolio, "pm", 5),
    ("projects:members", True, _grow_members, "pm", 5),
    ("projects:history", True, _grow_history, "pm", 7),
    ("projects:budget", True, _grow_budget, "pm", 7),
    ("projects:budget", True, _grow_budget, "spoc", 8),
    ("projects:reports", True, _grow_reports, "pm", 5),
    ("projects:reports", True, _grow_reports, "observer", 6),
    ("projects:report_schedules", True, _grow_schedules, "pm", 6),
    ("projects:client_list", False, _grow_clients, "staff", 4),
    ("projects:user_list", False, _grow_users, "staff", 4),
    ("audit:list", False, _grow_audit, "staff", 4),
    ("requirements:changes", True, _grow_changes, "pm", 4),
    ("requirements:conflicts", True, _grow_conflicts, "pm", 5),
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
        with django_assert_num_queries(pinned), no_queries_while_rendering():
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
    ("requirements:feedback_board", False, "pm", 8),
    ("requirements:feedback_list", False, "pm", 9),
    ("requirements:round", True, "pm", 8),
    # A tester sees their own items of the round, and those they met too, instead of the
    # progress tables.
    ("requirements:round", True, "tester", 8),
]


@pytest.mark.parametrize(("url_name", "with_round", "who", "pinned"), TESTING_PAGES)
def test_testing_pages_query_count_is_pinned_at_two_sizes(
    client, project, pm, django_assert_num_queries, url_name, with_round, who, pinned
):
    test_round, testers = _testing_setup(project, pm)
    url = reverse(url_name, args=[project.key, test_round.pk] if with_round else [project.key])
    client.force_login(pm if who == "pm" else testers[0])
    client.get(url)
    for rows in (2, 30):
        _grow_feedback(test_round, testers, rows)
        with django_assert_num_queries(pinned), no_queries_while_rendering():
            response = client.get(url)
        assert response.status_code == 200


# The pages a big vendor's people live in stay within 10 queries (4 for an htmx
# fragment), the same at both sizes, with none while a template renders.


def _grow_requirements(project, pm, n):
    from tests.requirements.uat import must

    site = project.sites.first() or SiteFactory(project=project)
    for i in range(n):
        must(project, title=f"Requirement {i}", site=site if i % 2 else None)


REQUIREMENT_PAGES = [
    # A filtered, sorted list; the second size fills more than one page of 50.
    ("requirements:list", {"priority": "must", "sort": "-key"}, {}, 7),
    ("requirements:list", {"q": "Requirement", "status": "submitted"}, {}, 7),
    # The results fragment the filters swap in place.
    ("requirements:list", {"priority": "must"}, {"HX-Request": "true"}, 4),
    ("requirements:detail", {}, {}, 6),
]


@pytest.mark.parametrize(("url_name", "params", "headers", "pinned"), REQUIREMENT_PAGES)
def test_requirement_pages_query_count_is_pinned_at_two_sizes(
    client, project, pm, django_assert_num_queries, url_name, params, headers, pinned
):
    _grow_requirements(project, pm, 1)
    url = reverse(url_name, args=[project.key] + ([1] if url_name.endswith("detail") else []))
    client.force_login(pm)
    client.get(url, params, headers=headers)
    for rows in (2, 60):
        _grow_requirements(project, pm, rows)
        with django_assert_num_queries(pinned), no_queries_while_rendering():
            response = client.get(url, params, headers=headers)
        assert response.status_code == 200
        # The list's first page, or the detail of the first requirement, shows real rows.
        assert re.search(r"Requirement \d", response.content.decode())
    assert pinned <= (4 if headers else 10)


def test_board_filter_fragment_query_count_is_pinned_at_two_sizes(
    client, project, pm, django_assert_num_queries
):
    """The board as the filters swap it in place: no filter options are read for it."""
    test_round, testers = _testing_setup(project, pm)
    url = reverse("requirements:feedback_board", args=[project.key])
    client.force_login(pm)
    client.get(url, headers={"HX-Request": "true"})
    for rows in (2, 30):
        _grow_feedback(test_round, testers, rows)
        with django_assert_num_queries(4), no_queries_while_rendering():
            response = client.get(url, {"severity": "major"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert "Video does not play on the tablet" in html and "<html" not in html


@pytest.mark.parametrize(
    ("asked", "shown", "rows"), [("1", 1, 25), ("2", 2, 5), ("9", 2, 5), ("x", 1, 25)]
)
def test_a_page_carries_its_total_and_a_page_past_the_end_shows_the_last(
    rf, project, pm, asked, shown, rows
):
    from projects.models import Site
    from projects.pages import paginate

    _grow_sites(project, pm, 30)
    for items in (
        Site.objects.filter(project=project),
        Site.objects.filter(project=project).distinct(),
    ):
        page = paginate(rf.get("/", {"page": asked}), items)
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (shown, 30, 2)
        assert isinstance(page.object_list, list) and len(page.object_list) == rows


def test_rows_read_through_their_project_show_it_without_reading_it_again(
    project, pm, django_assert_num_queries
):
    """`in_project`: a row and the rows it links to in the project get the project the page
    loaded; a link to another project's row keeps its own, and an empty link stays empty."""
    from projects.pages import in_project
    from requirements import services as requirement_services
    from requirements.models import Conflict, Requirement
    from tests.requirements.uat import must

    conflict = requirement_services.conflict_raise(
        first=must(project, title="Global"), second=must(project, title="Regional"),
        note="Opposite asks", by=pm,
    )  # fmt: skip
    elsewhere = ProjectFactory(key="ELSE")
    stranger = must(elsewhere, title="Elsewhere")
    conflict = Conflict.objects.select_related("first", "second", "decision").get(pk=conflict.pk)
    conflict.second = Requirement.objects.get(pk=stranger.pk)
    with django_assert_num_queries(0):
        rows = in_project(project, [conflict], "first", "second", "decision")
        assert rows == [conflict] and conflict.project is project
        assert conflict.first.project is project and conflict.first.key == "NWP-1"
        assert conflict.decision is None
    assert conflict.second.key == "ELSE-1"  # read from its own project


@pytest.mark.parametrize(("card", "pinned"), [("1", 13), ("", 13)])
def test_a_status_change_fragment_query_count_is_pinned_at_two_sizes(
    client, project, pm, django_assert_num_queries, card, pinned
):
    """A triage on the board (the board swapped back) or on the item's page (its status panel
    swapped back, with the new history entry and the comments). Its writes (the row, its
    history, the reason as a comment and its history) keep it above a read-only fragment's 4."""
    from requirements.models import Feedback, FeedbackStatus

    test_round, testers = _testing_setup(project, pm)
    client.force_login(pm)
    for rows in (3, 30):
        _grow_feedback(test_round, testers, rows)
        item = Feedback.objects.filter(project=project, status=FeedbackStatus.NEW).first()
        url = reverse("requirements:feedback_transition", args=[project.key, item.number])
        with django_assert_num_queries(pinned), no_queries_while_rendering():
            response = client.post(
                url,
                {"to": "triaged", "card": card, "reason": "Seen"},
                headers={"HX-Request": "true"},
            )
        item.refresh_from_db()
        assert item.status == FeedbackStatus.TRIAGED
        html = response.content.decode()
        assert "<html" not in html and (item.title if card else "Seen") in html
