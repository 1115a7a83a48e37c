"""The testing pages, per role: what each person sees and may do, and what the data holds."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects.roles import Role
from requirements.models import (
    Feedback,
    FeedbackStatus,
    MeToo,
    RoundStatus,
    Screenshot,
    TestRound,
)
from requirements.services import round_set_status
from tests.conftest import _member
from tests.projects.factories import ProjectFactory
from tests.rendering import no_queries_while_rendering

from .uat import PNG, go_live_milestone, image_bytes, log, move, must, open_round

F = FeedbackStatus


@pytest.fixture
def test_round(project, tester):
    return open_round(project, [tester])


def _new_url(test_round):
    return reverse("requirements:feedback_new", args=[test_round.project.key, test_round.pk])


def _form(**extra):
    return {"title": "Video stops after ten seconds", "kind": "defect", "severity": "major",
            "steps": "Open Sales 101", "browser": "Chrome 131", "os": "Android 15",
            "device": "phone", "viewport": "390×844", "language": "de-DE", **extra}  # fmt: skip


def test_tester_logs_feedback_with_environment_and_screenshot(client, test_round, tester):
    client.force_login(tester)
    page = client.get(_new_url(test_round))
    assert "Log feedback" in page.content.decode()
    assert 'src="/static/js/feedback.js"' in page.content.decode()
    shot = SimpleUploadedFile("screen.png", PNG, content_type="image/png")
    response = client.post(_new_url(test_round), {**_form(), "screenshots": [shot]}, follow=True)
    item = Feedback.objects.get()
    assert item.key == "NWP-F1" and item.tester == tester and item.browser == "Chrome 131"
    assert item.screenshots.count() == 1
    assert "NWP-F1 logged" in response.content.decode()
    assert response.redirect_chain[-1][0] == item.get_absolute_url()


def test_a_stakeholder_who_is_not_a_tester_cannot_log_feedback(client, test_round, stakeholder):
    client.force_login(stakeholder)
    response = client.post(_new_url(test_round), _form())
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_a_tester_outside_the_round_does_not_see_it(client, project, test_round):
    other = _member(project, Role.TESTER)
    client.force_login(other)
    assert client.get(test_round.get_absolute_url()).status_code == 404
    assert client.get(_new_url(test_round)).status_code == 404
    rounds = client.get(reverse("requirements:rounds", args=[project.key])).content.decode()
    assert test_round.name not in rounds


def test_a_closed_round_refuses_the_form(client, test_round, tester, pm):
    round_set_status(test_round=test_round, status=RoundStatus.CLOSED, by=pm)
    client.force_login(tester)
    response = client.post(_new_url(test_round), _form())
    assert response.status_code == 200
    assert "takes no new feedback" in response.content.decode()
    assert not Feedback.objects.exists()
    # Opened again later (a bookmark, the back button), it says so before anything is typed.
    response = client.get(_new_url(test_round), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "requirements:rounds", args=[test_round.project.key]
    )
    assert "Round 1 is not open: it takes no new feedback. Log it in an open round." in (
        response.content.decode()
    )


def test_a_tester_sees_only_their_own_items(client, project, test_round, tester, team_member):
    other = _member(project, Role.TESTER)
    shared = open_round(project, [tester, other], name="Round 2")
    mine, theirs = log(test_round, tester, title="Mine"), log(shared, other, title="Theirs")
    client.force_login(tester)
    listing = client.get(reverse("requirements:feedback_list", args=[project.key]))
    assert "Mine" in listing.content.decode() and "Theirs" not in listing.content.decode()
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200
    client.force_login(team_member)
    listing = client.get(reverse("requirements:feedback_list", args=[project.key]))
    assert "Mine" in listing.content.decode() and "Theirs" in listing.content.decode()


def test_a_tester_follows_where_the_items_they_met_too_stand_without_reading_them(
    client, project, tester, pm
):
    other = _member(project, Role.TESTER)
    shared = open_round(project, [tester, other])
    met = log(shared, other, title="Video stops", severity="major")
    log(shared, other, title="Someone else's only")
    client.force_login(tester)
    client.post(reverse("requirements:feedback_me_too", args=[project.key, met.number]))
    move(met, "triaged", pm)
    page = client.get(shared.get_absolute_url()).content.decode()
    section = page[page.index("Items you met too") :]
    assert (
        '<strong>NWP-F1</strong> Video stops · <span class="badge status-triaged">Triaged</span>'
        in section
    )
    assert "Someone else's only" not in page
    assert met.get_absolute_url() not in page  # their item stays theirs to read
    assert client.get(met.get_absolute_url()).status_code == 404


def test_an_item_of_another_project_is_not_found(client, project, test_round, tester, pm):
    other_project = ProjectFactory(key="OTH", manager=pm)
    other_tester = _member(other_project, Role.TESTER)
    foreign = log(open_round(other_project, [other_tester]), other_tester)
    log(test_round, tester)
    client.force_login(pm)
    url = reverse("requirements:feedback", args=[project.key, foreign.number + 5])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("requirements:round", args=[project.key, foreign.round_id])).status_code
        == 404
    )


def test_similar_open_items_are_suggested_as_the_tester_types(client, project, tester):
    other = _member(project, Role.TESTER)
    test_round = open_round(project, [tester, other])
    log(test_round, other, title="Video does not play on the tablet")
    client.force_login(tester)
    url = reverse("requirements:feedback_similar", args=[project.key, test_round.pk])
    response = client.get(url, {"title": "video frozen"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<title>" not in body and "NWP-F1 Video does not play" in body and "Me too" in body
    assert (
        "NWP-F1"
        not in client.get(url, {"title": "login"}, headers={"HX-Request": "true"}).content.decode()
    )
    me_too = reverse("requirements:feedback_me_too", args=[project.key, 1])
    client.post(me_too)
    client.post(me_too)
    assert MeToo.objects.filter(user=tester).count() == 1


def test_the_suggestions_offer_me_too_only_where_it_can_be_said(client, project, tester):
    other = _member(project, Role.TESTER)
    test_round = open_round(project, [tester, other])
    theirs = log(test_round, other, title="Video does not play on the tablet")
    mine = log(test_round, tester, title="Video has no sound")
    met = log(test_round, other, title="Video subtitles missing")
    client.force_login(tester)
    client.post(reverse("requirements:feedback_me_too", args=[project.key, met.number]))
    url = reverse("requirements:feedback_similar", args=[project.key, test_round.pk])
    body = client.get(url, {"title": "video"}, headers={"HX-Request": "true"}).content.decode()
    rows = {
        re.match(r"<li>(NWP-F\d+)", row)[1]: row
        for row in re.findall(r"<li>NWP-F\d+ .*?</li>", body, re.S)
    }
    assert "Me too" in rows[theirs.key]
    assert (
        "Me too" not in rows[mine.key]
        and f'href="{mine.get_absolute_url()}">Yours' in rows[mine.key]
    )
    assert "Me too" not in rows[met.key] and "You met it too" in rows[met.key]


def test_triage_on_the_board_swaps_the_card_and_keeps_the_history(
    client, project, test_round, tester, team_member
):
    item = log(test_round, tester)
    client.force_login(team_member)
    board = client.get(reverse("requirements:feedback_board", args=[project.key])).content.decode()
    assert 'id="card-1"' in board and "Start fixing" in board
    url = reverse("requirements:feedback_transition", args=[project.key, 1])
    response = client.post(url, {"to": "fixing", "card": "1"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board"') and "NWP-F1 moved to “Fixing”" in body
    assert "Mark fixed" in body
    item.refresh_from_db()
    assert item.status == F.FIXING
    assert item.history.first().history_user == team_member


def test_a_refused_move_on_the_board_says_why_on_the_board_and_changes_nothing(
    client, project, test_round, tester, pm
):
    item = log(test_round, tester)
    client.force_login(pm)
    url = reverse("requirements:feedback_transition", args=[project.key, item.number])
    body = client.post(
        url, {"to": "verified", "card": "1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert body.lstrip().startswith('<div id="board"') and 'role="alert"' in body
    assert "NWP-F1: Feedback that is new cannot be moved there." in body
    item.refresh_from_db()
    assert item.status == F.NEW and item.version == 1


def test_triage_on_the_item_page_swaps_its_status_and_tops_up_history_and_comments(
    client, project, test_round, tester, team_member
):
    """Only what a status change changes comes back: the status panel in place, the change on
    top of the history, and the comments again when a reason was posted."""
    item = log(test_round, tester)
    client.force_login(team_member)
    url = reverse("requirements:feedback_transition", args=[project.key, item.number])
    body = client.post(url, {"to": "fixing"}, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<section class="panel" aria-labelledby="next-title"')
    assert "NWP-F1 moved to “Fixing”" in body and "Mark fixed" in body and 'value="2"' in body
    history = body[body.index('<ol hx-swap-oob="afterbegin:#history-panel ol.history">') :]
    assert "Status" in history and "<del>New</del>" in history and "<ins>Fixing</ins>" in history
    assert 'id="comments"' not in body and item.title not in body

    move(item, F.FIXED, team_member)
    client.force_login(tester)
    body = client.post(
        url, {"to": "fixing", "reason": "Still frozen"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert '<div id="comments" hx-swap-oob="true">' in body and "Still frozen" in body
    refused = client.post(url, {"to": "closed"}, headers={"HX-Request": "true"}).content.decode()
    assert 'role="alert"' in refused and "hx-swap-oob" not in refused


def test_without_javascript_a_status_change_redirects_back_with_a_message(
    client, project, test_round, tester, pm
):
    log(test_round, tester)
    client.force_login(pm)
    url = reverse("requirements:feedback_transition", args=[project.key, 1])
    board = reverse("requirements:feedback_board", args=[project.key])
    response = client.post(url, {"to": "triaged", "next": board}, follow=True)
    assert response.redirect_chain[-1][0] == board
    assert "NWP-F1 moved to “Triaged”" in response.content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_a_refused_status_change_is_explained_beside_its_field_with_what_was_typed(
    client, project, test_round, tester, pm, htmx
):
    item = log(test_round, tester)
    client.force_login(pm)
    url = reverse("requirements:feedback_transition", args=[project.key, item.number])
    headers = {"HX-Request": "true"} if htmx else {}

    page = client.post(url, {"to": "duplicate", "duplicate_of": "NWP-F99"}, headers=headers)
    html = page.content.decode()
    assert page.status_code == 200 and ("<html" in html) is not htmx
    field = re.search(r'<input type="text" name="duplicate_of" id="(original-\d+)"[^>]*>', html)
    assert 'value="NWP-F99"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    error = html[html.index(f'id="{field.group(1)}-error"') :]
    assert error.split("</ul>")[0].endswith(
        "This project has no item “NWP-F99”: name the item it repeats.</li>"
    )
    assert 'role="alert"' not in html

    html = client.post(url, {"to": "wont_fix", "reason": "  "}, headers=headers).content.decode()
    reason = re.search(r'<textarea name="reason" id="(reason-\d+)"[^>]*>', html)
    assert 'aria-invalid="true"' in reason.group(0)
    assert (
        "Give a reason: the others will read it." in html.split(f'id="{reason.group(1)}-error"')[1]
    )
    item.refresh_from_db()
    assert (item.status, item.version) == (F.NEW, 1)


def test_marking_a_duplicate_names_the_original_by_its_key(client, project, test_round, tester, pm):
    original, repeat = log(test_round, tester), log(test_round, tester)
    client.force_login(pm)
    url = reverse("requirements:feedback_transition", args=[project.key, repeat.number])
    client.post(url, {"to": "duplicate", "duplicate_of": "nwp-f1"})
    repeat.refresh_from_db()
    assert repeat.status == F.DUPLICATE and repeat.duplicate_of == original


def test_a_duplicate_names_its_original_on_its_page_without_a_query_while_rendering(
    client, project, test_round, tester, pm
):
    original, repeat = log(test_round, tester), log(test_round, tester)
    move(repeat, F.DUPLICATE, pm, duplicate_of=original)
    client.force_login(pm)
    with no_queries_while_rendering():
        page = client.get(repeat.get_absolute_url()).content.decode()
    assert "Duplicate of NWP-F1." in page


def test_the_tester_reopens_with_a_comment_or_is_told(
    client, project, test_round, tester, team_member
):
    item = move(move(log(test_round, tester), F.FIXING, team_member), F.FIXED, team_member)
    client.force_login(tester)
    detail = client.get(item.get_absolute_url()).content.decode()
    assert (
        "Verify the fix" in detail and "Reopen: not fixed" in detail and "Mark fixed" not in detail
    )
    url = reverse("requirements:feedback_transition", args=[project.key, item.number])
    refused = client.post(url, {"to": "fixing"}, headers={"HX-Request": "true"})
    assert "Give a reason" in refused.content.decode()
    client.post(url, {"to": "fixing", "reason": "Still frozen"})
    item.refresh_from_db()
    assert item.status == F.FIXING and item.comments.get().body == "Still frozen"


def test_comments_thread_on_the_item(client, project, test_round, tester, team_member):
    item = log(test_round, tester)
    client.force_login(team_member)
    url = reverse("requirements:feedback_comment", args=[project.key, item.number])
    client.post(url, {"body": "Which course exactly?"})
    client.force_login(tester)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Which course exactly?" in page


def test_a_long_thread_shows_its_latest_comments_and_the_rest_a_link_away(
    client, project, test_round, tester, team_member, django_assert_num_queries
):
    from requirements import services

    item = log(test_round, tester)
    client.force_login(team_member)
    for n in range(1, 26):
        services.feedback_comment(feedback=item, body=f"Comment number {n}.", by=team_member)
    with django_assert_num_queries(8) as captured, no_queries_while_rendering():
        page = client.get(item.get_absolute_url()).content.decode()
    # The latest 20, oldest first, after a link to the whole thread.
    shown = re.findall(r"Comment number (\d+)\.", page)
    assert shown == [str(n) for n in range(6, 26)]
    assert page.index("Show the earlier comments") < page.index("Comment number 6.")
    for n in range(26, 41):
        services.feedback_comment(feedback=item, body=f"Comment number {n}.", by=team_member)
    with django_assert_num_queries(len(captured)):
        client.get(item.get_absolute_url())
    whole = client.get(item.get_absolute_url(), {"comments": "all"}).content.decode()
    assert re.findall(r"Comment number (\d+)\.", whole) == [str(n) for n in range(1, 41)]
    assert "Show the earlier comments" not in whole


def test_list_filters_live_in_the_url_and_counts_follow_them(
    client, project, test_round, tester, pm
):
    log(test_round, tester, severity="blocker", title="Login fails")
    log(test_round, tester, severity="minor", title="Typo in footer")
    client.force_login(pm)
    url = reverse("requirements:feedback_list", args=[project.key])
    body = client.get(url, {"severity": "blocker"}).content.decode()
    assert "Login fails" in body and "Typo in footer" not in body
    assert "1 item" in body


@pytest.mark.parametrize("page", ["requirements:feedback_list", "requirements:feedback_board"])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_filter_that_does_not_hold_is_named_and_the_rest_still_filters(
    client, project, test_round, tester, pm, page, htmx
):
    log(test_round, tester, severity="blocker", title="Login fails")
    log(test_round, tester, severity="minor", title="Typo in footer")
    Feedback.objects.filter(title="Typo in footer").update(kind="suggestion")
    client.force_login(pm)
    headers = {"HX-Request": "true"} if htmx else {}
    body = client.get(
        reverse(page, args=[project.key]), {"severity": "fatal", "kind": "defect"}, headers=headers
    ).content.decode()
    assert "Severity: Select a valid choice. fatal is not one of the available choices." in body
    assert "The list is shown without it." in body
    assert "Login fails" in body and "Typo in footer" not in body


def test_a_round_still_open_after_its_last_day_says_so_in_the_list_and_on_its_page(
    client, project, tester, pm
):
    late = open_round(project, [tester], name="UAT 1")
    current = open_round(project, [tester], name="UAT 2")
    TestRound.objects.filter(pk=current.pk).update(ends_on=timezone.localdate())
    client.force_login(tester)
    rows = client.get(reverse("requirements:rounds", args=[project.key])).content.decode()
    late_row, current_row = (
        re.search(rf"<tr>\s*<td[^>]*><a[^>]*><strong>{name}</strong>.*?</tr>", rows, re.S)[0]
        for name in ("UAT 1", "UAT 2")
    )
    assert "past its end" in late_row and "past its end" not in current_row
    page = client.get(late.get_absolute_url()).content.decode()
    assert "past its end" in page
    assert "still takes feedback until the project manager closes it." in page
    assert "Its last day was 13 Nov 2026" in page
    assert "past its end" not in client.get(current.get_absolute_url()).content.decode()
    # The project manager, who has the button beside it, is told what they can do.
    client.force_login(pm)
    page = client.get(late.get_absolute_url()).content.decode()
    assert "still takes feedback until you close it, or give it a later last day with Edit." in page


def test_round_page_shows_progress_per_tester_and_requirement(client, project, tester, pm):
    requirement = must(project)
    test_round = open_round(project, [tester], requirements=[requirement])
    log(test_round, tester, requirement=requirement)
    client.force_login(pm)
    body = client.get(test_round.get_absolute_url()).content.decode()
    assert "Progress per tester" in body and tester.display_name in body
    assert "NWP-1" in body


def test_readiness_page_lists_what_blocks_go_live_as_links(
    client, project, test_round, tester, spoc, pm
):
    item = log(test_round, tester, severity="blocker")
    go_live_milestone(project, done=True)
    client.force_login(pm)
    url = reverse("requirements:readiness", args=[project.key])
    body = client.get(url).content.decode()
    assert f'href="{item.get_absolute_url()}"' in body and "1 thing blocks go-live" in body
    client.force_login(spoc)  # sees what blocks, but not the feedback itself
    assert f'href="{item.get_absolute_url()}"' not in client.get(url).content.decode()
    move(item, F.WONT_FIX, pm, reason="Accepted")
    client.force_login(pm)
    assert "Ready for go-live" in client.get(url).content.decode()


# Screenshots: only real PNG and JPEG images get in, re-encoded.

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
UPLOADS = [
    ("real.png", image_bytes("PNG"), True),
    ("real.jpg", image_bytes("JPEG"), True),
    ("photo.jpg", image_bytes("PNG"), False),  # a PNG under a JPEG name
    ("notes.png", b"just some text, not an image", False),
    ("drawing.svg", SVG, False),
    ("huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), False),
]


@pytest.mark.parametrize(("name", "content", "accepted"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_only_real_images_are_accepted_as_screenshots(
    client, test_round, tester, name, content, accepted
):
    client.force_login(tester)
    upload = SimpleUploadedFile(name, content)
    response = client.post(_new_url(test_round), {**_form(), "screenshots": [upload]})
    assert Feedback.objects.exists() is accepted
    if accepted:
        shot = Screenshot.objects.get()
        stored = shot.file.read()
        assert stored[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0") and shot.name == name
        served = client.get(
            reverse("requirements:screenshot", args=[test_round.project.key, shot.pk])
        )
        assert served["Content-Type"] == shot.content_type
    else:
        assert response.status_code == 200
        assert name in response.content.decode()


def test_the_project_manager_plans_opens_and_closes_a_round(
    client, project, pm, tester, stakeholder
):
    requirement = must(project)
    client.force_login(pm)
    url = reverse("requirements:round_new", args=[project.key])
    form = client.get(url).content.decode()
    assert tester.display_name in form and stakeholder.display_name not in form
    data = {"name": "UAT 1", "starts_on": "2026-11-02", "ends_on": "2026-11-13",
            "build": "4.5", "requirements": [requirement.pk], "testers": [tester.pk]}  # fmt: skip
    refused = client.post(url, {**data, "testers": [stakeholder.pk]})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    response = client.post(url, data, follow=True)
    test_round = project.test_rounds.get()
    assert response.redirect_chain[-1][0] == test_round.get_absolute_url()
    assert list(test_round.testers.all()) == [tester] and test_round.status == RoundStatus.PLANNED
    status_url = reverse("requirements:round_status", args=[project.key, test_round.pk])
    client.post(status_url, {"status": "open"})
    page = client.post(status_url, {"status": "closed"}, follow=True).content.decode()
    test_round.refresh_from_db()
    assert test_round.status == RoundStatus.CLOSED
    assert "UAT 1 is now closed" in page and "takes no new feedback" in page


def test_the_daily_summary_runs_every_morning():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["severe-feedback-summary"]
    assert entry["task"] == "requirements.tasks.send_severe_feedback_summaries"


def test_each_board_column_shows_its_own_newest_cards(client, project, test_round, tester, pm):
    """A column of old items still shows them, however many newer items other columns have."""
    from requirements.views.testing import BOARD_COLUMN_LIMIT

    items = [
        log(test_round, tester, title=f"Problem {n:02d}") for n in range(BOARD_COLUMN_LIMIT + 5)
    ]
    old = items[:3]
    Feedback.objects.filter(pk__in=[f.pk for f in old]).update(status=F.TRIAGED)
    client.force_login(pm)
    html = client.get(reverse("requirements:feedback_board", args=[project.key])).content.decode()
    for item in old:
        assert item.title in html
    assert items[3].title not in html  # the new column holds its newest twelve
    # Its count is the column's whole total, with a way to all of them.
    newer = BOARD_COLUMN_LIMIT + 2
    assert f'<span class="badge status-new">{newer}</span>' in html
    assert f"All {newer} in the list" in html
    assert '<span class="badge status-triaged">3</span>' in html


def test_the_board_from_a_list_filtered_by_status_still_shows_every_column(
    client, project, test_round, tester, pm
):
    new = log(test_round, tester, title="Still new", severity="major")
    triaged = log(test_round, tester, title="Being looked at", severity="major")
    log(test_round, tester, title="A minor one", severity="minor")
    Feedback.objects.filter(pk=triaged.pk).update(status=F.TRIAGED)
    client.force_login(pm)
    listed = client.get(
        reverse("requirements:feedback_list", args=[project.key]),
        {"status": "triaged", "severity": "major"},
    ).content.decode()
    board_link = re.search(r'href="([^"]*/feedback/board/[^"]*)"', listed)[1].replace("&amp;", "&")
    assert "status=" not in board_link and "severity=major" in board_link
    # The columns are the statuses: a status in the URL empties none of them.
    for params in (board_link.partition("?")[2], "status=triaged&severity=major"):
        board = client.get(
            reverse("requirements:feedback_board", args=[project.key]) + "?" + params
        ).content.decode()
        assert new.title in board and triaged.title in board and "A minor one" not in board


def test_a_refused_round_edit_keeps_the_saved_name_around_the_form(client, project, tester, pm):
    test_round = open_round(project, [tester], name="UAT 1")
    client.force_login(pm)
    response = client.post(
        reverse("requirements:round_edit", args=[project.key, test_round.pk]),
        {"name": "UAT renamed", "starts_on": "2026-12-10", "ends_on": "2026-12-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<h2>Edit UAT 1</h2>" in html
    assert 'value="UAT renamed"' in html  # what was typed stays in the form
    test_round.refresh_from_db()
    assert test_round.name == "UAT 1"


@pytest.mark.parametrize("named", ["NWP-F99", "F99", "99"])
def test_a_duplicate_of_an_item_the_project_has_not_is_named_as_such(
    client, project, tester, pm, named
):
    item = log(open_round(project, [tester]), tester)
    client.force_login(pm)
    response = client.post(
        reverse("requirements:feedback_transition", args=[project.key, item.number]),
        {"to": F.DUPLICATE, "duplicate_of": named, "version": item.version},
    )
    form_errors = response.context["form"].errors
    assert form_errors == {
        "duplicate_of": [f"This project has no item “{named}”: name the item it repeats."]
    }
    item.refresh_from_db()
    assert item.status == F.NEW
