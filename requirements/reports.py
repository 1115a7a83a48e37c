"""The requirements' section of the status report: how many per status and priority."""

from django.db.models import Count

from projects.reports import Scope

from .models import Priority, Requirement, Status


def by_status_and_priority(scope: Scope) -> dict | None:
    counts = {
        (row["status"], row["priority"]): row["n"]
        for row in Requirement.objects.for_project(scope.project)
        .values("status", "priority")
        .annotate(n=Count("id"))
    }
    if not counts:
        return None
    rows = [
        {
            "label": label,
            "cells": [counts.get((status, priority), 0) for priority in Priority.values],
            "total": sum(counts.get((status, priority), 0) for priority in Priority.values),
        }
        for status, label in Status.choices
    ]
    return {
        "priorities": Priority.labels,
        "rows": [row for row in rows if row["total"]],
        "totals": [
            sum(n for (_s, p), n in counts.items() if p == priority) for priority in Priority.values
        ],
        "total": sum(counts.values()),
    }
