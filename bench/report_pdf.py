"""Time per page of the status report against WeasyPrint drawing a static snapshot of it.

Runs on its own in-memory database loaded with the demo data:

    .venv/bin/python bench/report_pdf.py [--rounds N] [--paper letter] [--save DIR]

"Ours" is what the worker does: the sections' queries, the templates and the PDF. "Snapshot"
is WeasyPrint alone, drawing the HTML that ours produced, with the same fonts and styles. The
ratio says what our part costs on top of WeasyPrint's; both are measured in the same run.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["CELERY_BROKER_URL"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Bounded: never more than this many seconds of measuring, whatever --rounds says.
TIME_BUDGET_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4")
    parser.add_argument("--save", type=Path, help="also write the reports drawn as PDFs here")
    arguments = parser.parse_args()

    import logging

    import django

    django.setup()
    # WeasyPrint logs each step of each page, and the pages' screen-only CSS it skips.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("celery").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.utils import timezone

    from projects import demo, reports
    from projects.models import Project, Report

    call_command("migrate", verbosity=0)
    demo.load()
    project = Project.objects.live().order_by("pk").first()
    today = timezone.localdate()
    report = Report(
        project=project, audience="vendor", paper=arguments.paper,
        period_start=today - timezone.timedelta(days=13), period_end=today,
    )  # fmt: skip

    snapshot = reports.render_html(report)
    pdf, pages = reports.render_pdf(snapshot)  # warms up fonts and templates
    if arguments.save:
        arguments.save.mkdir(parents=True, exist_ok=True)
        for audience in ("vendor", "client"):
            report.audience = audience
            (arguments.save / f"{project.key}-{audience}.pdf").write_bytes(
                reports.render_pdf(reports.render_html(report))[0]
            )
        report.audience = "vendor"

    ours, static = [], []
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    for _round in range(arguments.rounds):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        reports.render_pdf(reports.render_html(report))
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        reports.render_pdf(snapshot)
        static.append(time.perf_counter() - started)

    ours_page, static_page = min(ours) / pages, min(static) / pages
    print(f"report of {project.key}: {pages} pages, {len(pdf) // 1024} KiB, {len(ours)} rounds")
    print(f"ours      {ours_page * 1000:8.1f} ms per page (best round)")
    print(f"snapshot  {static_page * 1000:8.1f} ms per page (best round)")
    print(f"ratio     {ours_page / static_page:8.2f} (ours / snapshot)")


if __name__ == "__main__":
    main()
