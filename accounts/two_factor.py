"""Who must use two-factor sign-in, and what a session still owes before it counts as verified.

Vendor staff always must. Other apps add who else must with `register_requirement`, as a
condition on the user: the projects app adds everyone who manages a project or may create one
(accounts cannot import it). Conditions, not functions, so that the check on every request of an
ordinary user is one query.
"""

from enum import Enum

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10

_requirements: list[Q] = []


def register_requirement(condition: Q) -> None:
    """`condition` on the user model: those who match it must use a second factor."""
    if condition not in _requirements:
        _requirements.append(condition)


def _required_condition() -> Q:
    condition = Q(is_staff=True)
    for other in _requirements:
        condition |= other
    return condition


def two_factor_required(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return get_user_model().objects.filter(_required_condition(), pk=user.pk).exists()


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class Owes(Enum):
    NOTHING = "nothing"
    CODE = "code"  # has an authenticator: give a code from it (or a recovery code)
    ENROLMENT = "enrolment"  # must use a second factor and has none yet


def verified(session) -> bool:
    """Whether this session gave its second factor: django_otp.login stores the device's id."""
    return bool(session.get(DEVICE_ID_SESSION_KEY))


def owes(user, session) -> Owes:
    """What a signed-in session must still do before it may use Liaison.

    Anyone who turned two-factor sign-in on gives a code at every sign-in, whether or not it is
    required of them: a second factor that could be skipped would protect nothing. A session
    that gave its code carries the device's id (django_otp.login) and costs no query: removing
    a person's second factor ends their sessions (accounts.services.two_factor_reset).
    """
    if not user.is_authenticated or verified(session):
        return Owes.NOTHING
    users = get_user_model().objects
    has_device, required = (
        users.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            required=Exists(users.filter(_required_condition(), pk=OuterRef("pk"))),
        )
        .values_list("has_device", "required")
        .get()
    )
    if has_device:
        return Owes.CODE
    if required:
        return Owes.ENROLMENT
    return Owes.NOTHING
