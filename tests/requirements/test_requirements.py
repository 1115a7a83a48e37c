import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.access import project_permissions
from projects.versions import StaleEdit
from requirements import services
from requirements.models import Goal, Requirement, Status
from stakeholders.models import Stakeholder
from stakeholders.services import stakeholder_save
from tests.concurrency import at_once, postgresql_only
from tests.projects.factories import ProjectFactory, SiteFactory


def submit(project, by, **fields):
    return services.requirement_submit(
        requirement=Requirement(project=project, title=fields.pop("title", "SSO"), **fields), by=by
    )


def url(name, project, *args):
    return reverse(f"requirements:{name}", args=[project.key, *args])


def test_keys_are_numbered_per_project_without_gaps(project, pm):
    other = ProjectFactory(key="OTH", manager=pm)
    keys = [submit(project, pm).key, submit(other, pm).key, submit(project, pm).key]
    assert keys == ["NWP-1", "OTH-1", "NWP-2"]


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_concurrent_submissions_get_distinct_gapless_numbers(pm):
    project = ProjectFactory(manager=pm)

    def worker():
        for _ in range(5):
            submit(project, pm)

    errors = at_once(worker)
    assert errors == []
    numbers = sorted(Requirement.objects.filter(project=project).values_list("number", flat=True))
    assert numbers == list(range(1, 21))


def test_a_goal_site_or_submitter_of_another_project_is_refused(project, pm):
    other = ProjectFactory(manager=pm)
    foreign_goal = services.goal_save(goal=Goal(project=other, title="Elsewhere"), by=pm)
    foreign_site = SiteFactory(project=other)
    for field, value in (("goal", foreign_goal), ("site", foreign_site)):
        with pytest.raises(ValidationError) as refusal:
            submit(project, pm, **{field: value})
        assert field in refusal.value.message_dict
    assert not Requirement.objects.exists()


def test_a_stale_edit_is_refused_and_the_saved_version_kept(project, pm, team_member):
    requirement = submit(project, pm, title="Original")
    mine, theirs = (Requirement.objects.get(pk=requirement.pk) for _ in range(2))
    theirs.title = "Their change"
    services.requirement_update(requirement=theirs, read_version=1, by=team_member)
    mine.title = "My change"
    with pytest.raises(StaleEdit) as refusal:
        services.requirement_update(requirement=mine, read_version=1, by=pm)
    assert refusal.value.current.title == "Their change"
    requirement.refresh_from_db()
    assert (requirement.title, requirement.version) == ("Their change", 2)


def test_the_second_editor_is_told_and_shown_the_saved_version(client, project, pm, team_member):
    requirement = submit(project, pm, title="Original")
    data = {
        "title": "X",
        "area": "platform",
        "priority": "must",
        "kind": "functional",
        "version": 1,
    }
    client.force_login(team_member)
    client.post(url("edit", project, requirement.number), {**data, "title": "Their change"})
    client.force_login(pm)
    response = client.post(url("edit", project, requirement.number), {**data, "title": "Mine"})
    html = response.content.decode()
    assert "changed this requirement while you were editing it" in html
    assert "Their change" in html
    requirement.refresh_from_db()
    assert requirement.title == "Their change"


def test_a_client_stakeholder_follows_only_their_own(client, project, pm, stakeholder, tester):
    me = stakeholder_save(
        stakeholder=Stakeholder(
            project=project, name="Marc", department="ld", email=stakeholder.email, user=stakeholder
        ),
        by=pm,
    )
    mine = submit(project, stakeholder, title="Mine", submitter=me)
    theirs = submit(project, pm, title="Someone else's")
    client.force_login(stakeholder)
    html = client.get(url("list", project)).content.decode()
    assert "Mine" in html and "Someone else" not in html
    assert client.get(url("detail", project, mine.number)).status_code == 200
    assert client.get(url("detail", project, theirs.number)).status_code == 404
    client.force_login(tester)
    assert client.get(url("list", project)).status_code == 403


def test_a_requirement_of_another_project_is_not_found(client, project, pm, outsider):
    other = ProjectFactory(key="OTH", manager=pm)
    submit(other, pm)
    client.force_login(pm)
    assert client.get(url("detail", project, 1)).status_code == 404
    client.force_login(outsider)
    assert client.get(url("detail", project, 1)).status_code == 404


def test_only_the_buttons_a_person_may_use_are_shown(client, project, pm, spoc):
    requirement = submit(project, pm)
    client.force_login(pm)
    html = client.get(url("detail", project, requirement.number)).content.decode()
    assert "Endorse" not in html and "Next step" not in html
    client.force_login(spoc)
    html = client.get(url("detail", project, requirement.number)).content.decode()
    assert "Endorse" in html and "Return for clarification" in html
    response = client.post(
        url("transition", project, requirement.number), {"to": "endorsed"}, follow=True
    )
    assert "NWP-1 is now endorsed" in response.content.decode()


def test_a_client_stakeholder_cannot_endorse(client, project, pm, stakeholder):
    requirement = submit(project, stakeholder)
    client.force_login(stakeholder)
    client.post(url("transition", project, requirement.number), {"to": "endorsed"})
    requirement.refresh_from_db()
    assert requirement.status == Status.SUBMITTED


def test_the_list_filters_searches_and_sorts(client, project, pm):
    goal = services.goal_save(goal=Goal(project=project, title="Certify sales"), by=pm)
    submit(project, pm, title="Single sign-on", priority="must")
    submit(project, pm, title="Leaderboard", priority="could", goal=goal)
    client.force_login(pm)

    def results(**params):
        response = client.get(url("list", project), params, headers={"HX-Request": "true"})
        return response.content.decode()

    assert "Leaderboard" not in results(priority="must")
    assert "Single sign-on" not in results(goal=goal.pk)
    assert "Leaderboard" in results(q="NWP-2") and "Single sign-on" not in results(q="NWP-2")
    html = results(sort="-key")
    assert html.index("Leaderboard") < html.index("Single sign-on")


def test_goals_page_lists_requirements_that_trace_to_no_goal(client, project, pm):
    goal = services.goal_save(
        goal=Goal(project=project, title="Certify sales", tactics=["mobile"]), by=pm
    )
    submit(project, pm, title="Traced", goal=goal)
    submit(project, pm, title="Orphan")
    client.force_login(pm)
    html = client.get(url("goals", project)).content.decode()
    assert "1 open requirement traces to no goal" in html
    assert "Mobile learning" in html and "Traced" in html


@pytest.mark.parametrize(("name", "detail"), [("list", False), ("detail", True), ("goals", False)])
def test_query_count_does_not_grow_with_requirements(
    client, project, pm, django_assert_max_num_queries, name, detail
):
    goal = services.goal_save(goal=Goal(project=project, title="Certify sales"), by=pm)
    site = SiteFactory(project=project)
    client.force_login(pm)
    counts = []
    for rows in (2, 30):
        for _ in range(rows):
            requirement = submit(project, pm, goal=goal, site=site)
            services.requirement_transition(
                requirement=requirement,
                to="withdrawn",
                reason="x",
                perms=project_permissions(pm, project) | {"endorse_requirement"},
                by=pm,
            )
        address = url(name, project, *([1] if detail else []))
        client.get(address)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12


def test_a_tester_guessing_another_projects_requirement_gets_404(client, project, pm, tester):
    other = ProjectFactory(key="OTH", manager=pm)
    submit(other, pm)
    client.force_login(tester)
    assert client.get(url("detail", other, 1)).status_code == 404
    assert client.get(url("list", other)).status_code == 404


def test_sorting_by_status_follows_the_workflow(client, project, pm):
    for title, status in (("Withdrawn one", "withdrawn"), ("Accepted one", "accepted"),
                          ("Declined one", "declined"), ("Submitted one", "submitted"),
                          ("Endorsed one", "endorsed")):  # fmt: skip
        Requirement.objects.filter(pk=submit(project, pm, title=title).pk).update(status=status)
    client.force_login(pm)
    html = client.get(url("list", project), {"sort": "status"}).content.decode()
    order = ["Submitted one", "Endorsed one", "Accepted one", "Declined one", "Withdrawn one"]
    assert sorted(order, key=html.index) == order
