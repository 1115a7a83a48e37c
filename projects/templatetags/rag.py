from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def rag_badge(cell: dict) -> str:
    """An area's red, amber or green, or why the person may not see it, in words that a phone
    or a screen reader shows too. Drawn here rather than by an included template: the portfolio
    draws five a row, fifty rows a page."""
    severity = cell["severity"]
    if not severity:
        return format_html(
            '<span class="rag none">{}</span>', _("Judged on vendor-internal figures")
        )
    return format_html(
        '<span class="rag {}" title="{}: {}"><span class="rag-dot" aria-hidden="true"></span>'
        "{}</span>",
        severity,
        cell["label"],
        severity.label,
        severity.label,
    )
