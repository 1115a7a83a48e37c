"""The audit log: each kind of event recorded by doing the real thing, and nothing ever lost."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from audit import services as audit
from audit.models import AppendOnlyError, AuditEvent, Kind
from projects.models import Membership, Report, ReportState
from projects.roles import Role
from projects.uploads import UploadedFile
from requirements.models import Requirement, Screenshot
from stakeholders import services as stakeholder_services
from stakeholders.models import Attachment, Stakeholder
from tests.projects.factories import ProjectFactory, UserFactory
from tests.requirements.uat import PNG, log, open_round

PASSWORD = "a-Strong-pass-42"  # what UserFactory sets
HOME = "198.51.100.7"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def events(kind, **filters):
    return list(AuditEvent.objects.filter(kind=kind, **filters).order_by("pk"))


def only(kind, **filters) -> AuditEvent:
    found = events(kind, **filters)
    assert len(found) == 1, found
    return found[0]


# Append-only, at every level


@pytest.fixture
def event(db, pm):
    return audit.record(Kind.EXPORT, user=pm, subject="NWP-raid.csv", detail={"rows": 3})


def test_a_recorded_event_cannot_be_saved_again(event):
    event.subject = "Something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    event.refresh_from_db()
    assert event.subject == "NWP-raid.csv"


def test_a_recorded_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "write",
    [
        lambda qs: qs.update(subject="Changed"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["subject"]),
        lambda qs: qs.update_or_create(pk=qs[0].pk, defaults={"subject": "Changed"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_the_queryset_refuses_bulk_changes(event, write):
    with pytest.raises(AppendOnlyError):
        write(AuditEvent.objects.filter(pk=event.pk))
    event.refresh_from_db()
    assert event.subject == "NWP-raid.csv"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET subject = 'Changed' WHERE id = %s",
        "UPDATE audit_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
    ids=["update-subject", "update-actor", "delete"],
)
def test_the_database_refuses_update_and_delete_in_raw_sql(event, sql):
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert (event.subject, event.actor_id) == ("NWP-raid.csv", event.actor.pk)


def test_the_database_still_takes_new_rows_in_raw_sql(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, kind, username, subject, object_type, object_id,"
            " path, detail) VALUES (%s, 'export', '', 'raw', '', '', '', '{}')",
            [timezone.now()],
        )
    assert AuditEvent.objects.filter(subject="raw").count() == 1


def test_an_account_with_a_history_cannot_be_deleted(event, pm):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        pm.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor == pm


# Signing in and out


def _sign_in(client, email, password, address=HOME):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def test_signing_in_is_recorded_with_the_address(client, db):
    dana = UserFactory(email="dana@northwind.example")
    assert _sign_in(client, dana.email, PASSWORD).status_code == 302
    signed_in = only(Kind.SIGNED_IN)
    assert (signed_in.actor, signed_in.username, signed_in.ip_address) == (
        dana,
        "dana@northwind.example",
        HOME,
    )


def test_a_failed_sign_in_is_recorded_once_with_the_name_typed_and_never_the_password(client, db):
    dana = UserFactory(email="dana@northwind.example")
    response = _sign_in(client, "Dana@Northwind.example", "my-secret-guess")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    failed = only(Kind.SIGN_IN_FAILED)
    assert (failed.actor, failed.username, failed.ip_address) == (
        None,
        "Dana@Northwind.example",
        HOME,
    )
    assert not events(Kind.SIGNED_IN)
    row = AuditEvent.objects.filter(pk=failed.pk).values().get()
    assert not any("my-secret-guess" in str(value) for value in row.values())
    assert dana.pk  # the account exists; the log still names only what was typed


def test_failures_while_locked_out_are_recorded_as_such(client, db, settings):
    dana = UserFactory(email="dana@northwind.example")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, dana.email, f"guess-{n}")
    locked = _sign_in(client, dana.email, PASSWORD)
    assert locked.status_code == 429
    failures = events(Kind.SIGN_IN_FAILED)
    assert len(failures) == settings.AXES_FAILURE_LIMIT + 1
    assert failures[-1].detail == {"locked_out": True}
    assert not events(Kind.SIGNED_IN)


def test_signing_out_is_recorded(client, pm):
    client.force_login(pm)
    response = client.post(reverse("accounts:logout"), REMOTE_ADDR=HOME)
    assert response.status_code == 302
    signed_out = only(Kind.SIGNED_OUT)
    assert (signed_out.actor, signed_out.ip_address) == (pm, HOME)


# Refused access


def test_a_member_refused_by_their_role_is_recorded(client, project, stakeholder):
    client.force_login(stakeholder)
    url = reverse("projects:raid_add", args=[project.key])
    response = client.get(url)
    assert response.status_code == 403
    refused = only(Kind.ACCESS_REFUSED)
    assert (refused.actor, refused.project, refused.path) == (stakeholder, project, url)
    assert refused.detail["status"] == 403
    assert "Client stakeholder" in refused.subject  # the message the person was shown


def test_a_person_refused_vendor_staff_pages_is_recorded(client, pm):
    client.force_login(pm)
    assert client.get(reverse("projects:user_list")).status_code == 403
    refused = only(Kind.ACCESS_REFUSED)
    assert (refused.actor, refused.project) == (pm, None)
    assert refused.subject == "Only vendor staff administer clients and users."


def test_a_project_hidden_from_an_outsider_is_recorded_but_a_missing_one_is_not(
    client, project, outsider
):
    client.force_login(outsider)
    assert client.get(reverse("projects:home", args=[project.key])).status_code == 404
    assert client.get(reverse("projects:home", args=["NOSUCH"])).status_code == 404
    assert client.get("/no/such/page/").status_code == 404
    refused = only(Kind.ACCESS_REFUSED)
    assert (refused.actor, refused.project, refused.detail["status"]) == (outsider, project, 404)


def test_a_failed_csrf_check_is_recorded(pm):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(pm)
    response = strict.post(reverse("projects:run_checks", args=["NWP"]))
    assert response.status_code == 403
    assert only(Kind.ACCESS_REFUSED).actor == pm


# Role and account changes


def test_adding_changing_and_removing_a_member_is_recorded(client, project, pm):
    client.force_login(pm)
    client.post(
        reverse("projects:member_add", args=[project.key]),
        {"email": "tom@client.example", "role": Role.TESTER},
    )
    membership = Membership.objects.get(project=project, user__email="tom@client.example")
    client.post(
        reverse("projects:member_role", args=[project.key, membership.pk]),
        {"role": Role.OBSERVER},
    )
    client.post(reverse("projects:member_remove", args=[project.key, membership.pk]))
    membership.refresh_from_db()
    assert not membership.is_active
    changes = events(Kind.ROLE_CHANGED, object_id=str(membership.pk))
    assert [(e.detail["from"], e.detail["to"]) for e in changes] == [
        (None, Role.TESTER),
        (Role.TESTER, Role.OBSERVER),
        (Role.OBSERVER, None),
    ]
    assert {(e.actor, e.project) for e in changes} == {(pm, project)}
    assert changes[1].subject == "tom@client.example: Tester → Observer (sponsor)"
    assert changes[1].ip_address == "127.0.0.1"


def test_a_point_of_contact_handover_is_recorded(client, project, pm):
    marc = stakeholder_services.stakeholder_save(
        stakeholder=Stakeholder(
            project=project, name="Marc Dubois", side="client", department="ld",
            email="marc@client.example",
        ),
        by=pm,
    )  # fmt: skip
    client.force_login(pm)
    response = client.post(
        reverse("stakeholders:contact", args=[project.key]),
        {"side": "client", "stakeholder": marc.pk, "started_on": "2026-11-02", "reason": "New"},
    )
    assert response.status_code == 302
    changes = events(Kind.ROLE_CHANGED, project=project, actor=pm)
    handover = [e for e in changes if e.detail.get("point_of_contact") == "client"]
    assert len(handover) == 1 and handover[0].detail["to"] == "Marc Dubois"
    # The membership that came with it: Marc is now the client point of contact.
    assert any(
        e.detail.get("member") == "marc@client.example" and e.detail["to"] == Role.SPOC
        for e in changes
    )


def test_staff_granting_staff_and_deactivating_an_account_is_recorded(client, staff):
    dana = UserFactory(email="dana@northwind.example")
    client.force_login(staff)
    url = reverse("projects:user_edit", args=[dana.pk])
    form = {"email": dana.email, "first_name": "Dana", "last_name": "Lee", "time_zone": "UTC"}
    client.post(url, {**form, "is_active": "on", "is_staff": "on"})
    client.post(url, {**form, "is_staff": "on"})
    dana.refresh_from_db()
    assert dana.is_staff and not dana.is_active
    changes = events(Kind.ACCOUNT_CHANGED, object_id=str(dana.pk))
    assert [e.detail["changed"] for e in changes] == [
        # Vendor staff may create projects whatever the tick box says.
        {
            "is_staff": {"from": False, "to": True},
            "may_create_projects": {"from": False, "to": True},
        },
        {"is_active": {"from": True, "to": False}},
    ]
    assert {e.actor for e in changes} == {staff}


def test_saving_an_account_unchanged_records_nothing(client, staff):
    dana = UserFactory(email="dana@northwind.example")
    client.force_login(staff)
    form = {"email": dana.email, "first_name": "D", "last_name": "L", "time_zone": "UTC",
            "is_active": "on"}  # fmt: skip
    client.post(reverse("projects:user_edit", args=[dana.pk]), form)
    assert not events(Kind.ACCOUNT_CHANGED, object_id=str(dana.pk))


# Exports, downloads, imports


@pytest.mark.parametrize(
    ("url_name", "filename"),
    [
        ("projects:raid_export", "NWP-raid.xlsx"),
        ("projects:milestone_export", "NWP-milestones.xlsx"),
        ("projects:cost_export", "NWP-costs.xlsx"),
        ("requirements:export", "NWP-requirements.xlsx"),
    ],
)
def test_every_list_export_is_recorded(client, project, pm, url_name, filename):
    client.force_login(pm)
    response = client.get(reverse(url_name, args=[project.key]), {"format": "xlsx"})
    assert response.status_code == 200 and filename in response["Content-Disposition"]
    exported = only(Kind.EXPORT)
    assert (exported.actor, exported.project, exported.subject) == (pm, project, filename)
    assert exported.detail["format"] == "xlsx"


def test_an_export_records_its_filters_and_row_count(client, project, pm):
    from requirements import services as requirement_services

    for title in ("SSO", "Mobile app"):
        requirement_services.requirement_submit(
            requirement=Requirement(project=project, title=title, priority="must"), by=pm
        )
    client.force_login(pm)
    response = client.get(
        reverse("requirements:export", args=[project.key]), {"priority": "must", "status": ""}
    )
    assert response.content.decode().count("\n") == 3  # header and two rows
    assert only(Kind.EXPORT).detail == {"format": "csv", "rows": 2, "filters": {"priority": "must"}}


def test_downloading_a_report_is_recorded(client, project, pm):
    report = Report(project=project, audience="vendor", period_start=datetime.date(2026, 11, 1),
                    period_end=datetime.date(2026, 11, 14), state=ReportState.DONE,
                    pages=1)  # fmt: skip
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    client.force_login(pm)
    response = client.get(reverse("projects:report_download", args=[project.key, report.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    downloaded = only(Kind.DOWNLOAD)
    assert (downloaded.actor, downloaded.project, downloaded.subject) == (
        pm,
        project,
        report.filename,
    )
    assert (downloaded.object_type, downloaded.object_id) == ("projects.report", str(report.pk))


def test_downloading_a_channel_attachment_is_recorded(client, project, pm, stakeholder):
    entry = stakeholder_services.entry_post(
        project=project, author=stakeholder, kind="request", subject="Add a leaderboard"
    )
    upload = UploadedFile("minutes.txt", b"minutes", "text/plain")
    item = Attachment.objects.create(entry=entry, file=upload.as_django_file(), name=upload.name,
                                     size=7, content_type=upload.content_type)  # fmt: skip
    client.force_login(pm)
    response = client.get(reverse("stakeholders:attachment", args=[project.key, item.pk]))
    assert b"".join(response.streaming_content) == b"minutes"
    downloaded = only(Kind.DOWNLOAD)
    assert (downloaded.actor, downloaded.subject, downloaded.object_type) == (
        pm,
        "minutes.txt",
        "stakeholders.attachment",
    )


def test_viewing_a_feedback_screenshot_is_recorded(client, project, tester):
    feedback = log(open_round(project, [tester]), tester)
    upload = UploadedFile("screen.png", PNG, "image/png")
    shot = Screenshot.objects.create(feedback=feedback, file=upload.as_django_file(),
                                     name=upload.name, size=upload.size,
                                     content_type=upload.content_type)  # fmt: skip
    client.force_login(tester)
    response = client.get(reverse("requirements:screenshot", args=[project.key, shot.pk]))
    assert b"".join(response.streaming_content) == PNG
    downloaded = only(Kind.DOWNLOAD)
    assert (downloaded.actor, downloaded.project, downloaded.subject) == (
        tester,
        project,
        "screen.png",
    )


def test_a_stakeholder_import_is_recorded_when_applied_not_when_previewed(client, project, pm):
    csv = b"name,email,side,department,title,site\nNadia Haddad,nadia@client.example,client,it,,\n"
    client.force_login(pm)
    url = reverse("stakeholders:import", args=[project.key])
    preview = client.post(url, {"file": SimpleUploadedFile("people.csv", csv)})
    assert not events(Kind.IMPORT)
    client.post(url, {"confirm": "1", "text": preview.context["text"]})
    assert Stakeholder.objects.filter(project=project, name="Nadia Haddad").exists()
    imported = only(Kind.IMPORT)
    assert (imported.actor, imported.project, imported.subject) == (
        pm,
        project,
        "1 stakeholder imported",
    )


def test_a_requirement_import_is_recorded_when_confirmed(client, project, pm):
    book = Workbook()
    book.active.append(["Title", "Priority"])
    book.active.append(["Single sign-on", "Must"])
    book.active.append(["Mobile app", "Should"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(pm)
    client.post(
        reverse("requirements:import", args=[project.key]),
        {"file": SimpleUploadedFile("reqs.xlsx", buffer.getvalue())},
    )
    assert not events(Kind.IMPORT)
    job = project.imports.get()
    client.post(reverse("requirements:import_confirm", args=[project.key, job.pk]))
    assert Requirement.objects.filter(project=project).count() == 2
    imported = only(Kind.IMPORT)
    assert (imported.actor, imported.project, imported.detail) == (
        pm,
        project,
        {"kind": "requirements", "rows": 2},
    )
    assert imported.subject == "2 requirements imported (NWP-1 to NWP-2)"


def test_an_event_rolls_back_with_its_action(project, pm):
    with pytest.raises(RuntimeError), transaction.atomic():
        stakeholder_services.stakeholders_import(
            stakeholders=[Stakeholder(project=project, name="Rolled", department="it")], by=pm
        )
        raise RuntimeError
    assert not events(Kind.IMPORT)


# The staff page


def _some_events(pm, project):
    other = ProjectFactory(key="ACME", name="Acme", manager=UserFactory())
    audit.record(Kind.SIGN_IN_FAILED, username="mallory@evil.example")
    audit.record(Kind.EXPORT, user=pm, project=project, subject="NWP-raid.csv")
    audit.record(Kind.DOWNLOAD, user=pm, project=other, subject="ACME-report.pdf")
    return other


def test_staff_see_the_log_newest_first(client, staff, pm, project):
    _some_events(pm, project)
    client.force_login(staff)
    response = client.get(reverse("audit:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("ACME-report.pdf") < html.index("NWP-raid.csv") < html.index("mallory@")
    assert reverse("audit:list") in html  # the link in the staff navigation
    assert "Nothing here can be changed or deleted." in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "sign_in_failed"}, ["mallory@evil.example"], ["NWP-raid.csv"]),
        ({"project": "NWP"}, ["NWP-raid.csv"], ["ACME-report.pdf", "mallory@"]),
        ({"person": "mallory"}, ["mallory@evil.example"], ["NWP-raid.csv"]),
        ({"person": "Priya"}, ["NWP-raid.csv", "ACME-report.pdf"], ["mallory@"]),
    ],
)
def test_staff_filter_the_log_in_the_url(client, staff, pm, project, query, shown, hidden):
    _some_events(pm, project)
    client.force_login(staff)
    html = client.get(reverse("audit:list"), query).content.decode()
    table = html[html.index("<table") :]
    assert all(text in table for text in shown)
    assert not any(text in table for text in hidden)


def test_staff_filter_by_days_in_their_own_time_zone(client, staff, pm, project):
    # 23:30 UTC on 1 November is already 2 November in Auckland.
    late = datetime.datetime(2026, 11, 1, 23, 30, tzinfo=datetime.UTC)
    AuditEvent.objects.create(kind=Kind.EXPORT, at=late, subject="late-export.csv")
    staff.time_zone = "Pacific/Auckland"
    staff.save()
    client.force_login(staff)

    def shown(**days):
        html = client.get(reverse("audit:list"), days).content.decode()
        return "late-export.csv" in html

    try:
        assert shown(since="2026-11-02", until="2026-11-02")
        assert not shown(until="2026-11-01")
        assert not shown(since="2026-11-03")
    finally:
        timezone.deactivate()  # the middleware leaves the reader's zone active in this thread


def test_staff_filter_by_date(client, staff, pm, project):
    _some_events(pm, project)
    client.force_login(staff)
    today = datetime.datetime.now(datetime.UTC).date()  # staff read the log in UTC
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    html = client.get(reverse("audit:list"), {"since": today.isoformat()}).content.decode()
    assert "NWP-raid.csv" in html
    html = client.get(reverse("audit:list"), {"since": tomorrow}).content.decode()
    assert "No event matches these filters." in html and "NWP-raid.csv" not in html


def test_a_filter_that_matches_nothing_says_so(client, staff):
    client.force_login(staff)
    html = client.get(reverse("audit:list"), {"kind": "import"}).content.decode()
    assert "No event matches these filters." in html


def test_staff_export_the_filtered_log_and_that_is_recorded_too(client, staff, pm, project):
    _some_events(pm, project)
    client.force_login(staff)
    response = client.get(reverse("audit:export"), {"project": "NWP"})
    text = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    assert "NWP-raid.csv" in text and "ACME-report.pdf" not in text
    exported = only(Kind.EXPORT, actor=staff)
    rows = AuditEvent.objects.filter(project=project).exclude(pk=exported.pk).count()
    assert text.count("\n") == rows + 1
    assert exported.detail == {"format": "csv", "rows": rows, "filters": {"project": "NWP"}}


@pytest.mark.parametrize("who", ["pm", "team_member", "spoc", "observer", "outsider"])
def test_nobody_but_staff_reads_the_log(client, persona, pm, project, who):
    _some_events(pm, project)
    client.force_login(persona(who))
    for name in ("audit:list", "audit:export"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "NWP-raid.csv" not in response.content.decode()
    html = client.get(reverse("projects:list")).content.decode()
    assert reverse("audit:list") not in html


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_address_our_proxy_saw_is_recorded_and_a_forged_header_is_not(client, db, settings):
    dana = UserFactory(email="dana@northwind.example")

    def fail_sign_in(forwarded):
        client.post(
            reverse("accounts:login"),
            {"username": dana.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    settings.TRUSTED_PROXY_COUNT = 0  # no proxy of ours: the header is the sender's invention
    fail_sign_in("203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 1  # our proxy appends the address it received from
    fail_sign_in("10.9.8.7, 203.0.113.9")
    assert [e.ip_address for e in events(Kind.SIGN_IN_FAILED)] == ["127.0.0.1", "203.0.113.9"]


def test_the_log_is_paged_fifty_at_a_time(client, staff):
    for k in range(60):
        audit.record(Kind.SIGN_IN_FAILED, username=f"guess{k:02d}@example.com")
    client.force_login(staff)
    first = client.get(reverse("audit:list"), {"kind": "sign_in_failed"}).content.decode()
    assert "guess59@" in first and "guess10@" in first and "guess09@" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("audit:list"), {"kind": "sign_in_failed", "page": 2})
    html = second.content.decode()
    assert "guess09@" in html and "guess00@" in html and "guess10@" not in html


def test_a_request_with_no_usable_address_is_recorded_without_one(rf, pm):
    # A server on a Unix socket passes no address, or a path, as REMOTE_ADDR.
    for remote in ("", "unix:/run/liaison.sock"):
        request = rf.get("/", REMOTE_ADDR=remote)
        request.user = pm
        event = audit.record(Kind.DOWNLOAD, request=request, subject="x.pdf")
        assert (event.actor, event.ip_address, event.path) == (pm, None, "/")


def test_hostile_names_typed_at_sign_in_come_out_inert(client, staff):
    """What a stranger types as a user name lands in the log as text: inert on the page, one
    line per event and no formula cell in the exports."""
    import csv
    import io

    from openpyxl import load_workbook

    from tests.security.hostile import STRINGS, assert_inert

    typed = {key: text for key, text in STRINGS.items() if "\x00" not in text and len(text) < 300}
    for text in typed.values():
        client.post(reverse("accounts:login"), {"username": text, "password": "wrong"})
    client.force_login(staff)

    page = client.get(reverse("audit:list"), {"kind": Kind.SIGN_IN_FAILED}).content.decode()
    assert_inert(page)
    rows = list(csv.reader(io.StringIO(client.get(reverse("audit:export")).content.decode())))
    cells = [cell for row in rows for cell in row]
    assert len(rows) == AuditEvent.objects.count()  # the export's own event comes after it
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("audit:export"), {"format": "xlsx"}).content)
    )
    cells += [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert AuditEvent.objects.filter(kind=Kind.SIGN_IN_FAILED).count() == len(typed)
