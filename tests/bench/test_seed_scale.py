"""The scale data set: its shape at a tiny scale, and the same rows on every run."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from projects.models import Membership, Project, ProjectStatus
from requirements import scale
from requirements.models import Feedback, Requirement
from stakeholders.models import Attachment, Entry

TINY = 0.01


class _Undo(Exception):
    pass


def _seed_and_fingerprint() -> str:
    """Seed inside a transaction that is then rolled back, and say what it held."""
    try:
        with transaction.atomic():
            scale.build(scale=TINY)
            digest = scale.fingerprint()
            raise _Undo
    except _Undo:
        return digest


@pytest.mark.django_db
def test_seed_scale_gives_the_issues_proportions_with_a_whale(capsys):
    call_command("seed_scale", scale=TINY)
    plan = scale.Plan.for_scale(TINY)

    assert "Seeded scale 0.01" in capsys.readouterr().out
    assert Project.objects.filter(status=ProjectStatus.ACTIVE).count() == 5  # at least five
    assert Project.objects.filter(status=ProjectStatus.ARCHIVED).count() == 8
    assert Requirement.objects.count() == plan.counts["requirements"] == 50
    assert Feedback.objects.count() == plan.counts["feedback"] == 200
    assert Entry.objects.count() == plan.counts["entries"] == 1000
    assert Attachment.objects.count() == plan.counts["attachments"] == 100
    history = sum(
        model.history.count() for model in (Requirement, Feedback, Entry, Project, Membership)
    )
    assert history <= plan.counts["history"] == 10000
    whale = Project.objects.get(key=scale.WHALE)
    assert whale.requirements.count() == 5
    assert whale.feedback.count() == 20
    assert whale.channel.count() == 100
    # Every project has its 50 people, each a member in the group of their role.
    assert not Project.objects.filter(memberships__isnull=True).exists()
    assert whale.memberships.count() == scale.PEOPLE_PER_PROJECT
    assert whale.stakeholders.count() == scale.PEOPLE_PER_PROJECT
    lead = Membership.objects.get(project=whale, role="pm").user
    assert lead.groups.filter(name=f"project:{whale.pk}:pm").exists()
    assert Project.objects.visible_to(lead).count() == 5  # the lead manages every active one
    # A benchmark keeps this database for the same scale, and reseeds it for another.
    assert scale.have(TINY)
    assert not scale.have(0.02)
    # The planner has statistics for what was loaded, as autovacuum leaves a database in use.
    statistics = {
        "sqlite": "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = %s",
        "postgresql": "SELECT COUNT(*) FROM pg_stats WHERE tablename = %s",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(statistics, [Entry._meta.db_table])
        assert cursor.fetchone()[0] > 0


@pytest.mark.django_db
def test_the_whale_holds_a_tenth_at_full_scale_shares():
    plan = scale.Plan.for_scale(1.0)
    keys = scale.project_keys(plan)
    assert len(keys) == 1000
    for kind in ("requirements", "feedback", "entries"):
        shares = plan.shares(kind, keys)
        assert sum(shares.values()) == plan.counts[kind]
        assert shares[scale.WHALE] == plan.counts[kind] // 10
        assert shares[scale.TEN] == 10
        assert shares[scale.K1000] == 1000
    assert plan.shares("requirements", keys)[scale.PEER] == 60
    assert plan.shares("entries", keys)[scale.PEER] == 120


@pytest.mark.django_db
def test_two_runs_give_the_same_data():
    first = _seed_and_fingerprint()
    second = _seed_and_fingerprint()

    assert first == second
    assert Project.objects.count() == 0  # both were rolled back


@pytest.mark.django_db
def test_seed_scale_refuses_a_database_that_already_holds_it():
    scale.build(scale=TINY)
    with pytest.raises(Exception, match="already holds the scale data set"):
        call_command("seed_scale", scale=TINY)


@pytest.mark.django_db
def test_history_rows_are_written_as_the_history_app_writes_them(project, pm):
    """The seed writes history rows as plain tuples (COPY on PostgreSQL), prepared once for an
    object listed several times in a row: they read back as the rows django-simple-history
    writes, each with the values of its own object."""
    import copy

    project.refresh_from_db()
    project.name = "Renamed by a save"
    project._history_user = pm
    project.save()
    saved = project.history.values()[0]  # the save's, newest first
    before = set(project.history.values_list("history_id", flat=True))
    del saved["history_id"]
    later = copy.copy(project)
    later.name = "Renamed again"

    written = scale._history(
        Project,
        [project, project, later],
        kind=saved["history_type"],
        when=lambda p: saved["history_date"],
        user_id=pm.pk,
    )

    seeded = list(project.history.exclude(history_id__in=before).order_by("history_id").values())
    assert written == len(seeded) == 3
    for row in seeded:
        del row["history_id"]
    expected = {**saved, "history_change_reason": ""}  # the seed gives no reason
    assert seeded == [expected, expected, {**expected, "name": "Renamed again"}]
