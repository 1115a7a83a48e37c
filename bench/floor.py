"""The floor a page is measured against: the same page's HTML, captured once, served through
the same middleware and signed-in session, with no queries and no templating."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


def captured(name: str) -> Path:
    return Path(settings.BENCH_FLOOR_DIR) / f"{name}.html"


@login_required
def floor(request: HttpRequest, name: str) -> HttpResponse:
    # login_required reads the session and its user, as every page does; the page's own
    # access check is the only part left out, with the queries and templates.
    try:
        body = captured(name).read_bytes()
    except FileNotFoundError:
        raise Http404(name) from None
    return HttpResponse(body, content_type="text/html; charset=utf-8")
