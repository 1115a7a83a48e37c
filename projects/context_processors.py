from .models import Project

SWITCHER_SIZE = 12


def project_switcher(request):
    """The header's project switcher: the person's current projects, read before the page
    renders. A fragment swapped in by htmx has no header, so it is spared the query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return {}
    return {
        "switcher_projects": list(
            Project.objects.visible_to(user)
            .current()
            .only("key", "name")
            .order_by("name")[:SWITCHER_SIZE]
        )
    }
