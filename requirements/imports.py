"""Importing requirements from CSV or Excel: each row is checked by the same form as submitting
one, shown with an error per row and per cell, and saved all together or not at all."""

from django.utils.translation import gettext as _

from projects.tabular import Preview, Row, RowChecker, choice, missing_columns
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


class _Names:
    """Names in the file -> the sites, goals and stakeholders the submit form offers, read once;
    stakeholders by name or e-mail."""

    def __init__(self, checker: RowChecker):
        self.sites = {s.name.casefold(): s for s in checker.choices("site")}
        self.goals = {g.title.casefold(): g for g in checker.choices("goal")}
        self.people = {}
        for person in checker.choices("submitter"):
            self.people[person.name.casefold()] = person
            if person.email:
                self.people[person.email.casefold()] = person

    def find(self, table, value, row, column):
        if not value or value.casefold() in ("all", "all sites"):
            return None
        if value.casefold() not in table:
            what = {"site": _("site"), "goal": _("goal")}.get(column, _("stakeholder"))
            row.refuse(
                column,
                _("No %(what)s of this project is called “%(name)s”.")
                % {"what": what, "name": value},
            )
            return None
        return table[value.casefold()]


def preview(project, table: tuple[list[str], list[dict[str, str]]], on_row=None) -> Preview:
    """`table` is what `projects.tabular.read_rows` returns; `on_row(n)` reports progress. Each
    row is checked by the submit form's fields; a row that passes has its unsaved
    `Requirement` as `row.instance`."""
    header, records = table
    if problem := missing_columns(header, ("title",), COLUMNS):
        return Preview([], problem)
    if not records:
        return Preview([], _("The file has no rows below its header."))
    form = RequirementForm(
        instance=Requirement(project=project), project=project, may_choose_submitter=True
    )
    checker = RowChecker(form, FIELD_COLUMNS)
    names = _Names(checker)
    # Each choice's code and label, the label translated once for the whole file.
    priorities, areas, kinds = (
        [(code, str(label)) for code, label in choices]
        for choices in (Priority.choices, Area.choices, Kind.choices)
    )
    rows = []
    for number, record in enumerate(records, start=2):
        row = Row(number, {c: record.get(c, "") for c in COLUMNS})
        values = row.values
        objects = {
            "project": project,
            "site": names.find(names.sites, values["site"], row, "site"),
            "goal": names.find(names.goals, values["goal"], row, "goal"),
            "submitter": names.find(names.people, values["submitter"], row, "submitter"),
        }
        data = {
            "title": values["title"],
            "description": values["description"],
            "priority": choice(values["priority"] or Priority.SHOULD, priorities),
            "area": choice(values["area"] or Area.PLATFORM, areas),
            "kind": choice(values["type"] or Kind.FUNCTIONAL, kinds),
            "acceptance_criteria": values["acceptance criteria"].replace(";", "\n"),
        }
        checker.check(row, data, **objects)
        rows.append(row)
        if on_row:
            on_row(len(rows))
    return Preview(rows)


def already_in(project, rows: list[Row]) -> list[tuple[int, str]]:
    """(line, key) for each row titled as a requirement of the project already is (in any
    case): what importing the same file twice looks like."""
    numbers = {
        title.casefold(): number
        for title, number in project.requirements.values_list("title", "number")
    }
    return [
        (row.line, Requirement(project=project, number=numbers[title]).key)
        for row in rows
        if (title := row.values["title"].casefold()) in numbers
    ]
