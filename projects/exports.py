"""Lists downloaded as CSV or Excel. A cell that a spreadsheet would read as a formula is
neutralised, so that text someone typed never runs in another person's spreadsheet."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import Http404, HttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMATS = {"csv", "xlsx"}


def safe_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value).replace("\x00", "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_response(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    rows = ([safe_cell(value) for value in row] for row in rows)
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        # A byte-order mark so that spreadsheet programs read the file as UTF-8.
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def requested_format(request) -> str:
    """The format a download link asks for (`?format=csv` by default); any other is not found."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404
    return fmt
