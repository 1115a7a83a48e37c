"""Numbers, dates and characters that a URL or a form takes only at first sight: "²" passes
`str.isdigit`, 10**30 passes `int`, 9999-12-31 passes a date field, NUL passes SQLite. Each
gets what a person would expect (the first or the last page, a field error, not found), never
an error page, on SQLite and PostgreSQL alike."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent, Kind
from projects.pages import LARGEST_NUMBER, whole_number
from requirements import services
from requirements.models import FeedbackStatus, Requirement
from tests.requirements.uat import log, open_round

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 30


@pytest.mark.parametrize("pick", [str(LARGEST_NUMBER + 1), HUGE, "-" + HUGE, "²"])
def test_an_id_no_database_holds_among_several_picked_is_a_field_error(
    client, project, pm, tester, pick
):
    url = reverse("requirements:round_new", args=[project.key])
    round_data = {"name": "UAT 1", "starts_on": "2026-12-01", "ends_on": "2026-12-12"}
    schedules = reverse("projects:report_schedules", args=[project.key])
    schedule_data = {"audience": "client", "frequency": "weekly", "weekday": "0",
                     "day_of_month": "1", "hour": "8", "paper": "a4"}  # fmt: skip
    client.force_login(pm)
    for target, data, field in [
        (url, round_data, "testers"),
        (url, round_data, "requirements"),
        (schedules, schedule_data, "recipients"),
    ]:
        response = client.post(target, {**data, field: [str(tester.pk), pick]})
        assert response.status_code == 200
        assert f"Select a valid choice. {pick} is not one of the available choices." in (
            response.content.decode()
        )
    assert not project.test_rounds.exists() and not project.report_schedules.exists()


@pytest.mark.parametrize(
    ("value", "number"),
    [("12", 12), ("0", 0), (7, 7), (str(LARGEST_NUMBER), LARGEST_NUMBER), ("²", None),
     ("\u0661\u0662", None), ("-1", None), ("1.0", None), (" 1", None), ("", None),
     (str(LARGEST_NUMBER + 1), None), (HUGE, None), (-1, None), (True, None), (None, None)],
)  # fmt: skip
def test_a_whole_number_is_one_a_database_holds_in_ascii_digits(value, number):
    assert whole_number(value) == number


@pytest.fixture
def listed(project, pm):
    for title in ("Single sign-on", "SCORM packages"):
        services.requirement_submit(requirement=Requirement(project=project, title=title), by=pm)
    return project


@pytest.mark.parametrize("page", ["²", HUGE, str(2**62), "-1", "0"])
def test_a_page_number_that_is_not_one_shows_the_first_or_last_page(client, listed, pm, page):
    client.force_login(pm)
    response = client.get(reverse("requirements:list", args=[listed.key]), {"page": page})
    assert response.status_code == 200
    assert "Single sign-on" in response.content.decode()


@pytest.mark.parametrize("q", ["²", f"NWP-{HUGE}", "NWP-\u0661"])
def test_a_search_for_an_odd_number_finds_nothing(client, listed, pm, q):
    client.force_login(pm)
    response = client.get(reverse("requirements:list", args=[listed.key]), {"q": q})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Single sign-on" not in html and "SCORM packages" not in html


@pytest.mark.parametrize("listing", ["requirements:list", "projects:list"])
def test_a_search_too_long_is_refused_beside_the_list_it_leaves_whole(client, listed, pm, listing):
    client.force_login(pm)
    args = [listed.key] if listing.startswith("requirements") else []
    html = client.get(reverse(listing, args=args), {"q": "x" * 60_000}).content.decode()
    assert "Search: Ensure this value has at most 200 characters (it has 60000)." in html
    assert "The list is shown without it." in html
    assert ("Single sign-on" if args else listed.name) in html


def test_the_requirement_a_search_names_by_its_key_is_found(client, listed, pm):
    client.force_login(pm)
    response = client.get(reverse("requirements:list", args=[listed.key]), {"q": "NWP-2"})
    html = response.content.decode()
    assert "SCORM packages" in html and "Single sign-on" not in html


def test_a_correction_of_an_entry_that_is_not_a_number_is_not_found(client, project, pm):
    client.force_login(pm)
    response = client.get(reverse("stakeholders:post", args=[project.key]), {"corrects": "²"})
    assert response.status_code == 404


@pytest.mark.parametrize("original", ["²", "NWP-F²", str(LARGEST_NUMBER + 1), "F\u0661"])
def test_a_duplicate_of_an_odd_number_is_a_field_error(client, project, pm, tester, original):
    item = log(open_round(project, [tester]), tester)
    client.force_login(pm)
    response = client.post(
        reverse("requirements:feedback_transition", args=[project.key, item.number]),
        {"to": FeedbackStatus.DUPLICATE, "duplicate_of": original, "version": item.version},
        follow=True,
    )
    assert f"This project has no item “{original}”: name the item it" in response.content.decode()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.NEW


def test_a_bulk_change_of_a_huge_number_changes_nothing(client, listed, pm):
    client.force_login(pm)
    response = client.post(
        reverse("requirements:bulk", args=[listed.key]),
        {"numbers": [HUGE], "to": "accepted"},
        follow=True,
    )
    assert "Tick at least one requirement" in response.content.decode()
    assert not listed.requirements.exclude(status="submitted").exists()


@pytest.mark.parametrize(
    ("zone", "field", "day"),
    [("UTC", "until", "9999-12-31"), ("Asia/Tokyo", "since", "0001-01-01"),
     ("UTC", "since", "1999-12-31")],
)  # fmt: skip
def test_an_audit_filter_day_outside_the_century_is_a_field_error(client, staff, zone, field, day):
    staff.time_zone = zone
    staff.save(update_fields=["time_zone"])
    client.force_login(staff)
    response = client.get(reverse("audit:list"), {field: day})
    assert response.status_code == 200
    assert "Enter a date between 2000 and 2100." in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_round_report_or_handover_day_outside_the_century_is_a_field_error(
    client, project, pm, day
):
    from stakeholders.models import PointOfContact, Stakeholder
    from stakeholders.services import stakeholder_save

    dana = Stakeholder(project=project, name="Dana Weber", side="client", department="hr")
    dana = stakeholder_save(stakeholder=dana, by=pm)
    client.force_login(pm)
    for url_name, data in [
        ("requirements:round_new", {"name": "UAT 1", "starts_on": day, "ends_on": "2026-12-12"}),
        ("requirements:round_new", {"name": "UAT 1", "starts_on": "2026-12-01", "ends_on": day}),
        ("projects:report_generate", {"audience": "client", "period_start": day,
                                      "period_end": "2026-11-30", "paper": "a4"}),
        ("stakeholders:contact", {"side": "client", "stakeholder": dana.pk, "started_on": day}),
    ]:  # fmt: skip
        response = client.post(reverse(url_name, args=[project.key]), data)
        assert response.status_code == 200
        assert "Enter a date between 2000 and 2100." in response.content.decode(), url_name
    assert not project.test_rounds.exists() and not project.reports.exists()
    assert not PointOfContact.objects.filter(project=project).exists()


def test_an_export_records_its_filters_without_nul_characters(client, listed, pm):
    client.force_login(pm)
    response = client.get(
        reverse("requirements:export", args=[listed.key]),
        {"format": "csv", "q": "Single", "x\x00y": "\x00", "z": "a\x00b"},
    )
    assert response.status_code == 200
    assert "Single sign-on" in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(kind=Kind.EXPORT)
    assert event.detail["filters"] == {"q": "Single", "z": "ab"}


@pytest.mark.parametrize("path", ["/p/N%00P/requirements/", "/p/NWP%00/", "/calendar/a%00b.ics"])
def test_a_nul_in_a_project_key_or_a_calendar_token_is_not_found(client, project, pm, path):
    client.force_login(pm)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("export", "listing", "query", "message"),
    [("requirements:export", "requirements:list", {"q": "x" * 201}, "Search: Ensure"),
     ("requirements:export", "requirements:list", {"status": "bogus"}, "Status: Select"),
     ("projects:raid_export", "projects:raid", {"kind": "bogus"}, "Kind: Select")],
)  # fmt: skip
def test_an_export_whose_filter_does_not_hold_is_the_list_saying_which(
    client, listed, pm, export, listing, query, message
):
    client.force_login(pm)
    response = client.get(reverse(export, args=[listed.key]), {"format": "csv", **query})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(listing, args=[listed.key]) + "?")
    assert "format" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert message in page and "The list is shown without it." in page
    assert not AuditEvent.objects.filter(kind=Kind.EXPORT).exists()


def test_an_audit_export_with_a_date_outside_the_century_is_the_log_saying_which(client, staff):
    client.force_login(staff)
    response = client.get(reverse("audit:export"), {"until": "9999-12-31"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("audit:list") + "?until=9999-12-31")
    assert "To: Enter a date between 2000 and 2100." in response.content.decode()
