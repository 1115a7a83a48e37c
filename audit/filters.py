import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.forms import SEARCH_LENGTH
from projects.models import Project, validate_plausible_date

from .models import AuditEvent, Kind


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("What"), choices=Kind.choices, empty_label=_("Everything")
    )
    person = django_filters.CharFilter(
        label=_("Person"), method="by_person", max_length=SEARCH_LENGTH
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        queryset=Project.objects.order_by("key"),
        to_field_name="key",
        empty_label=_("All projects"),
    )
    # A day at the calendar's ends has no next day, nor a start in every time zone.
    since = django_filters.DateFilter(
        label=_("From"), method="from_day", widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )  # fmt: skip
    until = django_filters.DateFilter(
        label=_("To"), method="to_day", widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )  # fmt: skip

    class Meta:
        model = AuditEvent
        fields = ["kind", "person", "project", "since", "until"]

    # Days in the reader's time zone, compared as instants so that the index on `at` serves.
    def from_day(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))

    def by_person(self, queryset, name, value):
        # The account's e-mail address, or what was typed in a failed sign-in.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor__email__icontains=value)
            | Q(actor__first_name__icontains=value)
            | Q(actor__last_name__icontains=value)
            | Q(username__icontains=value)
        )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
