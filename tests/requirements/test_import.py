"""Importing requirements from real CSV and Excel files."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from requirements import services
from requirements.models import Goal, ImportJob, ImportState, Requirement
from stakeholders.models import Stakeholder
from stakeholders.services import stakeholder_save
from tests.projects.factories import SiteFactory

HEADER = ["Title", "Description", "Priority", "Area", "Site", "Goal", "Type",
          "Acceptance criteria", "Submitter"]  # fmt: skip


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def setup(project, pm):
    SiteFactory(project=project, name="France")
    services.goal_save(goal=Goal(project=project, title="Certify sales"), by=pm)
    stakeholder_save(stakeholder=Stakeholder(project=project, name="Marc Dubois", department="ld",
                                             email="marc@client.example"), by=pm)  # fmt: skip
    return project


def upload(client, project, name, content):
    return client.post(reverse("requirements:import", args=[project.key]),
                       {"file": SimpleUploadedFile(name, content)})  # fmt: skip


def test_a_valid_excel_file_is_previewed_then_imported(client, setup, pm):
    content = xlsx(
        [
            [
                "Single sign-on",
                "With **Entra ID**",
                "Must",
                "Integrations and data",
                "",
                "Certify sales",
                "Integration",
                "Works for all staff; Works on mobile",
                "marc@client.example",
            ],
            [
                "French onboarding",
                "",
                "should",
                "content",
                "France",
                "",
                "content",
                "",
                "Marc Dubois",
            ],
        ]
    )
    client.force_login(pm)
    html = upload(client, setup, "backlog.xlsx", content).content.decode()
    assert "All 2 rows are ready" in html
    assert Requirement.objects.count() == 0
    job = ImportJob.objects.get()
    response = client.post(
        reverse("requirements:import_confirm", args=[setup.key, job.pk]), follow=True
    )
    assert "Imported as NWP-1 to NWP-2" in response.content.decode()
    sso, french = Requirement.objects.order_by("number")
    assert (sso.priority, sso.area, sso.goal.title, sso.submitter.name) == (
        "must",
        "integrations",
        "Certify sales",
        "Marc Dubois",
    )
    assert sso.criteria == ["Works for all staff", "Works on mobile"]
    assert "<strong>Entra ID</strong>" in sso.description_html
    assert (french.site.name, french.kind) == ("France", "content")
    assert sso.history.get().history_user == pm
    again = client.post(
        reverse("requirements:import_confirm", args=[setup.key, job.pk]), follow=True
    )
    assert "already imported" in again.content.decode()
    assert Requirement.objects.count() == 2


def test_bad_rows_get_an_error_per_cell_and_nothing_is_saved(client, setup, pm):
    content = xlsx(
        [
            ["Good one", "", "must", "", "", "", "", "", ""],
            ["", "no title", "must", "", "", "", "", "", ""],
            ["Bad priority", "", "urgent", "", "", "", "", "", ""],
            ["Unknown site", "", "", "", "Atlantis", "", "", "", ""],
            ["Unknown person", "", "", "", "", "", "", "", "nobody@x.example"],
        ]
    )
    client.force_login(pm)
    html = upload(client, setup, "backlog.xlsx", content).content.decode()
    assert "4 rows need fixing" in html
    assert html.count('class="cell-bad"') == 4
    assert "This field is required." in html
    assert "“urgent” is not one of these: Must, Should, Could, Won&#x27;t." in html
    assert "No site of this project is called “Atlantis”" in html
    assert "No stakeholder of this project is called “nobody@x.example”" in html
    assert "import_confirm" not in html and not ImportJob.objects.exists()
    assert Requirement.objects.count() == 0


def test_cells_meet_the_submit_forms_rules(client, setup, pm):
    stakeholder_save(stakeholder=Stakeholder(project=setup, name="Vera Vendor", side="vendor",
                                             department="it"), by=pm)  # fmt: skip
    content = xlsx(
        [
            ["T" * 301, "", "", "", "", "", "", "", ""],
            ["Bad area", "", "", "Nowhere", "", "", "", "", ""],
            ["Vendor submitter", "", "", "", "", "", "", "", "Vera Vendor"],
            ["All sites", "", "", "", "All sites", "", "", "", ""],
        ]
    )
    client.force_login(pm)
    html = upload(client, setup, "backlog.xlsx", content).content.decode()
    assert "3 rows need fixing" in html
    assert "Ensure this value has at most 300 characters (it has 301)." in html
    assert "“Nowhere” is not one of these: Platform overall" in html
    # Only client stakeholders submit requirements, as on the form.
    assert "No stakeholder of this project is called “Vera Vendor”" in html


def test_checking_a_file_reads_the_database_the_same_number_of_times_whatever_its_length(
    setup, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.tabular import read_rows
    from requirements.imports import preview

    def queries(rows: int) -> int:
        lines = "".join(f"R{n},must,France,Certify sales,Marc Dubois\n" for n in range(rows))
        table = read_rows("x.csv", ("title,priority,site,goal,submitter\n" + lines).encode())
        with CaptureQueriesContext(connection) as captured:
            result = preview(setup, table)
        assert result.ok and result.rows[-1].instance.site.name == "France"
        return len(captured)

    assert queries(5) == queries(200) <= 4


def damaged(part: str, content: bytes | None) -> bytes:
    """A one-row workbook with `part` replaced by `content` (or left out when None)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["Single sign-on"] + [""] * 8])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            if info.filename != part:
                archive.writestr(info, source.read(info))
            elif content is not None:
                archive.writestr(info, content)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    b"</sheetData></worksheet>"
)
WORKBOOK_WITHOUT_SHEETS = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/>'
    b"</workbook>"
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", xlsx([]), "The file has no rows below its header."),
        ("long-cell.csv", b"title\n" + b"x" * 200_000 + b"\n", "Line 2 of this file could not"),
        ("bad-xml.xlsx", damaged("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"),
         "could not be read as an Excel workbook"),
        ("no-sheet.xlsx", damaged("xl/worksheets/sheet1.xml", None),
         "could not be read as an Excel workbook"),
        ("no-sheets.xlsx", damaged("xl/workbook.xml", WORKBOOK_WITHOUT_SHEETS),
         "could not be read as an Excel workbook"),
        ("laughs.xlsx", damaged("xl/worksheets/sheet1.xml", LAUGHS),
         "could not be read as an Excel workbook"),
        ("empty.csv", b"", "The submitted file is empty."),
        ("nohead.csv", b"priority,area\nmust,content\n", "missing: title"),
        (
            "fake.xlsx",
            b"PK\x03\x04 not really a workbook",
            "could not be read as an Excel workbook",
        ),
        ("notes.txt", b"title\nx\n", "Choose a .csv or .xlsx file."),
        ("nul.csv", b"title\nabc\x00def\n", "NUL bytes"),
    ],
)  # fmt: skip
def test_unusable_files_are_explained(client, setup, pm, name, content, message):
    client.force_login(pm)
    assert message in upload(client, setup, name, content).content.decode()
    assert Requirement.objects.count() == 0


def test_a_csv_saved_with_a_macs_line_ends_is_read(client, setup, pm):
    client.force_login(pm)
    response = upload(client, setup, "mac.csv", b"title,priority\rSingle sign-on,Must\rSCORM,\r")
    assert "2 rows are ready" in response.content.decode()


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_csv_whose_cells_excel_separated_otherwise_is_read(client, setup, pm, separator):
    content = separator.join(["title", "priority", "site"]) + "\n"
    content += separator.join(["Formation, réglementaire", "Must", "France"]) + "\n"
    client.force_login(pm)
    assert "1 row is ready" in upload(client, setup, "fr.csv", content.encode()).content.decode()
    job = ImportJob.objects.get()
    client.post(reverse("requirements:import_confirm", args=[setup.key, job.pk]))
    saved = Requirement.objects.get()
    assert (saved.title, saved.priority, saved.site.name) == (
        "Formation, réglementaire",
        "must",
        "France",
    )


def test_a_csv_in_windows_1252_is_read(client, setup, pm):
    content = "title,priority,site\nFormation réglementaire,Must,France\n".encode("cp1252")
    client.force_login(pm)
    assert "1 row is ready" in upload(client, setup, "backlog.csv", content).content.decode()
    job = ImportJob.objects.get()
    client.post(reverse("requirements:import_confirm", args=[setup.key, job.pk]))
    assert Requirement.objects.get().title == "Formation réglementaire"


def test_a_large_file_is_imported_by_a_task_with_progress(
    client, setup, pm, django_capture_on_commit_callbacks
):
    rows = [[f"Requirement {n}", "", "could", "", "", "", "", "", ""] for n in range(250)]
    client.force_login(pm)
    upload(client, setup, "big.xlsx", xlsx(rows))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("requirements:import_confirm", args=[setup.key, job.pk]))
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    response = client.get(response["Location"])
    # Tasks run in-process here, so the job has finished by the time the page shows.
    assert "Imported as NWP-1 to NWP-250" in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.processed, job.total) == (ImportState.DONE, 250, 250)
    numbers = list(Requirement.objects.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, 251))
    progress = client.get(reverse("requirements:import_job", args=[setup.key, job.pk]),
                          headers={"HX-Request": "true"}).content.decode()  # fmt: skip
    assert 'id="import-progress"' in progress and "hx-trigger" not in progress


def test_a_job_that_fails_its_second_check_imports_nothing(setup, pm):
    job = ImportJob.objects.create(project=setup, created_by=pm, filename="x.csv",
                                   content=b"title,priority\nA,must\nB,urgent\n", total=2,
                                   state=ImportState.QUEUED)  # fmt: skip
    job = services.import_run(job)
    assert job.state == ImportState.FAILED and "1 rows have errors" in job.message
    assert Requirement.objects.count() == 0


def test_another_projects_import_job_is_not_found(client, setup, pm):
    from tests.projects.factories import ProjectFactory

    other = ProjectFactory(key="OTH", manager=pm)
    job = ImportJob.objects.create(
        project=other, created_by=pm, filename="x.csv", content=b"title\nA\n", total=1
    )
    client.force_login(pm)
    assert (
        client.post(reverse("requirements:import_confirm", args=[setup.key, job.pk])).status_code
        == 404
    )
    assert Requirement.objects.count() == 0


def test_a_file_over_the_row_limit_is_refused_whole(client, setup, pm):
    content = ("title\n" + "".join(f"R{n}\n" for n in range(10_001))).encode()
    client.force_login(pm)
    assert (
        "At most 10000 rows per file."
        in upload(client, setup, "huge.csv", content).content.decode()
    )
    assert Requirement.objects.count() == 0 and not ImportJob.objects.exists()


def test_a_file_imported_again_is_flagged_before_it_makes_second_copies(client, setup, pm):
    content = b"title,priority\nSingle sign-on,Must\nSCORM packages,Should\nNew one,Could\n"
    client.force_login(pm)
    first = upload(client, setup, "backlog.csv", content).content.decode()
    assert "already has" not in first
    job = ImportJob.objects.get()
    client.post(reverse("requirements:import_confirm", args=[setup.key, job.pk]))

    again = upload(client, setup, "backlog.csv", content.replace(b"New one", b"Another"))
    html = again.content.decode()
    assert "2 rows have the titles of requirements the project already has" in html
    assert "Line 2: as NWP-1" in html and "Line 3: as NWP-2" in html and "Line 4" not in html
    assert "Import 3 requirements" in html  # a warning: the person may still import them
