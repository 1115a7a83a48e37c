from django.urls import include, path

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("", include("projects.urls")),
    path("", include("stakeholders.urls")),
    path("", include("requirements.urls")),
]

handler500 = "config.errors.server_error"
