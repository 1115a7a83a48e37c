"""No lost update (two people saving the same item) and no double submit (a create form sent
twice makes one row), through the pages people use."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import (
    BudgetLine,
    CostEntry,
    Milestone,
    Project,
    RaidItem,
    Site,
    Submission,
)
from projects.versions import StaleEdit, differences
from requirements.models import Feedback, FeedbackComment, Requirement
from stakeholders.models import Entry
from tests.concurrency import at_once, postgresql_only
from tests.projects.factories import ProjectFactory
from tests.requirements.uat import log, move, open_round


def _milestone(project, **fields):
    return services.milestone_save(
        milestone=Milestone(project=project, name="Go-live", planned_date=date(2027, 3, 1),
                            forecast_date=date(2027, 3, 1), **fields),
        by=None,
    )  # fmt: skip


MILESTONE = {"name": "Go-live", "planned_date": "2027-03-01", "forecast_date": "2027-03-01"}


# Stale edits


def test_the_differences_mark_what_the_other_person_changed(project, pm):
    milestone = _milestone(project)
    read = Milestone.objects.get(pk=milestone.pk)
    theirs = Milestone.objects.get(pk=milestone.pk)
    theirs.forecast_date = date(2027, 4, 1)
    yours = Milestone.objects.get(pk=milestone.pk)
    yours.name = "Launch"
    changes = {c.label: c for c in differences(current=theirs, yours=yours, read=read)}
    assert set(changes) == {"Forecast", "Name"}
    assert (changes["Forecast"].theirs, changes["Forecast"].yours) == ("2027-04-01", "2027-03-01")
    assert changes["Forecast"].by_them and not changes["Name"].by_them


def test_a_stale_milestone_save_is_refused_and_theirs_kept(project, pm, team_member):
    milestone = _milestone(project)
    theirs, mine = (Milestone.objects.get(pk=milestone.pk) for _ in range(2))
    theirs.forecast_date = date(2027, 4, 1)
    services.milestone_save(milestone=theirs, read_version=1, by=team_member)
    mine.name = "Launch"
    with pytest.raises(StaleEdit) as refusal:
        services.milestone_save(milestone=mine, read_version=1, by=pm)
    assert [c.label for c in refusal.value.changes if c.by_them] == ["Forecast"]
    milestone.refresh_from_db()
    assert (milestone.name, milestone.forecast_date, milestone.version) == (
        "Go-live",
        date(2027, 4, 1),
        2,
    )


def test_the_second_milestone_saver_sees_theirs_beside_yours_and_can_keep_theirs(
    client, project, pm
):
    milestone = _milestone(project)
    url = reverse("projects:milestone_edit", args=[project.key, milestone.pk])
    client.force_login(pm)
    form = client.get(url).content.decode()
    assert re.search(r'name="version" value="1"', form)
    client.post(url, {**MILESTONE, "forecast_date": "2027-04-01", "version": 1})
    response = client.post(url, {**MILESTONE, "name": "Launch", "version": 1})
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed this milestone while you were editing it" in html
    assert "Theirs (saved)" in html and "2027-04-01" in html and "Launch" in html
    assert "changed by them" in html
    milestone.refresh_from_db()
    assert (milestone.name, milestone.forecast_date) == ("Go-live", date(2027, 4, 1))
    # The form sent again is based on the saved version now: this time it is saved.
    assert 'name="version" value="2"' in html
    again = client.post(url, {**MILESTONE, "name": "Launch", "version": 2})
    assert again.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.name, milestone.version) == ("Launch", 3)


def test_the_second_requirement_editor_can_save_after_seeing_the_difference(
    client, project, pm, team_member
):
    from requirements import services as requirement_services

    requirement = requirement_services.requirement_submit(
        requirement=Requirement(project=project, title="Original"), by=pm
    )
    url = reverse("requirements:edit", args=[project.key, requirement.number])
    data = {"title": "X", "area": "platform", "priority": "must", "kind": "functional"}
    client.force_login(team_member)
    client.post(url, {**data, "title": "Their change", "version": 1})
    client.force_login(pm)
    html = client.post(url, {**data, "title": "Mine", "version": 1}).content.decode()
    assert "Their change" in html and "Mine" in html and "changed by them" in html
    assert client.post(url, {**data, "title": "Mine", "version": 2}).status_code == 302
    requirement.refresh_from_db()
    assert requirement.title == "Mine"


def test_a_second_triage_of_the_same_feedback_is_refused_and_shown(
    client, project, pm, team_member, tester
):
    feedback = log(open_round(project, [tester]), tester)
    url = reverse("requirements:feedback_transition", args=[project.key, feedback.number])
    client.force_login(team_member)
    assert client.post(url, {"to": "triaged", "version": 1}).status_code == 302
    client.force_login(pm)
    response = client.post(url, {"to": "wont_fix", "reason": "Old tablets", "version": 1})
    html = response.content.decode()
    assert "changed this feedback while you were editing it" in html
    assert "Theirs (saved)" in html and "Triaged" in html and "Won" in html
    feedback.refresh_from_db()
    assert (feedback.status, feedback.version) == ("triaged", 2)


def test_a_stale_feedback_triage_through_htmx_shows_the_difference_in_place(
    client, project, pm, team_member, tester
):
    feedback = log(open_round(project, [tester]), tester)
    move(feedback, "triaged", team_member)
    url = reverse("requirements:feedback_transition", args=[project.key, feedback.number])
    client.force_login(pm)
    data = {"to": "wont_fix", "reason": "Old tablets", "version": 1}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel" aria-labelledby="next-title"')
    assert "changed by them" in html
    assert 'name="version" value="2"' in html


@pytest.mark.parametrize("htmx", [True, False])
def test_a_stale_move_on_the_board_is_the_board_saying_where_the_card_went(
    client, project, pm, team_member, tester, htmx
):
    """By htmx the board is swapped in place; without JavaScript the move comes back to the
    board it was made on. Either way there is no form to compare, only where the card is."""
    feedback = log(open_round(project, [tester]), tester)
    move(feedback, "triaged", team_member)
    url = reverse("requirements:feedback_transition", args=[project.key, feedback.number])
    board = reverse("requirements:feedback_board", args=[project.key]) + "?severity=major"
    client.force_login(pm)
    data = {"to": "fixing", "version": 1, "card": "1", "next": board}
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, data, headers=headers, follow=True)
    html = response.content.decode()
    if htmx:
        assert html.lstrip().startswith('<div id="board"')
    else:
        assert response.redirect_chain[-1][0] == board
    message = f"NWP-F1: {team_member} moved it to “Triaged” meanwhile. Nothing was overwritten."
    assert message in html
    assert "Saved meanwhile, beside yours" not in html
    feedback.refresh_from_db()
    assert (feedback.status, feedback.version) == ("triaged", 2)


# Sent once


def _posted_twice(client, user, url, data):
    client.force_login(user)
    token = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode())[1]
    first = client.post(url, {**data, "once": token})
    second = client.post(url, {**data, "once": token})
    return first, second


def test_a_requirement_sent_twice_is_submitted_once(client, project, pm):
    url = reverse("requirements:new", args=[project.key])
    data = {"title": "SSO", "area": "platform", "priority": "must", "kind": "functional"}
    first, second = _posted_twice(client, pm, url, data)
    assert Requirement.objects.filter(project=project).count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Submission.objects.count() == 1


def test_feedback_sent_twice_is_logged_once(client, project, tester):
    test_round = open_round(project, [tester])
    url = reverse("requirements:feedback_new", args=[project.key, test_round.pk])
    data = {"title": "Video stops", "kind": "defect", "severity": "major"}
    first, second = _posted_twice(client, tester, url, data)
    assert Feedback.objects.filter(project=project).count() == 1
    assert first["Location"] == second["Location"]


def test_a_comment_sent_twice_is_posted_once(client, project, team_member, tester):
    feedback = log(open_round(project, [tester]), tester)
    detail = reverse("requirements:feedback", args=[project.key, feedback.number])
    client.force_login(team_member)
    token = re.search(r'name="once" value="([^"]+)"', client.get(detail).content.decode())[1]
    url = reverse("requirements:feedback_comment", args=[project.key, feedback.number])
    for _ in range(2):
        response = client.post(url, {"body": "Which browser?", "once": token})
        assert response.status_code == 302
    assert FeedbackComment.objects.filter(feedback=feedback).count() == 1


def test_a_channel_entry_sent_twice_is_posted_once(client, project, team_member):
    url = reverse("stakeholders:post", args=[project.key])
    data = {"kind": "question", "subject": "Which browsers?", "body": "Edge?"}
    first, second = _posted_twice(client, team_member, url, data)
    assert Entry.objects.filter(project=project, subject="Which browsers?").count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("url_name", "data", "model"),
    [
        ("projects:milestone_add", MILESTONE, Milestone),
        ("projects:raid_add", {"kind": "risk", "title": "Designer", "impact": "high",
                               "status": "open"}, RaidItem),
        ("projects:cost_entry_add", {"date": "2026-10-01", "description": "Invoice",
                                     "amount": "100", "currency": "EUR",
                                     "rate_to_project": "1"}, CostEntry),
    ],
)  # fmt: skip
def test_a_plan_or_budget_row_sent_twice_is_added_once(client, project, pm, url_name, data, model):
    if model is CostEntry:
        line = services.budget_line_save(
            line=BudgetLine(project=project, category="licences", name="Licences",
                            planned_amount=Decimal(1000)),
            by=pm,
        )  # fmt: skip
        data = {**data, "line": line.pk}
    first, second = _posted_twice(client, pm, reverse(url_name, args=[project.key]), data)
    assert model.objects.filter(project=project).count() == 1
    assert first.status_code == second.status_code == 302


def _a_site(project, pm):
    return services.site_save(site=Site(project=project, name="Germany"), by=pm)


@pytest.mark.parametrize(
    ("url_name", "data", "rows"),
    [
        ("projects:budget_line_add", {"category": "licences", "name": "Seats",
                                      "planned_amount": "1000"}, "budget_lines"),
        ("projects:site_add", {"name": "France", "kind": "country"}, "sites"),
        ("projects:release_add", {"title": "Catalogue", "ready_on": "2026-12-01"}, "releases"),
        ("requirements:goal_new", {"title": "Faster onboarding", "target": "Day 3"}, "goals"),
        ("requirements:round_new", {"name": "UAT 1", "starts_on": "2026-12-01",
                                    "ends_on": "2026-12-12"}, "test_rounds"),
        ("stakeholders:add", {"name": "Dana Weber", "email": "dana@client.example",
                              "side": "client", "department": "hr"}, "stakeholders"),
        ("projects:report_schedules", {"audience": "client", "frequency": "weekly",
                                       "weekday": "0", "day_of_month": "1", "hour": "8",
                                       "paper": "a4"},
         "report_schedules"),
    ],
)  # fmt: skip
def test_a_set_up_form_sent_twice_adds_one_row(client, project, pm, url_name, data, rows):
    if url_name == "projects:release_add":
        data = {**data, "site": _a_site(project, pm).pk}
    first, second = _posted_twice(client, pm, reverse(url_name, args=[project.key]), data)
    assert getattr(project, rows).count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_a_report_asked_for_twice_is_drawn_once(client, project, pm):
    client.force_login(pm)
    page = client.get(reverse("projects:reports", args=[project.key])).content.decode()
    token = re.search(r'name="once" value="([^"]+)"', page)[1]
    data = {"audience": "client", "period_start": "2026-11-01", "period_end": "2026-11-30",
            "paper": "a4", "once": token}  # fmt: skip
    url = reverse("projects:report_generate", args=[project.key])
    assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
    assert project.reports.count() == 1


def test_a_new_project_sent_twice_is_created_once(client, project, pm):
    data = {"name": "Acme rollout", "key": "ACM", "client": project.client_id,
            "lms_product": "Moodle Workplace", "deployment_model": "saas",
            "start_date": "2026-12-01", "target_go_live": "2027-06-01",
            "currency": "EUR"}  # fmt: skip
    first, second = _posted_twice(client, pm, reverse("projects:create"), data)
    # The token travels hidden, with no label of its own on the form.
    assert 'for="id_once"' not in client.get(reverse("projects:create")).content.decode()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Project.objects.filter(key="ACM").count() == 1


def test_a_refused_form_keeps_its_token_and_the_corrected_one_is_saved_once(client, project, pm):
    url = reverse("projects:milestone_add", args=[project.key])
    client.force_login(pm)
    token = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode())[1]
    refused = client.post(url, {**MILESTONE, "planned_date": "", "once": token})
    assert refused.status_code == 200 and f'value="{token}"' in refused.content.decode()
    assert client.post(url, {**MILESTONE, "once": token}).status_code == 302
    assert client.post(url, {**MILESTONE, "once": token}).status_code == 302
    assert Milestone.objects.filter(project=project).count() == 1


def test_someone_elses_token_creates_nothing_and_reveals_nothing(client, project, pm, team_member):
    url = reverse("stakeholders:post", args=[project.key])
    data = {"kind": "question", "subject": "Which browsers?", "body": "Edge?", "once": "t" * 32}
    client.force_login(pm)
    client.post(url, data)
    client.force_login(team_member)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "already sent" in response.content.decode()
    assert Entry.objects.filter(project=project).count() == 1


def test_two_forms_get_two_tokens(client, project, pm):
    client.force_login(pm)
    url = reverse("projects:raid_add", args=[project.key])
    tokens = {
        re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode())[1]
        for _ in range(2)
    }
    assert len(tokens) == 2


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_the_same_form_sent_at_once_from_four_tabs_makes_one_row(pm):
    project = ProjectFactory(manager=pm)
    url = reverse("requirements:new", args=[project.key])
    data = {"title": "SSO", "area": "platform", "priority": "must", "kind": "functional",
            "once": "same-token-from-every-tab"}  # fmt: skip
    answers = []

    def tab():
        browser = Client()
        browser.force_login(pm)
        answers.append(browser.post(url, data))

    errors = at_once(tab)
    assert errors == []
    assert Requirement.objects.filter(project=project).count() == 1
    assert {answer.status_code for answer in answers} == {302}
    assert len({answer["Location"] for answer in answers}) == 1
