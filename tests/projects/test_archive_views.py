"""The project archive in a browser: the download on the settings page, the import page."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent, Kind
from projects.archive import export_to_bytes
from projects.models import Membership, Project, Site
from projects.roles import Role
from tests.projects.test_archive import _empty


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("who", ["pm", "staff"])
def test_managers_download_the_archive_from_the_settings_page(client, project, who, persona):
    client.force_login(persona(who))
    settings_page = client.get(reverse("projects:edit", args=[project.key])).content.decode()
    url = reverse("projects:archive", args=[project.key])
    assert "Download the project archive" in settings_page and url in settings_page

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="NWP-archive-')
    archive = _zip(response)
    assert json.loads(archive.read("manifest.json"))["project"] == "NWP"
    data = json.loads(archive.read("data.json"))
    assert data["models"]["projects.Project"][0]["fields"]["name"] == "Northwind rollout"
    event = AuditEvent.objects.get(kind=Kind.EXPORT, project=project)
    assert event.actor == persona(who) and event.subject.startswith("NWP-archive-")


@pytest.mark.parametrize("who", ["team_member", "spoc", "tester", "observer"])
def test_other_members_may_not_download_the_archive(client, project, who, persona):
    client.force_login(persona(who))
    response = client.get(reverse("projects:archive", args=[project.key]))
    assert response.status_code == 403
    assert "does not allow you to manage the project: its set-up, plan" in response.content.decode()


def test_an_outsider_is_not_told_the_project_exists(client, project, outsider):
    client.force_login(outsider)
    assert client.get(reverse("projects:archive", args=[project.key])).status_code == 404
    assert client.get(reverse("projects:archive", args=["NOPE"])).status_code == 404


def _upload(blob: bytes, name="NWP-archive.zip"):
    return SimpleUploadedFile(name, blob, content_type="application/zip")


def test_staff_import_an_archive_and_land_on_the_project(client, project, staff, team_member):
    Site.objects.create(project=project, name="Germany")
    blob = export_to_bytes(project)
    _empty(project)
    client.force_login(staff)
    page = client.get(reverse("projects:list")).content.decode()
    assert reverse("projects:import") in page

    response = client.post(reverse("projects:import"), {"archive": _upload(blob)}, follow=True)

    imported = Project.objects.get(key="NWP")
    assert response.redirect_chain[-1][0] == imported.get_absolute_url()
    assert "imported. People new to this instance reset their password" in (
        response.content.decode()
    )
    assert list(imported.sites.values_list("name", flat=True)) == ["Germany"]
    member = Membership.objects.get(project=imported, user=team_member)
    assert member.role == Role.TEAM_MEMBER
    assert team_member.has_perm("projects.view_project", imported)
    event = AuditEvent.objects.get(kind=Kind.IMPORT)
    assert (event.actor, event.project, event.subject) == (
        staff,
        imported,
        "Project archive NWP-archive.zip",
    )


def test_an_archive_of_an_existing_project_is_refused_next_to_the_file(client, project, staff):
    client.force_login(staff)
    response = client.post(
        reverse("projects:import"), {"archive": _upload(export_to_bytes(project))}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A project with the key NWP exists here already" in html
    assert html.index("errorlist") < html.index('name="archive"')
    assert Project.objects.filter(key="NWP").count() == 1


def test_a_file_that_is_not_an_archive_is_refused_next_to_the_file(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("projects:import"), {"archive": _upload(b"hello", name="notes.zip")}
    )
    assert "This file is not a zip archive." in response.content.decode()
    assert not Project.objects.exists()


def test_a_project_manager_may_not_import(client, pm, project):
    client.force_login(pm)
    response = client.post(
        reverse("projects:import"), {"archive": _upload(export_to_bytes(project))}
    )
    assert response.status_code == 403
    page = client.get(reverse("projects:list")).content.decode()
    assert reverse("projects:import") not in page


def test_an_archive_larger_than_the_limit_is_refused_next_to_the_file(client, staff, settings):
    settings.ARCHIVE_MAX_BYTES = 1024 * 1024
    client.force_login(staff)
    big = _upload(bytes(2 * 1024 * 1024))
    response = client.post(reverse("projects:import"), {"archive": big})
    assert "The archive is larger than this instance accepts (1 MB)." in response.content.decode()
    assert not Project.objects.exists()
