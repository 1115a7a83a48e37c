"""The benchmark's check that no query runs while a template renders."""

import pytest
from django.template import Context, Template

from bench.run import _RenderWatch
from projects.models import Project
from tests.projects.factories import ProjectFactory


@pytest.mark.django_db
def test_a_queryset_evaluated_by_a_template_is_caught_and_one_read_before_is_not(pm):
    ProjectFactory(key="ABC", name="Acme rollout", manager=pm)
    template = Template("{% for p in projects %}{{ p.key }}{% endfor %}")

    with _RenderWatch() as watch:
        read_before = list(Project.objects.all())
        html = template.render(Context({"projects": read_before}))
    assert "ABC" in html
    assert watch.during_render == []

    with _RenderWatch() as watch:
        html = template.render(Context({"projects": Project.objects.all()}))
    assert "ABC" in html
    assert len(watch.during_render) == 1
    assert "projects_project" in watch.during_render[0]
