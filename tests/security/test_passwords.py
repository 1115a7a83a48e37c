import pytest
from django.urls import reverse

from tests.projects.factories import UserFactory

PASSWORD = "a-Strong-pass-42"


@pytest.fixture
def dana(db):
    return UserFactory(email="dana.lindqvist@northwind.example", first_name="Dana")


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [
        ("Short-1a", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("814907362519", "This password is entirely numeric."),
        ("dana.lindqvist", "The password is too similar to the"),
    ],
)
def test_changing_to_a_weak_password_is_refused_with_the_reason(client, dana, new_password, reason):
    client.force_login(dana)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    dana.refresh_from_db()
    assert dana.check_password(PASSWORD)


def test_a_long_uncommon_password_is_accepted(client, dana):
    client.force_login(dana)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Quiet-lantern-harbour",
            "new_password2": "Quiet-lantern-harbour",
        },
        follow=True,
    )
    assert "Your password was changed." in response.content.decode()
    dana.refresh_from_db()
    assert dana.check_password("Quiet-lantern-harbour")
