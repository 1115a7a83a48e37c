"""The error page when a request fails on our side."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponse:
    """Our 500 page; with the database unreachable, the same page as a 503 that says when to try
    again, since the app reconnects by itself once the database is back."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    response = HttpResponse(
        loader.get_template("500.html").render(), status=503 if unavailable else 500
    )
    if unavailable:
        response["Retry-After"] = "30"
    return response
