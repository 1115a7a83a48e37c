from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.links import set_password_link, sign_in_link

from .models import Invitation


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation(invitation_id: int) -> None:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("project__client", "user", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:  # already sent: a retry or a redelivered message
            return
        # A person with no password yet gets a one-time link to set it; others sign in.
        needs_password = not invitation.user.has_usable_password()
        context = {
            "invitation": invitation,
            "project": invitation.project,
            "needs_password": needs_password,
            "link": set_password_link(invitation.user) if needs_password else sign_in_link(),
        }
        send_mail(
            subject=" ".join(
                render_to_string("projects/email/invitation_subject.txt", context).split()
            ),
            message=render_to_string("projects/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.user.email],
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
