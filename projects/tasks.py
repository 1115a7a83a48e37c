from smtplib import SMTPException

from celery import shared_task

from accounts.links import set_password_link, sign_in_link

from .models import Invitation
from .notifications import send_once


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
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
