"""What a new project copies from its template (a saved template or a past project).

`services.project_copy_plan` copies the active sites first, then every registered part in
order: milestones (10) and assumptions (30) from `projects`, the ownership map (40) from
`stakeholders`. Each app registers its own part in `AppConfig.ready`, so that `projects` copies
the others' data without importing them, e.g.

    register_template_part(_("Budget categories"), budget_categories_copy, order=20)

A copier is called as `copier(source=…, target=…, site_map=…, by=…)` inside the transaction
that creates the target: `site_map` maps each copied site's id in the source to its copy in the
target. It writes through `services.copies_create` (one insert per kind of row, each copied row
with its history entry) and may raise to undo the whole creation.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TemplatePart:
    label: str | Promise  # what is copied, as listed on the "New project" form
    copier: Callable[..., None]
    order: int


# The sites come first and are not a part: the other parts map their rows to the copies.
SITES_LABEL = _("Active sites, with their local go-live moved to the new start")

_parts: dict[Callable[..., None], TemplatePart] = {}


def register_template_part(label, copier, *, order=50) -> None:
    _parts[copier] = TemplatePart(label, copier, order)


def template_parts() -> list[TemplatePart]:
    return sorted(_parts.values(), key=lambda part: part.order)


def copied_labels() -> list[str | Promise]:
    return [SITES_LABEL, *(part.label for part in template_parts())]


def plan_shift(source, target) -> datetime.timedelta:
    """How far the copied dates move: from the source's start to the new project's."""
    return target.start_date - source.start_date


def shifted(day: datetime.date | None, shift: datetime.timedelta) -> datetime.date | None:
    return day + shift if day is not None else None


def copy_of(row, fields, **changes):
    """A new, unsaved row of the same model with `fields` taken from `row`, then `changes`."""
    return type(row)(**{name: getattr(row, name) for name in fields}, **changes)
