"""The one way a view reaches a project: loaded from the URL, through what the person may see."""

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from audit import services as audit
from audit.models import Kind

from .models import Membership, Project, grants_of
from .roles import PERMISSIONS, STAFF_PERMISSIONS


def project_permissions(user, project: Project) -> frozenset[str]:
    if user.is_staff or user.is_superuser:
        return STAFF_PERMISSIONS
    if not user.is_active:
        return frozenset()
    grants = grants_of(user).filter(content_object=project)
    return frozenset(grants.values_list("permission__codename", flat=True))


def project_for(request, key: str, perm: str = "view_project") -> Project:
    """Load the project named in the URL and check `perm` on it.

    Someone who may not see the project gets 404, so that its existence does not leak; a member
    whose role lacks `perm` gets 403 with a page that says what their role allows.
    """
    user = request.user
    if user.is_staff or user.is_superuser:
        project = get_object_or_404(Project.objects.select_related("client"), key=key)
        project.user_perms = STAFF_PERMISSIONS
    else:
        # The project and the person's permissions on it in one read: a row per permission.
        grants = (
            list(
                grants_of(user)
                .filter(content_object__key=key)
                .select_related("content_object__client", "permission")
            )
            if user.is_active
            else []
        )
        perms = frozenset(grant.permission.codename for grant in grants)
        if "view_project" not in perms:
            _refuse_hidden(request, key)
        project = grants[0].content_object
        project.user_perms = perms
    require(request, project, perm)
    return project


def require(request, project: Project, perm: str) -> None:
    """Refuse (403) a member of `project`, loaded by `project_for`, whose role lacks `perm`.
    For a view that must first say whether an object exists for this person at all."""
    if perm not in project.user_perms:
        membership = Membership.objects.active().filter(project=project, user=request.user).first()
        role = membership.get_role_display() if membership else _("none")
        raise PermissionDenied(
            _("Your role on %(project)s (%(role)s) does not allow you to %(action)s.")
            % {"project": project, "role": role, "action": PERMISSIONS[perm]}
        )


def _refuse_hidden(request, key: str) -> NoReturn:
    """Not found, as if the project did not exist; but if it does, the attempt is recorded."""
    hidden = Project.objects.filter(key=key).first()
    if hidden is not None:
        audit.record(
            Kind.ACCESS_REFUSED,
            request=request,
            project=hidden,
            subject=_("A project the person is not a member of"),
            detail={"status": 404, "method": request.method},
        )
    raise Http404
