"""Each page's query count is pinned and does not grow with its rows."""

import pytest
from django.urls import reverse

from projects import services
from projects.models import Site
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


# url name, needs the project key, how to add rows, who looks, queries pinned
PAGES = [
    ("projects:list", False, _grow_projects, "pm", 7),
    ("projects:home", True, _grow_sites, "pm", 10),
    ("projects:members", True, _grow_members, "pm", 9),
    ("projects:history", True, _grow_history, "pm", 10),
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
