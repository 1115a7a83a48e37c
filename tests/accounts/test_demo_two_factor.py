"""Someone trying the demo signs in as its project manager with the published demo key."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.two_factor import authenticator, two_factor_required
from projects import demo

pytestmark = pytest.mark.django_db


def test_demo_project_manager_signs_in_with_the_code_of_the_published_key(client, user_model):
    call_command("seed_demo", stdout=StringIO())
    pm = user_model.objects.get(email="pm@liaison.example")
    assert authenticator(pm).key == demo.demo_authenticator_key_hex()
    for person in user_model.objects.all():
        # Exactly those who must give a code have the demo key; the others sign in as before.
        assert (authenticator(person) is not None) == two_factor_required(person)

    client.post(
        reverse("accounts:login"),
        {"username": "pm@liaison.example", "password": demo.DEMO_PASSWORD},
    )
    out = StringIO()
    call_command("demo_code", stdout=out)
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": out.getvalue().strip()}, follow=True
    )
    assert "Northwind Global Learning Platform" in response.content.decode()
