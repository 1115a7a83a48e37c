"""An item's history on its page: the latest changes, each compared with the one before it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.history import ITEM_HISTORY, history_entries
from requirements.models import Feedback
from tests.requirements.uat import log, open_round

pytestmark = pytest.mark.django_db


def _retitle(item: Feedback, times: int, by) -> None:
    for n in range(1, times + 1):
        item.title = f"Title {n}"
        item._history_user = by
        item.save()


@pytest.fixture
def item(project, tester, pm):
    return log(open_round(project, [tester]), tester, title="Title 0")


def test_the_latest_changes_are_compared_with_the_change_before_them(item, pm):
    _retitle(item, 25, pm)
    latest = history_entries((item.history.all(), "Feedback", str), latest=ITEM_HISTORY)

    assert latest.more and len(latest) == ITEM_HISTORY
    assert [e.changes[0].new for e in latest] == [f"Title {n}" for n in range(25, 5, -1)]
    oldest = latest[-1]
    assert (oldest.action, [(c.field, c.old, c.new) for c in oldest.changes]) == (
        "changed",
        [("what happened", "Title 5", "Title 6")],
    )
    everything = history_entries((item.history.all(), "Feedback", str))
    assert not everything.more and len(everything) == 26
    assert everything[-1].action == "created"


def test_a_short_history_is_whole_with_its_creation(item, pm):
    _retitle(item, 3, pm)
    entries = history_entries((item.history.all(), "Feedback", str), latest=ITEM_HISTORY)

    assert not entries.more
    assert [e.action for e in entries] == ["changed"] * 3 + ["created"]


def test_the_item_page_links_to_its_whole_history(client, project, item, pm):
    _retitle(item, 25, pm)
    page = reverse("requirements:feedback", args=[project.key, item.number])
    client.force_login(pm)

    html = client.get(page).content.decode()
    assert "Title 6</ins>" in html and "Title 4</ins>" not in html
    assert 'href="?history=all#history-title">Show the whole history' in html
    html = client.get(page, {"history": "all"}).content.decode()
    assert "Title 1</ins>" in html and "Show the whole history" not in html


def test_a_change_lists_only_the_fields_it_changed_worded_as_shown(item, pm):
    """A choice by its label, a new text beside its empty old value; a save that changes
    nothing a reader sees (only the version) is no entry; bookkeeping fields are never shown."""
    item.severity, item.status_reason = "blocker", "Seen on every tablet"
    item._history_user = pm
    item.save()
    item.save()
    changed, created = history_entries((item.history.all(), "Feedback", str))

    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("severity", "Major", "Blocker"),
        ("reason", "", "Seen on every tablet"),
    ]
    assert created.action == "created"
    assert {"version", "created at", "number"}.isdisjoint(c.field for c in created.changes)
    assert ("severity", "", "Major") in [(c.field, c.old, c.new) for c in created.changes]


def test_rows_created_in_bulk_have_the_history_simple_history_would_write(project, pm, monkeypatch):
    from simple_history.utils import bulk_create_with_history

    from projects import services
    from projects.models import Site

    monkeypatch.setattr(services, "HISTORY_COPY_BATCH", 2)  # five rows: three statements

    def sites(prefix):
        return [
            Site(
                project=project, name=f"{prefix} {n}", languages="Deutsch, 日本語",
                local_alternative_cost=Decimal("1234.50") if n % 2 else None,
                local_go_live=datetime.date(2027, 3, n + 1),
            )
            for n in range(5)
        ]  # fmt: skip

    ours = services.rows_create_with_history(rows=sites("Ours"), by=pm)
    theirs = bulk_create_with_history(sites("Theirs"), Site, default_user=pm)

    def written(saved):
        """Each history row beside the row it records, field by field."""
        rows = {s.pk: s for s in Site.objects.filter(pk__in=[s.pk for s in saved])}
        return [
            (
                row.history_type, row.history_user_id, row.history_change_reason,
                [getattr(row, f.attname) == getattr(rows[row.id], f.attname)
                 for f in Site.history.model.tracked_fields],
            )
            for row in Site.history.filter(id__in=rows).order_by("id")
        ]  # fmt: skip

    assert written(ours) == written(theirs)
    assert (
        written(ours) == [("+", pm.pk, None, [True] * len(Site.history.model.tracked_fields))] * 5
    )
    entry = history_entries((ours[0].history.all(), "Site", str))[0]
    assert (entry.action, entry.who) == ("created", pm)
