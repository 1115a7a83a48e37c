"""How django-axes tells one sign-in attempt from another, and what a locked-out person sees."""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The address attempts are counted against.

    X-Forwarded-For is trusted only when settings say how many proxies we sit behind: anyone
    can send that header, and believing it blindly would let an attacker pick a fresh address
    for every guess.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            # Each trusted proxy appends the address it received from; the client's is the one
            # our outermost proxy appended.
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def username(request: HttpRequest, credentials: dict | None) -> str:
    # People sign in with their e-mail address in any case: count DANA@ and dana@ together.
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value).strip().lower()


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
