"""No lost update: an edit is saved only over the version its author read.

A model that takes part has a `version` (bumped on every save through its service) and history
(django-simple-history copies `version` into each historical row). A form carries the version
the person read; the service calls `save_over` under a row lock before saving. If someone saved
in between, `StaleEdit` names who, and lists field by field what the row holds now (theirs)
beside what this person sent (yours), marking the fields the other person changed.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .labels import labels

# Kept by the system, never shown as a difference between two people's edits.
_NOT_COMPARED = {"id", "version", "created_at", "updated_at", "archived_at"}


@dataclass(frozen=True)
class Change:
    label: str
    theirs: str
    yours: str
    # Changed by the other person since this one read it (not only edited by this one).
    by_them: bool


def _shown(instance: models.Model, field: models.Field) -> str:
    if field.is_relation:
        value = getattr(instance, field.name, None)
    else:
        value = getattr(instance, field.attname)
        if field.choices:
            value = labels(field).get(value, value)
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _compared_fields(instance: models.Model):
    return [
        field
        for field in instance._meta.concrete_fields
        if field.editable and field.name not in _NOT_COMPARED and not field.primary_key
    ]


def _raw(instance, field):
    return getattr(instance, field.attname, None)


def differences(*, current, yours, read=None) -> list[Change]:
    """What the row holds now beside what was sent, for each field where they differ; `read`
    (the version the person started from, when history still has it) tells which of them the
    other person changed."""
    return [
        Change(
            label=str(field.verbose_name).capitalize(),
            theirs=_shown(current, field),
            yours=_shown(yours, field),
            by_them=read is None or _raw(read, field) != _raw(current, field),
        )
        for field in _compared_fields(current)
        if _raw(current, field) != _raw(yours, field)
    ]


class StaleEdit(ValidationError):
    """Someone else saved the item after this person opened it."""

    def __init__(self, *, current, yours, read_version: int):
        read = current.history.filter(version=read_version).order_by("-history_id").first()
        self.current = current
        self.who = _who_last(current)
        self.changes = differences(current=current, yours=yours, read=read)
        super().__init__(
            _(
                "%(who)s changed this %(item)s while you were editing it. Nothing was "
                "overwritten: compare their version with yours below, then save again to keep "
                "yours."
            )
            % {"who": self.who, "item": current._meta.verbose_name}
        )


def _who_last(instance) -> str:
    last = instance.history.select_related("history_user").first()
    return str(last.history_user) if last and last.history_user else _("Someone")


def save_over(instance, *, read_version: int | None):
    """Lock `instance`'s row; refuse (StaleEdit) if its version is no longer `read_version`,
    else give `instance` the next version. Call inside the service's transaction, before saving.
    Returns the row as it is now. `read_version` None: a new row, nothing to compare."""
    if instance.pk is None:
        return None
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if read_version is not None and current.version != read_version:
        raise StaleEdit(current=current, yours=instance, read_version=read_version)
    instance.version = current.version + 1
    return current
