import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from projects import services

HOUR = 3600


def _shift(client, **seconds_back):
    """Move the session's clocks into the past, as if that much time had gone by."""
    session = client.session
    for key, seconds in seconds_back.items():
        session[key] -= seconds
    session.save()


def _projects(client):
    return client.get(reverse("projects:list"))


def test_signing_in_starts_both_clocks(client, tester):
    client.force_login(tester)
    now = int(time.time())
    assert now - 5 <= client.session[SIGNED_IN_AT] <= now
    assert client.session[LAST_SEEN_AT] == client.session[SIGNED_IN_AT]


def test_a_session_idle_for_more_than_two_hours_ends(client, tester):
    client.force_login(tester)
    _shift(client, **{SIGNED_IN_AT: 2 * HOUR + 60, LAST_SEEN_AT: 2 * HOUR + 60})

    response = _projects(client)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "Your session ended. Please sign in again." in page.content.decode()


def test_activity_keeps_a_session_alive_past_the_idle_limit(client, tester):
    client.force_login(tester)
    _shift(client, **{SIGNED_IN_AT: 3 * HOUR, LAST_SEEN_AT: 90 * 60})
    assert "My projects" in _projects(client).content.decode()  # 90 minutes idle: still fine
    assert int(time.time()) - client.session[LAST_SEEN_AT] < 5  # and the clock was reset

    _shift(client, **{LAST_SEEN_AT: 90 * 60})  # three hours in, never idle for two

    assert "My projects" in _projects(client).content.decode()


def test_requests_close_together_do_not_rewrite_the_session(client, tester):
    client.force_login(tester)
    _shift(client, **{LAST_SEEN_AT: 10})
    seen = client.session[LAST_SEEN_AT]

    _projects(client)

    assert client.session[LAST_SEEN_AT] == seen


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(client, tester):
    client.force_login(tester)
    _shift(client, **{SIGNED_IN_AT: 12 * HOUR + 60})

    response = _projects(client)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_an_ended_session_tells_htmx_to_load_the_login_page(client, tester):
    client.force_login(tester)
    _shift(client, **{SIGNED_IN_AT: 13 * HOUR})

    response = client.get(reverse("projects:list"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login")


@pytest.mark.parametrize("setting", ["SESSION_IDLE_SECONDS", "SESSION_MAX_SECONDS"])
def test_the_limits_come_from_settings(client, tester, settings, setting):
    setattr(settings, setting, 60)
    client.force_login(tester)
    _shift(client, **{SIGNED_IN_AT: 61, LAST_SEEN_AT: 61})

    assert _projects(client).status_code == 302


def test_deactivating_an_account_signs_it_out_everywhere(client, tester, staff):
    laptop, phone = client, type(client)()
    laptop.force_login(tester)
    phone.force_login(tester)
    other = type(client)()
    other.force_login(staff)
    assert "My projects" in _projects(laptop).content.decode()

    tester.is_active = False
    services.user_save(user=tester, may_create_projects=False, by=staff)

    assert [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()] == [str(staff.pk)]
    for device in (laptop, phone):
        response = _projects(device)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert "My projects" in _projects(other).content.decode()  # staff's own session survives
