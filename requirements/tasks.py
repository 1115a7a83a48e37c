from celery import shared_task
from django.db import OperationalError

from .models import ImportJob, ImportState


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def import_requirements(job_id: int) -> None:
    """Idempotent: a job that finished is left alone; one whose worker died mid-way (still
    "running", nothing saved since the final write is one transaction) runs again."""
    from .services import import_run

    job = ImportJob.objects.select_related("project", "created_by").filter(pk=job_id).first()
    if job is None or job.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return
    import_run(job)
