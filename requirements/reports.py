"""The requirements' sections of the status report: requirements per status and priority, and
open test feedback per severity."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from projects.reports import Scope

from .models import Feedback, FeedbackSeverity, FeedbackStatus, Priority, Requirement, Status


def _cross_table(queryset, rows, columns) -> dict | None:
    """Counts of `queryset` per row (`rows`: the choices of the field named first) and column
    (`columns`: the choices of the field named second), with totals; None when it is empty."""
    row_field, column_field = rows.field, columns.field
    counts = {
        (row[row_field], row[column_field]): row["n"]
        for row in queryset.values(row_field, column_field).annotate(n=Count("id"))
    }
    if not counts:
        return None
    lines = [
        {
            "label": label,
            "cells": [counts.get((value, column), 0) for column in columns.choices.values],
            "total": sum(counts.get((value, column), 0) for column in columns.choices.values),
        }
        for value, label in rows.choices.choices
    ]
    return {
        "row_title": rows.title,
        "columns": columns.choices.labels,
        "rows": [line for line in lines if line["total"]],
        "totals": [
            sum(n for (_r, c), n in counts.items() if c == column)
            for column in columns.choices.values
        ],
        "total": sum(counts.values()),
    }


@dataclass(frozen=True)
class Axis:
    field: str
    choices: type
    title: str


def by_status_and_priority(scope: Scope) -> dict | None:
    return _cross_table(
        Requirement.objects.for_project(scope.project),
        Axis("status", Status, _("Status")),
        Axis("priority", Priority, _("Priority")),
    )


def open_feedback_by_severity(scope: Scope) -> dict | None:
    return _cross_table(
        Feedback.objects.for_project(scope.project).open(),
        Axis("status", FeedbackStatus, _("Status")),
        Axis("severity", FeedbackSeverity, _("Severity")),
    )
