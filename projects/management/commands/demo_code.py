"""Print the code an authenticator app holding the demo key shows now."""

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from projects import demo


class Command(BaseCommand):
    help = (
        "Print the current two-factor code for the demo's vendor staff and project managers "
        "(the published demo key), for trying the demo without an authenticator app."
    )

    def handle(self, *args, **options):
        code = totp(bytes.fromhex(demo.demo_authenticator_key_hex()))
        self.stdout.write(f"{code:06d}")
