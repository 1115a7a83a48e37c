"""Settings for benchmarking only: the app's own settings, run as in production (DEBUG off),
plus the floor URL. `config.settings` never loads this module, and `config.urls` never includes
the floor, so a deployment cannot serve it: only a process started with
DJANGO_SETTINGS_MODULE=bench.settings can."""

from config.settings import *  # noqa: F403
from config.settings import VAR_DIR, env

# As in production: no debug pages, no query log kept in memory.
DEBUG = False
# Plain static storage: a benchmark does not run collectstatic; whitenoise still serves files.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
ROOT_URLCONF = "bench.urls"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Where the floor's captured pages are kept: one `<name>.html` per page.
BENCH_FLOOR_DIR = env.path("BENCH_FLOOR_DIR", default=VAR_DIR / "bench" / "floor")
