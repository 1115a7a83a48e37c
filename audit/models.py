"""The audit log: who signed in, was refused, changed a role, or took data out or put it in.

Rows are only ever added. The model, its QuerySet and the database itself (a trigger, see
migration 0002) refuse to change or delete one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.labels import ChoiceLabels


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class Kind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    ROLE_CHANGED = "role_changed", _("Role changed")
    ACCOUNT_CHANGED = "account_changed", _("Account changed")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Download")
    IMPORT = "import", _("Import")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    # The ORM's other ways to write in bulk.
    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be changed.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def newest_first(self):
        return self.order_by("-at", "-pk")


class AuditEvent(ChoiceLabels, models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    # PROTECT, not CASCADE or SET_NULL: an account with a history is deactivated, never deleted,
    # and setting the actor to NULL would be an UPDATE, which the table refuses anyway.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the indexes below lead with it
    )
    # What was typed in the sign-in form on a failure (never the password), or the actor's
    # e-mail address at the time, so that the row still reads right if the address changes.
    username = models.CharField(_("user name"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the indexes below lead with it
    )
    subject = models.CharField(_("about"), max_length=300, blank=True)
    object_type = models.CharField(max_length=100, blank=True)  # app_label.model
    object_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["kind", "-at"], name="audit_kind_at_idx"),
            models.Index(fields=["project", "-at"], name="audit_project_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
