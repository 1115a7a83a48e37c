"""The reports page: drawing a report, following its progress, downloading it; schedules."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Report, ReportSchedule, ReportState

D = datetime.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(audience="client", **fields):
    today = timezone.localdate()
    return {
        "audience": audience,
        "period_start": (today - datetime.timedelta(days=13)).isoformat(),
        "period_end": today.isoformat(),
        "paper": "a4",
        **fields,
    }


def _draw(client, project, captured, **fields):
    with captured(execute=True):
        response = client.post(
            reverse("projects:report_generate", args=[project.key]), _form(**fields)
        )
    return response


def test_project_manager_draws_a_report_and_downloads_it(
    client, project, pm, django_capture_on_commit_callbacks
):
    client.force_login(pm)
    response = _draw(client, project, django_capture_on_commit_callbacks, audience="vendor")
    assert response.status_code == 302
    report = Report.objects.get(project=project)
    assert (report.audience, report.state, report.created_by) == ("vendor", ReportState.DONE, pm)

    page = client.get(reverse("projects:reports", args=[project.key])).content.decode()
    download = reverse("projects:report_download", args=[project.key, report.pk])
    assert download in page and "Download PDF" in page

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert report.filename in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


def test_a_report_being_drawn_polls_its_own_row_until_it_is_ready(client, project, pm):
    client.force_login(pm)
    report = Report.objects.create(
        project=project, audience="client", period_start=D(2026, 11, 1),
        period_end=D(2026, 11, 14), progress=40, state="running",
    )  # fmt: skip
    url = reverse("projects:report", args=[project.key, report.pk])
    row = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert row.lstrip().startswith(f'<tr id="report-{report.pk}"')
    assert f'hx-get="{url}"' in row and 'value="40"' in row and "<html" not in row
    # Without JavaScript, the row's link leads to the list, which shows the state.
    assert client.get(url)["Location"] == reverse("projects:reports", args=[project.key])

    Report.objects.filter(pk=report.pk).update(state="done", progress=100, pages=4)
    row = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in row and "Download PDF (4 pages)" in row


def test_observer_reads_and_draws_client_reports_only(
    client, project, pm, observer, django_capture_on_commit_callbacks
):
    vendor = Report.objects.create(project=project, audience="vendor", period_start=D(2026, 11, 1),
                                   period_end=D(2026, 11, 13), state="done", pages=1)  # fmt: skip
    client.force_login(observer)
    page = client.get(reverse("projects:reports", args=[project.key])).content.decode()
    assert 'value="vendor"' not in page
    assert reverse("projects:report", args=[project.key, vendor.pk]) not in page

    response = _draw(client, project, django_capture_on_commit_callbacks, audience="vendor")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Report.objects.filter(project=project).count() == 1

    assert _draw(client, project, django_capture_on_commit_callbacks).status_code == 302
    assert Report.objects.get(project=project, audience="client").created_by == observer


def test_client_reader_cannot_download_a_vendor_report_and_an_outsider_none(
    client, project, pm, spoc, outsider, django_capture_on_commit_callbacks
):
    client.force_login(pm)
    _draw(client, project, django_capture_on_commit_callbacks, audience="vendor")
    report = Report.objects.get(project=project)
    url = reverse("projects:report_download", args=[project.key, report.pk])
    for person in (spoc, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_a_period_that_ends_before_it_starts_is_refused_on_the_form(client, project, pm):
    client.force_login(pm)
    response = client.post(
        reverse("projects:report_generate", args=[project.key]),
        _form(period_start="2026-11-20", period_end="2026-11-01"),
    )
    assert "The period must end after it starts." in response.content.decode()
    assert not Report.objects.exists()


def test_the_period_defaults_to_the_days_since_the_last_report(client, project, pm):
    client.force_login(pm)
    today = timezone.localdate()
    page = client.get(reverse("projects:reports", args=[project.key])).content.decode()
    assert f'value="{today - datetime.timedelta(days=13):%Y-%m-%d}"' in page
    Report.objects.create(project=project, audience="client", period_start=D(2026, 1, 1),
                          period_end=today - datetime.timedelta(days=4))  # fmt: skip
    page = client.get(reverse("projects:reports", args=[project.key])).content.decode()
    assert f'value="{today - datetime.timedelta(days=3):%Y-%m-%d}"' in page


def test_manager_schedules_a_vendor_report_for_vendor_people_only(
    client, project, pm, team_member, spoc
):
    client.force_login(pm)
    url = reverse("projects:report_schedules", args=[project.key])
    data = {"audience": "vendor", "frequency": "weekly", "weekday": "4", "day_of_month": "1",
            "hour": "7", "paper": "letter", "recipients": [team_member.pk, spoc.pk]}  # fmt: skip
    response = client.post(url, data)
    assert "May not read this audience" in response.content.decode()
    assert not ReportSchedule.objects.exists()

    data["recipients"] = [team_member.pk, pm.pk]
    assert client.post(url, data).status_code == 302
    schedule = ReportSchedule.objects.get(project=project)
    assert (schedule.audience, schedule.weekday, schedule.hour) == ("vendor", 4, 7)
    assert set(schedule.recipients.all()) == {team_member, pm}
    assert {row.history_user for row in schedule.history.all()} == {pm}
    assert "Every Friday at 7:00" in client.get(url).content.decode()

    stop = reverse("projects:report_schedule_stop", args=[project.key, schedule.pk])
    assert client.post(stop).status_code == 302
    schedule.refresh_from_db()
    assert not schedule.active


def test_the_empty_report_list_offers_schedules_only_to_whoever_can_set_them(
    client, project, pm, observer
):
    url = reverse("projects:reports", args=[project.key])
    client.force_login(pm)
    assert "or let a schedule draw and e-mail it." in client.get(url).content.decode()
    client.force_login(observer)
    page = client.get(url).content.decode()
    assert "or let a schedule draw" not in page
    assert "the project manager can also have one drawn and e-mailed on a schedule." in page
