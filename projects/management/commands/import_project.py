"""Import a project archive made by `export_project` into this instance."""

from django.core.management.base import BaseCommand, CommandError

from projects.archive import ArchiveError, import_project


class Command(BaseCommand):
    help = (
        "Import a project archive (.zip) into this instance, which must not have the project "
        "yet. People it lacks are created inactive, without a password: they reset it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .zip written by export_project")

    def handle(self, *args, path, **options):
        try:
            with open(path, "rb") as source:
                project = import_project(source)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except ArchiveError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{project} imported."))
