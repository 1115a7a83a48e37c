"""E-mail that must go out once: a notification row per (what, whom) makes a retried or
redelivered task a no-op."""

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification


def send_once(
    *, key: str, recipient, template: str, context: dict, attachments: list | None = None
) -> bool:
    """Send `template` (`<template>_subject.txt` and `<template>.txt`) to `recipient` unless a
    notification with `key` was already sent, with `attachments` as (filename, content, mime
    type). Returns whether an e-mail left now."""
    try:
        with transaction.atomic():
            Notification.objects.get_or_create(key=key, defaults={"recipient": recipient})
    except IntegrityError:  # created by a concurrent run of the same task
        pass
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(key=key)
        if notification.sent_at is not None:
            return False
        context = {**context, "recipient": recipient}
        subject = render_to_string(f"{template}_subject.txt", context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string(f"{template}.txt", context),
            to=[recipient.email],
            attachments=attachments or [],
        ).send()
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    return True
