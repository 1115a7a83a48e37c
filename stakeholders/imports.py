"""Importing stakeholders from CSV: every row is checked by the fields of the form that adds one
person, shown as a preview with its errors, and saved only when the whole file is right."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.tabular import Preview, Row, RowChecker, choice, missing_columns, read_rows

from .forms import StakeholderForm
from .models import Department, Side

COLUMNS = ["name", "email", "side", "department", "title", "site"]


def preview(project, text: str) -> Preview:
    try:
        header, records = read_rows("stakeholders.csv", text.encode("utf-8"))
    except ValidationError as error:
        return Preview([], " ".join(error.messages))
    if problem := missing_columns(header, ("name", "department"), COLUMNS):
        return Preview([], problem)
    if not records:
        return Preview([], _("The file has no rows below its header."))
    checker = RowChecker(StakeholderForm(project=project), {name: name for name in COLUMNS})
    sites = {site.name.casefold(): site for site in checker.choices("site")}
    existing = {
        e.lower() for e in project.stakeholders.exclude(email="").values_list("email", flat=True)
    }
    sides, departments = (
        [(code, str(label)) for code, label in choices]
        for choices in (Side.choices, Department.choices)
    )
    rows, seen_emails = [], {}
    for number, record in enumerate(records, start=2):
        row = Row(number, {c: record.get(c, "") for c in COLUMNS})
        values = row.values
        site_name = values["site"].casefold()
        if site_name not in ("", "global") and site_name not in sites:
            row.refuse(
                "site",
                _("No site of this project is called “%(name)s”.") % {"name": values["site"]},
            )
        data = {
            "name": values["name"],
            "email": values["email"],
            "side": choice(values["side"] or Side.CLIENT, sides),
            "department": choice(values["department"], departments),
            "title": values["title"],
        }
        checker.check(row, data, project=project, site=sites.get(site_name))
        email = values["email"].lower()
        if email in existing:
            row.refuse("email", _("This project already has a stakeholder with this e-mail."))
        elif email and email in seen_emails:
            row.refuse(
                "email", _("Also on line %(line)d of this file.") % {"line": seen_emails[email]}
            )
        seen_emails.setdefault(email, number)
        rows.append(row)
    return Preview(rows)
