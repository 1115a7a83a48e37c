"""Lists downloaded as CSV or Excel. A cell that a spreadsheet would read as a formula is
neutralised, so that text someone typed never runs in another person's spreadsheet. Every
export is written to the audit log."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import Http404, HttpResponse, HttpResponseRedirect
from openpyxl import Workbook

from audit import services as audit
from audit.models import Kind

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMATS = {"csv", "xlsx"}


def safe_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value).replace("\x00", "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_response(
    fmt: str,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    request,
    project=None,
):
    count = 0

    def cells():
        nonlocal count
        for row in rows:
            count += 1
            yield [safe_cell(value) for value in row]

    response = _file(fmt, [str(title) for title in header], cells())
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    audit.record(
        Kind.EXPORT,
        request=request,
        project=project,
        subject=f"{filename}.{fmt}",
        detail={"format": fmt, "rows": count, "filters": _filters(request)},
    )
    return response


def _filters(request) -> dict:
    # As typed, but for NUL characters, which PostgreSQL's JSON refuses.
    lists = {
        name.replace("\x00", ""): [value.replace("\x00", "") for value in values]
        for name, values in request.GET.lists()
    }
    return {
        name: values if len(values) > 1 else values[0]
        for name, values in lists.items()
        if name not in ("format", "page") and any(values)
    }


def _file(fmt: str, header: Sequence[str], rows: Iterable[list]) -> HttpResponse:
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
    return response


def requested_format(request) -> str:
    """The format a download link asks for (`?format=csv` by default); any other is not found."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404
    return fmt


def filters_refused(request, filterset, list_url: str) -> HttpResponseRedirect | None:
    """An export is the list as filtered. When a filter does not hold (a date outside the
    century, a search too long, a choice that is not one), the list again, saying which,
    rather than a file of everything under the list's name. A filter left blank filters
    nothing, whatever its field thinks of an empty choice."""
    typed = {name for name, values in request.GET.lists() if any(v.strip() for v in values)}
    if filterset.is_valid() or not typed & set(filterset.errors):
        return None
    query = request.GET.copy()
    query.pop("format", None)
    return HttpResponseRedirect(f"{list_url}?{query.urlencode()}")
