"""Time per page of the status report against WeasyPrint drawing a static snapshot of it.

Runs on its own in-memory database loaded with the demo data:

    .venv/bin/python bench/report_pdf.py [--rounds N] [--paper letter] [--save DIR]
    .venv/bin/python bench/report_pdf.py --pages 10 50 [--seconds S] [--json]

"Ours" is what the worker does: the sections' queries, the templates and the PDF. "Snapshot"
is WeasyPrint alone, drawing the HTML that ours produced, with the same fonts and styles. The
ratio says what our part costs on top of WeasyPrint's; both are measured in the same run.
With --pages, the demo project's decision log is lengthened until the report has each number of
pages, and each size is timed the same way (`make bench` uses this, with --json).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["CELERY_BROKER_URL"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Bounded: never more than this many seconds of measuring (per size with --pages), whatever
# --rounds says.
TIME_BUDGET_SECONDS = 60


def timed(report, rounds: int, deadline: float, first: tuple[str, float]):
    """Per round: ours (the sections' queries, templates and PDF) and WeasyPrint alone on the
    HTML ours produced, in turns: each goes first every other round, so that neither always
    draws after the other has warmed what they share. `first` is a drawing of ours already
    timed (html, seconds): it counts as ours in the first round, since a 50-page drawing is
    dear."""
    from projects import reports

    snapshot, took = first
    ours, static = [took], []

    def draw_ours() -> None:
        started = time.perf_counter()
        reports.render_pdf(reports.render_html(report))
        ours.append(time.perf_counter() - started)

    def draw_snapshot() -> None:
        started = time.perf_counter()
        reports.render_pdf(snapshot)
        static.append(time.perf_counter() - started)

    for round_number in range(rounds):
        if round_number > 1 and time.monotonic() > deadline:
            break  # two rounds at least: one in each order
        if round_number == 0:
            draw_snapshot()
        elif round_number % 2:
            draw_snapshot()
            draw_ours()
        else:
            draw_ours()
            draw_snapshot()
    return ours, static


def lengthen(report, wanted: int, learnt: dict) -> tuple[int, tuple[str, float]]:
    """Add decisions to the report's project until its report has about `wanted` pages.
    Returns its pages and the last drawing (html, seconds of ours). `learnt` keeps how many
    decisions a page holds and the pages so far, so each further size costs one drawing."""
    from projects import reports
    from stakeholders.models import Entry, EntryKind, Side

    author = report.project.memberships.order_by("pk").first().user
    last = {}

    def add(count: int) -> int:
        Entry.objects.bulk_create(
            Entry(
                project=report.project, kind=EntryKind.DECISION, author=author,
                author_side=Side.VENDOR, subject=f"Decision {n}: the pilot group for France",
                body="We keep *one* pilot group.",
                body_html="<p>We keep <em>one</em> pilot group.</p>",
                excerpt_html="<p>We keep <em>one</em> pilot group.</p>",
            )
            for n in range(count)
        )  # fmt: skip
        started = time.perf_counter()
        html = reports.render_html(report)
        pages = reports.render_pdf(html)[1]
        last["drawing"] = (html, time.perf_counter() - started)
        return pages

    if "per_page" not in learnt:
        before = add(0)  # also warms up fonts and templates
        learnt["pages"] = add(100)
        learnt["per_page"] = 100 / max(1, learnt["pages"] - before)
    pages = learnt["pages"]
    for _attempt in range(3):
        if pages >= wanted and "drawing" in last:
            break
        pages = add(max(0, round((wanted - pages) * learnt["per_page"])))
    learnt["pages"] = pages
    return pages, last["drawing"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4")
    parser.add_argument("--save", type=Path, help="also write the reports drawn as PDFs here")
    parser.add_argument("--pages", type=int, nargs="+", help="time reports of these lengths")
    parser.add_argument("--json", action="store_true", help="print the --pages results as JSON")
    parser.add_argument(
        "--seconds", type=float, default=TIME_BUDGET_SECONDS,
        help="measure each size for at most this long (two rounds at least)",
    )  # fmt: skip
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

    if arguments.pages:
        # A period long enough to hold every decision added to lengthen the report.
        report.period_start = today - timezone.timedelta(days=365)
        sizes, learnt = {}, {}
        for wanted in sorted(arguments.pages):
            pages, drawing = lengthen(report, wanted, learnt)
            deadline = time.monotonic() + arguments.seconds
            ours, static = timed(report, arguments.rounds, deadline, drawing)
            sizes[str(wanted)] = {
                "pages": pages,
                "ours_s": round(min(ours), 3),
                "snapshot_s": round(min(static), 3),
                "ratio": min(ours) / min(static),
            }
            if not arguments.json:
                print(f"{pages:3d} pages: ours {min(ours):6.2f} s, snapshot {min(static):6.2f} s")
        low, high = (str(n) for n in (min(arguments.pages), max(arguments.pages)))
        result = {"sizes": sizes, "growth": sizes[high]["ours_s"] / sizes[low]["ours_s"]}
        print(json.dumps(result) if arguments.json else f"growth {result['growth']:.2f}")
        return

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
