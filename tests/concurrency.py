"""Running the same work in several threads at once, each with its own database connection."""

import threading

import pytest
from django.conf import settings
from django.db import connection

postgresql_only = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL: SQLite runs one writer at a time anyway",
)


def at_once(work, threads: int = 4) -> list[Exception]:
    """Run `work()` in `threads` threads released together; returns what they raised."""
    start, errors = threading.Barrier(threads), []

    def run():
        try:
            start.wait()
            work()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors
