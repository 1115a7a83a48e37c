import pytest

from projects.models import SizeBand, size_band
from projects.roles import PERMISSIONS, ROLE_PERMISSIONS, STAFF_PERMISSIONS, Role

# Written out in full on purpose: a change to who may do what must change this test too.
EXPECTED = {
    Role.PROJECT_MANAGER: {
        "view_project", "manage_project", "submit_requirement", "view_requirements",
        "work_requirements", "triage_feedback", "read_channel", "post_channel", "view_budget",
        "view_internal", "view_reports",
    },
    Role.TEAM_MEMBER: {
        "view_project", "view_requirements", "work_requirements", "triage_feedback",
        "read_channel", "post_channel", "view_budget", "view_internal", "view_reports",
    },
    Role.SPOC: {
        "view_project", "submit_requirement", "view_requirements", "endorse_requirement",
        "read_channel", "post_channel", "confirm_off_channel", "view_budget", "view_reports",
    },
    Role.STAKEHOLDER: {"view_project", "submit_requirement", "read_channel", "post_channel"},
    Role.TESTER: {"view_project", "log_feedback"},
    Role.OBSERVER: {"view_project", "view_reports"},
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_each_role_grants_exactly_its_permissions(role):
    assert ROLE_PERMISSIONS[role] == EXPECTED[role]


def test_every_permission_is_declared_and_granted_to_someone():
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted == set(PERMISSIONS)


def test_only_the_client_side_endorses_and_confirms_off_channel_requests():
    for permission in ("endorse_requirement", "confirm_off_channel"):
        assert {role for role, perms in ROLE_PERMISSIONS.items() if permission in perms} == {
            Role.SPOC
        }


def test_client_roles_never_see_vendor_internal_figures():
    for role in (Role.SPOC, Role.STAKEHOLDER, Role.TESTER, Role.OBSERVER):
        assert "view_internal" not in ROLE_PERMISSIONS[role]


def test_staff_act_as_project_managers():
    assert ROLE_PERMISSIONS[Role.PROJECT_MANAGER] == STAFF_PERMISSIONS


@pytest.mark.parametrize(
    ("headcount", "band"),
    [
        (0, SizeBand.SMALL),
        (499, SizeBand.SMALL),
        (500, SizeBand.MID),
        (1000, SizeBand.MID),
        (1001, SizeBand.LARGE),
        (250_000, SizeBand.LARGE),
    ],
)
def test_size_band_boundaries(headcount, band):
    assert size_band(headcount) == band
