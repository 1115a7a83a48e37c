"""Every transition of the requirement workflow, allowed and refused, for every role."""

import pytest
from django.core.exceptions import ValidationError

from projects.access import project_permissions
from requirements import services
from requirements.models import Requirement, Status
from requirements.workflow import TRANSITIONS, available

ROLES = ("pm", "team_member", "spoc", "stakeholder", "tester", "observer", "staff")

# Who may make each move (besides the submitter, where the table says so).
EXPECTED = {
    (Status.SUBMITTED, Status.ENDORSED): {"spoc"},
    (Status.SUBMITTED, Status.RETURNED): {"spoc"},
    (Status.RETURNED, Status.SUBMITTED): {"spoc"},
    (Status.ENDORSED, Status.ACCEPTED): {"pm", "staff"},
    (Status.ENDORSED, Status.DECLINED): {"pm", "staff"},
    (Status.ACCEPTED, Status.IN_PROGRESS): {"pm", "team_member", "staff"},
    (Status.IN_PROGRESS, Status.DELIVERED): {"pm", "team_member", "staff"},
    (Status.DELIVERED, Status.VERIFIED): {"spoc"},
    (Status.DELIVERED, Status.IN_PROGRESS): {"spoc"},
    (Status.SUBMITTED, Status.WITHDRAWN): {"spoc"},
    (Status.RETURNED, Status.WITHDRAWN): {"spoc"},
    (Status.ENDORSED, Status.WITHDRAWN): {"spoc"},
}
MOVES = [(s, t.target) for t in TRANSITIONS for s in sorted(t.sources)]


def test_the_table_is_what_the_test_expects():
    assert set(MOVES) == set(EXPECTED)


@pytest.fixture
def make_requirement(project, pm):
    def make(status):
        requirement = services.requirement_submit(
            requirement=Requirement(project=project, title="Single sign-on"), by=pm
        )
        Requirement.objects.filter(pk=requirement.pk).update(status=status)
        requirement.refresh_from_db()
        return requirement

    return make


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(("source", "target"), MOVES)
def test_each_move_for_each_role(project, persona, make_requirement, who, source, target):
    user = persona(who)
    requirement = make_requirement(source)
    perms = project_permissions(user, project)
    allowed = who in EXPECTED[(source, target)]
    assert (target in [t.target for t in available(source, perms, False)]) is allowed
    change = lambda: services.requirement_transition(  # noqa: E731
        requirement=requirement, to=target, perms=perms, by=user, reason="Because"
    )
    if allowed:
        change()
        requirement.refresh_from_db()
        assert requirement.status == target
    else:
        with pytest.raises(ValidationError, match="does not allow"):
            change()
        requirement.refresh_from_db()
        assert requirement.status == source


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.SUBMITTED, Status.VERIFIED),
        (Status.VERIFIED, Status.SUBMITTED),
        (Status.DECLINED, Status.ACCEPTED),
        (Status.WITHDRAWN, Status.ENDORSED),
    ],
)
def test_moves_outside_the_table_are_refused_for_everyone(
    project, pm, spoc, make_requirement, source, target
):
    requirement = make_requirement(source)
    for user in (pm, spoc):
        with pytest.raises(ValidationError, match="cannot be moved there"):
            services.requirement_transition(
                requirement=requirement,
                to=target,
                perms=project_permissions(user, project),
                by=user,
            )


def test_returning_or_declining_needs_a_reason(project, spoc, make_requirement):
    requirement = make_requirement(Status.SUBMITTED)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.requirement_transition(
            requirement=requirement,
            to=Status.RETURNED,
            perms=project_permissions(spoc, project),
            by=spoc,
        )


def test_the_submitter_may_resubmit_and_withdraw_their_own(project, pm, stakeholder):
    from stakeholders.models import Stakeholder
    from stakeholders.services import stakeholder_save

    me = stakeholder_save(
        stakeholder=Stakeholder(
            project=project, name="Marc", email=stakeholder.email, department="ld", user=stakeholder
        ),
        by=pm,
    )
    requirement = services.requirement_submit(
        requirement=Requirement(project=project, title="French path", submitter=me), by=stakeholder
    )
    Requirement.objects.filter(pk=requirement.pk).update(status=Status.RETURNED)
    perms = project_permissions(stakeholder, project)
    assert [t.target for t in available(Status.RETURNED, perms, True)] == [
        Status.SUBMITTED,
        Status.WITHDRAWN,
    ]
    services.requirement_transition(
        requirement=requirement, to=Status.SUBMITTED, perms=perms, by=stakeholder
    )
    services.requirement_transition(
        requirement=requirement,
        to=Status.WITHDRAWN,
        perms=perms,
        by=stakeholder,
        reason="Solved locally",
    )
    requirement.refresh_from_db()
    assert (requirement.status, requirement.status_reason) == (Status.WITHDRAWN, "Solved locally")
