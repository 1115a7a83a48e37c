"""URLs that fail, to see the error pages the way a visitor would."""

from django.db import OperationalError
from django.urls import path


def fail(request):
    raise RuntimeError("A view that fails, for the 500 page")


def database_down(request):
    raise OperationalError("connection failed: Connection refused")


urlpatterns = [path("fail/", fail), path("database-down/", database_down)]
handler500 = "config.errors.server_error"
