from django.urls import path

from . import views

app_name = "stakeholders"

P = "p/<slug:key>/"

urlpatterns = [
    path(P + "stakeholders/", views.stakeholder_list, name="list"),
    path(P + "stakeholders/new/", views.stakeholder_add, name="add"),
    path(P + "stakeholders/import/", views.stakeholder_import, name="import"),
    path(P + "stakeholders/<int:stakeholder_id>/", views.stakeholder_edit, name="edit"),
    path(P + "stakeholders/<int:stakeholder_id>/active/", views.stakeholder_active, name="active"),
    path(P + "ownership/", views.ownership_map, name="ownership"),
    path(P + "ownership/set/", views.ownership_set, name="ownership_set"),
    path(P + "contact/", views.contact, name="contact"),
    path(P + "channel/", views.channel, name="channel"),
    path(P + "channel/new/", views.entry_post, name="post"),
    path(P + "channel/email/", views.email_record, name="email"),
    path(P + "channel/queue/", views.spoc_queue, name="queue"),
    path(P + "channel/decisions/", views.decision_log, name="decisions"),
    path(P + "channel/<int:entry_id>/", views.entry_detail, name="entry"),
    path(P + "channel/<int:entry_id>/decide/", views.entry_decide, name="decide"),
    path(P + "attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
