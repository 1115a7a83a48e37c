import re

import pytest
from django.urls import reverse

from projects import services
from projects.roles import Role


def _link(mail, site_url="http://127.0.0.1:8000"):
    (url,) = re.findall(r"http\S+/accounts/password/set/\S+", mail.body)
    return url.removeprefix(site_url)


@pytest.fixture
def invited(project, pm, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.member_add(
            project=project, email="dana@northwind.example", role=Role.STAKEHOLDER, by=pm
        )
    return membership.user, _link(mailoutbox[-1])


def test_invited_person_sets_a_password_and_sees_the_project(client, invited):
    user, link = invited
    form_page = client.get(link, follow=True)
    assert "Choose your password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Blue-harbour-1987", "new_password2": "Blue-harbour-1987"},
        follow=True,
    )
    html = response.content.decode()
    assert "Your password is set" in html
    assert "Northwind rollout" in html
    user.refresh_from_db()
    assert user.check_password("Blue-harbour-1987")


def test_an_invitation_link_works_once(client, invited):
    user, link = invited
    target = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        target, {"new_password1": "Blue-harbour-1987", "new_password2": "Blue-harbour-1987"}
    )
    client.logout()
    assert "This link has expired" in client.get(link, follow=True).content.decode()


def test_a_weak_password_is_refused_with_a_reason(client, invited):
    user, link = invited
    target = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(target, {"new_password1": "password", "new_password2": "password"})
    assert "This password is too common" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_password_reset_sends_a_link_after_commit(
    client, tester, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": tester.email.upper()})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == [tester.email]
    assert "/accounts/password/set/" in mail.body


def test_password_reset_does_not_reveal_unknown_addresses(client, db, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"},
                           follow=True)  # fmt: skip
    assert "If an active account uses that address" in response.content.decode()
    assert mailoutbox == []


def test_sign_in_with_e_mail_address_in_any_case(client, tester):
    response = client.post(
        reverse("accounts:login"),
        {"username": tester.email.upper(), "password": "a-Strong-pass-42"},
        follow=True,
    )
    assert "My projects" in response.content.decode()


def test_times_are_shown_in_the_persons_time_zone(client, project, pm):
    client.force_login(pm)
    client.post(
        reverse("accounts:profile"),
        {"first_name": "Priya", "last_name": "Manager", "time_zone": "Asia/Kolkata"},
    )
    pm.refresh_from_db()
    assert pm.time_zone == "Asia/Kolkata"
    html = client.get(reverse("projects:history", args=[project.key])).content.decode()
    assert "Times shown in Asia/Kolkata" in html
    created = project.history.get().history_date.astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Kolkata")
    )
    assert created.strftime("%H:%M") in html
