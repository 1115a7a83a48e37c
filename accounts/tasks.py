from smtplib import SMTPException

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .links import set_password_link


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_password_reset(user_id: int) -> None:
    # Not deduplicated on purpose: each request is a fresh link, and old links stay valid only
    # until the password changes.
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    context = {"user": user, "link": set_password_link(user)}
    send_mail(
        subject=" ".join(
            render_to_string("accounts/email/password_reset_subject.txt", context).split()
        ),
        message=render_to_string("accounts/email/password_reset.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
