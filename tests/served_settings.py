"""The app as deployed (DEBUG off), served by the fault tests: static files straight from the app
folders, since nothing ran collectstatic for the manifest that deployment uses."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
