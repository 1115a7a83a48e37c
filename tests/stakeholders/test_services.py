import datetime

import pytest
from django.core.exceptions import ValidationError

from projects import services as project_services
from projects.models import Membership
from projects.roles import Role
from stakeholders import services
from stakeholders.models import Assignment, PointOfContact, Side, SpocStatus
from stakeholders.tasks import notify_spoc_of_waiting_entry, send_channel_digests
from tests.projects.factories import ProjectFactory, UserFactory
from tests.stakeholders.factories import StakeholderFactory

TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def client_people(project, pm):
    """Two client stakeholders with accounts, members of the project as stakeholders."""
    people = []
    for name in ("Sabine Keller", "Jürgen Bauer"):
        user = UserFactory()
        project_services.membership_grant(project=project, user=user, role=Role.STAKEHOLDER, by=pm)
        people.append(StakeholderFactory(project=project, name=name, email=user.email, user=user))
    return people


def role_of(project, user):
    return Membership.objects.get(project=project, user=user).role


def test_handing_over_moves_the_point_of_contact_role(project, pm, client_people):
    sabine, juergen = client_people
    services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=juergen,
                               started_on=TODAY, reason="Interim", by=pm)  # fmt: skip
    assert role_of(project, juergen.user) == Role.SPOC
    services.contact_hand_over(
        project=project, side=Side.CLIENT, stakeholder=sabine,
        started_on=TODAY + datetime.timedelta(days=30), reason="L&D owns it now", by=pm,
    )  # fmt: skip
    assert role_of(project, sabine.user) == Role.SPOC
    assert role_of(project, juergen.user) == Role.STAKEHOLDER
    current = services.current_contacts(project)[Side.CLIENT]
    assert (current.stakeholder, current.reason) == (sabine, "L&D owns it now")
    assert PointOfContact.objects.filter(project=project).count() == 2


def test_a_new_point_of_contact_without_an_account_is_invited(
    project, pm, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = StakeholderFactory(project=project, email="new.spoc@client.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=newcomer,
                                   started_on=TODAY, reason="", by=pm)  # fmt: skip
    newcomer.refresh_from_db()
    assert role_of(project, newcomer.user) == Role.SPOC
    assert [m.to for m in mailoutbox] == [["new.spoc@client.example"]]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"side": Side.VENDOR}, "stakeholder", "Choose someone from the client side"),
        ({"email": ""}, "stakeholder", "Add"),
        ({"is_active": False}, "stakeholder", "Choose an active stakeholder"),
    ],
)
def test_handover_refusals(project, pm, change, field, message):
    stakeholder = StakeholderFactory(project=project)
    for name, value in change.items():
        setattr(stakeholder, name, value)
    stakeholder.save()
    with pytest.raises(ValidationError) as refusal:
        services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=stakeholder,
                                   started_on=TODAY, reason="", by=pm)  # fmt: skip
    assert message in refusal.value.message_dict[field][0]
    assert not PointOfContact.objects.exists()


def test_a_handover_cannot_predate_the_current_term(project, pm, client_people):
    sabine, juergen = client_people
    services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=juergen,
                               started_on=TODAY, reason="", by=pm)  # fmt: skip
    with pytest.raises(ValidationError) as refusal:
        services.contact_hand_over(
            project=project, side=Side.CLIENT, stakeholder=sabine,
            started_on=TODAY - datetime.timedelta(days=1), reason="", by=pm,
        )  # fmt: skip
    assert "started_on" in refusal.value.message_dict
    assert role_of(project, juergen.user) == Role.SPOC


def test_the_point_of_contact_role_cannot_be_given_on_the_members_page(project, pm, client_people):
    sabine, juergen = client_people
    services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=juergen,
                               started_on=TODAY, reason="", by=pm)  # fmt: skip
    membership = Membership.objects.get(project=project, user=sabine.user)
    with pytest.raises(ValidationError, match="named by a handover"):
        project_services.member_set_role(membership=membership, role=Role.SPOC, by=pm)


def test_the_vendor_counterpart_must_be_a_vendor_member(project, pm):
    outsider_vendor = StakeholderFactory(project=project, side=Side.VENDOR, department="delivery")
    with pytest.raises(ValidationError, match="vendor member"):
        services.contact_hand_over(project=project, side=Side.VENDOR, stakeholder=outsider_vendor,
                                   started_on=TODAY, reason="", by=pm)  # fmt: skip
    me = StakeholderFactory(project=project, side=Side.VENDOR, department="delivery",
                            email=pm.email, user=pm)  # fmt: skip
    services.contact_hand_over(project=project, side=Side.VENDOR, stakeholder=me,
                               started_on=TODAY, reason="", by=pm)  # fmt: skip
    assert services.current_contacts(project)[Side.VENDOR].stakeholder == me


def test_off_channel_is_judged_against_the_spoc_at_posting_time(project, pm, client_people):
    sabine, juergen = client_people
    services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=juergen,
                               started_on=TODAY, reason="", by=pm)  # fmt: skip
    before = services.entry_post(project=project, author=juergen.user, kind="instruction",
                                 subject="Use SSO")  # fmt: skip
    by_other = services.entry_post(project=project, author=sabine.user, kind="request",
                                   subject="Dashboard")  # fmt: skip
    services.contact_hand_over(project=project, side=Side.CLIENT, stakeholder=sabine,
                               started_on=TODAY, reason="", by=pm)  # fmt: skip
    after = services.entry_post(project=project, author=juergen.user, kind="instruction",
                                subject="Use SSO for contractors too")  # fmt: skip
    vendor = services.entry_post(project=project, author=pm, kind="request", subject="Logo files")
    assert before.spoc_status == SpocStatus.ON_CHANNEL
    assert by_other.spoc_status == SpocStatus.WAITING
    assert after.spoc_status == SpocStatus.WAITING
    assert vendor.spoc_status == SpocStatus.ON_CHANNEL
    before.refresh_from_db()
    assert before.spoc_status == SpocStatus.ON_CHANNEL  # a later handover changes nothing


def test_the_spoc_confirms_or_declines_with_a_reason(project, spoc, stakeholder):
    entry = services.entry_post(project=project, author=stakeholder, kind="request", subject="X")
    with pytest.raises(ValidationError, match="Say why"):
        services.entry_spoc_decide(entry=entry, by=spoc, confirm=False, comment=" ")
    services.entry_spoc_decide(entry=entry, by=spoc, confirm=False, comment="Out of scope")
    entry.refresh_from_db()
    assert (entry.spoc_status, entry.spoc_decided_by, entry.spoc_comment) == (
        SpocStatus.DECLINED, spoc, "Out of scope"
    )  # fmt: skip
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.entry_spoc_decide(entry=entry, by=spoc, confirm=True)


def test_only_the_current_spoc_decides(project, pm, team_member, stakeholder):
    entry = services.entry_post(project=project, author=stakeholder, kind="request", subject="X")
    for person in (pm, team_member, stakeholder):
        with pytest.raises(ValidationError, match="Only the current point of contact"):
            services.entry_spoc_decide(entry=entry, by=person, confirm=True)


def test_corrections_point_to_the_original_which_is_kept(project, pm):
    original = services.entry_post(project=project, author=pm, kind="decision", subject="3 years")
    correction = services.entry_post(project=project, author=pm, kind="decision",
                                     subject="5 years", corrects=original)  # fmt: skip
    original.refresh_from_db()
    assert list(original.corrections.all()) == [correction]
    assert original.subject == "3 years"
    with pytest.raises(ValidationError):
        services.entry_post(project=ProjectFactory(manager=pm), author=pm, kind="decision",
                            subject="Sneaky", corrects=original)  # fmt: skip


def test_the_spoc_is_told_once_about_a_waiting_entry(
    project, spoc, stakeholder, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.entry_post(project=project, author=stakeholder, kind="instruction",
                                    subject="Switch voice-over")  # fmt: skip
    notify_spoc_of_waiting_entry(entry.pk)  # a retry or a redelivered message
    (mail,) = mailoutbox
    assert mail.to == [spoc.email]
    assert "Waiting for you: Switch voice-over" in mail.subject
    assert f"/p/{project.key}/channel/{entry.pk}/" in mail.body


def test_the_daily_digest_goes_once_to_readers_who_asked(
    project, pm, team_member, tester, mailoutbox
):
    for person in (pm, team_member, tester):
        membership = Membership.objects.get(project=project, user=person)
        project_services.member_set_digest(membership=membership, wants_digest=True, by=person)
    Membership.objects.filter(user=team_member).update(wants_digest=False)
    entry = services.entry_post(
        project=project, author=pm, kind="decision", subject="Go-live 1 March"
    )
    day = entry.created_at.date().isoformat()
    assert send_channel_digests(day) == 1  # the tester cannot read the channel
    assert send_channel_digests(day) == 0
    (mail,) = mailoutbox
    assert mail.to == [pm.email] and "Go-live 1 March" in mail.body
    assert send_channel_digests("2020-01-01") == 0


def test_clearing_a_cell_empties_the_letter_and_keeps_the_row_and_its_history(project, pm):
    person = StakeholderFactory(project=project)
    services.assignment_set(project=project, stakeholder=person, area="platform", site_id=None,
                            letter="A", by=pm)  # fmt: skip
    services.assignment_set(project=project, stakeholder=person, area="platform", site_id=None,
                            letter="", by=pm)  # fmt: skip
    (cell,) = Assignment.objects.all()
    assert cell.letter == "" and not Assignment.objects.held().exists()
    assert [(h.history_type, h.letter) for h in Assignment.history.order_by("history_date")] == [
        ("+", "A"),
        ("~", ""),
    ]
    services.assignment_set(project=project, stakeholder=person, area="platform", site_id=None,
                            letter="R", by=pm)  # fmt: skip
    assert Assignment.objects.get().letter == "R"


def test_a_stakeholder_of_another_project_cannot_be_assigned(project, pm):
    foreign = StakeholderFactory(project=ProjectFactory(manager=pm))
    with pytest.raises(ValidationError):
        services.assignment_set(project=project, stakeholder=foreign, area="platform",
                                site_id=None, letter="A", by=pm)  # fmt: skip


def test_a_stakeholder_site_must_be_of_the_project(project, pm):
    from tests.projects.factories import SiteFactory

    foreign_site = SiteFactory(project=ProjectFactory(manager=pm))
    with pytest.raises(ValidationError) as refusal:
        StakeholderFactory(project=project, site=foreign_site)
    assert "site" in refusal.value.message_dict
