from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import signals

        user_logged_in.connect(signals.signed_in, dispatch_uid="audit.signed_in")
        user_login_failed.connect(signals.sign_in_failed, dispatch_uid="audit.sign_in_failed")
        user_logged_out.connect(signals.signed_out, dispatch_uid="audit.signed_out")
