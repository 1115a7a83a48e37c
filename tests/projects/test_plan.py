import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services, timeline
from projects.models import Milestone
from tests.projects.factories import ProjectFactory, SiteFactory

D = datetime.date


def milestone(name, planned, forecast, actual=None, site=None, go_live=False, pk=1):
    return SimpleNamespace(
        name=name,
        planned_date=planned,
        forecast_date=forecast,
        actual_date=actual,
        is_go_live=go_live,
        pk=pk,
        site=site,
        site_id=site.pk if site else None,
    )


def test_the_timeline_lays_out_lanes_and_flags():
    brazil = SimpleNamespace(pk=7, name="Brazil")
    chart = timeline.build(
        [
            milestone("Go-live Brazil", D(2027, 5, 3), D(2027, 5, 3), site=brazil, go_live=True),
            milestone("Configured", D(2026, 12, 4), D(2026, 12, 18)),
            milestone("Contract signed", D(2026, 11, 15), D(2026, 11, 15)),
            milestone("Kick-off", D(2026, 9, 7), D(2026, 9, 7), actual=D(2026, 9, 7)),
        ],
        today=D(2026, 11, 23),
    )
    assert [label for label, _y in chart.lanes] == ["", "Brazil"]
    rows = {row.name: row for row in chart.rows}
    assert [row.name for row in chart.rows] == [
        "Kick-off",
        "Contract signed",
        "Configured",
        "Go-live Brazil",
    ]
    assert (
        rows["Configured"].slipped and rows["Configured"].forecast_x > rows["Configured"].planned_x
    )
    assert rows["Contract signed"].overdue and not rows["Kick-off"].overdue
    assert rows["Kick-off"].actual_x is not None
    assert rows["Kick-off"].planned_x < chart.today_x < rows["Configured"].planned_x
    assert rows["Go-live Brazil"].label_left
    assert chart.chart_left <= min(r.planned_x for r in chart.rows)
    assert max(r.forecast_x for r in chart.rows) <= chart.chart_right
    assert [label for _x, label in chart.ticks][:3] == ["Sep", "Oct", "Nov"]


def test_no_milestones_no_timeline():
    assert timeline.build([], today=D(2026, 11, 23)) is None


def test_a_long_programme_uses_quarter_ticks():
    chart = timeline.build([milestone("A", D(2026, 1, 1), D(2029, 6, 1))], today=D(2026, 1, 1))
    assert len(chart.ticks) <= 16


@pytest.fixture
def good_data():
    return {
        "name": "Go-live",
        "planned_date": "2027-03-01",
        "forecast_date": "",
        "budget_share": "15",
        "is_go_live": "on",
    }


def test_the_project_manager_adds_a_milestone_on_plan(client, project, pm, good_data):
    client.force_login(pm)
    response = client.post(
        reverse("projects:milestone_add", args=[project.key]), good_data, follow=True
    )
    html = response.content.decode()
    assert "Milestone Go-live saved." in html and "<svg" in html and "on plan" in html
    saved = Milestone.objects.get()
    assert (saved.forecast_date, saved.budget_share, saved.slip_days) == (
        D(2027, 3, 1),
        Decimal("15.00"),
        0,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"budget_share": "150"}, "budget_share", "between 0 and 100"),
        ({"planned_date": "1927-03-01"}, "planned_date", "between 2000 and 2100"),
        ({"planned_date": "2027-02-30"}, "planned_date", "Enter a valid date."),
        ({"actual_date": str(datetime.date.today() + datetime.timedelta(days=1))}, "actual_date",
         "It cannot be done on a day still to come: today or earlier."),
    ],
)  # fmt: skip
def test_bad_milestones_are_refused_on_the_field(
    client, project, pm, good_data, change, field, message
):
    client.force_login(pm)
    response = client.post(
        reverse("projects:milestone_add", args=[project.key]), {**good_data, **change}
    )
    assert message in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_milestone_of_another_project_is_not_found(client, project, pm):
    other = ProjectFactory(manager=pm)
    foreign = services.milestone_save(
        milestone=Milestone(
            project=other, name="X", planned_date=D(2027, 1, 1), forecast_date=D(2027, 1, 1)
        ),
        by=pm,
    )
    client.force_login(pm)
    assert (
        client.get(reverse("projects:milestone_edit", args=[project.key, foreign.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("projects:milestone_archive", args=[project.key, foreign.pk])
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.archived_at is None


def test_a_milestone_cannot_name_another_projects_site(project, pm):
    foreign_site = SiteFactory(project=ProjectFactory(manager=pm))
    with pytest.raises(ValidationError):
        services.milestone_save(
            milestone=Milestone(
                project=project,
                site=foreign_site,
                name="X",
                planned_date=D(2027, 1, 1),
                forecast_date=D(2027, 1, 1),
            ),
            by=pm,
        )


def test_archived_milestones_leave_the_plan_but_stay(client, project, pm):
    kept = services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Old step",
            planned_date=D(2027, 1, 1),
            forecast_date=D(2027, 1, 1),
        ),
        by=pm,
    )
    client.force_login(pm)
    client.post(reverse("projects:milestone_archive", args=[project.key, kept.pk]), follow=True)
    assert (
        "Old step" not in client.get(reverse("projects:plan", args=[project.key])).content.decode()
    )
    assert Milestone.objects.filter(pk=kept.pk).exists()


def test_the_plan_query_count_does_not_grow_with_milestones(client, project, pm):
    site = SiteFactory(project=project)
    address = reverse("projects:plan", args=[project.key])
    client.force_login(pm)
    client.get(address)
    counts = []
    for rows in (2, 30):
        for n in range(rows):
            services.milestone_save(
                milestone=Milestone(
                    project=project,
                    site=site if n % 2 else None,
                    name=f"M{n}",
                    owner=pm,
                    planned_date=D(2027, 1, 1),
                    forecast_date=D(2027, 1, 15),
                ),
                by=pm,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("local_alternative_cost", "-1", "Enter zero or more: an amount cannot be negative."),
        ("content_qc_target_days", "99999999999999999", "Enter at most 365 days"),
        ("content_qc_target_days", "366", "Enter at most 365 days"),
    ],
)
def test_a_site_figure_no_site_has_is_refused_beside_it(client, project, pm, field, value, message):
    client.force_login(pm)
    response = client.post(
        reverse("projects:site_add", args=[project.key]),
        {"name": "Brazil", "kind": "country", field: value},
    )
    assert message in " ".join(response.context["form"].errors[field])
    assert not project.sites.exists()


def test_a_site_keeps_its_glocal_details(client, project, pm):
    client.force_login(pm)
    client.post(
        reverse("projects:site_add", args=[project.key]),
        {
            "name": "Brazil",
            "kind": "country",
            "languages": "Portuguese",
            "local_owner": "Rafael",
            "content_qc_target_days": "21",
            "local_alternative_cost": "15000.50",
            "configuration_notes": "Local tax catalogue",
        },
    )
    site = project.sites.get()
    assert (site.languages, site.content_qc_target_days, site.local_alternative_cost) == (
        "Portuguese",
        21,
        Decimal("15000.50"),
    )


def test_an_unfinished_milestone_past_its_forecast_shows_as_overdue(client, project, pm):
    services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Contract signed",
            planned_date=D(2020, 1, 1),
            forecast_date=D(2020, 1, 1),
        ),
        by=pm,
    )
    client.force_login(pm)
    html = client.get(reverse("projects:plan", args=[project.key])).content.decode()
    assert '<span class="badge bad">overdue</span>' in html and "on plan" not in html


def test_a_member_subscribes_to_milestones_and_can_revoke_the_link(client, project, pm, tester):
    services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Go-live Germany",
            planned_date=D(2027, 3, 1),
            forecast_date=D(2027, 3, 8),
        ),
        by=pm,
    )
    client.force_login(tester)
    html = client.post(reverse("projects:calendar_link", args=[project.key]), follow=True)
    link = re.search(r"http://127\.0\.0\.1:8000(/calendar/[^<]+\.ics)", html.content.decode())[1]
    client.logout()  # a calendar program does not sign in
    feed = client.get(link)
    assert feed["Content-Type"] == "text/calendar"
    body = feed.content.decode()
    assert "SUMMARY:NWP: Go-live Germany" in body and "DTSTART;VALUE=DATE:20270308" in body
    client.force_login(tester)
    client.post(reverse("projects:calendar_link", args=[project.key]))
    client.logout()
    assert client.get(link).status_code == 404  # the old link no longer works


def test_a_removed_member_s_calendar_link_stops_working(client, project, pm, tester):
    from projects.models import Membership

    membership = Membership.objects.get(user=tester)
    services.member_new_calendar_link(membership=membership, by=tester)
    link = reverse("projects:calendar_feed", args=[membership.calendar_token])
    assert client.get(link).status_code == 200
    services.member_remove(membership=membership, by=pm)
    assert client.get(link).status_code == 404
    assert client.get(reverse("projects:calendar_feed", args=["guessed-token"])).status_code == 404


def _release(project, site, ready, available, pm, title="Module"):
    from projects.models import ContentRelease

    return services.release_save(
        release=ContentRelease(
            project=project, site=site, title=title, ready_on=ready, available_on=available
        ),
        by=pm,
    )


def test_lead_time_per_site_against_its_target(project, pm):
    from projects.models import lead_times

    germany = SiteFactory(project=project, name="Germany", content_qc_target_days=10)
    brazil = SiteFactory(project=project, name="Brazil", content_qc_target_days=21)
    spain = SiteFactory(project=project, name="Spain")
    for days in (8, 12, 9):
        _release(project, germany, D(2026, 10, 1), D(2026, 10, 1) + datetime.timedelta(days), pm)
    for days in (20, 24):
        _release(project, brazil, D(2026, 10, 1), D(2026, 10, 1) + datetime.timedelta(days), pm)
    _release(project, brazil, D(2026, 11, 1), None, pm)  # not yet available: not counted
    rows = {
        row["site"].name: row
        for row in lead_times([germany, brazil, spain], project.releases.all())
    }
    assert (rows["Germany"]["median"], rows["Germany"]["over"]) == (9, False)
    assert (rows["Brazil"]["median"], rows["Brazil"]["count"], rows["Brazil"]["over"]) == (
        22,
        2,
        True,
    )
    assert (rows["Spain"]["median"], rows["Spain"]["over"]) == (None, False)


def test_a_release_cannot_be_available_before_it_is_ready(client, project, pm):
    site = SiteFactory(project=project)
    client.force_login(pm)
    response = client.post(
        reverse("projects:release_add", args=[project.key]),
        {
            "site": site.pk,
            "title": "Module",
            "ready_on": "2026-10-10",
            "qc_passed_on": "2026-10-01",
            "available_on": "2026-10-05",
        },
    )
    html = response.content.decode()
    assert "The check cannot pass before the content is ready." in html
    assert "Content cannot be available before it is ready." in html
    assert not project.releases.exists()


def test_a_release_cannot_be_available_before_its_check_passed(client, project, pm):
    site = SiteFactory(project=project)
    client.force_login(pm)
    response = client.post(
        reverse("projects:release_add", args=[project.key]),
        {"site": site.pk, "title": "Module", "ready_on": "2026-10-01",
         "qc_passed_on": "2026-10-10", "available_on": "2026-10-05"},
    )  # fmt: skip
    assert "Content cannot be available before its check passed." in response.content.decode()
    assert not project.releases.exists()
