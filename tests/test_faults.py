"""Faults that lose nothing, with real services: workers killed with SIGKILL in the
middle of their work, Redis stopped for a while, PostgreSQL restarted under a running app.

Each test starts what it breaks: its own redis-server, Celery workers and PostgreSQL cluster,
never the shared ones. They run on the PostgreSQL leg of CI (see .ci/run)."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from projects.models import Membership, Notification, OutboxMessage, Report, ReportState
from projects.roles import Role
from tests.faults import Browser, Mailbox, PostgresCluster, Processes, RedisServer, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_real_services():
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("fault tests run against PostgreSQL (DATABASE_URL), as on CI's second leg")
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: tasks run in-process here (see .ci/run)")


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox():
    # Slow enough that a fan-out takes seconds: there is a middle to kill the worker in.
    box = Mailbox(delay=0.02)
    yield box
    box.close()


def _publish(task, *args, broker_url):
    """Queue `task` on the private broker, where the test's own workers listen."""
    from config.celery import app

    with app.connection_for_write(broker_url) as conn:
        task.apply_async(args, connection=conn)


def test_a_killed_digest_fan_out_reaches_all_200_members_once(project, processes, redis, mailbox):
    from stakeholders.models import Entry, EntryKind, Side
    from stakeholders.tasks import send_channel_digests

    people = get_user_model().objects.bulk_create(
        get_user_model()(email=f"reader{n:03d}@client.example", password="!") for n in range(200)
    )
    Membership.objects.bulk_create(
        Membership(project=project, user=person, role=Role.STAKEHOLDER, wants_digest=True)
        for person in people
    )
    author = Membership.objects.get(project=project, role=Role.PROJECT_MANAGER).user
    Entry.objects.create(
        project=project,
        kind=EntryKind.DECISION,
        author=author,
        author_side=Side.VENDOR,
        subject="Single sign-on goes through the client's Azure AD",
    )
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}"}
    first = processes.worker("first", broker_url=redis.url, env=env)
    _publish(send_channel_digests, timezone.now().date().isoformat(), broker_url=redis.url)

    assert wait_for(lambda: sum(mailbox.counts().values()) >= 40, 90)
    processes.kill(first)
    sent_before = sum(mailbox.counts().values())
    assert sent_before < 200, "the fan-out finished before the worker was killed"

    processes.worker("second", broker_url=redis.url, env=env)
    done = Notification.objects.filter(key__startswith="digest:", sent_at__isnull=False)
    assert wait_for(lambda: done.count() == 200, 90, 0.25)
    time.sleep(1)  # anything sent twice would have arrived by now
    counts = mailbox.counts()
    assert set(counts) == {person.email for person in people}
    # Only the e-mail in flight at the kill may have gone twice.
    assert sorted(counts.values())[-2] == 1 and max(counts.values()) <= 2


def test_a_report_whose_worker_was_killed_is_drawn_once_and_not_left_running(
    project, pm, processes, redis
):
    from projects.tasks import generate_report

    today = timezone.localdate()
    report = Report.objects.create(
        project=project,
        audience="client",
        period_start=today - datetime.timedelta(days=13),
        period_end=today,
        paper="a4",
        created_by=pm,
    )
    first = processes.worker("first", broker_url=redis.url, env={})
    _publish(generate_report, report.pk, broker_url=redis.url)
    drawing = Report.objects.filter(pk=report.pk, state=ReportState.RUNNING)
    assert wait_for(drawing.exists, 90)
    processes.kill(first)
    report.refresh_from_db()
    assert report.state == ReportState.RUNNING and not report.file

    processes.worker("second", broker_url=redis.url, env={})
    done = Report.objects.filter(pk=report.pk, state=ReportState.DONE)
    assert wait_for(done.exists, 120, 0.25)
    report.refresh_from_db()
    assert report.progress == 100 and report.pages >= 2
    assert Report.objects.filter(project=project).count() == 1
    with report.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_an_import_whose_worker_was_killed_imports_every_row_once(project, pm, processes, redis):
    from requirements.models import ImportJob, ImportState, Requirement
    from requirements.tasks import import_requirements

    size = 1500
    rows = "".join(f"Learner record export {n},could\n" for n in range(size))
    job = ImportJob.objects.create(
        project=project,
        created_by=pm,
        filename="big.csv",
        content=("title,priority\n" + rows).encode(),
        total=size,
        state=ImportState.QUEUED,
    )
    first = processes.worker("first", broker_url=redis.url, env={})
    _publish(import_requirements, job.pk, broker_url=redis.url)
    checking = ImportJob.objects.filter(pk=job.pk, state=ImportState.RUNNING, processed__gte=50)
    assert wait_for(checking.exists, 90)
    processes.kill(first)
    job.refresh_from_db()
    assert job.state == ImportState.RUNNING
    assert not Requirement.objects.filter(project=project).exists()  # all or none

    processes.worker("second", broker_url=redis.url, env={})
    done = ImportJob.objects.filter(pk=job.pk, state=ImportState.DONE)
    assert wait_for(done.exists, 120, 0.25)
    numbers = list(Requirement.objects.filter(project=project).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, size + 1))
    job.refresh_from_db()
    assert (job.first_number, job.last_number, job.processed) == (1, size, size)


def _signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_with_redis_stopped_pages_serve_actions_save_and_the_work_runs_when_it_is_back(
    project, pm, processes, redis
):
    processes.worker("worker", broker_url=redis.url, env={"OUTBOX_DRAIN_SECONDS": "1"}, beat=True)
    port = processes.serve("web", env={"CELERY_BROKER_URL": redis.url})
    browser = Browser(port, _signed_in(pm))
    response, _page = browser.request("GET", f"/p/{project.key}/reports/")
    assert response.status == 200 and browser.csrf_token

    redis.stop()
    response, page = browser.request("GET", f"/p/{project.key}/")
    assert response.status == 200 and "Northwind rollout" in page
    today = timezone.localdate().isoformat()
    started = time.monotonic()
    response, _page = browser.request(
        "POST",
        f"/p/{project.key}/reports/new/",
        {"audience": "client", "period_start": today, "period_end": today, "paper": "a4"},
    )
    elapsed = time.monotonic() - started
    assert response.status == 302, _page
    assert elapsed < 1.5, f"the request waited {elapsed:.2f}s on the stopped broker"
    report = Report.objects.get(project=project)
    assert report.state == ReportState.QUEUED
    assert OutboxMessage.objects.filter(task="projects.tasks.generate_report").exists()
    # A second action with the broker still down does not wait at all.
    started = time.monotonic()
    response, _page = browser.request(
        "POST",
        f"/p/{project.key}/reports/new/",
        {"audience": "vendor", "period_start": today, "period_end": today, "paper": "a4"},
    )
    assert response.status == 302 and time.monotonic() - started < 1.0
    time.sleep(2)

    redis.start()
    done = Report.objects.filter(project=project, state=ReportState.DONE)
    assert wait_for(lambda: done.count() == 2, 120, 0.25)
    assert not OutboxMessage.objects.exists()


def test_with_postgresql_restarted_the_app_shows_an_error_page_then_recovers(
    project, pm, processes
):
    session = _signed_in(pm)
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        url = cluster.copy_database("liaison")
        # Connections kept between requests: the restart must not leave the app a dead one.
        port = processes.serve(
            "web", env={"DATABASE_URL": url, "CONN_MAX_AGE": "600", "CELERY_BROKER_URL": ""}
        )
        web = processes.started[-1]
        browser = Browser(port, session)
        response, page = browser.request("GET", f"/p/{project.key}/")
        assert response.status == 200, response.getheader("Location")
        assert "Northwind rollout" in page

        cluster.stop()
        started = time.monotonic()
        response, page = browser.request("GET", f"/p/{project.key}/")
        assert time.monotonic() - started < 5
        assert response.status == 503 and response.getheader("Retry-After") == "30"
        assert "Something went wrong on our side" in page
        assert "Traceback" not in page and "OperationalError" not in page
        assert "default-src 'self'" in response.getheader("Content-Security-Policy")
        assert response.getheader("X-Content-Type-Options") == "nosniff"

        cluster.start()
        response, page = browser.request("GET", f"/p/{project.key}/")
        assert response.status == 200 and "Northwind rollout" in page
        # The same process served throughout: nothing restarted it.
        assert web.poll() is None
        assert (processes.logdir / "web.log").read_text().count("Booting worker") == 1
    finally:
        processes.stop_all()
        cluster.remove()
