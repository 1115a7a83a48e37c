from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from accounts.links import set_password_link, sign_in_link

from .models import SEVERITY_RANK, Finding, Invitation, Membership, PendingCheck, Project
from .notifications import send_once
from .roles import Role, permissions_for

RETRY = {
    # The mail server or the database away for a moment: try again later, not never.
    "autoretry_for": (SMTPException, OSError, OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(**RETRY)
def send_invitation(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("project__client", "user", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    # A person with no password yet gets a one-time link to set it; others sign in.
    needs_password = not invitation.user.has_usable_password()
    send_once(
        key=invitation.notification_key,
        recipient=invitation.user,
        template="projects/email/invitation",
        context={
            "invitation": invitation,
            "project": invitation.project,
            "needs_password": needs_password,
            "link": set_password_link(invitation.user) if needs_password else sign_in_link(),
        },
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def run_project_checks(project_id: int) -> None:
    run_checks([project_id])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def run_checks(project_ids: list[int]) -> None:
    from . import services

    # First, so that a change made while the checks run queues the next run.
    PendingCheck.objects.filter(project_id__in=project_ids).delete()
    services.findings_refresh_many(project_ids=project_ids)


# The nightly run checks projects in batches: each check reads once for a whole batch, and a
# batch holds its projects' locks for well under a second.
NIGHTLY_BATCH = 50


def nightly_batches() -> list[list[int]]:
    ids = list(Project.objects.live().order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + NIGHTLY_BATCH] for start in range(0, len(ids), NIGHTLY_BATCH)]


@shared_task
def run_nightly_checks() -> None:
    """Every live project's checks, also those nobody changed: time alone makes milestones
    overdue and assumptions late."""
    for project_ids in nightly_batches():
        run_checks.delay_on_commit(project_ids)


@shared_task(**RETRY)
def notify_findings(finding_ids: list[int]) -> None:
    """Tell the project managers and each finding's owner about the problems one run of the
    checks found: one e-mail per person listing those that concern them, so that a new
    project's dozen gaps arrive together. Each finding is in one e-mail to a person, ever."""
    findings = sorted(
        Finding.objects.open()
        .filter(pk__in=finding_ids)
        .select_related("project__client", "owner"),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.area, f.pk),
    )
    if not findings:
        return
    project = findings[0].project
    members = Membership.objects.active().filter(project=project, user__is_active=True)
    concerns: dict[int, list[Finding]] = {}
    people = {}
    for membership in members.filter(role=Role.PROJECT_MANAGER).select_related("user"):
        people[membership.user_id] = membership.user
        concerns[membership.user_id] = list(findings)
    roles = dict.fromkeys(people, Role.PROJECT_MANAGER)
    # An owner who has left the project hears no more of it.
    owners = dict(
        members.filter(user__in={f.owner_id for f in findings}).values_list("user", "role")
    )
    for finding in findings:
        if finding.owner_id in owners:
            people.setdefault(finding.owner_id, finding.owner)
            roles.setdefault(finding.owner_id, owners[finding.owner_id])
            if finding not in concerns.setdefault(finding.owner_id, []):
                concerns[finding.owner_id].append(finding)
    # The run's first finding names the batch: a retried task sends nothing twice.
    batch = min(finding_ids)
    for user_id, theirs in concerns.items():
        send_once(
            key=f"findings:{batch}:{user_id}",
            recipient=people[user_id],
            template="projects/email/findings",
            context={
                "project": project,
                "findings": theirs,
                # Their role says which findings' pages they may open: the rest come unlinked.
                "opens": permissions_for(roles[user_id]),
                "site_url": settings.SITE_URL,
                "link": settings.SITE_URL + project.get_absolute_url(),
            },
        )


# A report of a big project takes seconds to draw; one that takes minutes is stuck.
REPORT_LIMITS = {"soft_time_limit": 120, "time_limit": 150}


@shared_task(**RETRY, **REPORT_LIMITS)
def generate_report(report_id: int) -> None:
    """Draw a queued report and store it, then e-mail a scheduled one to its recipients. Run
    again, it draws nothing twice and sends nobody the report twice."""
    from django.db import transaction

    from . import reports
    from .models import Report, ReportState

    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("project__client", "created_by")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.state == ReportState.FAILED:
            return
        if report.state != ReportState.DONE:
            Report.objects.filter(pk=report.pk).update(state=ReportState.RUNNING, progress=5)

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report_id).update(progress=percent)

    if report.state != ReportState.DONE:
        try:
            reports.draw(report, progress)
        except Exception as error:
            retries = generate_report.request.retries or 0
            retried = isinstance(error, RETRY["autoretry_for"]) and retries < RETRY["max_retries"]
            if not retried:
                Report.objects.filter(pk=report_id).update(state=ReportState.FAILED)
            raise
    if report.schedule_id:
        email_report.delay_on_commit(report_id)


@shared_task(**RETRY)
def email_report(report_id: int) -> None:
    """The PDF to each recipient of the report's schedule who may still read it, once."""
    from . import services
    from .models import Report, ReportState

    report = (
        Report.objects.select_related("project__client", "schedule")
        .filter(pk=report_id, state=ReportState.DONE, schedule__isnull=False)
        .first()
    )
    if report is None:
        return
    allowed = services.report_schedule_recipients(project=report.project, audience=report.audience)
    content = report.file.read()
    report.file.close()
    for recipient in allowed.filter(pk__in=report.schedule.recipients.values("pk")):
        send_once(
            key=f"report:{report.pk}:{recipient.pk}",
            recipient=recipient,
            template="projects/email/report",
            context={
                "report": report,
                "project": report.project,
                "link": settings.SITE_URL + reverse("projects:reports", args=[report.project.key]),
            },
            attachments=[(report.filename, content, "application/pdf")],
        )


@shared_task
def run_report_schedules() -> None:
    """Every quarter of an hour: queue the reports whose schedule has come due."""
    from django.utils import timezone

    from . import services

    services.report_schedules_run(now=timezone.now())


@shared_task(soft_time_limit=50, time_limit=60)
def drain_outbox() -> int:
    """Publish the tasks that waited in the outbox while the broker was down."""
    from . import outbox

    return outbox.publish()


@shared_task
def requeue_lost_reports() -> int:
    from django.utils import timezone

    from . import services

    return services.reports_requeue_lost(now=timezone.now())
