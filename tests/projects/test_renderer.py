"""Select menus drawn in Python come out exactly as Django's own templates draw them."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from projects.renderer import Renderer
from requirements.forms import RequirementFilter
from tests.security.hostile import STRINGS

HOSTILE = [text for text in STRINGS.values() if len(text) < 300]


def _both(widget: forms.Widget, name: str, value) -> tuple[str, str]:
    return (
        widget.render(name, value, renderer=Renderer()),
        widget.render(name, value, renderer=DjangoTemplates()),
    )


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=[("", "—"), ("a", "A"), ("b", gettext_lazy("Site"))]), "b"),
        (forms.Select(choices=[(1, "One"), (2, "Two")], attrs={"id": "x", "required": True}), 2),
        (forms.Select(choices=[("", "—")], attrs={"disabled": False, "data-x": 'q"<'}), None),
        (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
        (
            forms.Select(
                choices=[("Europe", [("fr", "France"), ("de", "Germany")]), ("br", "Brazil")]
            ),
            "de",
        ),
        (forms.Select(choices=[(text, text) for text in HOSTILE]), HOSTILE[3]),
        (forms.Select(choices=[("s", mark_safe("<b>safe</b>"))]), "s"),
        (forms.NullBooleanSelect(), True),
    ],
)
def test_a_select_is_drawn_as_djangos_template_draws_it(widget, value):
    ours, django = _both(widget, "field", value)
    assert ours == django


def test_other_widgets_are_left_to_the_templates():
    for widget in (
        forms.CheckboxSelectMultiple(choices=[("a", "A")]),
        forms.RadioSelect(choices=[("a", "A")]),
    ):
        assert _both(widget, "field", ["a"])[0] == _both(widget, "field", ["a"])[1]


@pytest.mark.django_db
def test_the_filter_forms_of_the_lists_are_drawn_the_same(project, pm):
    from requirements.models import Requirement
    from stakeholders.forms import ChannelFilter
    from stakeholders.models import Entry
    from tests.projects.factories import SiteFactory

    SiteFactory(project=project, name="France <Nord>")
    chosen = {"site": str(project.sites.get().pk), "status": ["submitted", "accepted"]}
    for filter_form in (
        RequirementFilter(chosen, queryset=Requirement.objects.none(), project=project).form,
        ChannelFilter({"author": str(pm.pk)}, queryset=Entry.objects.none(), project=project).form,
    ):
        filter_form.is_valid()
        for name, field in filter_form.fields.items():
            bound = filter_form[name]
            ours = field.widget.render(bound.html_name, bound.value(), renderer=Renderer())
            django = field.widget.render(bound.html_name, bound.value(), renderer=DjangoTemplates())
            assert ours == django, name
    requirement_form = RequirementFilter(
        chosen, queryset=Requirement.objects.none(), project=project
    ).form
    assert " selected>France &lt;Nord&gt;</option>" in str(requirement_form["site"])


@pytest.mark.django_db
def test_options_read_ahead_are_drawn_as_the_form_would_read_them_itself(rf, project, pm):
    """`read_choices` reads each menu's options once, in plain queries (no server-side cursor,
    which costs PostgreSQL three round trips for a few dozen rows), and the menus come out
    exactly as the form draws them when left to read its options while rendering."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_htmx.middleware import HtmxDetails

    from projects.pages import read_choices
    from requirements.models import Requirement
    from stakeholders.forms import ChannelFilter
    from tests.projects.factories import SiteFactory
    from tests.rendering import no_queries_while_rendering

    SiteFactory(project=project, name="France <Nord>")
    SiteFactory(project=project, name="Brazil")
    request = rf.get("/")
    request.htmx = HtmxDetails(request)
    for make in (
        lambda: RequirementFilter({"site": str(project.sites.first().pk)},
                                  queryset=Requirement.objects.none(), project=project).form,
        lambda: ChannelFilter({"author": str(pm.pk)}, queryset=None, project=project).form,
    ):  # fmt: skip
        left_alone, read_ahead = make(), make()
        with CaptureQueriesContext(connection) as reads:
            read_choices(request, read_ahead)
        assert reads.captured_queries
        assert not [q for q in reads.captured_queries if "DECLARE" in q["sql"]]
        with no_queries_while_rendering():
            drawn = str(read_ahead)
        assert drawn == str(left_alone)
