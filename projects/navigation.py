"""The tabs of a project's pages. Each app registers its own in `AppConfig.ready`, so that
`projects` shows the others' pages without importing them."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Tab:
    label: str | Promise
    url_name: str
    permission: str | tuple[str, ...]  # a tuple: any one of them
    order: int
    # Other views (namespaced names) under which this tab shows as the current one.
    also_for: tuple[str, ...] = ()


_tabs: dict[str, Tab] = {}


def register_tab(label, url_name, *, permission="view_project", order=50, also_for=()) -> None:
    _tabs[url_name] = Tab(label, url_name, permission, order, tuple(also_for))


def tabs_for(project) -> list[Tab]:
    def shown(tab: Tab) -> bool:
        wanted = (tab.permission,) if isinstance(tab.permission, str) else tab.permission
        return bool(project.user_perms & set(wanted))

    return sorted(filter(shown, _tabs.values()), key=lambda tab: tab.order)
