import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import RaidItem

D = datetime.date


def item(project, pm, **fields):
    fields.setdefault("kind", "risk")
    fields.setdefault("title", "Designer not hired")
    return services.raid_save(item=RaidItem(project=project, **fields), by=pm)


@pytest.mark.parametrize(
    ("kind", "status", "ok"),
    [
        ("assumption", "validated", True),
        ("assumption", "invalidated", True),
        ("assumption", "closed", False),
        ("risk", "validated", False),
        ("issue", "closed", True),
        ("dependency", "in_hand", True),
    ],
)
def test_how_each_kind_of_item_ends(project, pm, kind, status, ok):
    if ok:
        item(project, pm, kind=kind, status=status)
    else:
        with pytest.raises(ValidationError):
            item(project, pm, kind=kind, status=status)


def test_score_and_lateness(project, pm):
    risk = item(project, pm, impact="high", likelihood="high", due_date=D(2020, 1, 1))
    assumption = item(
        project, pm, kind="assumption", impact="low", status="validated", due_date=D(2020, 1, 1)
    )
    assert (risk.score, risk.is_late) == (9, True)
    assert (assumption.score, assumption.is_late) == (2, False)


def test_the_register_shows_open_items_first_by_date(client, project, pm, observer):
    item(project, pm, title="Later", due_date=D(2027, 6, 1))
    item(project, pm, title="Sooner", due_date=D(2027, 1, 1))
    item(project, pm, kind="assumption", title="Checked", status="validated")
    client.force_login(observer)
    html = client.get(reverse("projects:raid", args=[project.key])).content.decode()
    assert html.index("Sooner") < html.index("Later") and "Checked" not in html
    html = client.get(reverse("projects:raid", args=[project.key]), {"status": "validated"})
    assert "Checked" in html.content.decode()
    assert "Add an item" not in html.content.decode()


def test_a_manager_adds_an_assumption_to_check(client, project, pm):
    client.force_login(pm)
    response = client.post(
        reverse("projects:raid_add", args=[project.key]),
        {
            "kind": "assumption",
            "title": "Learners' PCs play video",
            "impact": "high",
            "due_date": "2026-12-01",
            "status": "open",
        },
        follow=True,
    )
    assert "Assumption saved: Learners&#x27; PCs play video" in response.content.decode()
    assert RaidItem.objects.get().owner is None


def test_an_item_of_another_project_is_not_found(client, project, pm):
    from tests.projects.factories import ProjectFactory

    foreign = item(ProjectFactory(manager=pm), pm)
    client.force_login(pm)
    assert (
        client.get(reverse("projects:raid_edit", args=[project.key, foreign.pk])).status_code == 404
    )


def test_the_register_query_count_does_not_grow(client, project, pm):
    address = reverse("projects:raid", args=[project.key])
    client.force_login(pm)
    client.get(address)
    counts = []
    for rows in (2, 30):
        for _ in range(rows):
            item(project, pm, owner=pm, due_date=D(2027, 1, 1))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts
