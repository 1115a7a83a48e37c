"""A URL that fails, to see the 500 page the way a visitor would."""

from django.urls import path


def fail(request):
    raise RuntimeError("A view that fails, for the 500 page")


urlpatterns = [path("fail/", fail)]
