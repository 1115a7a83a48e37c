"""The one way to write to the audit log.

Call `record` inside the action's transaction where there is one: if the action rolls back,
so does its audit event, and an action that committed always has one.
"""

import ipaddress
from contextvars import ContextVar

from django.db import models
from django.http import HttpRequest

from accounts.throttling import client_ip

from .models import AuditEvent, Kind

# The request being served, set by audit.middleware.AuditMiddleware, so that a service called
# from a view records the address without every service taking the request as an argument.
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)

SUBJECT_LENGTH = AuditEvent._meta.get_field("subject").max_length
PATH_LENGTH = AuditEvent._meta.get_field("path").max_length


def record(
    kind: Kind | str,
    *,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    project=None,
    subject: str = "",
    obj: models.Model | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add one event. `user` defaults to the request's signed-in person; `subject` says in a
    few words what the event was about, `obj` points at it."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        signed_in = getattr(request, "user", None)
        if signed_in is not None and signed_in.is_authenticated:
            user = signed_in
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if not username and user is not None:
        username = user.get_username()
    ip = _address(request) if request is not None else None
    return AuditEvent.objects.create(
        kind=Kind(kind),
        actor=user,
        username=username[:254],
        ip_address=ip,
        project=project,
        subject=str(subject)[:SUBJECT_LENGTH],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        path=request.get_full_path()[:PATH_LENGTH] if request is not None else "",
        detail=detail or {},
    )


def _address(request: HttpRequest) -> str | None:
    # A forwarded header is text anyone could write: keep it only if it is an address.
    try:
        return str(ipaddress.ip_address(client_ip(request).strip()))
    except ValueError:
        return None
