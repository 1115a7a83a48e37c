"""Write a project's archive (JSON and files, one zip) to a path."""

from django.core.management.base import BaseCommand, CommandError

from projects.archive import export_project
from projects.models import Project


class Command(BaseCommand):
    help = "Export a project, with its history and files, as one zip archive."

    def add_arguments(self, parser):
        parser.add_argument("key", help="the project's short key, e.g. NWP")
        parser.add_argument("path", help="where to write the .zip")

    def handle(self, *args, key, path, **options):
        project = Project.objects.filter(key=key).first()
        if project is None:
            raise CommandError(f"There is no project with the key {key}.")
        with open(path, "wb") as out:
            export_project(project, out)
        self.stdout.write(self.style.SUCCESS(f"{project} exported to {path}."))
