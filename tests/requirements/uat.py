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
