from django.urls import reverse

from projects.models import Membership, Project, ProjectStatus, Site
from projects.roles import Role
from tests.projects.factories import ClientFactory, ProjectFactory, SiteFactory, UserFactory


def _page(browser, user, url, **params):
    browser.force_login(user)
    response = browser.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _results(browser, user, **params):
    """The project list's results alone, as htmx asks for them (the header lists projects too)."""
    browser.force_login(user)
    response = browser.get(reverse("projects:list"), params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_my_projects_lists_only_my_projects(client, project, tester):
    ProjectFactory(name="Someone else's rollout")
    html = _results(client, tester)
    assert "Northwind rollout" in html
    assert "Someone else" not in html
    assert "Tester" in html  # my role on it


def test_my_projects_filters_by_client_status_and_search(client, pm, project):
    other_client = ClientFactory(name="Brightwater")
    ProjectFactory(name="Brightwater Academy", key="BWA", client=other_client, manager=pm)
    held = ProjectFactory(name="Paused rollout", key="HOLD", manager=pm)
    held.status = ProjectStatus.ON_HOLD
    held.save()
    assert "Brightwater Academy" not in _results(client, pm, client=project.client.pk)
    html = _results(client, pm, q="bwa")
    assert "Brightwater Academy" in html and "Northwind rollout" not in html
    html = _results(client, pm, status=ProjectStatus.ON_HOLD)
    assert "Paused rollout" in html and "Northwind rollout" not in html
    assert "No project matches these filters" in _results(client, pm, q="nothing-like-it")


def test_archived_projects_are_hidden_unless_asked_for(client, pm, project):
    project.status = ProjectStatus.ARCHIVED
    project.save()
    assert "Northwind rollout" not in _results(client, pm)
    assert "Northwind rollout" in _results(client, pm, status=ProjectStatus.ARCHIVED)


def test_my_projects_paginates(client, pm):
    one_client = ClientFactory()  # the list is ordered by client, then by name
    for n in range(30):
        ProjectFactory(name=f"Rollout {n:02d}", manager=pm, client=one_client)
    url = reverse("projects:list")
    first = _page(client, pm, url)
    assert "30 projects" in first and "Page 1 of 2" in first
    assert "Rollout 29" in _page(client, pm, url, page=2)


def test_filtering_with_htmx_returns_only_the_results(client, pm, project):
    client.force_login(pm)
    response = client.get(reverse("projects:list"), {"q": "NWP"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Northwind rollout" in html and "<header" not in html


def test_someone_who_is_on_no_project_sees_an_empty_state(client, db):
    html = _page(client, UserFactory(), reverse("projects:list"))
    assert "You are not on any project yet" in html
    assert "New project" not in html


def test_project_manager_creates_a_project(client, pm):
    acme = ClientFactory(name="Acme")
    client.force_login(pm)
    response = client.post(
        reverse("projects:create"),
        {
            "client": acme.pk,
            "name": "Acme Academy",
            "key": "acme",
            "lms_product": "Docebo",
            "deployment_model": "saas",
            "start_date": "2026-12-01",
            "target_go_live": "2027-04-01",
            "currency": "USD",
        },
        follow=True,
    )
    assert "Project ACME created" in response.content.decode()
    project = Project.objects.get(key="ACME")
    assert Membership.objects.get(project=project).user == pm


def test_a_bad_key_is_explained_next_to_the_field(client, pm, project):
    client.force_login(pm)
    data = {
        "client": project.client.pk,
        "name": "X",
        "lms_product": "Y",
        "deployment_model": "saas",
        "start_date": "2026-12-01",
        "target_go_live": "2027-04-01",
        "currency": "EUR",
    }
    html = client.post(reverse("projects:create"), {**data, "key": "9 bad"}).content.decode()
    assert "Use 2 to 10 capital letters or digits" in html
    html = client.post(reverse("projects:create"), {**data, "key": "nwp"}).content.decode()
    assert "already exists" in html
    assert Project.objects.count() == 1


def test_project_home_shows_empty_states_and_the_missing_point_of_contact(client, project, pm):
    html = _page(client, pm, reverse("projects:home", args=[project.key]))
    assert "No sites yet" in html
    assert "No client point of contact yet" in html
    assert "Add a site" in html


def test_project_home_hides_setup_actions_from_other_roles(client, project, stakeholder):
    SiteFactory(project=project, name="Germany")
    html = _page(client, stakeholder, reverse("projects:home", args=[project.key]))
    assert "Germany" in html
    assert "Add a site" not in html and "Settings" not in html
    assert "Client stakeholder" in html


def test_a_refusal_says_what_the_role_allows(client, project, observer):
    client.force_login(observer)
    response = client.get(reverse("projects:edit", args=[project.key]))
    assert response.status_code == 403
    assert "Observer (sponsor)" in response.content.decode()


def test_a_site_of_another_project_is_not_found(client, project, pm):
    foreign = SiteFactory(project=ProjectFactory(manager=pm), name="Elsewhere")
    client.force_login(pm)
    url = reverse("projects:site_edit", args=[project.key, foreign.pk])
    assert client.get(url).status_code == 404
    url = reverse("projects:site_archive", args=[project.key, foreign.pk])
    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.archived_at is None


def test_a_membership_of_another_project_is_not_found(client, project, pm):
    other = ProjectFactory(manager=pm)
    foreign = Membership.objects.get(project=other)
    client.force_login(pm)
    url = reverse("projects:member_role", args=[project.key, foreign.pk])
    assert client.post(url, {"role": Role.OBSERVER}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.PROJECT_MANAGER


def test_adding_a_site_and_seeing_it_in_the_history(client, project, pm):
    client.force_login(pm)
    response = client.post(
        reverse("projects:site_add", args=[project.key]),
        {"name": "Germany", "kind": "country", "local_go_live": "2027-03-01"},
        follow=True,
    )
    assert "Site Germany saved" in response.content.decode()
    site = Site.objects.get(project=project)
    client.post(
        reverse("projects:site_edit", args=[project.key, site.pk]),
        {"name": "Germany", "kind": "country", "local_go_live": "2027-04-12"},
    )
    html = _page(client, pm, reverse("projects:history", args=[project.key]))
    assert "Local go-live" in html
    assert "1 Mar 2027</del> → <ins>12 Apr 2027" in html
    assert pm.get_full_name() in html


def test_adding_a_member_with_a_bad_address_keeps_the_form(client, project, pm):
    client.force_login(pm)
    response = client.post(
        reverse("projects:member_add", args=[project.key]),
        {"email": "not-an-address", "role": "tester"},
    )
    assert "Enter a valid email address" in response.content.decode()
    assert Membership.objects.filter(project=project).count() == 1


def test_adding_an_existing_member_is_refused_on_the_field(client, project, pm, spoc):
    client.force_login(pm)
    response = client.post(
        reverse("projects:member_add", args=[project.key]), {"email": spoc.email, "role": "tester"}
    )
    assert "is already a member" in response.content.decode()
    assert Membership.objects.get(user=spoc).role == Role.SPOC


def test_changing_a_role_in_place_returns_the_row(client, project, pm, tester):
    membership = Membership.objects.get(user=tester)
    client.force_login(pm)
    response = client.post(
        reverse("projects:member_role", args=[project.key, membership.pk]),
        {"role": Role.OBSERVER},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{membership.pk}" class="saved"')
    assert '<option value="observer" selected>' in html
    membership.refresh_from_db()
    assert membership.role == Role.OBSERVER


def test_demoting_the_last_project_manager_is_refused_in_the_row(client, project, pm):
    membership = Membership.objects.get(user=pm)
    client.force_login(pm)
    response = client.post(
        reverse("projects:member_role", args=[project.key, membership.pk]),
        {"role": Role.OBSERVER},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "at least one project manager" in html
    assert '<option value="pm" selected>' in html
    membership.refresh_from_db()
    assert membership.role == Role.PROJECT_MANAGER


def test_removing_a_member_takes_their_access_away(client, project, pm, tester):
    client.force_login(pm)
    membership = Membership.objects.get(user=tester)
    response = client.post(
        reverse("projects:member_remove", args=[project.key, membership.pk]), follow=True
    )
    assert "no longer has access" in response.content.decode()
    client.force_login(tester)
    assert client.get(reverse("projects:home", args=[project.key])).status_code == 404


def test_staff_create_and_archive_a_client(client, staff):
    client.force_login(staff)
    client.post(
        reverse("projects:client_create"),
        {"name": "Contoso Retail", "headcount": "750", "countries": "Spain", "industry": "Retail"},
    )
    contoso = Project.client.field.related_model.objects.get(name="Contoso Retail")
    html = _page(client, staff, reverse("projects:client_list"))
    assert "Contoso Retail" in html and "Mid-size" in html
    client.post(reverse("projects:client_archive", args=[contoso.pk]))
    assert ">Contoso Retail</a>" not in _page(client, staff, reverse("projects:client_list"))
    assert "Contoso Retail" in _page(client, staff, reverse("projects:client_list"), archived="1")


def test_staff_give_someone_the_right_to_create_projects(client, staff, tester):
    client.force_login(staff)
    client.post(
        reverse("projects:user_edit", args=[tester.pk]),
        {"email": tester.email, "first_name": "Ana", "last_name": "Costa", "time_zone": "UTC",
         "is_active": "on", "may_create_projects": "on"},
    )  # fmt: skip
    tester.refresh_from_db()
    assert tester.has_perm("projects.add_project")


def test_staff_cannot_lock_themselves_out(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("projects:user_edit", args=[staff.pk]),
        {"email": staff.email, "time_zone": "UTC", "is_active": "on"},
    )
    assert "cannot take away your own staff access" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_staff


# The header's project switcher

HTMX = {"HX-Request": "true"}


def test_the_switcher_menu_lists_my_current_projects_and_marks_this_one(client, project, tester):
    ProjectFactory(name="Someone else's rollout")
    ProjectFactory(name="Old rollout", status=ProjectStatus.ARCHIVED, manager=tester)
    client.force_login(tester)
    page = client.get(reverse("projects:home", args=[project.key])).content.decode()
    # The page carries the menu's address, not the menu: it is fetched when first opened.
    assert f'hx-get="{reverse("projects:switcher")}?current={project.key}"' in page
    assert "NWP · Northwind rollout</a>" not in page
    all_mine = f'<a href="{reverse("projects:list")}">All my projects…</a>'
    assert all_mine in page  # what the menu offers without scripts, and below the projects
    response = client.get(reverse("projects:switcher"), {"current": project.key}, headers=HTMX)
    assert response.status_code == 200
    menu = response.content.decode()
    here = f'<a href="{project.get_absolute_url()}" aria-current="page">NWP · Northwind rollout</a>'
    assert here in menu
    assert "Someone else" not in menu and "Old rollout" not in menu
    assert "All my projects…" not in menu  # already in the page: the projects go above it


def test_the_switcher_menu_of_someone_on_no_project_says_so(client, db):
    client.force_login(UserFactory())
    menu = client.get(reverse("projects:switcher"), headers=HTMX).content.decode()
    assert "No projects yet" in menu and "All my projects…" not in menu


def test_the_switcher_menu_keeps_to_twelve_projects_in_one_query(
    client, pm, django_assert_num_queries
):
    for n in range(14):
        ProjectFactory(name=f"Rollout {n:02}", manager=pm)
    client.force_login(pm)
    client.get(reverse("projects:switcher"), headers=HTMX)
    with django_assert_num_queries(3):  # the session, the person, their projects
        menu = client.get(reverse("projects:switcher"), headers=HTMX).content.decode()
    assert menu.count("· Rollout") == 12
    assert "Rollout 00" in menu and "Rollout 12" not in menu


def test_the_switcher_menu_asks_a_stranger_to_sign_in(client, db):
    response = client.get(reverse("projects:switcher"), headers=HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_switcher_menu_opened_as_a_page_is_the_project_list(client, pm):
    client.force_login(pm)
    response = client.get(reverse("projects:switcher"))
    assert response.status_code == 302 and response["Location"] == reverse("projects:list")


def test_a_list_says_its_answer_depends_on_htmx_and_gives_htmx_going_back_the_whole_page(
    client, project, pm
):
    client.force_login(pm)
    url = reverse("requirements:list", args=[project.key])
    part = client.get(url, headers={"HX-Request": "true"})
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    for response in (part, restored, client.get(url)):
        assert "HX-Request" in response["Vary"]
    assert "<html" not in part.content.decode()
    assert "<html" in restored.content.decode() and 'id="results"' in restored.content.decode()


def test_a_site_name_the_project_has_is_refused_beside_the_name(client, project, pm):
    SiteFactory(project=project, name="Germany")
    client.force_login(pm)
    response = client.post(
        reverse("projects:site_add", args=[project.key]), {"name": "GERMANY", "kind": "country"}
    )
    form = response.context["form"]
    assert form.errors == {"name": ["This project already has a site with this name."]}
    assert project.sites.count() == 1


def test_a_tester_refused_a_managers_page_is_told_what_managing_covers(client, project, tester):
    client.force_login(tester)
    response = client.get(reverse("requirements:round_new", args=[project.key]))
    assert response.status_code == 403
    assert (
        f"Your role on {project} (Tester) does not allow you to "
        "manage the project: its set-up, plan, budget, test rounds and members."
    ) in response.content.decode()
