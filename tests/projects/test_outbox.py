"""The outbox: a task whose publish fails at commit is kept, and sent when the broker is back."""

import time

import pytest

from config.celery import app as celery_app
from projects import outbox, services
from projects.models import Invitation, Membership, OutboxMessage
from projects.roles import Role
from projects.tasks import drain_outbox
from tests.faults import free_port


def _forget_connections():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings, monkeypatch):
    """A broker address nothing listens on, with tasks published rather than run in-process."""
    settings.OUTBOX_BROKER_PAUSE_SECONDS = 0
    # Celery reads this one before its own settings, at each new connection.
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", f"redis://127.0.0.1:{free_port()}/0")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    _forget_connections()
    yield
    celery_app.conf.task_always_eager = previous
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL")
    _forget_connections()


def test_an_invitation_made_while_the_broker_is_down_goes_out_once_it_is_back(
    project, pm, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.member_add(
            project=project, email="late.invite@example.com", role=Role.TESTER, by=pm
        )
    assert time.monotonic() - started < 3  # the action does not hang on the broker
    assert Membership.objects.filter(pk=membership.pk, role=Role.TESTER).exists()
    waiting = OutboxMessage.objects.get()
    assert waiting.task == "projects.tasks.send_invitation"
    assert mailoutbox == []

    # The broker is back (here: tasks run in-process): the beat's drain sends it, once.
    celery_app.conf.task_always_eager = True
    assert drain_outbox() == 1
    assert [m.to for m in mailoutbox] == [["late.invite@example.com"]]
    assert not OutboxMessage.objects.exists()
    assert drain_outbox() == 0
    assert len(mailoutbox) == 1


def test_after_a_failed_publish_the_process_leaves_the_broker_alone_for_a_while(
    project, pm, broker_down, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_BROKER_PAUSE_SECONDS = 30
    outbox.broker_failed()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(3):
                services.member_add(
                    project=project, email=f"tester{n}@example.com", role=Role.TESTER, by=pm
                )
        assert outbox.publish() == 0
        assert OutboxMessage.objects.count() == 3
    finally:
        outbox._broker_down_until = 0.0


# Committed for real: the project's own first run of the checks must not still be pending.
@pytest.mark.django_db(transaction=True)
def test_checks_asked_for_while_the_broker_is_down_run_once_it_is_back(project, pm, broker_down):
    from datetime import date

    from projects.models import Finding, Milestone, PendingCheck

    milestone = services.milestone_save(
        milestone=Milestone(
            project=project,
            name="Kick-off workshop",
            planned_date=date(2026, 11, 1),
            forecast_date=date(2026, 11, 1),
            owner=pm,
        ),
        by=pm,
    )
    assert OutboxMessage.objects.get().task == "projects.tasks.run_project_checks"
    # The pending mark stays: a change made meanwhile joins this run instead of queueing one.
    assert PendingCheck.objects.filter(project=project).exists()
    code = f"milestone-overdue:{milestone.pk}"
    assert not Finding.objects.filter(project=project, code=code).exists()

    celery_app.conf.task_always_eager = True
    assert drain_outbox() == 1
    assert Finding.objects.filter(project=project, code=code, closed_at__isnull=True).exists()
    assert not PendingCheck.objects.filter(project=project).exists()


def test_a_task_no_longer_known_does_not_block_the_outbox(project, pm, mailoutbox):
    OutboxMessage.objects.create(task="projects.tasks.renamed_long_ago", args=[1])
    membership = services.member_add(
        project=project, email="next.in.line@example.com", role=Role.TESTER, by=pm
    )
    invitation = Invitation.objects.get(user=membership.user)
    OutboxMessage.objects.create(task="projects.tasks.send_invitation", args=[invitation.pk])
    assert drain_outbox() == 2
    assert [m.to for m in mailoutbox] == [["next.in.line@example.com"]]
    assert not OutboxMessage.objects.exists()
