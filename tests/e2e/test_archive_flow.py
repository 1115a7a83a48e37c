"""A project archive in a real browser: the project manager downloads it from the settings page,
and vendor staff import it into an instance that no longer has the project."""

import zipfile

import pytest
from playwright.sync_api import expect

from projects.models import Project, Site
from tests.projects.test_archive import _empty

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_pm_downloads_the_archive_and_staff_import_it_elsewhere(
    live_server, browser, project, pm, staff, log_in, screenshot, tmp_path
):
    Site.objects.create(project=project, name="Germany")
    manager = browser.new_context(accept_downloads=True).new_page()
    log_in(manager, pm, next_path=f"/p/{project.key}/edit/")
    expect(manager.get_by_role("heading", name="Project archive")).to_be_visible()
    screenshot(manager, "settings")
    with manager.expect_download() as waiting:
        manager.get_by_role("link", name="Download the project archive").click()
    download = waiting.value
    assert download.suggested_filename.startswith("NWP-archive-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert {"manifest.json", "data.json"} <= set(zipfile.ZipFile(saved).namelist())

    # The same instance stands in for another one: the project is not there any more.
    _empty(project)
    page = browser.new_context().new_page()
    log_in(page, staff, next_path="/")
    page.get_by_role("link", name="Import a project").click()
    expect(page.get_by_role("heading", name="Import a project")).to_be_visible()
    page.set_input_files("#id_archive", str(saved))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("imported. People new to this instance reset")).to_be_visible()
    screenshot(page, "imported")
    assert Project.objects.get(key="NWP").sites.get().name == "Germany"

    # The same archive again: refused, and the reason is next to the file field.
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_archive", str(saved))
    page.get_by_role("button", name="Import").click()
    error = page.locator(".errorlist")
    expect(error).to_contain_text("A project with the key NWP exists here already")
    screenshot(page, "refused")
    assert Project.objects.filter(key="NWP").count() == 1
