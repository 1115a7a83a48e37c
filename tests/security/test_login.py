import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.projects.factories import UserFactory

PASSWORD = "a-Strong-pass-42"
ATTACKER = "203.0.113.9"
HOME = "198.51.100.7"
LOCKOUT = "Too many failed sign-ins from here for this account"


@pytest.fixture
def dana(db):
    return UserFactory(email="dana@northwind.example")


def _sign_in(client, email, password, address):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def test_a_flood_of_bad_passwords_is_throttled_and_then_refuses_the_right_one(client, dana):
    responses = [_sign_in(client, dana.email, f"guess-{n}", ATTACKER) for n in range(100)]

    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form, with its error
    assert {r.status_code for r in responses[5:]} == {429}
    locked = _sign_in(client, dana.email, PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert LOCKOUT in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_varying_the_case_of_the_address_does_not_escape_the_lockout(client, dana):
    for n in range(5):
        _sign_in(client, dana.email.upper() if n % 2 else dana.email, f"guess-{n}", ATTACKER)

    assert _sign_in(client, "DaNa@Northwind.example", PASSWORD, ATTACKER).status_code == 429


def test_the_real_person_still_signs_in_from_elsewhere_during_a_flood(client, dana):
    for n in range(20):
        _sign_in(client, dana.email, f"guess-{n}", ATTACKER)

    response = _sign_in(client, dana.email, PASSWORD, HOME)

    assert response.status_code == 302
    assert response.url == reverse("projects:list")
    assert client.session["_auth_user_id"] == str(dana.pk)


def test_signing_in_clears_the_failures_so_far(client, dana):
    for n in range(4):
        _sign_in(client, dana.email, f"typo-{n}", HOME)

    assert _sign_in(client, dana.email, PASSWORD, HOME).status_code == 302
    assert not AccessAttempt.objects.filter(username=dana.email).exists()
    client.logout()
    for n in range(4):  # four more typos do not lock: the count started again
        assert _sign_in(client, dana.email, f"typo-{n}", HOME).status_code == 200
    assert _sign_in(client, dana.email, PASSWORD, HOME).status_code == 302


def test_the_lockout_page_is_a_page_that_says_what_to_do(client, dana):
    for n in range(5):
        _sign_in(client, dana.email, f"guess-{n}", ATTACKER)

    response = _sign_in(client, dana.email, PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Sign-in paused</h1>" in html
    assert f"{LOCKOUT}. Try again in 15 minutes or reset your password." in html
    assert reverse("accounts:password_reset") in html


def test_forwarded_for_is_ignored_unless_a_proxy_is_configured(client, dana, settings):
    # Without a trusted proxy, a made-up X-Forwarded-For cannot buy a fresh address per guess.
    for n in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": dana.email, "password": f"guess-{n}"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert _sign_in(client, dana.email, PASSWORD, ATTACKER).status_code == 429

    # Behind one proxy of ours, the address it appended is the client's.
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.post(
        reverse("accounts:login"),
        {"username": dana.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"192.0.2.77, {HOME}",
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).exists()
