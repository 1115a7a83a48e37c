"""Test rounds and feedback made the way the app makes them, for the UAT tests."""

from datetime import date

from projects.access import project_permissions
from requirements import services
from requirements.models import Feedback, Requirement, RoundStatus, TestRound
from tests.conftest import project_manager


def open_round(project, testers, *, site=None, requirements=(), name="Round 1"):
    pm = project_manager(project)
    test_round = services.round_save(
        test_round=TestRound(
            project=project, name=name, site=site, starts_on=date(2026, 11, 2),
            ends_on=date(2026, 11, 13), build="4.5.2",
        ),
        requirements=list(requirements),
        testers=list(testers),
        by=pm,
    )  # fmt: skip
    return services.round_set_status(test_round=test_round, status=RoundStatus.OPEN, by=pm)


def log(test_round, tester, *, title="Video does not play on the tablet", severity="major",
        requirement=None, screenshots=()):  # fmt: skip
    return services.feedback_log(
        feedback=Feedback(
            round=test_round, title=title, severity=severity, kind="defect",
            requirement=requirement, steps="Open the course", actual="Black screen",
        ),
        screenshots=list(screenshots),
        by=tester,
    )  # fmt: skip


def move(feedback, to, by, **kwargs):
    return services.feedback_transition(
        feedback=feedback, to=to, perms=project_permissions(by, feedback.project), by=by, **kwargs
    )


def must(project, *, site=None, title="Single sign-on"):
    return services.requirement_submit(
        requirement=Requirement(project=project, title=title, priority="must", site=site),
        by=project_manager(project),
    )


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


PNG = image_bytes()


def go_live_milestone(project, site=None, *, done=False):
    from projects.models import Milestone
    from projects.services import milestone_save

    day = date(2027, 3, 1)
    return milestone_save(
        milestone=Milestone(
            project=project, site=site, name="Go-live", is_go_live=True, planned_date=day,
            forecast_date=day, actual_date=date(2026, 11, 30) if done else None,
        ),
        by=None,
    )  # fmt: skip


def verified(requirement, *, pm, spoc, team_member):
    """A requirement taken through the whole workflow by the people who decide each step."""
    project = requirement.project
    for to, by in (("endorsed", spoc), ("accepted", pm), ("in_progress", team_member),
                   ("delivered", team_member), ("verified", spoc)):  # fmt: skip
        requirement = services.requirement_transition(
            requirement=requirement, to=to, perms=project_permissions(by, project), by=by
        )
    return requirement
