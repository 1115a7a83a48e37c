import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import services as project_services
from projects.roles import Role
from projects.uploads import check_upload
from stakeholders import services
from stakeholders.models import Assignment, Entry, Stakeholder
from tests.projects.factories import ProjectFactory, SiteFactory, UserFactory
from tests.rendering import no_queries_while_rendering
from tests.stakeholders.factories import StakeholderFactory


def url(name, project, *args):
    return reverse(f"stakeholders:{name}", args=[project.key, *args])


def html_of(browser, user, address, **params):
    browser.force_login(user)
    response = browser.get(address, params)
    assert response.status_code == 200
    return response.content.decode()


def test_members_see_only_their_projects_stakeholders(client, project, tester):
    StakeholderFactory(project=project, name="Sabine Keller")
    StakeholderFactory(project=ProjectFactory(), name="Secret Person")
    html = html_of(client, tester, url("list", project))
    assert "Sabine Keller" in html and "Secret Person" not in html


def test_stakeholders_filter_by_side_department_and_site(client, project, pm):
    germany = SiteFactory(project=project, name="Germany")
    StakeholderFactory(project=project, name="Jürgen Bauer", department="hr", site=germany)
    StakeholderFactory(project=project, name="Nadia Haddad", department="it")
    StakeholderFactory(project=project, name="Tomás Oliveira", side="vendor", department="delivery")
    assert "Nadia" not in html_of(client, pm, url("list", project), department="hr")
    html = html_of(client, pm, url("list", project), site=germany.pk)
    assert "Jürgen" in html and "Nadia" not in html
    html = html_of(client, pm, url("list", project), side="vendor")
    assert "Tomás" in html and "Jürgen" not in html


def test_someone_who_left_is_kept_but_hidden_by_default(client, project, pm):
    person = StakeholderFactory(project=project, name="Greta Schulz")
    client.force_login(pm)
    client.post(url("active", project, person.pk), follow=True)
    person.refresh_from_db()
    assert person.is_active is False
    assert "Greta Schulz" not in html_of(client, pm, url("list", project))
    assert "Greta Schulz" in html_of(client, pm, url("list", project), inactive="on")


def test_a_duplicate_e_mail_is_refused_on_the_form(client, project, pm):
    StakeholderFactory(project=project, email="dup@client.example")
    client.force_login(pm)
    response = client.post(
        url("add", project),
        {"name": "Dup", "email": "DUP@client.example", "side": "client", "department": "hr"},
    )
    assert "already has a stakeholder with this e-mail" in response.content.decode()
    # Beside the e-mail field, not above the form.
    form = response.context["form"]
    assert form.errors == {"email": ["This project already has a stakeholder with this e-mail."]}
    assert Stakeholder.objects.count() == 1


def test_setting_a_letter_in_place_returns_the_cell_and_the_summary(client, project, pm):
    person = StakeholderFactory(project=project, name="Sabine Keller")
    client.force_login(pm)
    response = client.post(
        url("ownership_set", project),
        {"stakeholder": person.pk, "area": "platform", "letter": "A"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<td id="cell-{person.pk}-platform" class="raci-cell accountable"'
    )
    assert 'id="ownership-summary"' in html and 'hx-swap-oob="true"' in html
    assert "Nobody is accountable for Platform overall" not in html
    assert "Nobody is accountable for Budget approval" in html
    assert Assignment.objects.get().letter == "A"


# A site's cell is "local_rollout-<id>", written as the map writes it, or it is no cell.
@pytest.mark.parametrize(
    "area",
    ["nonsense", "local_rollout-999999", "platform-1", "local_rollout-0{site}",
     "local_rollout-+{site}", "local_rollout- {site}", "local_rollout-{site}.0",
     "local_rollout-\u0661", "local_rollout-\u00b2", "local_rollout-" + "9" * 30],
)  # fmt: skip
@pytest.mark.parametrize("htmx", [False, True])
def test_a_cell_outside_the_map_is_refused(client, project, pm, area, htmx):
    person = StakeholderFactory(project=project)
    site = SiteFactory(project=project)
    client.force_login(pm)
    response = client.post(
        url("ownership_set", project),
        {"stakeholder": person.pk, "area": area.format(site=site.pk), "letter": "A"},
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == 400
    assert re.search("not part of this project's map|could not be read", response.content.decode())
    assert not Assignment.objects.exists()


def test_a_cell_for_another_projects_stakeholder_is_not_found(client, project, pm):
    foreign = StakeholderFactory(project=ProjectFactory(manager=pm))
    client.force_login(pm)
    response = client.post(
        url("ownership_set", project),
        {"stakeholder": foreign.pk, "area": "platform", "letter": "A"},
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_the_map_lists_gaps_and_recommendations(client, project, tester):
    html = html_of(client, tester, url("ownership", project))
    assert "Nobody is accountable for Platform overall." in html
    assert "The global head of L&amp;D (not a regional head)." in html  # a large client
    assert "<select" not in html  # only the project manager edits


def test_posting_a_request_as_a_client_stakeholder_waits_for_the_spoc(
    client, project, spoc, stakeholder
):
    client.force_login(stakeholder)
    response = client.post(
        url("post", project),
        {"kind": "instruction", "subject": "Portuguese voice-over", "body": "For **Brazil**."},
        follow=True,
    )
    html = response.content.decode()
    assert "waits for the point of contact" in html
    assert "Off-channel: waiting for the point of contact" in html
    assert "For <strong>Brazil</strong>." in html
    entry = Entry.objects.get()
    html = html_of(client, spoc, url("queue", project))
    assert "Portuguese voice-over" in html
    client.post(url("decide", project, entry.pk), {"decision": "confirm", "comment": "Agreed"})
    assert "Nothing is waiting for you." in html_of(client, spoc, url("queue", project))
    assert "Confirmed by the point of contact" in html_of(
        client, stakeholder, url("channel", project)
    )


def test_a_channel_row_drawn_once_shows_what_changed_since(client, project, pm, spoc, stakeholder):
    """An entry's row is kept once drawn; whatever in it can change is drawn again."""
    body = " ".join(f"word{n}" for n in range(80))
    entry = services.entry_post(
        project=project, author=stakeholder, kind="request", subject="Portuguese voice-over",
        body=body,
    )  # fmt: skip
    Entry.objects.filter(pk=entry.pk).update(created_at="2026-03-02T09:30:00Z")

    def row():
        html = html_of(client, pm, url("channel", project))
        article = rf'<article class="[^"]*" id="entry-{entry.pk}">.*?</article>'
        return re.search(article, html, re.S).group(0)

    first = row()
    assert "Off-channel: waiting" in first and "2 Mar 2026, 09:30" in first
    assert row() == first
    assert "word79" not in first  # the list shows an excerpt; the entry's page, all of it
    assert "word79" in html_of(client, pm, url("entry", project, entry.pk))
    services.entry_spoc_decide(entry=entry, by=spoc, confirm=True)
    assert "Confirmed by the point of contact" in row()
    services.entry_post(
        project=project, author=pm, kind="request", subject="Correction", corrects=entry
    )
    assert 'class="entry corrected"' in row()
    stakeholder.first_name = "Renamed"
    stakeholder.save()
    assert "Renamed" in row()
    pm.time_zone = "Asia/Tokyo"
    pm.save()
    assert "2 Mar 2026, 18:30" in row()


def test_declining_without_a_comment_is_refused(client, project, spoc, stakeholder):
    entry = services.entry_post(project=project, author=stakeholder, kind="request", subject="X")
    client.force_login(spoc)
    response = client.post(url("decide", project, entry.pk), {"decision": "decline"}, follow=True)
    assert "Say why you decline it" in response.content.decode()
    entry.refresh_from_db()
    assert entry.spoc_status == "waiting"


def test_only_the_author_or_the_manager_corrects_an_entry(
    client, project, pm, team_member, stakeholder
):
    entry = services.entry_post(project=project, author=stakeholder, kind="question", subject="Q")
    client.force_login(team_member)
    assert client.get(url("post", project), {"corrects": entry.pk}).status_code == 403
    assert client.get(url("post", project), {"corrects": "abc"}).status_code == 404
    client.force_login(stakeholder)
    response = client.post(
        url("post", project),
        {"kind": "question", "subject": "Q, corrected", "corrects": entry.pk},
        follow=True,
    )
    assert response.status_code == 200
    html = html_of(client, pm, url("entry", project, entry.pk))
    assert "Corrected by" in html and "Q, corrected" in html


def test_the_channel_shows_an_excerpt_its_corrections_and_attachments_and_the_entry_all(
    client, project, pm, team_member
):
    words = " ".join(f"word{n}" for n in range(80))
    long = services.entry_post(
        project=project, author=pm, kind="decision", subject="Long", body=f"**{words}**",
        files=[check_upload("plan.pdf", b"%PDF-1.4\n%%EOF\n")],
    )  # fmt: skip
    services.entry_post(
        project=project, author=pm, kind="decision", subject="Long, corrected", corrects=long
    )
    channel = html_of(client, team_member, url("channel", project))
    assert "<strong>word0" in channel and "word59 …</strong>" in channel
    assert "word60" not in channel
    assert "1 attachment" in channel and 'class="entry corrected"' in channel
    whole = html_of(client, team_member, url("entry", project, long.pk))
    assert "word79</strong>" in whole and "Corrected by" in whole and "plan.pdf" in whole
    decisions = html_of(client, team_member, url("decisions", project))
    assert "word29 …" in decisions and "word30" not in decisions


def test_channel_filters_by_type_and_author(client, project, pm, team_member):
    services.entry_post(project=project, author=pm, kind="decision", subject="Go-live in March")
    services.entry_post(project=project, author=team_member, kind="question", subject="Which SSO?")
    client.force_login(pm)
    html = client.get(url("channel", project), {"kind": "decision"}, headers={"HX-Request": "true"})
    html = html.content.decode()
    assert html.lstrip().startswith('<section id="entries"')
    assert "Go-live in March" in html and "Which SSO?" not in html
    html = html_of(client, pm, url("channel", project), author=team_member.pk)
    assert "Which SSO?" in html and "Go-live in March" not in html
    assert "Go-live in March" in html_of(client, pm, url("decisions", project))


def test_channel_author_filter_offers_each_author_here_once(client, project, pm, team_member):
    for n in range(3):
        services.entry_post(project=project, author=pm, kind="meeting_note", subject=f"Note {n}")
    services.entry_post(project=project, author=team_member, kind="question", subject="Which SSO?")
    outsider = UserFactory(first_name="Olga", last_name="Elsewhere")
    services.entry_post(
        project=ProjectFactory(), author=outsider, kind="meeting_note", subject="Not here"
    )
    html = html_of(client, pm, url("channel", project))
    menu = re.search(r'<select name="author".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="(\d*)"', menu)
    assert options[0] == ""  # Everyone
    assert sorted(options[1:]) == sorted([str(pm.pk), str(team_member.pk)])
    assert "Elsewhere" not in menu


def test_stakeholders_import_previews_then_saves_all(client, project, pm):
    SiteFactory(project=project, name="Germany")
    # Saved by a spreadsheet program as Windows-1252, not UTF-8.
    csv = (
        "name,email,side,department,title,site\n"
        "Jürgen Bauer,juergen@client.example,Client,HR,HR Director,Germany\n"
        "Nadia Haddad,nadia@client.example,client,it,Head of IT,\n"
    ).encode("cp1252")
    client.force_login(pm)
    preview = client.post(url("import", project), {"file": SimpleUploadedFile("people.csv", csv)})
    html = preview.content.decode()
    assert "All 2 rows are ready" in html and "Jürgen Bauer" in html
    assert Stakeholder.objects.count() == 0
    text = preview.context["text"]
    client.post(url("import", project), {"confirm": "1", "text": text})
    assert sorted(Stakeholder.objects.values_list("name", "site__name")) == [
        ("Jürgen Bauer", "Germany"),
        ("Nadia Haddad", None),
    ]


def test_an_import_confirmed_twice_imports_once(client, project, pm):
    csv = b"name,email,side,department,title,site\nNadia Haddad,,client,it,,\n"
    client.force_login(pm)
    preview = client.post(url("import", project), {"file": SimpleUploadedFile("p.csv", csv)})
    token = re.search(r'name="once" value="([^"]+)"', preview.content.decode())[1]
    data = {"confirm": "1", "text": preview.context["text"], "once": token}
    first = client.post(url("import", project), data, follow=True)
    assert "1 stakeholder imported." in first.content.decode()
    again = client.post(url("import", project), data).content.decode()
    assert "This form was already sent. Open it again to send something new." in again
    assert project.stakeholders.filter(name="Nadia Haddad").count() == 1


def test_a_bad_row_blocks_the_whole_import(client, project, pm):
    csv = (
        "name,email,side,department,title,site\n"
        "Good Person,good@client.example,client,hr,,\n"
        ",missing-name@client.example,client,hr,,\n"
        "Bad Dept,bad@client.example,client,astrology,,\n"
        "Twice,good@client.example,client,hr,,\n"
        "Nowhere,nowhere@client.example,client,hr,,Atlantis\n"
    )
    client.force_login(pm)
    response = client.post(
        url("import", project), {"file": SimpleUploadedFile("p.csv", csv.encode())}
    )
    html = response.content.decode()
    assert "4 rows need fixing" in html
    assert "name: This field is required." in html
    assert "department: “astrology” is not one of these: HR, L&amp;D, Finance" in html
    assert "Also on line 2 of this file" in html
    assert "No site of this project is called “Atlantis”" in html
    assert 'name="confirm"' not in html
    response = client.post(url("import", project), {"confirm": "1", "text": csv})
    assert Stakeholder.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"name,email\n", "must name the columns"),
        (b"name,department\n", "no rows below its header"),
        (b"\x00\x01binary", "does not contain what its name says"),
    ],
)
def test_unusable_files_are_explained(client, project, pm, content, message):
    client.force_login(pm)
    response = client.post(url("import", project), {"file": SimpleUploadedFile("p.csv", content)})
    assert message in response.content.decode()
    assert Stakeholder.objects.count() == 0


def _grow_map(project, pm, n):
    site = SiteFactory(project=project)
    for _ in range(n):
        person = StakeholderFactory(project=project, site=site)
        for area, letter in (("platform", "C"), ("content", "R"), ("local_rollout", "A")):
            services.assignment_set(project=project, stakeholder=person, area=area,
                                    site_id=site.pk if area == "local_rollout" else None,
                                    letter=letter, by=pm)  # fmt: skip


def _grow_channel(project, pm, n):
    author = UserFactory()
    project_services.membership_grant(project=project, user=author, role=Role.STAKEHOLDER, by=pm)
    for i in range(n):
        entry = services.entry_post(project=project, author=author, kind="request", subject=f"R{i}")
        services.entry_post(project=project, author=pm, kind="decision", subject=f"D{i}",
                            corrects=entry)  # fmt: skip


def _grow_stakeholders(project, pm, n):
    for _ in range(n):
        StakeholderFactory(project=project, site=SiteFactory(project=project))


@pytest.mark.parametrize(
    ("name", "grow", "who", "pinned"),
    [
        ("ownership", _grow_map, "pm", 6),
        ("list", _grow_stakeholders, "pm", 5),
        ("channel", _grow_channel, "pm", 5),
        ("decisions", _grow_channel, "pm", 4),
        ("queue", _grow_channel, "spoc", 5),
        ("contact", _grow_stakeholders, "pm", 6),
    ],
)
def test_query_count_is_pinned_at_two_sizes(
    client, project, pm, persona, django_assert_num_queries, name, grow, who, pinned
):
    address = url(name, project)
    client.force_login(persona(who))
    client.get(address)
    for rows in (2, 30):
        grow(project, pm, rows)
        with django_assert_num_queries(pinned), no_queries_while_rendering():
            assert client.get(address).status_code == 200


def test_the_channel_shows_a_hundred_entries_a_page(client, project, pm):
    author = UserFactory()
    project_services.membership_grant(project=project, user=author, role=Role.STAKEHOLDER, by=pm)
    entries = [
        Entry(project=project, author=author, kind="request", subject=f"Request {n:03}")
        for n in range(101)
    ]
    Entry.objects.bulk_create(entries)
    client.force_login(pm)
    first = client.get(url("channel", project)).content.decode()
    second = client.get(url("channel", project), {"page": "2"}).content.decode()
    shown = [n for n in range(101) if f"Request {n:03}" in first]
    assert len(shown) == 100 and "Page 1 of 2" in first
    assert [n for n in range(101) if f"Request {n:03}" in second] == list(
        set(range(101)) - set(shown)
    )


def test_entries_saved_before_excerpts_were_stored_get_theirs_when_migrating(project, pm):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("stakeholders.migrations.0002_entry_excerpt")
    words = " ".join(f"word{n}" for n in range(70))
    entry = services.entry_post(
        project=project, author=pm, kind="question", subject="Old", body=words
    )
    Entry.objects.filter(pk=entry.pk).update(excerpt_html="")
    migration.cut_excerpts(apps, None)
    entry.refresh_from_db()
    assert entry.excerpt_html.startswith("<p>word0 ") and entry.excerpt_html.endswith(
        "word59 …</p>"
    )
