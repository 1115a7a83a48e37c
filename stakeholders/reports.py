"""The decision log's section of the status report: the decisions of the report's period."""

import datetime

from django.utils import timezone

from projects.reports import Scope

from .models import Entry


def decisions_in_period(scope: Scope) -> dict | None:
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(scope.start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(scope.end, datetime.time.max, tzinfo=zone)
    decisions = list(
        Entry.objects.for_project(scope.project)
        .decisions()
        .filter(created_at__range=(since, until))
        .select_related("author")
        .order_by("created_at")
    )
    return {"decisions": decisions}
