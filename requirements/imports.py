"""Importing requirements from CSV or Excel: each row is checked by the same form as submitting
one, shown with an error per row and per cell, and saved all together or not at all."""

from django.utils.translation import gettext as _

from projects.tabular import Preview, Row, choice, missing_columns
from stakeholders.models import Area

from .forms import RequirementForm
from .models import Kind, Priority, Requirement

COLUMNS = [
    "title",
    "description",
    "priority",
    "area",
    "site",
    "goal",
    "type",
    "acceptance criteria",
    "submitter",
]
# form field -> the column it comes from
FIELD_COLUMNS = {
    "title": "title",
    "description": "description",
    "priority": "priority",
    "area": "area",
    "site": "site",
    "goal": "goal",
    "kind": "type",
    "acceptance_criteria": "acceptance criteria",
    "submitter": "submitter",
}


class _Lookup:
    """Names in the file -> this project's sites, goals and stakeholders, read once."""

    def __init__(self, project):
        self.sites = {s.name.casefold(): s.pk for s in project.sites.active()}
        self.goals = {g.title.casefold(): g.pk for g in project.goals.filter(is_active=True)}
        self.people = {}
        for person in project.stakeholders.active():
            self.people[person.name.casefold()] = person.pk
            if person.email:
                self.people[person.email.casefold()] = person.pk

    def find(self, table, value, row, column, what):
        if not value or value.casefold() in ("all", "all sites"):
            return ""
        if value.casefold() not in table:
            row.refuse(
                column,
                _("no %(what)s of this project is called “%(name)s”.")
                % {"what": what, "name": value},
            )
            return ""
        return table[value.casefold()]


def preview(project, table: tuple[list[str], list[dict[str, str]]], on_row=None) -> Preview:
    """`table` is what `projects.tabular.read_rows` returns; `on_row(n)` reports progress."""
    header, records = table
    if problem := missing_columns(header, ("title",), COLUMNS):
        return Preview([], problem)
    if not records:
        return Preview([], _("The file has no rows below its header."))
    lookup = _Lookup(project)
    rows = []
    for number, record in enumerate(records, start=2):
        row = Row(number, {c: record.get(c, "") for c in COLUMNS})
        values = row.values
        data = {
            "title": values["title"],
            "description": values["description"],
            "priority": choice(values["priority"] or Priority.SHOULD, Priority.choices),
            "area": choice(values["area"] or Area.PLATFORM, Area.choices),
            "kind": choice(values["type"] or Kind.FUNCTIONAL, Kind.choices),
            "acceptance_criteria": values["acceptance criteria"].replace(";", "\n"),
            "site": lookup.find(lookup.sites, values["site"], row, "site", _("site")),
            "goal": lookup.find(lookup.goals, values["goal"], row, "goal", _("goal")),
            "submitter": lookup.find(
                lookup.people, values["submitter"], row, "submitter", _("stakeholder")
            ),
        }
        row.form = RequirementForm(
            data, instance=Requirement(project=project), project=project, may_choose_submitter=True
        )
        if not row.form.is_valid():
            row.refuse_form(FIELD_COLUMNS, default="title")
        rows.append(row)
        if on_row:
            on_row(len(rows))
    return Preview(rows)
