"""Load the demo data (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand
from django.db import transaction

from projects import demo
from projects.models import Membership


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of these:"))
        for email, first, last, *_ in demo.PEOPLE:
            roles = ", ".join(
                f"{m.project.key}: {m.get_role_display()}"
                for m in Membership.objects.active()
                .filter(user__email=email)
                .select_related("project")
            )
            name = f"{first} {last}"
            self.stdout.write(f"  {email:<32} {name:<18} {roles or 'vendor staff'}")
        self.stdout.write(f"  password for all: {demo.DEMO_PASSWORD}")
        self.stdout.write(
            f"  vendor staff and project managers also give a code from an authenticator app "
            f"holding the key {demo.DEMO_TOTP_KEY}, or from `manage.py demo_code`"
        )
