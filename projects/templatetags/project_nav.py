from django import template
from django.urls import reverse

from projects.navigation import tabs_for

register = template.Library()


@register.simple_tag(takes_context=True)
def project_tabs(context, project):
    """(label, url, is current) for each tab the person may open."""
    current = context["request"].resolver_match.view_name
    return [
        (
            tab.label,
            reverse(tab.url_name, args=[project.key]),
            current in (tab.url_name, *tab.also_for),
        )
        for tab in tabs_for(project)
    ]
