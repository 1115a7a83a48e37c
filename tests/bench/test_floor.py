"""The benchmark's floor URL: served only under bench.settings, never by the app's URLconf."""

import pytest
from django.urls import NoReverseMatch, Resolver404, clear_url_caches, resolve, reverse

from tests.projects.factories import UserFactory

PAGE = b"<!doctype html><title>Portfolio</title><p>captured once</p>"


def test_the_app_urlconf_has_no_floor():
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor", args=["portfolio"])
    with pytest.raises(Resolver404):
        resolve("/__bench__/floor/portfolio/")


@pytest.fixture
def bench_urls(settings, tmp_path):
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH_FLOOR_DIR = tmp_path
    (tmp_path / "portfolio.html").write_bytes(PAGE)
    clear_url_caches()
    yield tmp_path
    clear_url_caches()


@pytest.mark.django_db
def test_floor_serves_the_captured_bytes_to_a_signed_in_person(
    bench_urls, client, django_assert_max_num_queries
):
    client.force_login(UserFactory())
    # The session, its user and whether they owe a second factor are read, as for every page of
    # a person who has none; nothing else.
    with django_assert_max_num_queries(3):
        response = client.get("/__bench__/floor/portfolio/")

    assert response.status_code == 200
    assert response.content == PAGE
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in response  # through the same middleware as pages


@pytest.mark.django_db
def test_floor_sends_a_visitor_to_sign_in_and_an_unknown_page_is_not_found(bench_urls, client):
    response = client.get("/__bench__/floor/portfolio/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    client.force_login(UserFactory())
    assert client.get("/__bench__/floor/nothing-here/").status_code == 404
