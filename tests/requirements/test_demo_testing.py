"""The demo's testing part: two rounds and about 150 items in every status and severity, each
with its real history, and a second load that adds nothing."""

import pytest

from projects import demo
from requirements.models import (
    Feedback,
    FeedbackSeverity,
    FeedbackStatus,
    MeToo,
    RoundStatus,
    TestRound,
)


@pytest.mark.django_db
def test_demo_has_rounds_and_feedback_in_every_status_and_severity():
    demo.load()
    rounds = TestRound.objects.filter(project__key="NWP")
    assert sorted(rounds.values_list("status", flat=True)) == [
        RoundStatus.CLOSED, RoundStatus.OPEN
    ]  # fmt: skip
    items = Feedback.objects.filter(project__key="NWP")
    assert items.count() == 150
    assert set(items.values_list("status", flat=True)) == set(FeedbackStatus.values)
    assert set(items.values_list("severity", flat=True)) == set(FeedbackSeverity.values)
    verified = items.filter(status=FeedbackStatus.VERIFIED).first()
    assert verified.history.count() == 4
    assert verified.history.first().history_user == verified.tester
    assert MeToo.objects.filter(feedback__project__key="NWP").exists()
    demo.load()
    assert Feedback.objects.count() == 150 and TestRound.objects.count() == 2
