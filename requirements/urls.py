from django.urls import path

from . import views

app_name = "requirements"

P = "p/<str:key>/"

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
]
