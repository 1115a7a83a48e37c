"""An item's history on its page: the latest changes, each compared with the one before it."""

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
