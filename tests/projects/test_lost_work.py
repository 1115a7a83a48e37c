"""Reports and imports whose message was lost (a broker restarted empty) are taken up again
by the beat, and never left "being drawn" or "importing" for good."""

import datetime

from django.utils import timezone

from projects import services
from projects.models import Report, ReportState
from requirements import services as requirement_services
from requirements.models import ImportJob, ImportState, Requirement


def _report(project, pm, *, state, age):
    today = timezone.localdate()
    report = Report.objects.create(
        project=project,
        audience="client",
        period_start=today,
        period_end=today,
        paper="a4",
        created_by=pm,
        state=state,
    )
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - age)
    return report


def test_a_report_left_being_drawn_is_drawn_by_the_next_beat(
    project, pm, django_capture_on_commit_callbacks
):
    lost = _report(project, pm, state=ReportState.RUNNING, age=datetime.timedelta(minutes=11))
    recent = _report(project, pm, state=ReportState.QUEUED, age=datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_requeue_lost(now=timezone.now()) == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.state == ReportState.DONE and lost.pages >= 2
    assert recent.state == ReportState.QUEUED  # still on its way: left alone


def test_a_report_lost_for_a_day_is_marked_failed(project, pm, django_capture_on_commit_callbacks):
    report = _report(project, pm, state=ReportState.RUNNING, age=datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_requeue_lost(now=timezone.now()) == 0
    report.refresh_from_db()
    assert report.state == ReportState.FAILED and not report.file


def _import(project, pm, *, age):
    job = ImportJob.objects.create(
        project=project,
        created_by=pm,
        filename="sso.csv",
        content=b"title,priority\nSingle sign-on with Azure AD,must\nLearner transcript,could\n",
        total=2,
        processed=1,
        state=ImportState.RUNNING,
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    return job


def test_an_import_left_running_imports_its_rows_once_at_the_next_beat(
    project, pm, django_capture_on_commit_callbacks
):
    job = _import(project, pm, age=datetime.timedelta(minutes=11))
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            requirement_services.imports_requeue_lost(now=timezone.now())
    job.refresh_from_db()
    assert job.state == ImportState.DONE and (job.first_number, job.last_number) == (1, 2)
    titles = Requirement.objects.filter(project=project).values_list("title", flat=True)
    assert sorted(titles) == ["Learner transcript", "Single sign-on with Azure AD"]


def test_an_import_lost_for_a_day_is_marked_failed_with_nothing_imported(
    project, pm, django_capture_on_commit_callbacks
):
    job = _import(project, pm, age=datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert requirement_services.imports_requeue_lost(now=timezone.now()) == 0
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert "nothing was imported" in job.message
    assert not Requirement.objects.filter(project=project).exists()
