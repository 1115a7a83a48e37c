"""The RAID register, the milestones and the costs as CSV or Excel."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects import services
from projects.models import BudgetLine, CostEntry, Milestone, RaidItem


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def costs(project, pm):
    for name, internal in (("Moodle licences", False), ("Head office margin", True)):
        line = services.budget_line_save(
            line=BudgetLine(project=project, category="licences", name=name,
                            planned_amount=Decimal(1000), is_internal=internal),
            by=pm,
        )  # fmt: skip
        services.cost_entry_save(
            entry=CostEntry(project=project, line=line, date=date(2026, 10, 1),
                            description=f"Invoice for {name}", amount=Decimal("120.50"),
                            currency="USD", rate_to_project=Decimal("0.9")),
            by=pm,
        )  # fmt: skip


def test_vendor_roles_export_every_cost_and_client_roles_the_shared_ones(
    client, project, pm, spoc, costs
):
    url = reverse("projects:cost_export", args=[project.key])
    client.force_login(pm)
    header, *rows = _csv(client.get(url))
    assert header[-1] == "Vendor-internal"
    assert {row[2] for row in rows} == {"Moodle licences", "Head office margin"}
    assert rows[0][4:8] == ["120.5", "USD", "0.9", "108.45"]

    client.force_login(spoc)
    header, *rows = _csv(client.get(url))
    assert "Vendor-internal" not in header
    assert [row[2] for row in rows] == ["Moodle licences"]
    assert "Head office margin" not in client.get(url + "?format=xlsx").content.decode("latin-1")


def test_formula_like_cells_are_neutralised_in_csv_and_excel(client, project, pm):
    services.raid_save(
        item=RaidItem(project=project, kind="risk", title='=HYPERLINK("http://evil","Click")',
                      mitigation="@SUM(A1)", impact="high", likelihood="low"),
        by=pm,
    )  # fmt: skip
    client.force_login(pm)
    url = reverse("projects:raid_export", args=[project.key])
    header, row = _csv(client.get(url))
    assert row[header.index("Title")] == '\'=HYPERLINK("http://evil","Click")'
    assert row[header.index("Mitigation or plan")] == "'@SUM(A1)"
    assert row[header.index("Score")] == "3"

    response = client.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert values[1].startswith("'=") and values[5] == 3
    assert client.get(url + "?format=pdf").status_code == 404


def test_the_raid_export_follows_the_page_filters(client, project, pm):
    for kind, title in (("risk", "Designer hired late"), ("issue", "Old PCs")):
        services.raid_save(item=RaidItem(project=project, kind=kind, title=title), by=pm)
    client.force_login(pm)
    url = reverse("projects:raid_export", args=[project.key]) + "?kind=issue"
    _header, *rows = _csv(client.get(url))
    assert [row[1] for row in rows] == ["Old PCs"]


def test_milestones_export_with_budget_shares_for_budget_readers_only(
    client, project, pm, observer
):
    services.milestone_save(
        milestone=Milestone(project=project, name="Go-live", planned_date=date(2027, 3, 1),
                            forecast_date=date(2027, 3, 11), budget_share=Decimal(40)),
        by=pm,
    )  # fmt: skip
    url = reverse("projects:milestone_export", args=[project.key])
    client.force_login(pm)
    header, row = _csv(client.get(url))
    assert row[:6] == ["Go-live", "Whole project", "2027-03-01", "2027-03-11", "", "10"]
    assert header[-1] == "Budget share (%)" and row[-1] == "40.0"
    client.force_login(observer)
    header, row = _csv(client.get(url))
    assert "Budget share (%)" not in header and len(row) == len(header)
