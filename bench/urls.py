"""The app's URLs plus the floor, for `bench.settings` only."""

from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

from . import floor

urlpatterns = [
    path("__bench__/floor/<slug:name>/", floor.floor, name="bench_floor"),
    *app_urlpatterns,
]
