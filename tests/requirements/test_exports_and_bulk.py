import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from requirements import services
from requirements.models import Requirement, Status


def submit(project, by, **fields):
    return services.requirement_submit(
        requirement=Requirement(project=project, title=fields.pop("title", "SSO"), **fields), by=by
    )


def test_csv_export_follows_the_filters_and_neutralises_formulas(client, project, pm):
    submit(project, pm, title='=HYPERLINK("http://evil")', priority="must")
    submit(project, pm, title="Leaderboard", priority="could")
    client.force_login(pm)
    response = client.get(
        reverse("requirements:export", args=[project.key]), {"format": "csv", "priority": "must"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="NWP-requirements.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Key", "Title", "Status"]
    assert [row[:2] for row in rows[1:]] == [["NWP-1", '\'=HYPERLINK("http://evil")']]


def test_excel_export_has_every_visible_requirement(client, project, pm):
    for title in ("SSO", "+cmd|' /C calc'!A0", "@SUM(1)"):
        submit(project, pm, title=title)
    client.force_login(pm)
    response = client.get(reverse("requirements:export", args=[project.key]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["SSO", "'+cmd|' /C calc'!A0", "'@SUM(1)"]


def test_an_unknown_format_is_not_found(client, project, pm):
    client.force_login(pm)
    assert (
        client.get(
            reverse("requirements:export", args=[project.key]), {"format": "pdf"}
        ).status_code
        == 404
    )


def test_a_client_stakeholder_exports_only_their_own(client, project, pm, stakeholder):
    submit(project, pm, title="Someone else's")
    client.force_login(stakeholder)
    response = client.get(reverse("requirements:export", args=[project.key]), {"format": "csv"})
    assert "Someone else" not in response.content.decode("utf-8-sig")


def test_the_project_manager_moves_several_at_once(client, project, pm):
    submit(project, pm), submit(project, pm)
    Requirement.objects.update(status=Status.ACCEPTED)
    client.force_login(pm)
    response = client.post(
        reverse("requirements:bulk", args=[project.key]),
        {"numbers": [1, 2], "to": "in_progress"},
        follow=True,
    )
    assert "2 requirements changed" in response.content.decode()
    assert set(Requirement.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}


def test_one_refusal_and_nothing_moves(client, project, pm):
    submit(project, pm), submit(project, pm)
    Requirement.objects.filter(number=1).update(status=Status.ACCEPTED)
    client.force_login(pm)
    response = client.post(
        reverse("requirements:bulk", args=[project.key]),
        {"numbers": [1, 2], "to": "in_progress"},
        follow=True,
    )
    html = response.content.decode()
    assert "Nothing was changed." in html and "NWP-2" in html
    assert list(Requirement.objects.order_by("number").values_list("status", flat=True)) == [
        Status.ACCEPTED,
        Status.SUBMITTED,
    ]


@pytest.mark.parametrize("who", ["team_member", "spoc", "stakeholder"])
def test_only_the_project_manager_moves_several(client, project, pm, persona, who):
    submit(project, pm)
    client.force_login(persona(who))
    response = client.post(
        reverse("requirements:bulk", args=[project.key]), {"numbers": [1], "to": "endorsed"}
    )
    assert response.status_code == 403
    assert Requirement.objects.get().status == Status.SUBMITTED
