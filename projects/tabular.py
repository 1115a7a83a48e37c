"""Reading the CSV and Excel files people import: the same rules for every import."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# An .xlsx is a zip: refuse one that would unpack to far more than a spreadsheet of this size.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def decode(content: bytes) -> str:
    """Spreadsheet programs save CSV as UTF-8 (often with a BOM) or as Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def choice(value: str, choices) -> str:
    """Accept a choice by its code or its label, in any case: "L&D", "ld", "Must"."""
    wanted = value.strip().casefold()
    for code, label in choices:
        if wanted in (code.casefold(), str(label).casefold()):
            return code
    return value.strip()


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The lower-case header of a CSV or Excel file, and its rows as {header: text} with blank
    rows left out."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB; split it into smaller files."))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx(content)
    elif suffix == ".csv":
        text = decode(content)
        if "\x00" in text:
            raise ValidationError(_("This file contains NUL bytes: it is not a CSV file."))
        table = _csv(text)
    else:
        raise ValidationError(_("Choose a .csv or .xlsx file."))
    if not table:
        raise ValidationError(_("The file is empty."))
    header = [str(cell or "").strip().lower() for cell in table[0]]
    rows = []
    for values in table[1:]:
        cells = ["" if cell is None else str(cell).strip() for cell in values]
        if any(cells):
            rows.append(dict(zip(header, cells, strict=False)))
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    return header, rows


def _delimiter(text: str) -> str:
    """What separates the header's cells: Excel writes ";" where the decimal separator is a
    comma (French, German), and tabs when it saves "Unicode text"."""
    header = re.match(r"[^\r\n]*", text).group()  # the first line, without splitting them all
    return max((",", ";", "\t"), key=header.count)  # a tie, or none at all: the comma


def _csv(text: str) -> list[list[str]]:
    # newline="": the reader itself splits the lines, so that a Mac's lone CR ends one too.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return list(reader)
    except csv.Error as error:  # a cell of over 128 KiB, or a line break in an unquoted cell
        raise ValidationError(
            _("Line %(n)d of this file could not be read as CSV.") % {"n": reader.line_num}
        ) from error


# What openpyxl raises on a workbook that does not hold together: its zip, its XML (a syntax
# error, or an entity that would expand), its parts (a sheet listed but missing, none listed).
UNREADABLE_WORKBOOK = (
    zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError,
    SyntaxError,
)  # fmt: skip


def _xlsx(content: bytes) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ValidationError(_("This spreadsheet unpacks to far more than it should."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:  # a read-only workbook parses its sheet's XML row by row, as it is read
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            return [list(row) for _n, row in zip(range(MAX_ROWS + 2), rows, strict=False)]
        finally:
            workbook.close()
    except UNREADABLE_WORKBOOK as error:
        raise ValidationError(_("This file could not be read as an Excel workbook.")) from error


@dataclass
class Row:
    """One line of an imported file: its values, the problems found, per column ("" for the
    row as a whole), and once it passes, the unsaved instance it stands for."""

    line: int
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    instance: object = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def cells(self) -> list[tuple[str, list[str]]]:
        """(value, problems) per column, in the file's column order."""
        return [(value, self.errors.get(column, [])) for column, value in self.values.items()]

    def refuse(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


class RowChecker:
    """Checks every row of a file with the fields of one form, built once: the rules a person
    filling that form in meets (required, length, choices, NUL bytes), without building a form,
    its widgets and its querysets again for each of thousands of rows.

    Fields that pick a database row are not cleaned cell by cell: `choices(name)` reads what the
    form offers once, the caller finds each row's name among them and passes the objects. Only
    the fields' own checks run: a form used here keeps its rules in its fields (no `clean_…`
    methods, no model validators beyond what the fields check)."""

    def __init__(self, form, field_columns: dict[str, str]):
        self.form = form
        self.field_columns = field_columns  # form field -> the column it comes from

    def choices(self, name: str) -> list:
        return list(self.form.fields[name].queryset)

    def check(self, row: Row, data: dict, **objects) -> None:
        """Clean `data` ({form field: cell}) and set `row.instance` to the unsaved model
        instance, with `objects` as they are; or refuse each bad cell in its column."""
        cleaned = {}
        for name, value in data.items():
            field = self.form.fields[name]
            try:
                cleaned[name] = field.clean(value)
            except ValidationError as error:
                for problem in error.error_list:
                    row.refuse(self.field_columns[name], _problem(field, value, problem))
        if row.ok:
            row.instance = self.form._meta.model(**cleaned, **objects)


def _problem(field, value: str, error: ValidationError) -> str:
    """What a cell's error says. A file has no menu to pick from, so a value that is not one
    of the choices is told what the choices are."""
    if error.code == "invalid_choice" and getattr(field, "choices", None):
        labels = [str(label) for code, label in field.choices if code != ""]
        return _("“%(value)s” is not one of these: %(choices)s.") % {
            "value": value,
            "choices": ", ".join(labels),
        }
    return next(iter(error))


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


def missing_columns(header: list[str], required, columns) -> str:
    """The problem with a header that lacks required columns, or ""."""
    missing = [c for c in required if c not in header]
    if not missing:
        return ""
    return _("The first line must name the columns (%(columns)s); missing: %(missing)s.") % {
        "columns": ", ".join(columns),
        "missing": ", ".join(missing),
    }
