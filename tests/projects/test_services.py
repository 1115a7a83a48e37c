import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.access import project_permissions
from projects.models import Invitation, Membership, Notification, Project, Site
from projects.roles import ROLE_PERMISSIONS, Role
from tests.projects.factories import ClientFactory, ProjectFactory, UserFactory


def test_creating_a_project_makes_its_creator_the_project_manager(pm):
    project = services.project_create(
        project=Project(
            client=ClientFactory(),
            name="Academy",
            key="ACAD",
            lms_product="Moodle",
            deployment_model="saas",
            start_date="2026-01-05",
            target_go_live="2026-06-01",
        ),
        by=pm,
    )
    membership = Membership.objects.get(project=project)
    assert (membership.user, membership.role) == (pm, Role.PROJECT_MANAGER)
    assert project_permissions(pm, project) == ROLE_PERMISSIONS[Role.PROJECT_MANAGER]
    assert project.history.get().history_user == pm


def test_go_live_before_start_is_refused_on_the_field(pm):
    project = Project(
        client=ClientFactory(),
        name="Academy",
        key="ACAD",
        lms_product="Moodle",
        deployment_model="saas",
        start_date="2026-06-01",
        target_go_live="2026-01-05",
    )
    with pytest.raises(ValidationError) as refusal:
        services.project_create(project=project, by=pm)
    assert "target_go_live" in refusal.value.message_dict
    assert not Project.objects.filter(key="ACAD").exists()


def test_syncing_role_groups_twice_changes_nothing(project):
    from projects.models import ProjectGroupObjectPermission

    before = ProjectGroupObjectPermission.objects.filter(content_object=project).count()
    services.project_sync_role_groups(project)
    assert ProjectGroupObjectPermission.objects.filter(content_object=project).count() == before
    assert before == sum(len(perms) for perms in ROLE_PERMISSIONS.values())


def test_adding_someone_without_an_account_invites_them(
    project, pm, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.member_add(
            project=project, email="New.Person@Client.example", role=Role.TESTER, by=pm
        )
    user = membership.user
    assert user.email == "new.person@client.example"
    assert not user.has_usable_password()
    assert project_permissions(user, project) == ROLE_PERMISSIONS[Role.TESTER]
    (mail,) = mailoutbox
    assert mail.to == ["new.person@client.example"]
    assert "Northwind rollout" in mail.subject
    assert "/accounts/password/set/" in mail.body
    invitation = Invitation.objects.get(user=user)
    assert Notification.objects.get(key=invitation.notification_key).sent_at is not None


def test_adding_someone_with_an_account_tells_them_to_sign_in(
    project, pm, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(email="known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(project=project, email="KNOWN@example.com", role=Role.OBSERVER, by=pm)
    (mail,) = mailoutbox
    assert "/accounts/login/" in mail.body
    assert "/accounts/password/set/" not in mail.body
    assert project_permissions(person, project) == ROLE_PERMISSIONS[Role.OBSERVER]


def test_the_invitation_is_sent_once_even_if_the_task_runs_again(
    project, pm, mailoutbox, django_capture_on_commit_callbacks
):
    from projects.tasks import send_invitation

    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(project=project, email="once@example.com", role=Role.TESTER, by=pm)
    send_invitation(Invitation.objects.get().pk)
    assert len(mailoutbox) == 1


def test_no_mail_leaves_before_the_change_commits(
    project, pm, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.member_add(project=project, email="later@example.com", role=Role.TESTER, by=pm)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_an_active_member_cannot_be_added_twice(project, pm, spoc):
    with pytest.raises(ValidationError) as refusal:
        services.member_add(project=project, email=spoc.email, role=Role.TESTER, by=pm)
    assert "already a member" in refusal.value.message_dict["email"][0]


def test_a_deactivated_account_cannot_be_added(project, pm):
    person = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as refusal:
        services.member_add(project=project, email=person.email, role=Role.TESTER, by=pm)
    assert "deactivated" in refusal.value.message_dict["email"][0]
    assert not Membership.objects.filter(user=person).exists()


def test_changing_a_role_changes_permissions_at_once(project, pm, tester):
    membership = Membership.objects.get(project=project, user=tester)
    services.member_set_role(membership=membership, role=Role.TEAM_MEMBER, by=pm)
    assert project_permissions(tester, project) == ROLE_PERMISSIONS[Role.TEAM_MEMBER]
    assert [row.role for row in membership.history.order_by("history_date")] == [
        Role.TESTER,
        Role.TEAM_MEMBER,
    ]


def test_removing_a_member_revokes_access_and_keeps_the_record(project, pm, tester):
    membership = Membership.objects.get(project=project, user=tester)
    services.member_remove(membership=membership, by=pm)
    assert project_permissions(tester, project) == frozenset()
    assert not Project.objects.visible_to(tester).exists()
    membership.refresh_from_db()
    assert membership.is_active is False


def test_a_removed_member_can_be_added_back(project, pm, tester):
    services.member_remove(membership=Membership.objects.get(user=tester), by=pm)
    services.member_add(project=project, email=tester.email, role=Role.OBSERVER, by=pm)
    assert project_permissions(tester, project) == ROLE_PERMISSIONS[Role.OBSERVER]
    assert Membership.objects.filter(user=tester).count() == 1


def test_the_last_project_manager_cannot_leave_or_be_demoted(project, pm):
    membership = Membership.objects.get(project=project, user=pm)
    for change in (
        lambda: services.member_remove(membership=membership, by=pm),
        lambda: services.member_set_role(membership=membership, role=Role.OBSERVER, by=pm),
    ):
        with pytest.raises(ValidationError, match="at least one project manager"):
            change()
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == (Role.PROJECT_MANAGER, True)


def test_a_second_project_manager_lets_the_first_step_down(project, pm):
    services.member_add(project=project, email="pm2@example.com", role=Role.PROJECT_MANAGER, by=pm)
    services.member_remove(membership=Membership.objects.get(user=pm), by=pm)
    assert not Project.objects.visible_to(pm).exists()


def test_visible_projects_are_exactly_the_persons_projects(project, tester, outsider, staff):
    other = ProjectFactory()
    assert list(Project.objects.visible_to(tester)) == [project]
    assert project not in Project.objects.visible_to(outsider)
    assert set(Project.objects.visible_to(staff)) >= {project, other}


def test_visibility_follows_the_persons_groups_and_the_permission(project, pm, tester):
    """A person in many projects' groups sees each of them and no other, and manages only
    those where their role manages."""
    led = [
        services.project_create(
            project=ProjectFactory.build(key=f"LED{n}", client=ClientFactory()), by=pm
        )
        for n in range(3)
    ]
    ProjectFactory()
    assert set(Project.objects.visible_to(pm)) == {project, *led}
    assert set(Project.objects.managed_by(pm)) == {project, *led}
    assert list(Project.objects.visible_to(tester)) == [project]
    assert not Project.objects.managed_by(tester).exists()


def test_site_names_are_unique_within_a_project(project, pm):
    services.site_save(site=Site(project=project, name="Germany"), by=pm)
    with pytest.raises(ValidationError, match="already has a site with this name"):
        services.site_save(site=Site(project=project, name="Germany"), by=pm)
    services.site_save(site=Site(project=ProjectFactory(), name="Germany"), by=pm)


def test_archiving_a_site_keeps_it(project, pm):
    site = services.site_save(site=Site(project=project, name="Brazil"), by=pm)
    services.site_set_archived(site=site, archived=True, by=pm)
    assert list(project.sites.active()) == []
    assert Site.objects.filter(pk=site.pk).exists()


def test_the_point_of_contact_changes_only_by_a_handover(project, pm, spoc, tester):
    spoc_membership = Membership.objects.get(project=project, user=spoc)
    tester_membership = Membership.objects.get(project=project, user=tester)
    refusals = [
        lambda: services.member_set_role(membership=spoc_membership, role=Role.STAKEHOLDER, by=pm),
        lambda: services.member_remove(membership=spoc_membership, by=pm),
        lambda: services.member_set_role(membership=tester_membership, role=Role.SPOC, by=pm),
        lambda: services.member_add(project=project, email="x@example.com", role=Role.SPOC, by=pm),
    ]
    for refusal in refusals:
        with pytest.raises(ValidationError):
            refusal()
    assert list(
        Membership.objects.active().filter(role=Role.SPOC).values_list("user", flat=True)
    ) == [spoc.pk]


def test_transferring_the_point_of_contact_demotes_the_previous_one(project, pm, spoc, tester):
    services.spoc_transfer(project=project, email=tester.email, by=pm)
    assert project_permissions(tester, project) == ROLE_PERMISSIONS[Role.SPOC]
    assert project_permissions(spoc, project) == ROLE_PERMISSIONS[Role.STAKEHOLDER]


def test_an_address_longer_than_an_account_allows_is_refused(project, pm):
    with pytest.raises(ValidationError):
        services.member_add(project=project, email="a" * 250 + "@example.com", role="tester", by=pm)
    assert Membership.objects.filter(project=project).count() == 1
