"""Reading the CSV and Excel files people import: the same rules for every import."""

import csv
import io
import zipfile
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


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or Excel file as {lower-case header: text}, blank rows left out."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB; split it into smaller files."))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx(content)
    elif suffix == ".csv":
        text = decode(content)
        if "\x00" in text:
            raise ValidationError(_("This file contains NUL bytes: it is not a CSV file."))
        table = list(csv.reader(io.StringIO(text)))
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
    return rows


def _xlsx(content: bytes) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ValidationError(_("This spreadsheet unpacks to far more than it should."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ValidationError(_("This file could not be read as an Excel workbook.")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    table = [list(row) for _n, row in zip(range(MAX_ROWS + 2), rows, strict=False)]
    workbook.close()
    return table
