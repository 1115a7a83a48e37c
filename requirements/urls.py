from django.urls import path

from . import views

app_name = "requirements"

P = "p/<str:key>/"

urlpatterns = [
    path(P + "requirements/", views.requirement_list, name="list"),
    path(P + "requirements/new/", views.requirement_new, name="new"),
    path(P + "requirements/<int:number>/", views.requirement_detail, name="detail"),
    path(P + "requirements/<int:number>/edit/", views.requirement_edit, name="edit"),
    path(P + "requirements/<int:number>/status/", views.requirement_transition, name="transition"),
    path(P + "goals/", views.goal_list, name="goals"),
    path(P + "goals/new/", views.goal_edit, name="goal_new"),
    path(P + "goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
]
