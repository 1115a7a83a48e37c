"""Baseline, change requests and conflicts."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import checks
from projects.access import project_permissions
from projects.models import Severity
from requirements import services
from requirements.models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Conflict,
    Requirement,
    Status,
)
from stakeholders.models import Entry, EntryKind
from tests.projects.factories import SiteFactory
from tests.stakeholders.factories import accountable


def submit(project, by, status=Status.SUBMITTED, **fields):
    requirement = services.requirement_submit(
        requirement=Requirement(project=project, title=fields.pop("title", "SSO"), **fields), by=by
    )
    Requirement.objects.filter(pk=requirement.pk).update(status=status)
    requirement.refresh_from_db()
    return requirement


def perms(user, project):
    return project_permissions(user, project)


@pytest.fixture
def baselined(project, pm):
    """Two accepted requirements and one only endorsed, then a baseline."""
    accepted = [
        submit(project, pm, Status.ACCEPTED, title=t, priority="should") for t in ("SSO", "HRIS")
    ]
    endorsed = submit(project, pm, Status.ENDORSED, title="Leaderboard")
    services.baseline_create(project=project, note="Signed off in steering", by=pm)
    for requirement in (*accepted, endorsed):
        requirement.refresh_from_db()
    return accepted, endorsed


def test_the_baseline_freezes_the_accepted_set(project, baselined):
    (sso, hris), endorsed = baselined
    baseline = project.baselines.get()
    assert [item.title for item in baseline.items.all()] == ["SSO", "HRIS"]
    assert sso.in_baseline and hris.in_baseline and not endorsed.in_baseline
    joined = sso.history.order_by("-history_date", "-history_id").first()
    assert (joined.in_baseline, joined.history_user) == (True, project.memberships.get().user)


def test_nothing_accepted_means_nothing_to_baseline(project, pm):
    submit(project, pm)
    with pytest.raises(ValidationError, match="nothing to baseline"):
        services.baseline_create(project=project, note="", by=pm)


def test_a_baselined_requirement_changes_only_by_change_request(project, pm, baselined):
    (sso, _hris), _endorsed = baselined
    sso.priority = "must"
    with pytest.raises(ValidationError, match="change through a change request"):
        services.requirement_update(requirement=sso, read_version=sso.version, by=pm)
    sso.refresh_from_db()
    sso.title = "Single sign-on (Entra ID)"  # not a controlled field
    services.requirement_update(requirement=sso, read_version=sso.version, by=pm)


def test_a_new_requirement_joins_the_baseline_only_by_change_request(project, pm, spoc, baselined):
    _accepted, endorsed = baselined
    with pytest.raises(ValidationError, match="approved change"):
        services.requirement_transition(
            requirement=endorsed, to=Status.ACCEPTED, perms=perms(pm, project), by=pm
        )
    change = services.change_request_raise(
        change=ChangeRequest(
            requirement=endorsed,
            kind=ChangeKind.ADD,
            description="Sales asked",
            impact_timeline="+1 week",
            impact_budget=Decimal("4500.00"),
        ),
        by=pm,
    )
    services.change_request_approve(change=change, perms=perms(spoc, project), by=spoc)
    endorsed.refresh_from_db()
    assert endorsed.status == Status.ENDORSED  # one approval is not enough
    services.change_request_approve(change=change, perms=perms(pm, project), by=pm)
    endorsed.refresh_from_db()
    change.refresh_from_db()
    assert (endorsed.status, endorsed.in_baseline, change.status) == (
        Status.ACCEPTED,
        True,
        ChangeStatus.APPROVED,
    )


def test_an_approved_change_is_applied_and_the_baseline_keeps_the_old_values(
    project, pm, spoc, baselined
):
    (sso, _hris), _endorsed = baselined
    brazil = SiteFactory(project=project, name="Brazil")
    change = services.change_request_raise(
        change=ChangeRequest(
            requirement=sso,
            kind=ChangeKind.CHANGE,
            description="Brazil first",
            proposed_priority="must",
            proposed_site=brazil,
            proposed_criteria="Works with Entra ID",
        ),
        by=spoc,
    )
    assert change.key == "CR-1"
    for approver in (pm, spoc):
        services.change_request_approve(change=change, perms=perms(approver, project), by=approver)
    sso.refresh_from_db()
    assert (sso.priority, sso.site, sso.acceptance_criteria) == (
        "must",
        brazil,
        "Works with Entra ID",
    )
    item = project.baselines.get().items.get(requirement=sso)
    assert (item.priority, item.scope) == ("should", "All sites")


def test_change_request_refusals(project, pm, spoc, stakeholder, baselined):
    (sso, _hris), endorsed = baselined
    with pytest.raises(ValidationError, match="changes nothing"):
        services.change_request_raise(
            change=ChangeRequest(requirement=sso, kind=ChangeKind.CHANGE, description="x"), by=pm
        )
    change = services.change_request_raise(
        change=ChangeRequest(
            requirement=sso, kind=ChangeKind.CHANGE, description="x", proposed_priority="must"
        ),
        by=pm,
    )
    with pytest.raises(ValidationError, match="already has a change request"):
        services.change_request_raise(
            change=ChangeRequest(
                requirement=sso, kind=ChangeKind.CHANGE, description="y", proposed_priority="could"
            ),
            by=pm,
        )
    services.change_request_approve(change=change, perms=perms(pm, project), by=pm)
    with pytest.raises(ValidationError, match="not needed, or already given"):
        services.change_request_approve(change=change, perms=perms(pm, project), by=pm)
    with pytest.raises(ValidationError, match="Only the point of contact or the project manager"):
        services.change_request_reject(
            change=change, perms=perms(stakeholder, project), reason="no", by=stakeholder
        )
    with pytest.raises(ValidationError, match="Say why"):
        services.change_request_reject(
            change=change, perms=perms(spoc, project), reason=" ", by=spoc
        )
    services.change_request_reject(
        change=change, perms=perms(spoc, project), reason="Too late", by=spoc
    )
    sso.refresh_from_db()
    assert sso.priority == "should"


@pytest.fixture
def owner(project, pm, spoc):
    """The SPOC is accountable for configuration on the ownership map."""
    accountable(project, spoc, "configuration", name="Sabine", by=pm)
    return spoc


def test_a_conflict_is_settled_by_the_accountable_owner_into_the_decision_log(project, pm, owner):
    first = submit(project, pm, title="Global dashboard", area="configuration")
    second = submit(project, pm, title="Regional dashboards only", area="configuration")
    conflict = services.conflict_raise(first=first, second=second, note="Opposite asks", by=pm)
    with pytest.raises(ValidationError, match="Only Sabine, accountable for Configuration"):
        services.conflict_resolve(conflict=conflict, resolution="Global wins", by=pm)
    services.conflict_resolve(
        conflict=conflict, resolution="Global, with a regional filter", by=owner
    )
    conflict.refresh_from_db()
    decision = Entry.objects.get(kind=EntryKind.DECISION)
    assert conflict.decision == decision and not conflict.is_open
    assert decision.subject == "Conflict NWP-1 × NWP-2 resolved"
    assert decision.body == "Global, with a regional filter"


def test_a_conflict_without_an_accountable_owner_cannot_be_settled(project, pm):
    first = submit(project, pm, area="content")
    second = submit(project, pm, area="content")
    conflict = services.conflict_raise(first=first, second=second, note="x", by=pm)
    with pytest.raises(ValidationError, match="Nobody is accountable for Content"):
        services.conflict_resolve(conflict=conflict, resolution="y", by=pm)


def test_conflict_refusals(project, pm):
    first, second = submit(project, pm), submit(project, pm)
    with pytest.raises(ValidationError, match="cannot conflict with itself"):
        services.conflict_raise(first=first, second=first, note="x", by=pm)
    services.conflict_raise(first=first, second=second, note="x", by=pm)
    with pytest.raises(ValidationError, match="already marked"):
        services.conflict_raise(first=second, second=first, note="x", by=pm)
    assert Conflict.objects.count() == 1


def test_the_owner_resolves_from_the_conflicts_page(client, project, pm, owner):
    first = submit(project, pm, title="Global dashboard", area="configuration")
    second = submit(project, pm, title="Regional dashboards only", area="configuration")
    client.force_login(pm)
    client.post(
        reverse("requirements:conflict_new", args=[project.key, first.number]),
        {"second": second.pk, "note": "Opposite asks"},
    )
    conflict = Conflict.objects.get()
    html = client.get(reverse("requirements:conflicts", args=[project.key])).content.decode()
    assert "Sabine, accountable for Configuration, settles it." in html
    assert 'name="resolution"' not in html  # not the owner
    client.force_login(owner)
    response = client.post(
        reverse("requirements:conflict_resolve", args=[project.key, conflict.pk]),
        {"resolution": "Global wins"},
        follow=True,
    )
    assert "the decision is in the decision log" in response.content.decode()


def test_a_conflict_sent_twice_is_marked_once_and_the_second_sending_is_not_refused(
    client, project, pm
):
    first = submit(project, pm, title="Global dashboard", area="configuration")
    second = submit(project, pm, title="Regional dashboards only", area="configuration")
    url = reverse("requirements:conflict_new", args=[project.key, first.number])
    client.force_login(pm)
    token = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode())[1]
    data = {"second": second.pk, "note": "Opposite asks", "once": token}
    # A double click: the second sending lands where the first did, not on "already marked".
    assert [client.post(url, data)["Location"] for _ in range(2)] == [
        reverse("requirements:conflicts", args=[project.key])
    ] * 2
    assert Conflict.objects.count() == 1


def test_the_conflict_check_names_the_accountable_owner_and_tells_them(project, pm, owner):
    first = submit(project, pm, title="Global dashboard", area="configuration")
    second = submit(project, pm, title="Regional dashboards only", area="configuration")
    conflict = services.conflict_raise(first=first, second=second, note="Opposite asks", by=pm)
    (result,) = [r for _area, r in checks.run_all(project, date.today()) if "conflict" in r.code]
    assert result.code == f"conflict:{conflict.pk}" and result.severity == Severity.AMBER
    assert result.message == "NWP-1 and NWP-2 conflict; it is for Sabine to settle."
    assert result.owner_id == owner.pk


def test_the_conflict_check_says_nobody_owns_an_area_without_one_accountable(project, pm):
    first = submit(project, pm, area="content")
    second = submit(project, pm, area="content")
    services.conflict_raise(first=first, second=second, note="x", by=pm)
    (result,) = [r for _area, r in checks.run_all(project, date.today()) if "conflict" in r.code]
    assert "nobody (the area has no single accountable owner)" in result.message
    assert result.owner_id is None
