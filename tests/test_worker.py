"""Against a real broker and worker (the PostgreSQL leg of CI): the work leaves this process."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from projects import services
from projects.models import Invitation, Notification
from projects.roles import Role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_a_broker():
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: tasks run in-process here (see .ci/run for a worker)")


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_the_worker_sends_the_invitation(project, pm, mailoutbox):
    membership = services.member_add(
        project=project, email="worker.check@example.com", role=Role.TESTER, by=pm
    )
    invitation = Invitation.objects.get(user=membership.user)
    assert _wait_for(
        lambda: Notification.objects.filter(
            key=invitation.notification_key, sent_at__isnull=False
        ).exists()
    )
    assert mailoutbox == []  # nothing was sent from this process: the worker sent it
    mail_dir = os.environ.get("WORKER_MAIL_DIR")
    if mail_dir:
        sent = "\n".join(path.read_text() for path in Path(mail_dir).glob("*.log"))
        assert "worker.check@example.com" in sent
        assert "/accounts/password/set/" in sent


def test_the_worker_imports_a_large_file(project, pm):
    from requirements import services as requirement_services
    from requirements.models import ImportJob, ImportState, Requirement

    rows = "".join(f"Requirement {n},could\n" for n in range(150))
    job = ImportJob.objects.create(
        project=project,
        created_by=pm,
        filename="big.csv",
        content=("title,priority\n" + rows).encode(),
        total=150,
    )
    job = requirement_services.import_confirm(job=job, by=pm)
    assert job.state == ImportState.QUEUED  # handed to the worker, not run here
    assert _wait_for(lambda: ImportJob.objects.filter(pk=job.pk, state=ImportState.DONE).exists())
    assert Requirement.objects.filter(project=project).count() == 150


def test_the_worker_runs_the_nightly_checks(project, pm):
    from datetime import date

    from projects.models import Finding, Milestone
    from projects.tasks import run_nightly_checks

    milestone = Milestone.objects.create(
        project=project,
        name="Kick-off workshop",
        planned_date=date(2026, 11, 1),
        forecast_date=date(2026, 11, 1),
    )
    run_nightly_checks.delay()
    code = f"milestone-overdue:{milestone.pk}"
    assert _wait_for(lambda: Finding.objects.filter(project=project, code=code).exists())
    # The worker also told the project manager, in one e-mail for the run.
    told = Notification.objects.filter(key__startswith="findings:", recipient=pm)
    assert _wait_for(lambda: told.filter(sent_at__isnull=False).exists())
    assert told.count() == 1


def test_the_worker_draws_a_status_report(project, pm):
    from django.utils import timezone

    from projects.models import Report, ReportState
    from tests.pdf import pdf_text

    today = timezone.localdate()
    report = services.report_request(
        project=project, audience="client", start=today, end=today, paper="a4", by=pm
    )
    assert report.state == ReportState.QUEUED  # handed to the worker, not drawn here
    done = Report.objects.filter(pk=report.pk, state=ReportState.DONE)
    assert _wait_for(done.exists, seconds=120)
    report.refresh_from_db()
    assert report.progress == 100 and report.pages >= 2
    assert "Northwind rollout" in pdf_text(report.file.path)
