"""Every kind of response carries the security headers: pages, errors, fragments and downloads."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from projects.models import Report, ReportState


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def assert_secure_headers(response) -> None:
    csp = _directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', 'unsafe-eval' nor a nonce
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_page_carries_the_security_headers(client, project, pm):
    client.force_login(pm)
    response = client.get(reverse("projects:home", args=[project.key]))
    assert response.status_code == 200
    assert project.name in response.content.decode()
    assert_secure_headers(response)


def test_the_login_page_carries_them_to_signed_out_visitors(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_secure_headers(response)


def test_a_not_found_page_carries_them(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:home", args=[project.key]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert_secure_headers(response)


def test_a_refused_page_carries_them(client, team_member):
    client.force_login(team_member)
    response = client.get(reverse("projects:client_list"))
    assert response.status_code == 403
    assert "You can't do this here" in response.content.decode()
    assert_secure_headers(response)


def test_an_htmx_fragment_carries_them(client, project, pm):
    client.force_login(pm)
    url = reverse("requirements:list", args=[project.key])
    response = client.get(url, {"q": "nothing"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the fragment, not the page
    assert_secure_headers(response)


def test_a_csv_export_carries_them(client, project, pm):
    client.force_login(pm)
    response = client.get(reverse("projects:raid_export", args=[project.key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert_secure_headers(response)


def test_a_stored_report_download_carries_them(client, project, pm):
    report = Report(project=project, audience="client", period_start=date(2026, 11, 1),
                    period_end=date(2026, 11, 14), state=ReportState.DONE, pages=1)  # fmt: skip
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    client.force_login(pm)
    response = client.get(reverse("projects:report_download", args=[project.key, report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert_secure_headers(response)


def test_hsts_is_sent_over_https_with_the_deployed_settings(client, settings):
    # Settings decide HSTS at import time from DEBUG; here the deployed values are set directly.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert_secure_headers(response)


@pytest.mark.urls("tests.security.urls")
def test_a_server_error_page_carries_them(client):
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "style=" not in html
    assert_secure_headers(response)


@pytest.mark.urls("tests.security.urls")
def test_with_the_database_unreachable_the_error_page_is_a_503_to_retry(client):
    client.raise_request_exception = False
    response = client.get("/database-down/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Connection refused" not in html
    assert_secure_headers(response)
