"""The one way a view reaches a project: loaded from the URL, through what the person may see."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker

from .models import Membership, Project
from .roles import PERMISSIONS, STAFF_PERMISSIONS


def project_permissions(user, project: Project) -> frozenset[str]:
    if user.is_staff or user.is_superuser:
        return STAFF_PERMISSIONS
    return frozenset(ObjectPermissionChecker(user).get_perms(project))


def project_for(request, key: str, perm: str = "view_project") -> Project:
    """Load the project named in the URL and check `perm` on it.

    Someone who may not see the project gets 404, so that its existence does not leak; a member
    whose role lacks `perm` gets 403 with a page that says what their role allows.
    """
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("client"), key=key
    )
    project.user_perms = project_permissions(request.user, project)
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
