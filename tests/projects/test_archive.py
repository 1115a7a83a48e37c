"""The project archive: a round trip of the demo data, and every archive the import refuses."""

import hashlib
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.db.models import Q

from projects import archive, demo
from projects.archive import ArchiveError, export_to_bytes, import_project
from projects.models import (
    Client,
    PendingCheck,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    RaidItem,
    Report,
    ReportSchedule,
)
from requirements.models import Feedback, ImportJob, Requirement, Screenshot
from stakeholders.models import Attachment, Entry
from tests.conftest import audit_events_removed

User = get_user_model()

PDF = b"%PDF-1.4\n% a stored report\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _files_and_more(project):
    """What the demo lacks: stored files, a schedule with recipients, an import job."""
    staff = User.objects.get(email="staff@liaison.example")
    schedule = ReportSchedule.objects.create(project=project, audience="client", frequency="weekly")
    schedule.recipients.set(User.objects.filter(memberships__project=project)[:2])
    schedule.save()  # the history keeps the recipients as of each save
    report = Report(
        project=project,
        audience="client",
        schedule=schedule,
        created_by=staff,
        period_start="2026-11-01",
        period_end="2026-11-07",
        state="done",
        pages=3,
    )
    report.file.save("report.pdf", ContentFile(PDF), save=False)
    report.save()
    entry = Entry.objects.filter(project=project).first()
    attachment = Attachment(
        entry=entry, name="minutes.pdf", size=len(PDF), content_type="application/pdf"
    )
    attachment.file.save("minutes.pdf", ContentFile(PDF + b"minutes"), save=False)
    attachment.save()
    feedback = Feedback.objects.filter(project=project).first()
    shot = Screenshot(feedback=feedback, name="shot.png", size=len(PNG), content_type="image/png")
    shot.file.save("shot.png", ContentFile(PNG), save=False)
    shot.save()
    # A row removed before the export: its history stays part of the project.
    RaidItem.objects.create(project=project, kind="risk", title="Removed risk").delete()
    ImportJob.objects.create(project=project, created_by=staff, filename="reqs.xlsx",
                             content=b"PK\x03\x04\x00binary", state="done", total=2)  # fmt: skip


def _empty(project):
    """Remove everything the archive holds of `project`, children first, and what hangs on it."""
    audit_events_removed(project=project)
    ProjectGroupObjectPermission.objects.filter(content_object=project).delete()
    ProjectUserObjectPermission.objects.filter(content_object=project).delete()
    PendingCheck.objects.filter(project=project).delete()
    for through, (source, f) in archive._links().items():
        rows = archive._parts[source._meta.label].rows(project)
        through.objects.filter(**{f"{f.m2m_field_name()}__in": rows}).delete()
    for model in reversed(archive._model_order()):
        label = model._meta.label
        if label in archive._parts:
            rows = archive._parts[label].rows(project)
            if model is Client and Project.objects.filter(client=project.client).count() > 1:
                continue
        elif (origin := archive._origin(model)) and origin._meta.label in archive._parts:
            rows = model.objects.filter(id__in=archive._parts[origin._meta.label].rows(project))
            if any(f.name == "project" for f in model._meta.concrete_fields):
                rows = model.objects.filter(Q(pk__in=rows) | Q(project_id=project.pk))
        else:
            continue  # many-to-many history goes with its history rows
        if origin := archive._origin(model):
            for m2m in archive._history_models(origin)[1:]:
                m2m.objects.filter(history__in=rows).delete()
        rows._raw_delete(rows.db)


def _read(blob: bytes) -> tuple[dict, dict, dict]:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        manifest = json.loads(z.read("manifest.json"))
        data = json.loads(z.read("data.json"))
        files = {n[len("files/") :]: z.read(n) for n in z.namelist() if n.startswith("files/")}
    return manifest, data, files


def _normalised(blob: bytes) -> dict:
    """The archive's data with primary keys and storage names taken out: each relation names
    the row it points to by its place in the archive, each file by its content."""
    _manifest, data, files = _read(blob)
    place = {
        label: {row["pk"]: index for index, row in enumerate(rows)}
        for label, rows in data["models"].items()
    }
    gone: dict = {}
    for label, rows in data["models"].items():
        model = apps.get_model(label)
        origin = archive._origin(model)
        for row in rows:
            del row["pk"]
            fields = row["fields"]
            for name, value in fields.items():
                f = model._meta.get_field(name)
                if value is None or (f.is_relation and f.related_model is User):
                    continue
                if f.many_to_many:
                    fields[name] = [place[f.related_model._meta.label][v] for v in value]
                elif f.is_relation:
                    fields[name] = place[f.related_model._meta.label].get(value, "elsewhere")
                elif isinstance(f, models.FileField) and value:
                    fields[name] = hashlib.sha256(files[value]).hexdigest()
            if origin is not None:
                live = place[origin._meta.label]
                old = fields["id"]
                # A removed row's history is named by its first appearance in the archive.
                fields["id"] = (
                    live[old] if old in live else gone.setdefault((label, old), len(gone))
                )
    return data


@pytest.mark.django_db
def test_demo_projects_round_trip_with_nothing_lost(tmp_path):
    demo.load()
    nwp = Project.objects.get(key="NWP")
    _files_and_more(nwp)
    keys = sorted(Project.objects.values_list("key", flat=True))
    before = {key: export_to_bytes(Project.objects.get(key=key)) for key in keys}

    for key in keys:
        _empty(Project.objects.get(key=key))
    assert not Project.objects.exists()
    assert not Requirement.objects.exists() and not Screenshot.objects.exists()

    for key in keys:
        path = tmp_path / f"{key}.zip"
        path.write_bytes(before[key])
        call_command("import_project", str(path), stdout=io.StringIO())
    after = {key: export_to_bytes(Project.objects.get(key=key)) for key in keys}

    for key in keys:
        assert _normalised(after[key]) == _normalised(before[key])
        old_files, new_files = _read(before[key])[2], _read(after[key])[2]
        assert sorted(old_files.values()) == sorted(new_files.values())
        # Fresh storage names: nothing points at the files of the removed project.
        assert not set(old_files) & set(new_files)
    assert len(_read(after["NWP"])[2]) == 3
    _manifest, data, _files = _read(after["NWP"])
    assert len(data["models"]["requirements.Requirement"]) == 63
    assert len(data["models"]["projects.ReportSchedule_recipients"]) == 2
    assert data["models"]["projects.HistoricalReportSchedule_recipients"]
    assert len(data["models"]["requirements.HistoricalFeedback"]) > 150

    nwp = Project.objects.get(key="NWP")
    removed = RaidItem.history.filter(project=nwp, title="Removed risk")
    assert [h.history_type for h in removed.order_by("history_id")] == ["+", "-"]
    assert len({h.id for h in removed}) == 1 and removed[0].id < 0
    report = Report.objects.get(project=nwp)
    assert report.file.read() == PDF
    assert report.schedule.recipients.count() == 2
    assert ImportJob.objects.get(project=nwp).content == b"PK\x03\x04\x00binary"
    # Members have their roles' object permissions again.
    pm = User.objects.get(email="pm@liaison.example")
    assert pm.has_perm("projects.manage_project", nwp)
    tester = User.objects.get(email="tester@northwind.example")
    assert tester.has_perm("projects.log_feedback", nwp)
    assert not tester.has_perm("projects.manage_project", nwp)
    assert ProjectGroupObjectPermission.objects.filter(content_object=nwp).exists()


@pytest.mark.django_db
def test_people_missing_here_are_created_inactive_without_a_password(tmp_path):
    demo.load()
    blob = export_to_bytes(Project.objects.get(key="BDG"))
    _empty(Project.objects.get(key="BDG"))
    spoc = User.objects.get(email="spoc@brightwater.example")
    spoc.memberships.all().delete()
    spoc.delete()

    project = import_project(io.BytesIO(blob))

    spoc = User.objects.get(email="spoc@brightwater.example")
    assert (spoc.first_name, spoc.is_active, spoc.has_usable_password()) == ("Olivia", False, False)
    assert project.memberships.filter(user=spoc).exists()


@pytest.mark.django_db
def test_an_archive_of_a_project_this_instance_has_is_refused(tmp_path):
    demo.load()
    path = tmp_path / "nwp.zip"
    call_command("export_project", "NWP", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="A project with the key NWP exists here already"):
        call_command("import_project", str(path))


def _tampered(blob: bytes, **changes) -> bytes:
    """The archive with members replaced (bytes), removed (None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name not in changes:
                target.writestr(name, source.read(name))
        for name, content in changes.items():
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def exported(db):
    """The demo's Northwind archive, with its files, and the project then removed."""
    demo.load()
    nwp = Project.objects.get(key="NWP")
    _files_and_more(nwp)
    blob = export_to_bytes(nwp)
    _empty(nwp)
    return blob


def _nothing_left_behind(settings):
    assert not Project.objects.filter(key="NWP").exists()
    assert (
        not Requirement.objects.exists()
        or not Requirement.objects.filter(project__key="NWP").exists()
    )
    assert not Report.objects.exists()
    media = settings.MEDIA_ROOT
    stored = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    # Only the files of the removed project (from before the export) are on disk.
    assert len(stored) == 3


def _manifest_data(blob):
    manifest, data, _files = _read(blob)
    return manifest, data


@pytest.mark.parametrize(
    "change, message",
    [
        ({"data.json": b"{not json"}, "not valid JSON"),
        ({"manifest.json": json.dumps({"format": 99}).encode()}, "format 99"),
        ({"../evil.txt": b"x"}, "outside its own folder"),
        ({"files/../../evil.txt": b"x"}, "outside its own folder"),
        ({"/etc/evil": b"x"}, "outside its own folder"),
        ({"manifest.json": None}, "not a Liaison project archive"),
    ],
)
def test_a_broken_archive_is_refused_whole(exported, settings, change, message):
    with pytest.raises(ArchiveError, match=message):
        import_project(io.BytesIO(_tampered(exported, **change)))
    _nothing_left_behind(settings)


def test_an_archive_that_lacks_a_stored_file_is_refused_and_leaves_no_file(exported, settings):
    _manifest, data, files = _read(exported)
    screenshot = data["models"]["requirements.Screenshot"][0]["fields"]["file"]
    with pytest.raises(ArchiveError, match="lacks the file"):
        import_project(io.BytesIO(_tampered(exported, **{f"files/{screenshot}": None})))
    _nothing_left_behind(settings)


def test_a_zip_bomb_is_refused(exported, settings):
    settings.ARCHIVE_MAX_BYTES = 5 * 1024 * 1024
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(exported)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("files/zeros.bin", bytes(50 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(ArchiveError, match="unpacks to more than this instance accepts"):
        import_project(io.BytesIO(out.getvalue()))
    _nothing_left_behind(settings)


def test_a_file_that_is_not_a_zip_is_refused(db):
    with pytest.raises(ArchiveError, match="not a zip archive"):
        import_project(io.BytesIO(b"%PDF-1.4 not a zip"))


def test_stored_html_is_drawn_again_from_the_text_not_taken_from_the_archive(exported):
    manifest, data = _manifest_data(exported)
    entry = data["models"]["stakeholders.Entry"][0]["fields"]
    entry["body"] = "Plain **words**"
    entry["body_html"] = "<script>alert(1)</script>"
    imported = import_project(io.BytesIO(_tampered(exported, **{"data.json": json.dumps(data)})))
    html = Entry.objects.filter(project=imported).order_by("pk").first().body_html
    assert "<strong>words</strong>" in html and "script" not in html


def test_an_archive_whose_project_is_not_the_one_named_is_refused(exported, settings):
    manifest, data = _manifest_data(exported)
    data["models"]["projects.Project"][0]["fields"]["key"] = "../X"
    with pytest.raises(ArchiveError, match="exactly the project its manifest names"):
        import_project(io.BytesIO(_tampered(exported, **{"data.json": json.dumps(data)})))
    manifest["project"] = "../X"
    tampered = _tampered(
        exported, **{"data.json": json.dumps(data), "manifest.json": json.dumps(manifest)}
    )
    with pytest.raises(ArchiveError, match="not a valid key"):
        import_project(io.BytesIO(tampered))
    _nothing_left_behind(settings)


def test_rows_of_the_wrong_shape_are_refused(exported, settings):
    _manifest, data = _manifest_data(exported)
    data["models"]["projects.Site"][0] = ["not", "a", "row"]
    with pytest.raises(ArchiveError, match="does not fit this instance"):
        import_project(io.BytesIO(_tampered(exported, **{"data.json": json.dumps(data)})))
    _nothing_left_behind(settings)


def test_a_row_pointing_outside_the_archive_is_refused(exported, settings):
    _manifest, data = _manifest_data(exported)
    data["models"]["projects.Site"][0]["fields"]["project"] = 999_999
    with pytest.raises(ArchiveError, match="refers to a row it does not hold"):
        import_project(io.BytesIO(_tampered(exported, **{"data.json": json.dumps(data)})))
    _nothing_left_behind(settings)


def test_export_of_an_unknown_project_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="no project with the key NOPE"):
        call_command("export_project", "NOPE", str(tmp_path / "x.zip"))
