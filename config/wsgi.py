import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What the app loaded to start (modules, models, settings) lives as long as the process. Frozen,
# it is left out of the garbage collector's full passes, which scan only what requests made: a
# pass that held a request up for about 40 ms takes about 10 (see the README's benchmark).
gc.collect()
gc.freeze()
