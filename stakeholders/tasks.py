import datetime
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from projects.models import Membership
from projects.notifications import send_once
from projects.roles import ROLE_PERMISSIONS, Role
from projects.tasks import RETRY

from .models import Entry, SpocStatus


@shared_task(**RETRY)
def notify_spoc_of_waiting_entry(entry_id: int) -> None:
    entry = Entry.objects.select_related("project__client", "author").filter(pk=entry_id).first()
    if entry is None or entry.spoc_status != SpocStatus.WAITING:
        return
    spocs = Membership.objects.active().filter(project=entry.project, role=Role.SPOC)
    for membership in spocs.select_related("user"):
        send_once(
            key=f"waiting:{entry.pk}:{membership.user_id}",
            recipient=membership.user,
            template="stakeholders/email/waiting",
            context={"entry": entry, "link": settings.SITE_URL + entry.get_absolute_url()},
        )


def _readers(memberships):
    return [m for m in memberships if "read_channel" in ROLE_PERMISSIONS[m.role]]


@shared_task(**RETRY)
def send_channel_digests(day: str | None = None) -> int:
    """E-mail each member who asked for it the channel entries of one day (yesterday by
    default), once per person, project and day."""
    day = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(1)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    entries = (
        Entry.objects.filter(created_at__gte=start, created_at__lt=start + datetime.timedelta(1))
        .select_related("author", "project__client")
        .order_by("project_id", "created_at")
    )
    by_project = defaultdict(list)
    for entry in entries:
        by_project[entry.project_id].append(entry)
    members = Membership.objects.active().filter(
        project_id__in=by_project, wants_digest=True, user__is_active=True
    )
    sent = 0
    for membership in _readers(members.select_related("user")):
        project_entries = by_project[membership.project_id]
        sent += send_once(
            key=f"digest:{membership.project_id}:{membership.user_id}:{day.isoformat()}",
            recipient=membership.user,
            template="stakeholders/email/digest",
            context={
                "project": project_entries[0].project,
                "entries": project_entries,
                "day": day,
                "site_url": settings.SITE_URL,
            },
        )
    return sent
