import datetime
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from projects.models import Membership
from projects.notifications import send_once
from projects.roles import Role
from projects.tasks import RETRY

from .models import Feedback, FeedbackStatus, ImportJob, ImportState


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def import_requirements(job_id: int) -> None:
    """Idempotent: a job that finished is left alone; one whose worker died mid-way (still
    "running", nothing saved since the final write is one transaction) runs again."""
    from .services import import_run

    job = ImportJob.objects.select_related("project", "created_by").filter(pk=job_id).first()
    if job is None or job.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return
    import_run(job)


@shared_task(**RETRY)
def notify_tester_of_fix(feedback_id: int) -> None:
    """The vendor marked an item fixed: its tester is asked to verify it, once per fix."""
    feedback = Feedback.objects.select_related("project", "tester").filter(pk=feedback_id).first()
    if feedback is None or feedback.status != FeedbackStatus.FIXED:
        return
    fixes = feedback.history.filter(status=FeedbackStatus.FIXED).count()
    send_once(
        key=f"feedback-fixed:{feedback.pk}:{fixes}",
        recipient=feedback.tester,
        template="requirements/email/fixed",
        context={"feedback": feedback, "link": settings.SITE_URL + feedback.get_absolute_url()},
    )


@shared_task(**RETRY)
def send_severe_feedback_summaries(day: str | None = None) -> int:
    """E-mail each project manager the blocker and major feedback logged on one day (yesterday
    by default), once per person, project and day."""
    day = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(1)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    items = (
        Feedback.objects.blocking()
        .filter(created_at__gte=start, created_at__lt=start + datetime.timedelta(1))
        .select_related("project", "round", "tester")
        .order_by("project_id", "number")
    )
    by_project = defaultdict(list)
    for item in items:
        by_project[item.project_id].append(item)
    managers = Membership.objects.active().filter(
        project_id__in=by_project, role=Role.PROJECT_MANAGER, user__is_active=True
    )
    sent = 0
    for membership in managers.select_related("user"):
        project_items = by_project[membership.project_id]
        sent += send_once(
            key=f"severe-feedback:{membership.project_id}:{membership.user_id}:{day.isoformat()}",
            recipient=membership.user,
            template="requirements/email/severe_summary",
            context={
                "project": project_items[0].project,
                "items": project_items,
                "day": day,
                "site_url": settings.SITE_URL,
            },
        )
    return sent


@shared_task
def requeue_lost_imports() -> int:
    from .services import imports_requeue_lost

    return imports_requeue_lost(now=timezone.now())
