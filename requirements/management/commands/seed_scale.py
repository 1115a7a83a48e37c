"""Load the scale data set (see `requirements.scale`) into an empty database."""

import time

from django.core.management.base import BaseCommand, CommandError

from requirements import scale


class Command(BaseCommand):
    help = (
        "Load the scale data set into an empty database: 200 active and 800 archived projects, "
        "about 6,000 people, 1,000,000 history rows and more at --scale 1.0, the same rows on "
        "every run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiplies every count (default 1.0)"
        )

    def handle(self, *args, **options):
        factor = options["scale"]
        report = self.stdout.write if options["verbosity"] > 1 else (lambda line: None)
        started = time.perf_counter()
        try:
            counts = scale.build(scale=factor, report=report)
        except ValueError as problem:
            raise CommandError(str(problem)) from problem
        took = time.perf_counter() - started
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(f"Seeded scale {factor:g} in {took:.1f} s: {summary}.")
