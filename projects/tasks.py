from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from accounts.links import set_password_link, sign_in_link

from .models import Finding, Invitation, Membership, PendingCheck, Project
from .notifications import send_once
from .roles import Role

RETRY = {
    "autoretry_for": (SMTPException, OSError),
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
    from . import services

    # First, so that a change made while the checks run queues the next run.
    PendingCheck.objects.filter(project_id=project_id).delete()
    project = Project.objects.live().filter(pk=project_id).first()
    if project is not None:
        services.findings_refresh(project=project)


@shared_task
def run_nightly_checks() -> None:
    """Every live project's checks, also those nobody changed: time alone makes milestones
    overdue and assumptions late."""
    for project_id in Project.objects.live().values_list("pk", flat=True):
        run_project_checks.delay(project_id)


@shared_task(**RETRY)
def notify_finding(finding_id: int) -> None:
    """Tell the finding's owner and the project managers, once each, about a new problem."""
    finding = (
        Finding.objects.select_related("project__client", "owner").filter(pk=finding_id).first()
    )
    if finding is None or finding.closed_at is not None:
        return
    managers = Membership.objects.active().filter(
        project=finding.project, role=Role.PROJECT_MANAGER
    )
    recipients = {m.user_id: m.user for m in managers.select_related("user")}
    if finding.owner is not None and finding.owner.is_active:
        recipients.setdefault(finding.owner_id, finding.owner)
    for user in recipients.values():
        send_once(
            key=f"{finding.notification_key}:{user.pk}",
            recipient=user,
            template="projects/email/finding",
            context={
                "finding": finding,
                "project": finding.project,
                "link": settings.SITE_URL + finding.url,
            },
        )
