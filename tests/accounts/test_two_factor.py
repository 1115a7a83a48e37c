import base64
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.two_factor import authenticator, recovery_codes_left, two_factor_required
from projects import services as project_services
from projects.roles import Role
from tests.conftest import authenticator_code
from tests.projects.factories import UserFactory

PASSWORD_OF_FACTORY = "a-Strong-pass-42"  # what UserFactory sets


def turn_on(user) -> list[str]:
    """Set up an authenticator for `user` as they would; returns their recovery codes."""
    device = services.two_factor_begin(user=user)
    return services.two_factor_enable(device=device, token=authenticator_code(device), by=user)


def sign_in_with_password(client, user):
    credentials = {"username": user.email, "password": PASSWORD_OF_FACTORY}
    client.post(reverse("accounts:login"), credentials)


def _codes_on_page(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)


# --- Who must use a second factor -----------------------------------------------------------


def test_staff_and_those_who_manage_projects_must_use_a_second_factor(
    staff, pm, outsider, team_member, spoc, stakeholder, tester, observer
):
    assert two_factor_required(staff)
    assert two_factor_required(pm)  # may create projects, and manages one
    assert two_factor_required(outsider)  # manages a project of their own
    for person in (team_member, spoc, stakeholder, tester, observer):
        assert not two_factor_required(person)


def test_a_project_manager_by_role_alone_must_use_a_second_factor(project, pm):
    person = UserFactory()
    project_services.membership_grant(
        project=project, user=person, role=Role.PROJECT_MANAGER, by=pm
    )
    assert two_factor_required(person)


def test_may_create_projects_alone_requires_a_second_factor(staff):
    person = project_services.user_save(user=UserFactory(), may_create_projects=True, by=staff)
    assert two_factor_required(person)
    project_services.user_save(user=person, may_create_projects=False, by=staff)
    assert not two_factor_required(person)


# --- Turning it on, codes, recovery codes ---------------------------------------------------


def test_a_wrong_first_code_leaves_two_factor_off(spoc):
    device = services.two_factor_begin(user=spoc)
    with pytest.raises(ValidationError, match="That code is not right"):
        services.two_factor_enable(device=device, token="000000", by=spoc)
    device.refresh_from_db()
    assert not device.confirmed
    assert authenticator(spoc) is None


def test_turning_it_on_gives_ten_recovery_codes(spoc):
    codes = turn_on(spoc)
    assert len(codes) == len(set(codes)) == 10
    assert authenticator(spoc).confirmed
    assert recovery_codes_left(spoc) == 10


def test_a_recovery_code_is_spent_once(spoc):
    codes = turn_on(spoc)
    device = services.two_factor_verify(user=spoc, token=codes[3].upper())
    assert isinstance(device, StaticDevice)
    assert recovery_codes_left(spoc) == 9
    # Wait out the throttle of any earlier failure; the code itself is gone.
    with pytest.raises(ValidationError, match="That code is not right"):
        services.two_factor_verify(user=spoc, token=codes[3])
    assert not StaticToken.objects.filter(token=codes[3]).exists()


def test_new_recovery_codes_replace_the_old_ones(spoc):
    old = turn_on(spoc)
    new = services.recovery_codes_renew(user=spoc, by=spoc)
    assert set(new).isdisjoint(old)
    assert recovery_codes_left(spoc) == 10
    with pytest.raises(ValidationError, match="That code is not right"):
        services.two_factor_verify(user=spoc, token=old[0])


def test_a_code_from_the_app_verifies_once(spoc):
    turn_on(spoc)
    device = authenticator(spoc)
    code = authenticator_code(device)
    assert services.two_factor_verify(user=spoc, token=code) == device
    _wait_out_throttle(device)
    with pytest.raises(ValidationError):
        services.two_factor_verify(user=spoc, token=code)


def test_after_a_wrong_code_even_the_right_one_waits(spoc):
    turn_on(spoc)
    device = authenticator(spoc)
    with pytest.raises(ValidationError, match="not right"):
        services.two_factor_verify(user=spoc, token="000000")
    # A flood of guesses is refused without being checked, the right code among them.
    for guess in ("111111", "222222", authenticator_code(device)):
        with pytest.raises(ValidationError, match="Too many wrong codes. Wait 1 seconds"):
            services.two_factor_verify(user=spoc, token=guess)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    _wait_out_throttle(device)
    assert services.two_factor_verify(user=spoc, token=authenticator_code(device)) == device


def test_the_wait_doubles_with_each_wrong_code(spoc):
    turn_on(spoc)
    device = authenticator(spoc)
    for _ in range(4):
        _wait_out_throttle(device)
        with pytest.raises(ValidationError, match="not right"):
            services.two_factor_verify(user=spoc, token="000000")
    with pytest.raises(ValidationError, match="Wait 8 seconds"):
        services.two_factor_verify(user=spoc, token=authenticator_code(device))


def _wait_out_throttle(device):
    """As if the person waited an hour since their last wrong code."""
    device.refresh_from_db()
    if device.throttling_failure_timestamp:
        device.throttling_failure_timestamp -= timedelta(hours=1)
        device.save()


# --- Turning it off, and the staff reset ---------------------------------------------------


def test_turning_it_off_needs_a_current_code(spoc):
    turn_on(spoc)
    with pytest.raises(ValidationError, match="not right"):
        services.two_factor_disable(user=spoc, token="000000", by=spoc)
    assert authenticator(spoc) is not None
    _wait_out_throttle(authenticator(spoc))
    services.two_factor_disable(user=spoc, token=authenticator_code(authenticator(spoc)), by=spoc)
    assert authenticator(spoc) is None
    assert not StaticDevice.objects.filter(user=spoc).exists()


def test_it_cannot_be_turned_off_where_it_is_required(pm):
    turn_on(pm)
    with pytest.raises(ValidationError, match="required for vendor staff and project managers"):
        services.two_factor_disable(user=pm, token=authenticator_code(authenticator(pm)), by=pm)
    assert authenticator(pm) is not None


def test_staff_reset_removes_the_second_factor(staff, pm):
    turn_on(pm)
    assert services.two_factor_reset(user=pm, by=staff) == 2  # the app and the recovery codes
    assert authenticator(pm) is None
    assert not StaticToken.objects.filter(device__user=pm).exists()


def test_only_staff_reset_a_second_factor(pm, spoc):
    turn_on(spoc)
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(user=spoc, by=pm)
    assert authenticator(spoc) is not None


# --- Pages: the code step after the password -----------------------------------------------


def test_password_then_code_for_someone_with_an_authenticator(client, project, pm):
    turn_on(pm)
    response = client.post(
        reverse("accounts:login") + "?next=/NWP-does-not-matter/",
        {"username": pm.email, "password": PASSWORD_OF_FACTORY, "next": "/accounts/profile/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two_factor_verify"))
    assert "Enter your code" in response.content.decode()
    # Every other page waits for the code.
    assert client.get(reverse("projects:list"))["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": authenticator_code(authenticator(pm)), "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"
    page = client.get(reverse("projects:list"))
    assert page.status_code == 200
    assert "Northwind rollout" in page.content.decode()


def test_a_wrong_code_says_so_and_signs_nothing_in(client, spoc):
    turn_on(spoc)
    sign_in_with_password(client, spoc)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "123456"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That code is not right" in html
    assert "Switch project" not in html and 'aria-label="Main"' not in html and "Sign out" in html
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": authenticator_code(authenticator(spoc))}
    )
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("projects:list")).status_code == 302


def test_signing_in_with_a_recovery_code_warns_and_spends_it(client, spoc):
    codes = turn_on(spoc)
    sign_in_with_password(client, spoc)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}, follow=True)
    html = response.content.decode()
    assert "You signed in with a recovery code" in html and "9 left" in html
    assert recovery_codes_left(spoc) == 9


def test_wrong_passwords_are_still_locked_out_by_axes(client, pm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": pm.email, "password": "wrong-one"})
    response = client.post(
        reverse("accounts:login"), {"username": pm.email, "password": PASSWORD_OF_FACTORY}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- Pages: who is sent to set it up -------------------------------------------------------


@pytest.mark.unverified
@pytest.mark.parametrize("who", ["pm", "staff", "outsider"])
def test_those_who_must_are_sent_to_set_it_up_from_every_page(client, persona, who):
    client.force_login(persona(who))
    for url in (reverse("projects:list"), reverse("accounts:profile"), "/p/NWP/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor") + "?next=")
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Vendor staff and project managers sign in with a code" in page
    # Nothing on the page leads where the person may not go yet, but signing out.
    assert "Switch project" not in page and 'aria-label="Main"' not in page
    assert "Sign out" in page
    # Signing out stays open (static files are served before any of this, by WhiteNoise).
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.unverified
def test_htmx_requests_are_sent_to_set_it_up_as_a_whole_page(client, pm):
    client.force_login(pm)
    response = client.get(reverse("projects:list"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:two_factor")


@pytest.mark.unverified
@pytest.mark.parametrize("who", ["team_member", "spoc", "stakeholder", "tester", "observer"])
def test_others_are_offered_it_on_their_profile(client, persona, who):
    client.force_login(persona(who))
    assert client.get(reverse("projects:list")).status_code == 200
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Set up two-factor sign-in" in html
    # Setting it up by choice is not signing in: the way around the app stays.
    assert 'aria-label="Main"' in client.get(reverse("accounts:two_factor")).content.decode()


@pytest.mark.unverified
def test_setting_it_up_shows_the_key_and_then_the_recovery_codes_once(client, pm):
    client.force_login(pm)
    page = client.get(reverse("accounts:two_factor") + "?next=/accounts/profile/")
    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S)[0]
    assert "style" not in svg  # the CSP forbids inline style
    key = re.search(r'<code id="two-factor-key">([A-Z2-7 ]+)</code>', html)[1]
    device = TOTPDevice.objects.get(user=pm, confirmed=False)
    assert base64.b32decode(key.replace(" ", "")) == device.bin_key
    # Reloading the page keeps the key already scanned.
    assert key in client.get(reverse("accounts:two_factor")).content.decode()
    response = client.post(
        reverse("accounts:two_factor"),
        {"code": authenticator_code(device), "next": "/accounts/profile/"},
    )
    html = response.content.decode()
    codes = _codes_on_page(html)
    assert len(codes) == 10
    assert "They are shown only now" in html
    assert 'href="/accounts/profile/"' in html
    assert response["Cache-Control"] == "no-store"
    assert client.get(reverse("projects:list")).status_code == 200
    settings_page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "You have 10 unused recovery codes" in settings_page
    assert not any(code in settings_page for code in codes)


@pytest.mark.unverified
def test_a_wrong_first_code_is_shown_next_to_the_field(client, spoc):
    client.force_login(spoc)
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert authenticator(spoc) is None


def test_new_recovery_codes_from_the_settings_page(client, spoc):
    old = turn_on(spoc)
    client.force_login(spoc)
    response = client.post(reverse("accounts:recovery_codes"))
    new = _codes_on_page(response.content.decode())
    assert len(new) == 10 and set(new).isdisjoint(old)
    stored = StaticToken.objects.filter(device__user=spoc).values_list("token", flat=True)
    assert set(stored) == set(new)


def test_a_project_manager_is_refused_turning_it_off(client, pm):
    turn_on(pm)
    client.force_login(pm)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "so it stays on for your account" in page
    response = client.post(
        reverse("accounts:two_factor_disable"), {"code": authenticator_code(authenticator(pm))}
    )
    assert response.status_code == 403
    assert "required for vendor staff and project managers" in response.content.decode()
    assert authenticator(pm) is not None


def test_a_client_turns_it_off_with_a_current_code(client, spoc):
    turn_on(spoc)
    client.force_login(spoc)
    response = client.post(reverse("accounts:two_factor_disable"), {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    _wait_out_throttle(authenticator(spoc))
    response = client.post(
        reverse("accounts:two_factor_disable"),
        {"code": authenticator_code(authenticator(spoc))},
        follow=True,
    )
    assert "Two-factor sign-in is off for your account" in response.content.decode()
    assert authenticator(spoc) is None


def test_staff_reset_a_lost_phone_from_the_account_page(client, staff, pm):
    turn_on(pm)
    client.force_login(staff)
    page = client.get(reverse("projects:user_edit", args=[pm.pk])).content.decode()
    assert "Reset two-factor sign-in" in page
    response = client.post(reverse("projects:user_two_factor_reset", args=[pm.pk]), follow=True)
    assert f"Two-factor sign-in was reset for {pm.email}" in response.content.decode()
    assert authenticator(pm) is None
    # Their next sign-in sends them to set up a new one.
    other = type(client)()
    sign_in_with_password(other, pm)
    assert other.get(reverse("projects:list"))["Location"].startswith(
        reverse("accounts:two_factor")
    )


def test_a_reset_ends_the_persons_sessions(client, staff, pm):
    turn_on(pm)
    client.force_login(pm)  # verified with pm's authenticator
    assert client.get(reverse("projects:list")).status_code == 200
    services.two_factor_reset(user=pm, by=staff)
    assert client.get(reverse("projects:list"))["Location"].startswith(reverse("accounts:login"))
    sign_in_with_password(client, pm)
    assert client.get(reverse("projects:list"))["Location"].startswith(
        reverse("accounts:two_factor")
    )


def test_a_project_manager_cannot_reset_a_second_factor(client, pm, spoc):
    turn_on(spoc)
    client.force_login(pm)
    response = client.post(reverse("projects:user_two_factor_reset", args=[spoc.pk]))
    assert response.status_code == 403
    assert authenticator(spoc) is not None


def test_verify_never_sends_a_person_off_site(client, pm):
    client.force_login(pm)
    response = client.get(reverse("accounts:two_factor_verify") + "?next=https://evil.example/")
    assert response["Location"] == reverse("projects:list")


# --- The audit log ----------------------------------------------------------------------------


def _events(user):
    from audit.models import AuditEvent

    return list(AuditEvent.objects.filter(actor=user).order_by("pk").values_list("kind", "subject"))


def test_each_change_to_a_second_factor_is_in_the_audit_log(staff, spoc):
    turn_on(spoc)
    services.recovery_codes_renew(user=spoc, by=spoc)
    services.two_factor_disable(user=spoc, token=authenticator_code(authenticator(spoc)), by=spoc)
    assert _events(spoc) == [
        ("account_changed", "Two-factor sign-in turned on"),
        ("account_changed", "New recovery codes"),
        ("account_changed", "Two-factor sign-in turned off"),
    ]
    turn_on(spoc)
    services.two_factor_reset(user=spoc, by=staff)
    assert _events(staff) == [
        ("account_changed", f"Second factor of {spoc.get_username()} reset"),
    ]


def test_a_refused_code_and_a_spent_recovery_code_are_in_the_audit_log(spoc):
    codes = turn_on(spoc)
    with pytest.raises(ValidationError):
        services.two_factor_verify(user=spoc, token="000000")
    services.two_factor_verify(user=spoc, token=codes[0])
    assert _events(spoc)[1:] == [
        ("sign_in_failed", "Second factor refused"),
        ("signed_in", "Signed in with a recovery code (9 left)"),
    ]
