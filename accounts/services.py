import math

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit
from audit.models import Kind

from .two_factor import RECOVERY_CODE_COUNT, authenticator, two_factor_required


def user_sessions_end(*, user) -> int:
    """Sign `user` out everywhere by deleting their stored sessions; returns how many.

    Sessions live in the database and last at most SESSION_MAX_HOURS, so the live ones are few:
    reading each is simpler than keeping a second record of who holds which session, and cannot
    miss one whose key changed (a password change cycles it).
    """
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


# --- Two-factor sign-in ----------------------------------------------------------------------
# Each function below is one thing a person does with their second factor, and the audit log
# records it: turned on, a wrong code, a recovery code spent, codes renewed, turned off, reset.


def two_factor_begin(*, user) -> TOTPDevice:
    """The authenticator waiting for its first code: the same one until it is confirmed, so that
    reloading the enrolment page does not change the key already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def two_factor_enable(*, device: TOTPDevice, token: str, by) -> list[str]:
    """Confirm `device` with a current code from it; returns the first set of recovery codes."""
    if device.user_id != by.pk:
        raise PermissionDenied(_("Only the account's owner sets up its second factor."))
    if authenticator(by) is not None:
        raise ValidationError(_("Two-factor sign-in is already on for your account."))
    _check_code(device, token)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=by, confirmed=False).delete()
        audit.record(Kind.ACCOUNT_CHANGED, user=by, subject=_("Two-factor sign-in turned on"))
        return _new_recovery_codes(by)


def two_factor_verify(*, user, token: str) -> Device:
    """The device that accepts `token`: a code from the authenticator app, or one recovery code,
    which is spent. Raises ValidationError for a wrong code or while wrong codes are throttled."""
    token = "".join(token.split()).lower()
    if token.isdigit():
        device = authenticator(user)
        if device is None:
            raise ValidationError(_("Two-factor sign-in is not on for your account."))
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise ValidationError(_("That is not a code from your authenticator app."))
    try:
        device = _check_code(device, token)
    except ValidationError as refusal:
        audit.record(
            Kind.SIGN_IN_FAILED,
            user=user,
            subject=_("Second factor refused"),
            detail={"reason": refusal.code},
        )
        raise
    if isinstance(device, StaticDevice):
        left = device.token_set.count()
        audit.record(
            Kind.SIGNED_IN,
            user=user,
            subject=_("Signed in with a recovery code (%(left)s left)") % {"left": left},
        )
    return device


def recovery_codes_renew(*, user, by) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    if user.pk != by.pk:
        raise PermissionDenied(_("Only the account's owner sees its recovery codes."))
    if authenticator(user) is None:
        raise ValidationError(_("Turn on two-factor sign-in first."))
    with transaction.atomic():
        audit.record(Kind.ACCOUNT_CHANGED, user=by, subject=_("New recovery codes"))
        return _new_recovery_codes(user)


def two_factor_disable(*, user, token: str, by) -> None:
    """Turn two-factor sign-in off, with a current code from the authenticator app."""
    if user.pk != by.pk:
        raise PermissionDenied(_("Only the account's owner turns its second factor off."))
    if two_factor_required(user):
        raise ValidationError(
            _("Two-factor sign-in is required for vendor staff and project managers.")
        )
    device = authenticator(user)
    if device is None:
        raise ValidationError(_("Two-factor sign-in is not on for your account."))
    _check_code(device, "".join(token.split()))
    with transaction.atomic():
        _remove_devices(user)
        audit.record(Kind.ACCOUNT_CHANGED, user=by, subject=_("Two-factor sign-in turned off"))


def two_factor_reset(*, user, by) -> int:
    """Vendor staff remove a person's second factor (a lost phone): their sessions end, and
    they set up a new one at their next sign-in if it is required of them. Returns how many
    devices were removed."""
    if not by.is_staff:
        raise PermissionDenied(_("Only vendor staff reset a person's second factor."))
    with transaction.atomic():
        removed = _remove_devices(user)
        user_sessions_end(user=user)
        audit.record(
            Kind.ACCOUNT_CHANGED,
            user=by,
            subject=_("Second factor of %(person)s reset") % {"person": user.get_username()},
            obj=user,
        )
        return removed


def _check_code(device: Device, token: str) -> Device:
    # The failure count must be saved even when the caller then raises: the check commits on
    # its own, and the row is locked so that parallel guesses are counted one after the other.
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, refusal = device.verify_is_allowed()
        accepted = allowed and device.verify_token(token)
    if not allowed:
        seconds = math.ceil((refusal["locked_until"] - timezone.now()).total_seconds())
        raise ValidationError(
            _("Too many wrong codes. Wait %(seconds)s seconds, then try again.")
            % {"seconds": max(seconds, 1)},
            code="throttled",
        )
    if not accepted:
        raise ValidationError(
            _("That code is not right. Check your authenticator app's entry for Liaison."),
            code="wrong",
        )
    return device


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _remove_devices(user) -> int:
    authenticators, _per_model = TOTPDevice.objects.filter(user=user).delete()
    _rows, per_model = StaticDevice.objects.filter(user=user).delete()  # with their codes
    return authenticators + per_model.get(StaticDevice._meta.label, 0)
