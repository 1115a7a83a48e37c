"""Tasks that survive a broker outage. `delay_on_commit` writes the task into the outbox in the
action's own transaction, then publishes it once that commits; a row whose publish failed stays
until the next successful publish or the beat's `drain_outbox` sends it. A task may so be
published twice (a crash between publish and delete), never lost: tasks are idempotent."""

import functools
import logging
import time

from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# After a failed publish, this process leaves the broker alone for a while: with it down, each
# action would otherwise wait for its own connection attempt.
_broker_down_until = 0.0


def broker_resting() -> bool:
    return time.monotonic() < _broker_down_until


def broker_failed() -> None:
    """Note a failed publish: this process rests the broker for a while."""
    global _broker_down_until
    _broker_down_until = time.monotonic() + settings.OUTBOX_BROKER_PAUSE_SECONDS


def publish(message_ids: list[int] | None = None, *, limit: int = 500) -> int:
    """Publish the given outbox rows (all waiting rows when None, oldest first, at most
    `limit`) and delete those sent. Rows another process is publishing are skipped. Returns the
    number published; stops at the first broker failure, leaving the rest for later."""
    from celery import current_app

    from .models import OutboxMessage

    if broker_resting():
        return 0
    sent = []
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True)
        if message_ids is not None:
            rows = rows.filter(pk__in=message_ids)
        for row in rows.order_by("pk")[:limit]:
            task = current_app.tasks.get(row.task)
            if task is None:  # renamed or removed since it was written: it can never run
                logger.error("Unknown task dropped from the outbox: %s", row)
                sent.append(row.pk)
                continue
            try:
                task.apply_async(row.args, row.kwargs)
            except BrokerUnavailable:
                broker_failed()
                logger.warning("Broker unavailable: %s waits in the outbox", row)
                break
            sent.append(row.pk)
        OutboxMessage.objects.filter(pk__in=sent).delete()
    return len(sent)


def _publish_after_commit(message_id: int) -> None:
    if publish([message_id]):
        # The broker answers: what an outage left behind goes now too, a bounded share of it
        # per action so that no request carries the whole backlog.
        publish(limit=50)


class OutboxTask(DjangoTask):
    """The base of every task of the app (config/celery.py)."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        if self.app.conf.task_always_eager:
            # No broker: the task runs in-process after the commit, nothing to keep.
            return super().delay_on_commit(*args, **kwargs)
        from .models import OutboxMessage

        message = OutboxMessage.objects.create(task=self.name, args=list(args), kwargs=kwargs)
        # Robust: the action is saved whatever happens to the publish.
        transaction.on_commit(functools.partial(_publish_after_commit, message.pk), robust=True)
