from .models import Project

SWITCHER_SIZE = 12


def project_switcher(request):
    """The header's project switcher: the person's current projects, read lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "switcher_projects": Project.objects.visible_to(user)
        .current()
        .only("key", "name")
        .order_by("name")[:SWITCHER_SIZE]
    }
