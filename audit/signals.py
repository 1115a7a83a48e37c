"""Sign-in, failed sign-in and sign-out, from Django's auth signals (connected in apps.py)."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings

from . import services
from .models import Kind


def signed_in(sender, request, user, **kwargs):
    services.record(Kind.SIGNED_IN, request=request, user=user)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django sends this once per failed attempt, axes' refusals of a locked-out pair included;
    # `credentials` has the password masked, and only the name typed is kept.
    typed = str((credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD, ""))
    # Whether axes refused this attempt unchecked: the pair was locked out before it. (Its own
    # flag on the request is not set yet when this receiver runs, nor when the cool-off restarts.)
    locked_out = request is not None and not AxesProxyHandler.is_allowed(request, credentials)
    services.record(
        Kind.SIGN_IN_FAILED,
        request=request,
        username=typed.strip(),
        detail={"locked_out": True} if locked_out else {},
    )


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        services.record(Kind.SIGNED_OUT, request=request, user=user)
