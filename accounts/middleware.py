import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .two_factor import Owes, owes


class UserTimeZoneMiddleware:
    """Show times in the signed-in person's own time zone; they are stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# Note activity at most once a minute: saving the session on every request would cost a write
# each time, and idle timeouts are counted in hours.
TOUCH_EVERY_SECONDS = 60


def stamp_sign_in(sender, request, user, **kwargs):
    """Start both session clocks at sign-in (connected to `user_logged_in`)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Sign people out after a quiet spell, and after a working day whatever they do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, signed_in_at)
            if (
                now - last_seen_at > settings.SESSION_IDLE_SECONDS
                or now - signed_in_at > settings.SESSION_MAX_SECONDS
            ):
                return _signed_out(request)
            if now - last_seen_at >= TOUCH_EVERY_SECONDS:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


def _signed_out(request):
    logout(request)
    messages.info(request, _("Your session ended. Please sign in again."))
    login_url = resolve_url(settings.LOGIN_URL)
    if request.headers.get("HX-Request"):
        # A redirect would swap the login page into a fragment: make htmx load it whole.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return redirect_to_login(request.get_full_path(), login_url)


# Pages a session that still owes its second factor may see: where it gives it, and the way out.
TWO_FACTOR_OPEN_URLS = ("accounts:two_factor", "accounts:two_factor_verify", "accounts:logout")


class TwoFactorMiddleware:
    """Send a signed-in person who still owes a code, or must still set up a second factor, to
    that page before anything else (accounts.two_factor.owes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not self._open(request.path_info):
            owed = owes(request.user, request.session)
            if owed is not Owes.NOTHING:
                return _two_factor_redirect(request, owed)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if settings.STATIC_URL and path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return any(path == reverse(name) for name in TWO_FACTOR_OPEN_URLS)


def _two_factor_redirect(request, owed):
    target = "accounts:two_factor_verify" if owed is Owes.CODE else "accounts:two_factor"
    url = reverse(target)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
