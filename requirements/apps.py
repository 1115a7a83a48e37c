from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "requirements"
    verbose_name = _("Requirements")

    def ready(self):
        from projects.demo import register_demo
        from projects.navigation import register_tab
        from projects.reports import register_section

        from . import checks  # noqa: F401 (registers the scope and quality checks)
        from .demo import load
        from .reports import by_status_and_priority

        register_demo(load, order=20)
        register_section(
            _("Requirements by status and priority"),
            "requirements/report/requirements.html",
            by_status_and_priority,
            order=40,
        )

        readers = ("view_requirements", "submit_requirement")
        register_tab(
            _("Requirements"),
            "requirements:list",
            permission=readers,
            order=25,
            also_for=["requirements:new", "requirements:detail", "requirements:edit"],
        )
        register_tab(
            _("Goals"),
            "requirements:goals",
            permission=readers,
            order=26,
            also_for=["requirements:goal_new", "requirements:goal_edit"],
        )
        register_tab(
            _("Change control"),
            "requirements:changes",
            permission="view_requirements",
            order=27,
            also_for=["requirements:change", "requirements:change_new", "requirements:baseline"],
        )
        register_tab(
            _("Conflicts"),
            "requirements:conflicts",
            permission="view_requirements",
            order=28,
            also_for=["requirements:conflict_new"],
        )
