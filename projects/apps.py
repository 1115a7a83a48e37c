from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from accounts.two_factor import register_requirement

        from . import checks  # noqa: F401 (registers the checks of the plan)
        from .archive import register_archive_part
        from .models import (
            BudgetLine,
            Client,
            ContentRelease,
            CostEntry,
            Finding,
            Invitation,
            Membership,
            Milestone,
            Project,
            RaidItem,
            Report,
            ReportSchedule,
            Site,
        )
        from .navigation import register_tab
        from .reports import register_project_sections
        from .services import (
            MANAGES_PROJECTS,
            assumptions_copy,
            budget_lines_copy,
            milestones_copy,
        )
        from .templates import register_template_part

        register_template_part(
            _("Active milestones, on their baseline moved to the new start; not done, no owner"),
            milestones_copy,
            order=10,
        )
        register_template_part(
            _("Budget lines by category with their planned amounts; no costs"),
            budget_lines_copy,
            order=20,
        )
        register_template_part(
            _("Assumptions to validate, reopened and without an owner"), assumptions_copy, order=30
        )

        # The client is shared by its projects: an instance that has it by name keeps its own.
        register_archive_part(
            Client,
            lambda project: Client.objects.filter(pk=project.client_id),
            match=lambda fields: Client.objects.filter(name__iexact=fields["name"]).first(),
        )
        register_archive_part(Project, lambda project: Project.objects.filter(pk=project.pk))
        for model in (Site, Membership, Invitation, Milestone, ContentRelease, RaidItem, Finding,
                      BudgetLine, CostEntry, ReportSchedule, Report):  # fmt: skip
            register_archive_part(model)

        register_project_sections()
        register_requirement(MANAGES_PROJECTS)
        register_tab(_("Overview"), "projects:home", order=0)
        register_tab(
            _("Plan"),
            "projects:plan",
            order=5,
            also_for=[
                "projects:milestone_add",
                "projects:milestone_edit",
                "projects:release_add",
                "projects:release_edit",
            ],
        )
        register_tab(
            _("RAID"),
            "projects:raid",
            order=6,
            also_for=["projects:raid_add", "projects:raid_edit"],
        )
        register_tab(
            _("Budget"),
            "projects:budget",
            permission="view_budget",
            order=7,
            also_for=[
                "projects:budget_line_add",
                "projects:budget_line_edit",
                "projects:cost_entry_add",
                "projects:cost_entry_edit",
            ],
        )
        register_tab(
            _("Reports"),
            "projects:reports",
            permission="view_reports",
            order=60,
            also_for=["projects:report_generate", "projects:report_schedules"],
        )
        register_tab(_("Members"), "projects:members", order=80, also_for=["projects:member_add"])
        register_tab(_("History"), "projects:history", permission="manage_project", order=90)
        register_tab(
            _("Settings"),
            "projects:edit",
            permission="manage_project",
            order=100,
            also_for=["projects:save_template"],
        )
