from django.urls import include, path

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("stakeholders.urls")),
    path("", include("requirements.urls")),
]
