from django.urls import path

from . import views
from .views import testing

app_name = "requirements"

P = "p/<slug:key>/"

urlpatterns = [
    path(P + "requirements/", views.requirement_list, name="list"),
    path(P + "requirements/new/", views.requirement_new, name="new"),
    path(P + "requirements/export/", views.requirement_export, name="export"),
    path(P + "requirements/bulk/", views.requirement_bulk, name="bulk"),
    path(P + "requirements/import/", views.requirement_import, name="import"),
    path(P + "requirements/import/<int:job_id>/", views.import_job, name="import_job"),
    path(
        P + "requirements/import/<int:job_id>/confirm/", views.import_confirm, name="import_confirm"
    ),
    path(P + "requirements/<int:number>/", views.requirement_detail, name="detail"),
    path(P + "requirements/<int:number>/edit/", views.requirement_edit, name="edit"),
    path(P + "requirements/<int:number>/status/", views.requirement_transition, name="transition"),
    path(P + "requirements/<int:number>/change/", views.change_new, name="change_new"),
    path(P + "requirements/<int:number>/conflict/", views.conflict_new, name="conflict_new"),
    path(P + "baseline/", views.baseline, name="baseline"),
    path(P + "changes/", views.change_list, name="changes"),
    path(P + "changes/<int:number>/", views.change_detail, name="change"),
    path(P + "changes/<int:number>/decide/", views.change_decide, name="change_decide"),
    path(P + "conflicts/", views.conflict_list, name="conflicts"),
    path(
        P + "conflicts/<int:conflict_id>/resolve/", views.conflict_resolve, name="conflict_resolve"
    ),
    path(P + "goals/", views.goal_list, name="goals"),
    path(P + "goals/new/", views.goal_edit, name="goal_new"),
    path(P + "goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path(P + "testing/", testing.round_list, name="rounds"),
    path(P + "testing/new/", testing.round_edit, name="round_new"),
    path(P + "testing/<int:round_id>/", testing.round_detail, name="round"),
    path(P + "testing/<int:round_id>/edit/", testing.round_edit, name="round_edit"),
    path(P + "testing/<int:round_id>/status/", testing.round_status, name="round_status"),
    path(P + "testing/<int:round_id>/log/", testing.feedback_new, name="feedback_new"),
    path(P + "testing/<int:round_id>/similar/", testing.feedback_similar, name="feedback_similar"),
    path(P + "feedback/", testing.feedback_list, name="feedback_list"),
    path(P + "feedback/board/", testing.feedback_board, name="feedback_board"),
    path(P + "feedback/<int:number>/", testing.feedback_detail, name="feedback"),
    path(P + "feedback/<int:number>/status/", testing.feedback_transition,
         name="feedback_transition"),
    path(P + "feedback/<int:number>/comment/", testing.feedback_comment, name="feedback_comment"),
    path(P + "feedback/<int:number>/me-too/", testing.feedback_me_too, name="feedback_me_too"),
    path(P + "screenshots/<int:screenshot_id>/", testing.screenshot, name="screenshot"),
    path(P + "readiness/", testing.readiness, name="readiness"),
]  # fmt: skip
