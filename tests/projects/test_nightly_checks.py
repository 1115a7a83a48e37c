"""The nightly run checks projects in batches: a batch finds for each project what that
project's own run finds, tells each project's people of their project only, and reads the
database the same number of times for one project or many."""

from datetime import date

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import checks, services
from projects.models import Finding, Level, Milestone, RaidItem, RaidKind, Severity
from projects.tasks import NIGHTLY_BATCH, nightly_batches, run_checks
from tests.projects.factories import ProjectFactory, UserFactory

TODAY = date(2026, 11, 24)


def _overdue(project, pm, name="Configuration signed off", forecast=date(2026, 11, 1)):
    return services.milestone_save(
        milestone=Milestone(
            project=project,
            name=name,
            planned_date=date(2026, 11, 1),
            forecast_date=forecast,
            owner=pm,
        ),
        by=pm,
    )


def _late_assumption(project, pm, title="Hosting term covers the programme"):
    return services.raid_save(
        item=RaidItem(
            project=project,
            kind=RaidKind.ASSUMPTION,
            title=title,
            impact=Level.HIGH,
            due_date=date(2026, 11, 1),
            owner=pm,
        ),
        by=pm,
    )


def test_a_batch_finds_for_each_project_what_it_finds_alone(project, pm):
    other_pm = UserFactory()
    other = ProjectFactory(manager=other_pm)
    _overdue(project, pm)
    _late_assumption(other, other_pm)
    together = checks.run_many([project, other], TODAY)
    for each in (project, other):
        assert together[each.pk] == checks.run_all(each, TODAY)
    assert any(r.code.startswith("milestone-overdue:") for _a, r in together[project.pk])
    assert not any(r.code.startswith("milestone-overdue:") for _a, r in together[other.pk])
    assert any(r.code.startswith("assumption-unchecked:") for _a, r in together[other.pk])


def test_a_batch_tells_each_project_manager_of_their_own_project_only(
    project, pm, django_capture_on_commit_callbacks
):
    other_pm = UserFactory()
    other = ProjectFactory(manager=other_pm)
    closed = ProjectFactory(manager=pm, status="closed")
    milestone = _overdue(project, pm, name="Kick-off workshop")
    item = _late_assumption(other, other_pm, title="Data feed arrives nightly")
    _overdue(closed, pm, name="Closed project's milestone")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_checks([project.pk, other.pk, closed.pk])
    assert Finding.objects.open().get(project=project, code=f"milestone-overdue:{milestone.pk}")
    assert Finding.objects.open().get(project=other, code=f"assumption-unchecked:{item.pk}")
    assert not Finding.objects.filter(project=closed).exists()
    to_pm = [m for m in mail.outbox if m.to == [pm.email]]
    to_other = [m for m in mail.outbox if m.to == [other_pm.email]]
    assert len(to_pm) == 1 and len(to_other) == 1
    assert milestone.name in to_pm[0].body and item.title not in to_pm[0].body
    assert item.title in to_other[0].body and milestone.name not in to_other[0].body


def test_a_finding_found_again_worse_is_the_same_finding_updated(project, pm):
    milestone = _overdue(project, pm, forecast=date(2026, 11, 20))  # slipped 19 days: amber
    run_checks([project.pk])
    slip = Finding.objects.open().get(project=project, code=f"milestone-slip:{milestone.pk}")
    assert slip.severity == Severity.AMBER and "slipped 19 days" in slip.message
    milestone.forecast_date = date(2026, 12, 20)  # 49 days: red, and no longer overdue
    services.milestone_save(milestone=milestone, by=pm)
    run_checks([project.pk])
    slip.refresh_from_db()
    assert slip.closed_at is None
    assert slip.severity == Severity.RED and "slipped 49 days" in slip.message
    assert Finding.objects.filter(project=project, code=slip.code).count() == 1
    overdue = Finding.objects.get(project=project, code=f"milestone-overdue:{milestone.pk}")
    assert overdue.closed_at is not None


def _queries(project_ids) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run_checks(project_ids)
    return [query["sql"] for query in captured]


def test_a_batch_reads_as_often_for_three_projects_as_for_one(project, pm):
    others = [ProjectFactory(manager=pm) for _ in range(2)]
    for each in (project, *others):
        _overdue(each, pm)
        _late_assumption(each, pm)
    run_checks([p.pk for p in (project, *others)])  # open the findings: later runs write none
    one = _queries([project.pk])
    three = _queries([p.pk for p in (project, *others)])
    assert len(three) == len(one), "\n".join(three)


def test_the_nightly_batches_cover_every_live_project_once(pm):
    live = [ProjectFactory(manager=pm) for _ in range(NIGHTLY_BATCH + 1)]
    ProjectFactory(manager=pm, status="closed")
    batches = nightly_batches()
    assert [len(batch) for batch in batches] == [NIGHTLY_BATCH, 1]
    assert sorted(pk for batch in batches for pk in batch) == sorted(p.pk for p in live)
