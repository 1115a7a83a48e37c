import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _


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
