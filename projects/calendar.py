"""A project's milestones as an iCalendar feed, for a member to subscribe to."""

from django.conf import settings
from icalendar import Calendar, Event


def milestones_ics(project, milestones) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Milestones//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{project.key} · {project.name}")
    for milestone in milestones:
        event = Event()
        event.add("uid", f"milestone-{milestone.pk}@{settings.SITE_URL.split('//')[-1]}")
        event.add(
            "summary",
            f"{project.key}: {milestone.name}"
            + (f" ({milestone.site.name})" if milestone.site_id else ""),
        )
        day = milestone.actual_date or milestone.forecast_date
        event.add("dtstart", day)
        event.add(
            "description",
            f"Planned {milestone.planned_date:%d %b %Y}, forecast "
            f"{milestone.forecast_date:%d %b %Y}"
            + (f", done {milestone.actual_date:%d %b %Y}" if milestone.actual_date else ""),
        )
        event.add("dtstamp", milestone.created_at)
        calendar.add_component(event)
    return calendar.to_ical()
