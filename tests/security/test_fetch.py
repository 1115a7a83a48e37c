"""What the PDF renderer may fetch: the project's own static files, nothing else. The report
fetcher is the only place the app fetches a URL (the pages' Markdown keeps no images, and
nothing else opens a URL)."""

import pytest

from projects import reports
from projects.reports import RefusedURL, static_fetcher
from tests.pdf import pdf_text

REFUSED = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file://localhost/etc/passwd",
    "http://127.0.0.1/",
    "http://127.0.0.1:6379/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://10.0.0.1/static/css/report.css",
    "https://example.com/static/css/report.css",
    "https://liaison.invalid@127.0.0.1/static/css/report.css",
    "https://liaison.invalid:8443/static/css/report.css",
    "http://liaison.invalid/static/css/report.css",
    "ftp://liaison.invalid/static/css/report.css",
    "data:text/css,body{color:red}",
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    "javascript:alert(1)",
    "https://liaison.invalid/static/../../../etc/passwd",
    "https://liaison.invalid/static/%2e%2e/%2e%2e/etc/passwd",
    "https://liaison.invalid/static/css/../../../../etc/passwd",
    "https://liaison.invalid/static//etc/passwd",
    "https://liaison.invalid/static/%2fetc/passwd",
    "https://liaison.invalid/static/css/report.css%00.png",
    "https://liaison.invalid/media/reports/x.pdf",
    "https://liaison.invalid/static/no-such-file.css",
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_report_fetcher_refuses_all_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        static_fetcher(url)


def test_the_report_fetcher_still_serves_our_static_files():
    response = static_fetcher("https://liaison.invalid/static/css/report.css")

    assert response.content_type == "text/css" and b"{" in response.read()


def test_a_page_that_names_every_refused_url_renders_without_reading_any(tmp_path):
    """Every way HTML and CSS can ask for a resource, aimed at each refused URL: the PDF is
    drawn, and holds only the text of the page."""
    secret = tmp_path / "secret.css"
    secret.write_text('p::after { content: "LEAKED-SECRET"; }')
    urls = [*REFUSED, f"file://{secret}"]
    tags = "".join(
        f'<link rel="stylesheet" href="{url}"><img src="{url}">'
        f'<object data="{url}"></object><iframe src="{url}"></iframe>'
        f"<style>@import url('{url}'); @font-face {{ font-family: x; src: url('{url}'); }}"
        f" p {{ background: url('{url}'); }}</style>"
        for url in urls
    )
    html = f"<html><head>{tags}</head><body><p>Status report</p></body></html>"

    pdf, pages = reports.render_pdf(html)

    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = pdf_text(path)
    assert pages == 1 and "Status report" in text
    assert "LEAKED-SECRET" not in text and "root:" not in text
