"""Readable change history (who, when, what changed) from django-simple-history rows."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from .labels import labels

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
    value = getattr(row, model_field.attname)
    if model_field.choices:
        return str(labels(model_field).get(value, value if value is not None else ""))
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return date_format(localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


@functools.cache
def _compared_fields(history_model) -> tuple:
    """The fields a reader is shown the changes of, of the model a history model records."""
    return tuple(
        model_field
        for model_field in history_model.instance_type._meta.concrete_fields
        if model_field.name not in HIDDEN_FIELDS
        and not model_field.is_relation
        and hasattr(history_model, model_field.attname)  # a field the history does not keep
    )


def _changes(row, previous) -> list[Change]:
    changes = []
    for model_field in _compared_fields(type(row)):
        if previous is not None:
            if getattr(row, model_field.attname) == getattr(previous, model_field.attname):
                continue  # the same value reads the same: no need to word it twice
            old = _display(previous, model_field)
        else:
            old = ""
        new = _display(row, model_field)
        if old != new:
            changes.append(Change(str(model_field.verbose_name), old, new))
    return changes


class History(list):
    """History entries, newest first; `more` when older ones were left unread (`latest`)."""

    more = False


# An item's page shows its latest changes; the whole history is a link away.
ITEM_HISTORY = 20


def history_entries(
    *sources: tuple[QuerySet, str, Callable[[object], str]], latest: int | None = None
) -> History:
    """Merge the history of several models, newest first.

    Each source is (historical rows, what kind of object, how to name one). A source's rows are
    read in one query and compared in memory, so the cost does not grow with a query per row.
    With `latest`, each source (one object's history) reads only its newest `latest` rows and
    the one before them, to compare the oldest shown with.
    """
    entries = History()
    for rows, kind, subject in sources:
        rows = rows.select_related("history_user")
        if latest is None:
            read, cut = list(rows.order_by("history_date", "history_id")), False
        else:
            read = list(rows.order_by("-history_date", "-history_id")[: latest + 1])[::-1]
            cut = len(read) > latest
            entries.more = entries.more or cut
        previous_by_object: dict[int, object] = {}
        for position, row in enumerate(read):
            previous = previous_by_object.get(row.id)
            previous_by_object[row.id] = row
            if cut and position == 0:
                continue  # read only to compare the next one with
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


def item_history(request, rows: QuerySet, kind: str, subject: str) -> History:
    """One item's history for its page: the latest `ITEM_HISTORY` changes, or all of them when
    the page was asked for `?history=all`."""
    everything = request.GET.get("history") == "all"
    return history_entries(
        (rows, kind, lambda row: subject), latest=None if everything else ITEM_HISTORY
    )
