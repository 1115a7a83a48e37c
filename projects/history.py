"""Readable change history (who, when, what changed) from django-simple-history rows."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# Bookkeeping columns that say nothing a reader needs.
HIDDEN_FIELDS = {
    "id", "created_at", "project", "password", "last_login", "version", "number", "calendar_token",
}  # fmt: skip


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    kind: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _display(row, model_field) -> str:
    if model_field.choices:
        return str(getattr(row, f"get_{model_field.name}_display")())
    value = getattr(row, model_field.attname)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return date_format(localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def _changes(row, previous) -> list[Change]:
    changes = []
    for model_field in row.instance_type._meta.concrete_fields:
        if (
            model_field.name in HIDDEN_FIELDS
            or model_field.is_relation
            or not hasattr(row, model_field.attname)  # a field the history does not keep
        ):
            continue
        new = _display(row, model_field)
        old = _display(previous, model_field) if previous is not None else ""
        if old != new:
            changes.append(Change(str(model_field.verbose_name), old, new))
    return changes


def history_entries(
    *sources: tuple[QuerySet, str, Callable[[object], str]],
) -> list[HistoryEntry]:
    """Merge the history of several models, newest first.

    Each source is (historical rows, what kind of object, how to name one). A source's rows are
    read in one query and compared in memory, so the cost does not grow with a query per row.
    """
    entries: list[HistoryEntry] = []
    for rows, kind, subject in sources:
        previous_by_object: dict[int, object] = {}
        for row in rows.select_related("history_user").order_by("history_date", "history_id"):
            previous = previous_by_object.get(row.id)
            previous_by_object[row.id] = row
            changes = _changes(row, previous)
            if previous is not None and not changes:
                continue
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=row.history_user,
                    kind=kind,
                    subject=subject(row),
                    action=ACTIONS[row.history_type],
                    changes=changes,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
