"""Starting a project from a template or a past project, and saving a project as a template."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services, templates
from projects.models import (
    ContentRelease,
    Membership,
    Milestone,
    Project,
    ProjectStatus,
    RaidItem,
    RaidStatus,
    Site,
)
from projects.roles import Role
from requirements import services as requirement_services
from requirements.models import Requirement
from stakeholders import services as stakeholder_services
from stakeholders.models import Assignment, Stakeholder
from tests.projects.factories import ClientFactory, ProjectFactory

# `project` starts on 1 Sep 2026; the new project on 4 Jan 2027: every date moves 125 days.
NEW_START = date(2027, 1, 4)


@pytest.fixture
def plan(project, pm):
    """A plan on `project` with everything a copy must keep, change or leave behind."""
    germany = services.site_save(
        site=Site(
            project=project,
            name="Germany",
            local_go_live=date(2027, 3, 1),
            languages="German, English",
            local_owner="Jürgen Bauer",
            configuration_notes="Works council approves learner data.",
            content_qc_target_days=10,
            local_alternative_cost=Decimal("38000.00"),
        ),
        by=pm,
    )
    france = services.site_save(site=Site(project=project, name="France"), by=pm)
    services.site_set_archived(site=france, archived=True, by=pm)

    def milestone(name, site, planned, forecast, **fields):
        return services.milestone_save(
            milestone=Milestone(project=project, site=site, name=name, planned_date=planned,
                                forecast_date=forecast, **fields),
            by=pm,
        )  # fmt: skip

    milestone("Kick-off workshop", None, date(2026, 9, 7), date(2026, 9, 14),
              actual_date=date(2026, 9, 14), owner=pm, budget_share=Decimal("5"))  # fmt: skip
    milestone("Go-live Germany", germany, date(2027, 3, 1), date(2027, 3, 15),
              is_go_live=True, budget_share=Decimal("15"))  # fmt: skip
    milestone("Go-live France", france, date(2027, 4, 5), date(2027, 4, 5), is_go_live=True)
    dropped = milestone("Dropped step", None, date(2026, 10, 1), date(2026, 10, 1))
    services.milestone_set_archived(milestone=dropped, archived=True, by=pm)

    def raid(kind, title, **fields):
        return services.raid_save(
            item=RaidItem(project=project, kind=kind, title=title, **fields), by=pm
        )

    raid("assumption", "Learners' computers play video and sound", description="Old PCs.",
         impact="high", mitigation="Test a sample of machines.", due_date=date(2026, 11, 10),
         status=RaidStatus.VALIDATED, owner=pm)  # fmt: skip
    raid("assumption", "An instructional designer is on board", status=RaidStatus.INVALIDATED)
    gone = raid("assumption", "Withdrawn assumption")
    gone.archived_at = gone.created_at
    gone.save()
    raid("risk", "Works council delays the data fields", impact="high", likelihood="high")

    services.release_save(
        release=ContentRelease(project=project, site=germany, title="Onboarding path",
                               ready_on=date(2026, 10, 5)),
        by=pm,
    )  # fmt: skip
    requirement_services.requirement_submit(
        requirement=Requirement(project=project, title="Single sign-on"), by=pm
    )
    stakeholder_services.entry_post(
        project=project, author=pm, kind="decision", subject="Germany goes first"
    )
    return project


def new_project(source, by, *, client=None, key="NEW", start=NEW_START):
    return services.project_create(
        project=Project(
            client=client or source.client,
            name="Next rollout",
            key=key,
            lms_product="Moodle Workplace",
            deployment_model="saas",
            start_date=start,
            target_go_live=date(2027, 9, 1),
        ),
        source=source,
        by=by,
    )


# The copy


def test_sites_are_copied_with_their_local_go_live_moved(plan, pm):
    copy = new_project(plan, pm)
    (site,) = copy.sites.all()
    assert (site.name, site.local_go_live) == ("Germany", date(2027, 7, 4))
    assert (site.languages, site.local_owner, site.content_qc_target_days) == (
        "German, English",
        "Jürgen Bauer",
        10,
    )
    assert site.configuration_notes == "Works council approves learner data."
    assert site.local_alternative_cost == Decimal("38000.00")


def test_milestones_move_to_the_new_start_on_their_baseline_not_done_and_unowned(plan, pm):
    copy = new_project(plan, pm)
    rows = [
        (m.name, m.site.name if m.site else None, m.planned_date, m.forecast_date, m.actual_date,
         m.owner, m.budget_share, m.is_go_live)
        for m in copy.milestones.order_by("planned_date")
    ]  # fmt: skip
    assert rows == [
        ("Kick-off workshop", None, date(2027, 1, 10), date(2027, 1, 10), None, None,
         Decimal("5.00"), False),
        ("Go-live Germany", "Germany", date(2027, 7, 4), date(2027, 7, 4), None, None,
         Decimal("15.00"), True),
    ]  # fmt: skip
    assert copy.milestones.get(name="Go-live Germany").site.project == copy


def test_assumptions_come_back_open_unowned_with_their_check_date_moved(plan, pm):
    copy = new_project(plan, pm)
    items = copy.raid.order_by("title")
    assert [(i.kind, i.title, i.status, i.owner, i.due_date) for i in items] == [
        ("assumption", "An instructional designer is on board", RaidStatus.OPEN, None, None),
        ("assumption", "Learners' computers play video and sound", RaidStatus.OPEN, None,
         date(2027, 3, 15)),
    ]  # fmt: skip
    video = items.get(title__startswith="Learners")
    assert (video.description, video.impact, video.mitigation) == (
        "Old PCs.",
        "high",
        "Test a sample of machines.",
    )


def test_nothing_else_is_copied(plan, pm, team_member, spoc):
    copy = new_project(plan, pm)
    assert list(Membership.objects.filter(project=copy).values_list("user", "role")) == [
        (pm.pk, Role.PROJECT_MANAGER)
    ]
    assert not copy.requirements.exists()
    assert not copy.channel.exists()
    assert not copy.releases.exists()
    assert not copy.points_of_contact.exists()
    assert plan.requirements.count() == 1 and plan.channel.count() == 1  # the source keeps its own


def test_every_copied_row_has_its_history_entry_by_the_creator(plan, pm):
    copy = new_project(plan, pm)
    for rows in (copy.sites.all(), copy.milestones.all(), copy.raid.all()):
        for row in rows:
            assert row.history.get().history_user == pm


def test_a_failing_part_leaves_no_project_behind(plan, pm, monkeypatch):
    def broken(*, source, target, site_map, by):
        raise RuntimeError("budget categories could not be copied")

    part = templates.TemplatePart("Broken", broken, order=99)
    monkeypatch.setitem(templates._parts, broken, part)
    before = (Site.objects.count(), Milestone.objects.count(), Milestone.history.count())
    with pytest.raises(RuntimeError):
        new_project(plan, pm)
    assert not Project.objects.filter(key="NEW").exists()
    assert (Site.objects.count(), Milestone.objects.count(), Milestone.history.count()) == before


# The ownership map


@pytest.fixture
def ownership(plan, pm, team_member):
    germany = plan.sites.get(name="Germany")

    def person(name, **fields):
        return stakeholder_services.stakeholder_save(
            stakeholder=Stakeholder(project=plan, name=name, department="ld", **fields), by=pm
        )

    def letter(who, area, value, site=None):
        stakeholder_services.assignment_set(
            project=plan, stakeholder=who, area=area, site_id=site.pk if site else None,
            letter=value, by=pm,
        )  # fmt: skip

    sabine = person("Sabine Keller", email="sabine@northwind.example", title="Head of L&D")
    juergen = person("Jürgen Bauer", email="juergen@northwind.example", site=germany)
    tomas = person("Tomás Oliveira", side="vendor", email=team_member.email, user=team_member)
    greta = person("Greta Schulz", site=germany)
    person("Lukas Weber")  # no letter anywhere
    letter(sabine, "platform", "A")
    letter(juergen, "platform", "C")
    letter(juergen, "local_rollout", "A", germany)
    letter(tomas, "configuration", "R")
    letter(greta, "local_rollout", "A", germany)
    stakeholder_services.stakeholder_set_active(stakeholder=greta, active=False, by=pm)
    return plan


def cells(project):
    return sorted(
        (a.stakeholder.name, a.area, a.site.name if a.site else None, a.letter)
        for a in Assignment.objects.filter(project=project).select_related("stakeholder", "site")
    )


def test_same_client_copies_the_people_holding_a_letter_and_their_letters(ownership, pm):
    copy = new_project(ownership, pm)
    assert cells(copy) == [
        ("Jürgen Bauer", "local_rollout", "Germany", "A"),
        ("Jürgen Bauer", "platform", None, "C"),
        ("Sabine Keller", "platform", None, "A"),
        ("Tomás Oliveira", "configuration", None, "R"),
    ]
    germany = copy.sites.get()
    assert Assignment.objects.get(project=copy, area="local_rollout").site == germany
    people = {s.name: s for s in copy.stakeholders.all()}
    assert set(people) == {"Jürgen Bauer", "Sabine Keller", "Tomás Oliveira"}
    assert people["Jürgen Bauer"].site == germany
    assert people["Sabine Keller"].title == "Head of L&D"
    # People, not accounts: the team member is not given access to the new project.
    assert all(s.user is None for s in people.values())
    assert not Membership.objects.filter(project=copy).exclude(user=pm).exists()
    for row in (*people.values(), *Assignment.objects.filter(project=copy)):
        assert row.history.get().history_user == pm


def test_another_client_gets_an_empty_ownership_map(ownership, pm):
    copy = new_project(ownership, pm, client=ClientFactory(name="Brightwater"))
    assert cells(copy) == []
    assert not copy.stakeholders.exists()
    assert copy.milestones.count() == 2  # the plan itself still comes along


# Templates


def test_saving_as_template_copies_the_plan_on_the_same_dates(ownership, pm):
    template = services.project_save_as_template(
        source=ownership, name="Standard rollout", key="TPL", by=pm
    )
    assert template.status == ProjectStatus.TEMPLATE and template.is_template
    assert (template.client, template.start_date) == (ownership.client, ownership.start_date)
    assert sorted(template.milestones.values_list("name", "planned_date")) == [
        ("Go-live Germany", date(2027, 3, 1)),
        ("Kick-off workshop", date(2026, 9, 7)),
    ]
    assert template.raid.count() == 2 and len(cells(template)) == 4
    assert list(Membership.objects.filter(project=template).values_list("user", "role")) == [
        (pm.pk, Role.PROJECT_MANAGER)
    ]
    assert template.history.get().history_user == pm


def test_templates_are_not_current_projects(project, pm):
    template = services.project_save_as_template(source=project, name="T", key="TPL", by=pm)
    assert list(Project.objects.templates()) == [template]
    assert list(Project.objects.current()) == [project]
    project.status = ProjectStatus.ARCHIVED
    project.save()
    assert not Project.objects.current().exists()
    assert set(Project.objects.unarchived()) == {template}


def test_a_project_from_a_template_starts_again_from_its_dates(project, pm):
    services.milestone_save(
        milestone=Milestone(project=project, name="UAT", planned_date=date(2026, 12, 1),
                            forecast_date=date(2026, 12, 1)),
        by=pm,
    )  # fmt: skip
    template = services.project_save_as_template(source=project, name="T", key="TPL", by=pm)
    copy = new_project(template, pm)
    assert copy.status == ProjectStatus.SETUP
    assert copy.milestones.get().planned_date == date(2027, 4, 5)


# The "New project" form


def create_data(source, **extra):
    return {
        "source": source,
        "client": extra.pop("client"),
        "name": "Next rollout",
        "key": "NEW",
        "lms_product": "Moodle Workplace",
        "deployment_model": "saas",
        "start_date": NEW_START.isoformat(),
        "target_go_live": "2027-09-01",
        "currency": "EUR",
        **extra,
    }


def test_the_form_lists_templates_first_then_projects_i_manage(client, plan, pm):
    services.project_save_as_template(source=plan, name="Standard rollout", key="TPL", by=pm)
    ProjectFactory(name="Someone else's rollout", key="ELSE")
    client.force_login(pm)
    html = client.get(reverse("projects:create")).content.decode()
    templates_group = html.index('<optgroup label="Templates">')
    projects_group = html.index('<optgroup label="Projects you manage">')
    assert templates_group < html.index("TPL · Standard rollout") < projects_group
    assert projects_group < html.index(f"NWP · Northwind rollout · {plan.client.name}")
    assert "Someone else" not in html and "ELSE" not in html
    assert "The ownership map and the people in it, for the same client only" in html
    assert "its people belong to that client" in html


def test_project_manager_starts_a_project_from_one_they_manage(client, plan, pm):
    client.force_login(pm)
    response = client.post(
        reverse("projects:create"), create_data(plan.pk, client=plan.client.pk), follow=True
    )
    assert "Project NEW created" in response.content.decode()
    copy = Project.objects.get(key="NEW")
    assert sorted(copy.milestones.values_list("planned_date", flat=True)) == [
        date(2027, 1, 10),
        date(2027, 7, 4),
    ]
    assert copy.sites.get().name == "Germany"


@pytest.mark.parametrize("case", ["seen_not_managed", "someone_elses", "missing"])
def test_a_project_i_do_not_manage_is_a_form_error_and_nothing_is_created(
    client, plan, pm, team_member, case
):
    """A project the person sees but does not manage, someone else's project, and an id that
    does not exist all get the same answer."""
    creator, source = pm, 999_999
    if case == "seen_not_managed":
        creator, source = team_member, plan.pk
        services.user_save(user=team_member, may_create_projects=True, by=team_member)
    elif case == "someone_elses":
        source = ProjectFactory(name="Someone else's rollout").pk
    client.force_login(creator)
    before = Project.objects.count()
    response = client.post(reverse("projects:create"), create_data(source, client=plan.client.pk))
    assert response.status_code == 200
    assert "Choose a project you manage." in response.content.decode()
    assert Project.objects.count() == before
    assert not Project.objects.filter(key="NEW").exists()


def test_a_template_i_can_see_is_a_valid_start_even_if_i_do_not_manage_it(
    client, project, pm, team_member
):
    template = services.project_save_as_template(source=project, name="T", key="TPL", by=pm)
    services.membership_grant(project=template, user=team_member, role=Role.TEAM_MEMBER, by=pm)
    services.user_save(user=team_member, may_create_projects=True, by=team_member)
    client.force_login(team_member)
    response = client.post(
        reverse("projects:create"), create_data(template.pk, client=project.client.pk)
    )
    assert response.status_code == 302
    assert Project.objects.get(key="NEW").memberships.get().user == team_member


def test_a_template_link_preselects_it_in_the_form(client, project, pm):
    template = services.project_save_as_template(source=project, name="T", key="TPL", by=pm)
    client.force_login(pm)
    home = client.get(template.get_absolute_url()).content.decode()
    link = f"{reverse('projects:create')}?source={template.pk}"
    assert link in home
    html = client.get(link).content.decode()
    assert f'<option value="{template.pk}" selected>TPL · T' in html


# Saving as a template, per role


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pm", 302),
        ("staff", 302),
        ("team_member", 403),
        ("spoc", 403),
        ("stakeholder", 403),
        ("tester", 403),
        ("observer", 403),
        ("outsider", 404),
    ],
)
def test_only_the_project_manager_and_staff_save_a_template(client, plan, persona, who, status):
    user = persona(who)
    client.force_login(user)
    url = reverse("projects:save_template", args=[plan.key])
    response = client.post(url, {"name": "Standard rollout", "key": "tpl"})
    assert response.status_code == status
    if status == 302:
        template = Project.objects.get(key="TPL")
        assert response["Location"] == template.get_absolute_url()
        assert template.memberships.get().user == user
        assert template.milestones.count() == 2
        page = client.get(response["Location"]).content.decode()
        assert "Template TPL saved from NWP" in page
        assert "This is a template." in page and 'class="badge template">Template<' in page
    else:
        assert not Project.objects.filter(key="TPL").exists()


def test_saving_as_template_explains_a_taken_key(client, plan, pm):
    client.force_login(pm)
    url = reverse("projects:save_template", args=[plan.key])
    form = client.get(url).content.decode()
    assert 'value="Northwind rollout template"' in form
    html = client.post(url, {"name": "Copy", "key": "NWP"}).content.decode()
    assert "already exists" in html
    assert Project.objects.count() == 1


def test_the_project_list_marks_templates(client, project, pm):
    services.project_save_as_template(source=project, name="Standard rollout", key="TPL", by=pm)
    client.force_login(pm)
    html = client.get(reverse("projects:list")).content.decode()
    row = html[html.index("TPL</strong> · Standard rollout") :]
    assert 'class="badge template">Template<' in row[: row.index("</tr>")]
    # The header's project switcher is for the projects being run.
    menu = client.get(reverse("projects:switcher"), headers={"HX-Request": "true"}).content.decode()
    assert "TPL · Standard rollout</a>" not in menu and "NWP · Northwind rollout</a>" in menu
    only_templates = client.get(
        reverse("projects:list"), {"status": "template"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Standard rollout" in only_templates and "Northwind rollout" not in only_templates


def test_a_template_stays_a_template_when_its_settings_are_edited(client, project, pm):
    template = services.project_save_as_template(source=project, name="T", key="TPL", by=pm)
    client.force_login(pm)
    html = client.get(reverse("projects:edit", args=[template.key])).content.decode()
    assert 'value="setup"' not in html and 'value="archived"' in html
    html = client.get(reverse("projects:edit", args=[project.key])).content.decode()
    assert 'value="template"' not in html
    assert reverse("projects:save_template", args=[project.key]) in html


def test_the_demo_has_a_standard_template_and_loads_twice(db):
    from projects import demo

    demo.load()
    demo.load()
    template = Project.objects.get(key="TPL1")
    assert (template.name, template.status) == ("Standard single-country rollout", "template")
    assert template.sites.count() == 1
    assert list(template.milestones.values_list("name", flat=True)) == [
        "Kick-off workshop",
        "Platform configured",
        "Content migrated",
        "User acceptance test signed off",
        "Go-live",
        "Hypercare ends",
    ]
    assert sorted(template.raid.values_list("kind", "status")) == [("assumption", "open")] * 3
    pm = Membership.objects.get(project=template).user
    assert pm.email == "pm@liaison.example"
    assert template in Project.objects.plan_sources_for(pm)


# The budget


def test_budget_lines_are_copied_with_their_plan_and_no_costs(plan, pm):
    from projects.models import BudgetLine, CostEntry

    germany = plan.sites.get(name="Germany")
    licences = services.budget_line_save(
        line=BudgetLine(project=plan, category="licences", name="Moodle Workplace licences",
                        planned_amount=Decimal("42000"), is_internal=False),
        by=pm,
    )  # fmt: skip
    services.budget_line_save(
        line=BudgetLine(project=plan, category="internal_rebilling", name="Rebilled to Germany",
                        planned_amount=Decimal("9000"), site=germany, is_internal=True),
        by=pm,
    )  # fmt: skip
    old = services.budget_line_save(
        line=BudgetLine(project=plan, category="content", name="Dropped content line",
                        planned_amount=Decimal("1000")),
        by=pm,
    )  # fmt: skip
    services.budget_line_set_archived(line=old, archived=True, by=pm)
    services.cost_entry_save(
        entry=CostEntry(project=plan, line=licences, date=date(2026, 10, 1), description="Year 1",
                        amount=Decimal("42000"), currency=plan.currency),
        by=pm,
    )  # fmt: skip

    copy = new_project(plan, pm)
    lines = {line.name: line for line in copy.budget_lines.all()}
    assert set(lines) == {"Moodle Workplace licences", "Rebilled to Germany"}
    assert lines["Moodle Workplace licences"].planned_amount == Decimal("42000")
    assert lines["Rebilled to Germany"].site == copy.sites.get(name="Germany")
    assert lines["Rebilled to Germany"].is_internal
    assert not CostEntry.objects.filter(project=copy).exists()


def test_budget_amounts_in_another_currency_start_at_zero(plan, pm):
    from projects.models import BudgetLine

    services.budget_line_save(
        line=BudgetLine(project=plan, category="licences", name="Licences",
                        planned_amount=Decimal("42000")),
        by=pm,
    )  # fmt: skip
    copy = services.project_create(
        project=Project(client=plan.client, name="Swiss rollout", key="CH1", currency="CHF",
                        lms_product="Moodle Workplace", deployment_model="saas",
                        start_date=NEW_START, target_go_live=date(2027, 9, 1)),
        source=plan,
        by=pm,
    )  # fmt: skip
    assert copy.budget_lines.get().planned_amount == Decimal("0")


def _grow_plan(project, pm, start, n):
    """n more sites, each with a milestone, an assumption, a budget line and a local owner."""
    from projects.models import BudgetLine

    for k in range(start, start + n):
        site = services.site_save(site=Site(project=project, name=f"Site {k}"), by=pm)
        services.milestone_save(
            milestone=Milestone(project=project, site=site, name=f"Go-live {k}",
                                planned_date=date(2027, 5, 3), forecast_date=date(2027, 5, 3)),
            by=pm,
        )  # fmt: skip
        services.raid_save(item=RaidItem(project=project, kind="assumption", title=f"A{k}"), by=pm)
        services.budget_line_save(
            line=BudgetLine(project=project, category="licences", name=f"Licences {k}",
                            site=site, planned_amount=Decimal(100)),
            by=pm,
        )  # fmt: skip
        person = stakeholder_services.stakeholder_save(
            stakeholder=Stakeholder(project=project, name=f"Owner {k}", department="ld"), by=pm
        )
        stakeholder_services.assignment_set(project=project, stakeholder=person,
                                            area="local_rollout", site_id=site.pk, letter="A",
                                            by=pm)  # fmt: skip


def test_copying_a_plan_takes_as_many_queries_for_a_big_plan_as_for_a_small_one(
    plan, pm, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for k, rows in enumerate((2, 25)):
        _grow_plan(plan, pm, 100 * k, rows)
        with CaptureQueriesContext(connection) as queries:
            copy = new_project(plan, pm, key=f"NEW{k}")
        counts.append(len(queries))
        assert copy.milestones.count() == plan.milestones.active().count() - 1  # France's stays
        assert Assignment.objects.filter(project=copy).count() == (2, 27)[k]  # one per site
        for row in [*copy.milestones.all(), *Assignment.objects.filter(project=copy)]:
            assert row.history.get().history_user == pm
    assert counts[0] == counts[1], counts
