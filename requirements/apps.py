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
        from .demo import load, load_testing
        from .reports import by_status_and_priority, open_feedback_by_severity

        register_demo(load, order=20)
        register_demo(load_testing, order=30)
        register_section(
            _("Requirements by status and priority"),
            "requirements/report/requirements.html",
            by_status_and_priority,
            order=40,
        )
        # The same table, drawn for open feedback.
        register_section(
            _("Open test feedback by severity"),
            "requirements/report/requirements.html",
            open_feedback_by_severity,
            order=50,
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
        register_tab(
            _("Testing"),
            "requirements:rounds",
            permission=("log_feedback", "triage_feedback"),
            order=29,
            also_for=[
                "requirements:round", "requirements:round_new", "requirements:round_edit",
                "requirements:feedback_new", "requirements:feedback_list",
                "requirements:feedback_board", "requirements:feedback",
            ],
        )  # fmt: skip
        register_tab(
            _("Readiness"), "requirements:readiness", permission="view_requirements", order=30
        )
