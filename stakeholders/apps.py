from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Stakeholders and the channel")

    def ready(self):
        from projects.archive import register_archive_part
        from projects.demo import register_demo
        from projects.markdown import excerpt, render_markdown
        from projects.navigation import register_tab
        from projects.reports import register_section
        from projects.templates import register_template_part

        from . import checks  # noqa: F401 (registers the governance checks)
        from .demo import load
        from .models import Assignment, Attachment, Entry, PointOfContact, Stakeholder
        from .reports import decisions_in_period
        from .services import ownership_copy

        register_demo(load, order=10)
        for model in (Stakeholder, Assignment, PointOfContact):
            register_archive_part(model)
        # Stored HTML is drawn again from the text, never taken from an archive.
        register_archive_part(
            Entry,
            derived={
                "body_html": lambda e: render_markdown(e.body),
                "excerpt_html": lambda e: excerpt(render_markdown(e.body)),
            },
        )
        register_archive_part(
            Attachment, lambda project: Attachment.objects.filter(entry__project=project)
        )
        register_section(
            _("Decisions in this period"),
            "stakeholders/report/decisions.html",
            decisions_in_period,
            order=60,
        )
        register_template_part(
            _("The ownership map and the people in it, for the same client only"),
            ownership_copy,
            order=40,
        )

        register_tab(
            _("Channel"),
            "stakeholders:channel",
            permission="read_channel",
            order=10,
            also_for=["stakeholders:post", "stakeholders:email", "stakeholders:entry"],
        )
        register_tab(
            _("Point of contact queue"),
            "stakeholders:queue",
            permission="confirm_off_channel",
            order=15,
        )
        register_tab(_("Decisions"), "stakeholders:decisions", permission="read_channel", order=20)
        register_tab(
            _("Stakeholders"),
            "stakeholders:list",
            order=30,
            also_for=["stakeholders:add", "stakeholders:edit", "stakeholders:import"],
        )
        register_tab(_("Ownership"), "stakeholders:ownership", order=40)
        register_tab(_("Point of contact"), "stakeholders:contact", order=50)
