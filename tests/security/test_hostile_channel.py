"""Hostile text typed into the channel and the stakeholder list comes back as text: every page
that shows it stays free of anything a browser (or htmx) would run."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from projects.markdown import render_markdown
from stakeholders import services
from stakeholders.models import Area, Department, Entry, EntryKind, Stakeholder
from tests.security.hostile import STRINGS, assert_inert, problems

HOSTILE = [pytest.param(text, id=name) for name, text in STRINGS.items() if len(text) < 300]


def test_inertness_check_catches_what_would_run():
    hostile = (
        '<script>alert(1)</script><img src=x onerror=alert(1)><a href=" JaVa&#x09;script:x">'
        '<a href="data:text/html,x"><div hx-get="/evil"><p hx-on:click="x"><iframe src="//e">'
        '<style>p{}</style><script src="//evil.example/x.js"></script>'
    )
    assert [problem.split(":")[0] for problem in problems(hostile)] == [
        "script that is not one of ours",
        "<img> element",
        "event handler onerror",
        "href with an unsafe scheme",
        "href with an unsafe scheme",
        "htmx attribute that is not ours",
        "htmx attribute that is not ours",
        "<iframe> element",
        "<style> element",
        "script that is not one of ours",
    ]


def test_inertness_check_accepts_a_csrf_token_that_spells_a_word():
    # The page's own hx-headers carry a random token, which now and then spells "evil".
    assert problems("""<body hx-headers='{"X-CSRFToken": "DAwEheviln3HalertxY"}'>""") == []


def test_inertness_check_accepts_the_apps_own_page(client, pm, project):
    client.force_login(pm)
    _post(client, project, "Kick-off agenda", "**Bold** and a [link](https://example.com)")

    page = _page(client, reverse("stakeholders:channel", args=[project.key]))

    assert 'hx-get="/p/NWP/channel/"' in page  # the filter form's own htmx
    assert '<script src="/static/django_htmx/' in page
    assert "Kick-off agenda" in assert_inert(page)


# The channel


def _post(client, project, subject: str, body: str, kind: str = EntryKind.QUESTION):
    url = reverse("stakeholders:post", args=[project.key])
    return client.post(url, {"kind": kind, "subject": subject[:300], "body": body})


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_entry_is_shown_as_text_on_every_channel_page(client, pm, project, hostile):
    client.force_login(pm)

    for kind in (EntryKind.QUESTION, EntryKind.DECISION):
        response = _post(client, project, hostile, hostile, kind)
        assert response.status_code == 302

    hostile = hostile.strip()  # as every form field keeps it
    question, decision = Entry.objects.order_by("id")
    assert (question.subject, question.body) == (hostile, hostile)
    assert decision.kind == EntryKind.DECISION
    pages = [
        reverse("stakeholders:channel", args=[project.key]),
        question.get_absolute_url(),
        decision.get_absolute_url(),
        reverse("stakeholders:decisions", args=[project.key]),
    ]
    for url in pages:
        page = _page(client, url)
        assert hostile in assert_inert(page), url  # the subject, as text
        if "<" in hostile:
            assert hostile not in page, url  # ...and never as markup


def test_channel_shows_markdown_formatting_from_the_body(client, pm, project):
    client.force_login(pm)
    _post(client, project, "Scope", "**Three** sites:\n\n- Hamburg\n- Lyon\n")

    page = _page(client, Entry.objects.get().get_absolute_url())

    assert "<p><strong>Three</strong> sites:</p>" in page
    assert "<li>Hamburg</li>" in page


def test_nul_byte_in_a_subject_is_a_form_error_and_nothing_is_saved(client, pm, project):
    client.force_login(pm)
    before = Entry.objects.count()

    response = _post(client, project, "Budget\x00approved", "We agree.")

    assert response.status_code == 200
    assert response.context["form"].errors["subject"] == ["Null characters are not allowed."]
    assert "Null characters are not allowed." in response.content.decode()
    assert Entry.objects.count() == before


def test_nul_byte_in_a_body_is_a_form_error_and_nothing_is_saved(client, pm, project):
    client.force_login(pm)
    before = Entry.objects.count()

    response = _post(client, project, "Budget approved", "We\x00agree.")

    assert response.status_code == 200
    assert response.context["form"].errors["body"] == ["Null characters are not allowed."]
    assert Entry.objects.count() == before


# render_markdown


@pytest.mark.parametrize("hostile", HOSTILE)
def test_render_markdown_leaves_nothing_that_runs(hostile):
    html = render_markdown(hostile)

    assert_inert(html)
    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    assert "hx-" not in re.sub(r"&lt;.*?&gt;", "", html)  # only ever as escaped text


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>\n"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
        (
            "[Moodle](https://moodle.org)",
            '<p><a href="https://moodle.org" rel="noopener noreferrer nofollow">Moodle</a></p>\n',
        ),
        (
            "[mail](mailto:pm@vendor.example)",
            '<p><a href="mailto:pm@vendor.example" rel="noopener noreferrer nofollow">mail</a>'
            "</p>\n",
        ),
        ("`code`", "<p><code>code</code></p>\n"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"),
        ("## Heading", "<h2>Heading</h2>\n"),
        (
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n",
        ),
        ("", ""),
    ],
)
def test_render_markdown_keeps_ordinary_formatting(markdown, html):
    assert render_markdown(markdown) == html


def test_render_markdown_keeps_the_words_of_a_link_it_may_not_keep():
    assert render_markdown("[x](vbscript:msgbox(1))") == "<p>[x](vbscript:msgbox(1))</p>\n"
    assert render_markdown("[x](ftp://files.example/a)") == (
        '<p><a rel="noopener noreferrer nofollow">x</a></p>\n'
    )


def test_render_markdown_keeps_strikethrough():
    assert render_markdown("~~dropped~~ kept") == "<p><s>dropped</s> kept</p>\n"


def test_render_markdown_keeps_table_column_alignment_as_a_class():
    html = render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |")

    assert '<th class="align-right">b</th>' in html
    assert '<td class="align-right">2</td>' in html
    assert "style=" not in html  # the Content-Security-Policy would refuse it


# Stakeholders and the ownership map


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_stakeholder_name_and_title_are_shown_as_text(client, pm, project, hostile):
    client.force_login(pm)
    hostile = hostile.strip()  # as every form field keeps it
    url = reverse("stakeholders:add", args=[project.key])
    for name, department in ((hostile, Department.IT), ("Ada Colleague", Department.HR)):
        data = {"name": name, "side": "client", "department": department, "title": name}
        response = client.post(url, data, follow=True)
        assert response.redirect_chain == [(reverse("stakeholders:list", args=[project.key]), 302)]
        assert f"{name} saved." in assert_inert(response.content.decode())
    person = project.stakeholders.get(department=Department.IT)
    assert (person.name, person.title) == (hostile, hostile)
    colleague = project.stakeholders.get(name="Ada Colleague")
    # Two accountables name both in the map's summary; one misfit is named in its advice.
    for area, people in ((Area.PLATFORM, (person, colleague)), (Area.BUDGET, (person,))):
        for someone in people:
            services.assignment_set(
                project=project, stakeholder=someone, area=area, site_id=None, letter="A", by=pm
            )

    listing = _page(client, reverse("stakeholders:list", args=[project.key]))
    ownership = _page(client, reverse("stakeholders:ownership", args=[project.key]))

    assert assert_inert(listing).count(hostile) == 3  # name, title, the hidden button label
    text = assert_inert(ownership)
    assert f"{hostile} is accountable. For a client of this size" in text
    assert hostile in text.split("people are accountable for Platform overall")[1]
    if "<" in hostile:
        assert hostile not in listing and hostile not in ownership


def test_nul_byte_in_a_stakeholder_name_is_a_form_error(client, pm, project):
    client.force_login(pm)
    data = {"name": "Ada\x00Lovelace", "side": "client", "department": Department.IT}

    response = client.post(reverse("stakeholders:add", args=[project.key]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Null characters are not allowed."]
    assert not Stakeholder.objects.exists()


def test_stored_table_alignment_styles_become_classes(project, pm):
    migration = importlib.import_module(
        "requirements.migrations.0003_markdown_table_alignment_as_class"
    )
    entry = services.entry_post(project=project, author=pm, kind="instruction", subject="Rates",
                                body="| a | b |\n|---|--:|\n| 1 | 2 |")  # fmt: skip
    Entry.objects.filter(pk=entry.pk).update(
        body_html=entry.body_html.replace('class="align-right"', 'style="text-align:right"')
    )

    migration.forwards(django_apps, None)

    entry.refresh_from_db()
    assert '<td class="align-right">2</td>' in entry.body_html
    assert "style=" not in entry.body_html
