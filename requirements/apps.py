from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "requirements"
    verbose_name = _("Requirements")

    def ready(self):
        from projects.archive import register_archive_part
        from projects.demo import register_demo
        from projects.markdown import render_markdown
        from projects.navigation import register_tab
        from projects.reports import register_section

        from . import checks  # noqa: F401 (registers the scope and quality checks)
        from .demo import load, load_testing
        from .models import (
            Baseline,
            BaselineItem,
            ChangeRequest,
            Conflict,
            Feedback,
            FeedbackComment,
            Goal,
            ImportJob,
            MeToo,
            Requirement,
            Screenshot,
            TestRound,
        )
        from .reports import by_status_and_priority, open_feedback_by_severity

        register_demo(load, order=20)
        register_demo(load_testing, order=30)
        register_archive_part(Goal)
        # Stored HTML is drawn again from the text, never taken from an archive.
        register_archive_part(
            Requirement, derived={"description_html": lambda r: render_markdown(r.description)}
        )
        for model in (Baseline, ChangeRequest, Conflict, ImportJob, TestRound, Feedback):
            register_archive_part(model)
        register_archive_part(
            BaselineItem, lambda project: BaselineItem.objects.filter(baseline__project=project)
        )
        for model in (MeToo, FeedbackComment, Screenshot):
            register_archive_part(
                model, lambda project, model=model: model.objects.filter(feedback__project=project)
            )
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
