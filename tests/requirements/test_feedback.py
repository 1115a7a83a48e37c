"""Test feedback: who may move it where, how it is logged and numbered, and go-live readiness."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from projects.roles import ROLE_PERMISSIONS, Role
from requirements import services
from requirements.models import Feedback, FeedbackStatus, MeToo, RoundStatus
from requirements.readiness import readiness
from requirements.tasks import send_severe_feedback_summaries
from requirements.workflow import FEEDBACK_TRANSITIONS, available, may
from tests.projects.factories import SiteFactory

from .uat import go_live_milestone, log, move, must, open_round, verified

F = FeedbackStatus
TRIAGE_MOVES = {
    (F.NEW, F.TRIAGED), (F.NEW, F.FIXING), (F.TRIAGED, F.FIXING), (F.FIXING, F.FIXED),
    (F.VERIFIED, F.CLOSED), (F.FIXED, F.CLOSED),
    *((s, F.WONT_FIX) for s in (F.NEW, F.TRIAGED, F.FIXING)),
    *((s, F.DUPLICATE) for s in (F.NEW, F.TRIAGED, F.FIXING)),
    *((s, F.TRIAGED) for s in (F.WONT_FIX, F.DUPLICATE, F.CLOSED)),
}  # fmt: skip
TESTER_MOVES = {(F.FIXED, F.VERIFIED), (F.FIXED, F.FIXING)}
ALL_MOVES = [(source, t.target) for t in FEEDBACK_TRANSITIONS for source in sorted(t.sources)]


def test_the_table_lists_each_move_once():
    assert len(ALL_MOVES) == len(set(ALL_MOVES)) == len(TRIAGE_MOVES | TESTER_MOVES)
    assert set(ALL_MOVES) == TRIAGE_MOVES | TESTER_MOVES


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("is_tester", [False, True], ids=["not-theirs", "their-item"])
@pytest.mark.parametrize(("source", "target"), ALL_MOVES)
def test_every_move_for_every_role(role, is_tester, source, target):
    perms = ROLE_PERMISSIONS[role]
    transition = next(t for t in FEEDBACK_TRANSITIONS if source in t.sources and t.target == target)
    expected = ("triage_feedback" in perms and (source, target) in TRIAGE_MOVES) or (
        is_tester and (source, target) in TESTER_MOVES
    )
    assert may(transition, perms, is_tester) is expected
    shown = {t.target for t in available(source, perms, is_tester, FEEDBACK_TRANSITIONS)}
    assert (target in shown) is expected


def test_only_the_vendor_triages():
    triagers = {role for role in Role if "triage_feedback" in ROLE_PERMISSIONS[role]}
    assert triagers == {Role.PROJECT_MANAGER, Role.TEAM_MEMBER}


@pytest.fixture
def test_round(project, tester):
    return open_round(project, [tester])


def test_feedback_is_numbered_per_project_and_shown_with_its_key(test_round, tester):
    first, second = log(test_round, tester), log(test_round, tester, title="Menu overlaps")
    assert (first.number, second.number) == (1, 2)
    assert second.key == "NWP-F2"
    assert second.history.first().history_user == tester
    assert second.status == F.NEW


def test_a_closed_round_takes_no_new_feedback(test_round, tester, pm):
    services.round_set_status(test_round=test_round, status=RoundStatus.CLOSED, by=pm)
    with pytest.raises(ValidationError, match="takes no new feedback"):
        log(test_round, tester)
    assert not Feedback.objects.exists()


def test_only_invited_testers_log_feedback_in_a_round(project, test_round):
    from tests.conftest import _member

    other_tester = _member(project, Role.TESTER)
    with pytest.raises(ValidationError, match="invited"):
        log(test_round, other_tester)


def test_a_round_invites_only_testers_of_the_project(project, stakeholder):
    with pytest.raises(ValidationError) as error:
        open_round(project, [stakeholder])
    assert "testers" in error.value.error_dict


def test_the_requirement_must_be_in_the_round_scope(project, tester):
    in_scope, outside = must(project, title="SSO"), must(project, title="Reports")
    test_round = open_round(project, [tester], requirements=[in_scope])
    assert log(test_round, tester, requirement=in_scope).requirement == in_scope
    with pytest.raises(ValidationError) as error:
        log(test_round, tester, requirement=outside)
    assert "requirement" in error.value.error_dict


def test_the_whole_path_to_verified_keeps_every_step_and_tells_the_tester(
    test_round, tester, team_member, django_capture_on_commit_callbacks
):
    item = log(test_round, tester)
    with django_capture_on_commit_callbacks(execute=True):
        for to in (F.TRIAGED, F.FIXING, F.FIXED):
            item = move(item, to, team_member)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [tester.email]
    assert "NWP-F1" in mail.outbox[0].subject
    item = move(item, F.VERIFIED, tester)
    item.refresh_from_db()
    assert item.status == F.VERIFIED
    assert [h.status for h in item.history.order_by("history_id")] == [
        F.NEW, F.TRIAGED, F.FIXING, F.FIXED, F.VERIFIED
    ]  # fmt: skip


def test_reopening_a_fix_needs_a_comment_and_a_new_fix_mails_again(
    test_round, tester, team_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = move(move(log(test_round, tester), F.FIXING, team_member), F.FIXED, team_member)
    with pytest.raises(ValidationError):
        move(item, F.FIXING, tester)
    item = move(item, F.FIXING, tester, reason="Still black on the iPad")
    assert item.comments.get().body == "Still black on the iPad"
    with django_capture_on_commit_callbacks(execute=True):
        move(item, F.FIXED, team_member)
    assert len(mail.outbox) == 2


def test_a_tester_cannot_verify_another_testers_item(project, tester, team_member):
    from tests.conftest import _member

    other = _member(project, Role.TESTER)
    test_round = open_round(project, [tester, other])
    item = move(move(log(test_round, tester), F.FIXING, team_member), F.FIXED, team_member)
    with pytest.raises(ValidationError, match="does not allow"):
        move(item, F.VERIFIED, other)


def test_wont_fix_needs_a_reason_and_duplicate_an_item_of_the_same_project(
    project, test_round, tester, pm, outsider
):
    original, repeat = log(test_round, tester), log(test_round, tester)
    with pytest.raises(ValidationError):
        move(repeat, F.WONT_FIX, pm)
    with pytest.raises(ValidationError):
        move(repeat, F.DUPLICATE, pm)
    with pytest.raises(ValidationError):
        move(repeat, F.DUPLICATE, pm, duplicate_of=repeat)
    repeat = move(repeat, F.DUPLICATE, pm, duplicate_of=original)
    assert repeat.duplicate_of == original


def test_me_too_counts_once_per_person_and_not_for_ones_own(project, tester, pm):
    from tests.conftest import _member

    other = _member(project, Role.TESTER)
    test_round = open_round(project, [tester, other])
    item = log(test_round, tester)
    assert services.feedback_me_too(feedback=item, by=other) is True
    assert services.feedback_me_too(feedback=item, by=other) is False
    with pytest.raises(ValidationError):
        services.feedback_me_too(feedback=item, by=tester)
    assert MeToo.objects.filter(feedback=item).count() == 1


def test_similar_open_items_of_the_round_are_suggested(test_round, tester, pm):
    video = log(test_round, tester, title="Video does not play")
    log(test_round, tester, title="Menu overlaps the logo")
    closed = log(test_round, tester, title="Video subtitles missing")
    move(closed, F.WONT_FIX, pm, reason="Out of scope")
    assert list(test_round.feedback.similar_to("the video stops")) == [video]
    assert not test_round.feedback.similar_to("a b")


# Readiness


def _by_site(project):
    return {r.site.name if r.site else None: r for r in readiness(project)}


def test_readiness_lists_what_blocks_each_site_and_the_project(
    project, pm, spoc, team_member, tester
):
    germany, france = (
        SiteFactory(project=project, name="Germany"),
        SiteFactory(project=project, name="France"),
    )
    everywhere = must(project, title="SSO")
    german = must(project, site=germany, title="Works council")
    go_live_milestone(project, germany, done=True)
    go_live_milestone(project, france)
    france_round = open_round(project, [tester], site=france)
    blocker = log(france_round, tester, severity="blocker")
    log(france_round, tester, severity="minor")

    state = _by_site(project)
    assert {b.label.split()[0] for b in state["Germany"].blockers} == {"NWP-1", "NWP-2"}
    france_lines = [b.label for b in state["France"].blockers]
    assert any("NWP-F1" in line for line in france_lines)
    assert not any("NWP-F2" in line for line in france_lines)  # a minor item does not block
    assert any("Milestone Go-live" in line for line in france_lines)
    assert not any("NWP-2 " in line for line in france_lines)  # Germany's requirement

    verified(everywhere, pm=pm, spoc=spoc, team_member=team_member)
    verified(german, pm=pm, spoc=spoc, team_member=team_member)
    assert _by_site(project)["Germany"].ready
    move(blocker, F.WONT_FIX, pm, reason="Accepted by the client")
    assert [b.kind for b in _by_site(project)["France"].blockers] == ["milestone"]


def test_a_scope_without_go_live_milestone_is_not_ready(project):
    state = _by_site(project)
    assert [b.label for b in state[None].blockers] == ["No go-live milestone is planned."]


def test_the_daily_summary_reaches_the_project_manager_once(project, pm, tester):
    from django.utils import timezone

    test_round = open_round(project, [tester])
    log(test_round, tester, severity="blocker", title="Login fails")
    log(test_round, tester, severity="minor", title="Typo")
    today = timezone.localdate().isoformat()
    assert send_severe_feedback_summaries(today) == 1
    assert send_severe_feedback_summaries(today) == 0
    assert mail.outbox[-1].to == [pm.email]
    assert "Login fails" in mail.outbox[-1].body and "Typo" not in mail.outbox[-1].body


def test_go_live_check_turns_red_for_open_blocker_feedback_in_scope(project, tester, pm):
    from datetime import timedelta

    from projects.models import Severity
    from requirements.checks import go_live_not_ready

    today = project.target_go_live - timedelta(days=5)
    germany, france = (
        SiteFactory(project=project, name="Germany", local_go_live=today),
        SiteFactory(project=project, name="France", local_go_live=today),
    )
    item = log(open_round(project, [tester], site=france), tester, severity="blocker")
    found = {result.code: result for result in go_live_not_ready(project, today)}
    assert set(found) == {"go-live-musts:project", f"go-live-musts:{france.pk}"}
    assert found["go-live-musts:project"].severity == Severity.RED
    assert "1 blocker or major feedback item is open" in found["go-live-musts:project"].message
    move(item, F.WONT_FIX, pm, reason="Accepted")
    assert not list(go_live_not_ready(project, today))
    assert germany.pk  # a site with nothing open stays out


def test_a_tester_removed_from_the_project_logs_no_more(project, test_round, tester, pm):
    from projects.services import member_remove

    member_remove(membership=project.memberships.get(user=tester), by=pm)
    with pytest.raises(ValidationError, match="invited"):
        log(test_round, tester)
