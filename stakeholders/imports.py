"""Importing stakeholders from CSV: every row is checked by the same form as adding one person,
shown as a preview with its errors, and saved only when the whole file is right."""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from projects.tabular import choice

from .forms import StakeholderForm
from .models import Department, Side

COLUMNS = ["name", "email", "side", "department", "title", "site"]
MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024


@dataclass
class Row:
    line: int
    values: dict[str, str]
    form: StakeholderForm | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Preview:
    rows: list[Row]
    problem: str = ""  # a problem with the whole file

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.rows) and all(row.ok for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(not row.ok for row in self.rows)


def preview(project, text: str) -> Preview:
    if "\x00" in text:
        return Preview([], _("This file contains NUL bytes: it is not a CSV file."))
    if len(text.encode()) > MAX_BYTES:
        return Preview([], _("The file is larger than 1 MB; split it into smaller files."))
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("name", "department") if c not in headers]
    if missing:
        return Preview(
            [],
            _("The first line must name the columns (%(columns)s); missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)},
        )
    reader.fieldnames = headers
    sites = {site.name.casefold(): site.pk for site in project.sites.active()}
    existing = {
        e.lower() for e in project.stakeholders.exclude(email="").values_list("email", flat=True)
    }
    rows, seen_emails = [], {}
    for number, record in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            return Preview(rows, _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
        values = {c: (record.get(c) or "").strip() for c in COLUMNS}
        if not any(values.values()):
            continue
        row = Row(number, values)
        site_name = values["site"].casefold()
        data = {
            "name": values["name"],
            "email": values["email"],
            "side": choice(values["side"] or Side.CLIENT, Side.choices),
            "department": choice(values["department"], Department.choices),
            "title": values["title"],
            "site": sites.get(site_name, "") if site_name not in ("", "global") else "",
        }
        row.form = StakeholderForm(data, project=project)
        row.form.instance.project = project
        if site_name not in ("", "global") and site_name not in sites:
            row.errors.append(_("site: no site of this project is called “%(name)s”.")
                              % {"name": values["site"]})  # fmt: skip
        if not row.form.is_valid():
            row.errors += [
                f"{name}: {message}" if name != "__all__" else message
                for name, messages in row.form.errors.items()
                for message in messages
            ]
        email = values["email"].lower()
        if email in existing:
            row.errors.append(_("email: this project already has a stakeholder with this e-mail."))
        elif email and email in seen_emails:
            row.errors.append(
                _("email: also on line %(line)d of this file.") % {"line": seen_emails[email]}
            )
        seen_emails.setdefault(email, number)
        rows.append(row)
    if not rows:
        return Preview([], _("The file has no rows below its header."))
    return Preview(rows)
