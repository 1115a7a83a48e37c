from django.urls import path

from . import reports_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("switcher/", views.project_switcher, name="switcher"),
    path("new/", views.project_create, name="create"),
    path("import/", views.project_import, name="import"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:client_id>/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/archive/", views.client_archive, name="client_archive"),
    path("people/", views.user_list, name="user_list"),
    path("people/new/", views.user_create, name="user_create"),
    path("people/<int:user_id>/", views.user_edit, name="user_edit"),
    path(
        "people/<int:user_id>/two-factor/reset/",
        views.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
    path("p/<slug:key>/", views.project_home, name="home"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("p/<slug:key>/edit/", views.project_edit, name="edit"),
    path("p/<slug:key>/findings/", views.project_findings, name="findings"),
    path("p/<slug:key>/findings/run/", views.project_run_checks, name="run_checks"),
    path("p/<slug:key>/save-as-template/", views.project_save_template, name="save_template"),
    path("p/<slug:key>/history/", views.project_history, name="history"),
    path("p/<slug:key>/archive.zip", views.project_archive, name="archive"),
    path("p/<slug:key>/sites/new/", views.site_add, name="site_add"),
    path("p/<slug:key>/sites/<int:site_id>/", views.site_edit, name="site_edit"),
    path("p/<slug:key>/sites/<int:site_id>/archive/", views.site_archive, name="site_archive"),
    path("p/<slug:key>/plan/", views.plan, name="plan"),
    path("p/<slug:key>/plan/new/", views.milestone_edit, name="milestone_add"),
    path("p/<slug:key>/plan/<int:milestone_id>/", views.milestone_edit, name="milestone_edit"),
    path(
        "p/<slug:key>/plan/<int:milestone_id>/archive/",
        views.milestone_archive,
        name="milestone_archive",
    ),
    path("p/<slug:key>/releases/new/", views.release_edit, name="release_add"),
    path("p/<slug:key>/releases/<int:release_id>/", views.release_edit, name="release_edit"),
    path("p/<slug:key>/raid/", views.raid_list, name="raid"),
    path("p/<slug:key>/raid/new/", views.raid_edit, name="raid_add"),
    path("p/<slug:key>/raid/export/", reports_views.raid_export, name="raid_export"),
    path("p/<slug:key>/plan/export/", reports_views.milestone_export, name="milestone_export"),
    path("p/<slug:key>/budget/costs/export/", reports_views.cost_export, name="cost_export"),
    path("p/<slug:key>/raid/<int:item_id>/", views.raid_edit, name="raid_edit"),
    path("p/<slug:key>/budget/", views.budget_page, name="budget"),
    path("p/<slug:key>/budget/lines/new/", views.budget_line_edit, name="budget_line_add"),
    path(
        "p/<slug:key>/budget/lines/<int:line_id>/", views.budget_line_edit, name="budget_line_edit"
    ),
    path(
        "p/<slug:key>/budget/lines/<int:line_id>/archive/",
        views.budget_line_archive,
        name="budget_line_archive",
    ),
    path("p/<slug:key>/budget/costs/new/", views.cost_entry_edit, name="cost_entry_add"),
    path(
        "p/<slug:key>/budget/costs/<int:entry_id>/", views.cost_entry_edit, name="cost_entry_edit"
    ),
    path(
        "p/<slug:key>/budget/costs/<int:entry_id>/archive/",
        views.cost_entry_archive,
        name="cost_entry_archive",
    ),
    path("p/<slug:key>/reports/", reports_views.report_list, name="reports"),
    path("p/<slug:key>/reports/new/", reports_views.report_generate, name="report_generate"),
    path("p/<slug:key>/reports/<int:report_id>/", reports_views.report_detail, name="report"),
    path(
        "p/<slug:key>/reports/<int:report_id>/download/",
        reports_views.report_download,
        name="report_download",
    ),
    path(
        "p/<slug:key>/reports/schedules/", reports_views.report_schedules, name="report_schedules"
    ),
    path(
        "p/<slug:key>/reports/schedules/<int:schedule_id>/stop/",
        reports_views.report_schedule_stop,
        name="report_schedule_stop",
    ),
    path("p/<slug:key>/members/", views.member_list, name="members"),
    path("p/<slug:key>/members/add/", views.member_add, name="member_add"),
    path("p/<slug:key>/members/digest/", views.member_digest, name="member_digest"),
    path("p/<slug:key>/members/calendar/", views.calendar_link, name="calendar_link"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("p/<slug:key>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path(
        "p/<slug:key>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]
