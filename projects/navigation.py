"""The tabs of a project's pages. Each app registers its own in `AppConfig.ready`, so that
`projects` shows the others' pages without importing them."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Tab:
    label: str | Promise
    url_name: str
    permission: str
    order: int
    # Other views (namespaced names) under which this tab shows as the current one.
    also_for: tuple[str, ...] = ()


_tabs: dict[str, Tab] = {}


def register_tab(label, url_name, *, permission="view_project", order=50, also_for=()) -> None:
    _tabs[url_name] = Tab(label, url_name, permission, order, tuple(also_for))


def tabs_for(project) -> list[Tab]:
    return sorted(
        (tab for tab in _tabs.values() if tab.permission in project.user_perms),
        key=lambda tab: tab.order,
    )
