"""Hostile files through every upload point: each is refused with a message that names what is
wrong, or stored inert (under a random name, served only by a view that checks access, as a
download the browser may not sniff into a page)."""

import io
import re
import zipfile
from pathlib import PurePath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from projects.uploads import MAX_SIZE
from requirements.models import Feedback, ImportJob, Screenshot
from stakeholders.models import Attachment, Entry, Stakeholder
from tests.requirements.uat import image_bytes, open_round
from tests.security.hostile import assert_inert

PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


def _bomb_png() -> bytes:
    """A small file that decodes to 81 million pixels."""
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    return out.getvalue()


def _zip_bomb() -> bytes:
    """An .xlsx-looking zip that unpacks to 120 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _n in range(120):
                member.write(b"\0" * 2**20)
    return out.getvalue()


EML_HTML = (
    b"From: Attacker <a@evil.example>\r\nTo: pm@vendor.example\r\n"
    b"Subject: =?utf-8?q?Hello=0D=0ABcc=3A_victim=40example=2Ecom?=\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
    b"--B\r\nContent-Type: text/html\r\n\r\n<p>Hi<script>alert(1)</script>"
    b"<img src=x onerror=alert(1)></p>\r\n--B\r\nContent-Type: text/html\r\n"
    b'Content-Disposition: attachment; filename="invoice.html"\r\n\r\n'
    b"<script>alert(1)</script>\r\n--B--\r\n"
)

# name -> content: at least twenty kinds of hostile file, made here rather than kept on disk.
FILES = {
    "html-as-png": ("photo.png", b"<html><script>alert(1)</script></html>"),
    "gif-js-polyglot": ("anim.gif", b"GIF89a/*\x00\x00*/=1;alert(1);//" + b"\x00" * 20),
    "svg-with-script": (
        "chart.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'onload="alert(1)"><script>alert(1)</script></svg>',
    ),  # fmt: skip
    "double-extension-html": ("a.png.html", b"<script>alert(1)</script>"),
    "html": ("page.html", b"<script>alert(1)</script>"),
    "javascript": ("app.js", b"alert(1)"),
    "exe-as-pdf": ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100),
    "pdf-with-javascript": (
        "form.pdf",
        b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
    ),  # fmt: skip
    "html-in-txt": ("notes.txt", b"<html><body onload=alert(1)><script>alert(1)</script>"),
    "nul-in-txt": ("notes.txt", b"plain\x00text"),
    "decompression-bomb-png": ("bomb.png", None),
    "zip-bomb-xlsx": ("bomb.xlsx", None),
    "html-as-xlsx": ("sheet.xlsx", b"<html><script>alert(1)</script></html>"),
    "jpeg-with-trailing-html": ("shot.jpg", JPEG + b"<script>alert(1)</script>"),
    "long-name": ("n" * 296 + ".png", PNG),
    "nul-in-name": ("shot\x00.html.png", PNG),
    "dot-dot-slash-name": ("../../../etc/cron.d/shot.png", PNG),
    "windows-path-name": ("C:\\fakepath\\..\\..\\shot.png", PNG),
    "rtl-override-name": ("invoice\u202egnp.exe", b"MZ\x90\x00"),
    "trailing-dot-name": ("shot.png. ", PNG),
    "oversized": ("huge.pdf", b"%PDF-" + b"0" * MAX_SIZE),
    "empty": ("empty.pdf", b""),
    "eml-with-html": ("mail.eml", EML_HTML),
    "csv-with-formulas": ("people.csv", b'name,title\n=HYPERLINK("http://evil"),+cmd\n'),
}
_MADE = {"decompression-bomb-png": _bomb_png, "zip-bomb-xlsx": _zip_bomb}


def _file(kind: str) -> tuple[str, bytes]:
    name, content = FILES[kind]
    return name, content if content is not None else _MADE[kind]()


def _upload(kind: str) -> SimpleUploadedFile:
    name, content = _file(kind)
    return SimpleUploadedFile(name, content)


REFUSAL = re.compile(
    r"not accepted|does not contain what its name says|larger than|is empty|"
    r"not a readable image|too many pixels|PNG or JPEG|could not be read|unpacks to far more|"
    r"NUL bytes|Choose an? \.|must name the columns|no subject, no sender|Choose an \.eml"
)


def _refused(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200
    text = assert_inert(page)
    found = REFUSAL.search(text)
    assert found, text[-2000:]
    return found.group(0)


def _assert_served_inert(client, url: str, name: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]
    assert "/" not in name and "\\" not in name and "\x00" not in name and len(name) <= 110


def _assert_random_storage_name(stored_name: str, original: str) -> None:
    stem = PurePath(stored_name).stem
    assert re.fullmatch(r"[0-9a-f]{32}", stem), stored_name
    assert ".." not in stored_name and PurePath(original).stem[:20] not in stem


# Channel attachments


@pytest.mark.parametrize("kind", FILES)
def test_hostile_channel_attachment_is_refused_or_stored_inert(client, pm, project, kind):
    client.force_login(pm)
    url = reverse("stakeholders:post", args=[project.key])
    data = {"kind": "question", "subject": "See attached", "body": "x", "files": [_upload(kind)]}

    response = client.post(url, data)

    if response.status_code == 200:  # refused: the form again, with the reason
        _refused(response)
        assert list(response.context["form"].errors) == ["files"]  # beside the files field
        assert not Entry.objects.exists() and not Attachment.objects.exists()
        return
    assert response.status_code == 302
    item = Attachment.objects.get()
    _assert_random_storage_name(item.file.name, _file(kind)[0])
    served = reverse("stakeholders:attachment", args=[project.key, item.pk])
    _assert_served_inert(client, served, item.name)
    page = client.get(item.entry.get_absolute_url()).content.decode()
    assert item.name in assert_inert(page) and f'href="{served}"' in page


# Feedback screenshots


@pytest.mark.parametrize("kind", FILES)
def test_hostile_screenshot_is_refused_or_stored_as_a_plain_image(client, project, tester, kind):
    test_round = open_round(project, [tester])
    client.force_login(tester)
    url = reverse("requirements:feedback_new", args=[project.key, test_round.pk])
    data = {"title": "Video stops", "kind": "defect", "severity": "major", "steps": "Open it",
            "screenshots": [_upload(kind)]}  # fmt: skip

    response = client.post(url, data)

    if response.status_code == 200:
        _refused(response)
        # Beside the screenshots field, where the file was chosen, not above the form.
        assert list(response.context["form"].errors) == ["screenshots"]
        assert not Feedback.objects.exists()
        return
    assert response.status_code == 302
    shot = Screenshot.objects.get()
    _assert_random_storage_name(shot.file.name, _file(kind)[0])
    stored = shot.file.read()
    assert stored[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0") and b"<script" not in stored
    served = reverse("requirements:screenshot", args=[project.key, shot.pk])
    _assert_served_inert(client, served, shot.name)


# Imports: requirements (CSV or Excel), stakeholders (CSV), e-mail records (.eml)


@pytest.mark.parametrize("kind", FILES)
def test_hostile_requirement_import_is_refused_or_previewed_as_text(client, pm, project, kind):
    client.force_login(pm)
    url = reverse("requirements:import", args=[project.key])

    response = client.post(url, {"file": _upload(kind)})

    assert response.status_code == 200
    text = assert_inert(response.content.decode())
    if kind == "csv-with-formulas":  # a preview, shown as text; saved only when confirmed
        assert "+cmd" in text and "1 row is ready" in text
        assert not project.requirements.exists()
    else:
        assert REFUSAL.search(text), text[-1500:]
        assert not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", FILES)
def test_hostile_stakeholder_import_is_refused_or_previewed_as_text(client, pm, project, kind):
    client.force_login(pm)
    url = reverse("stakeholders:import", args=[project.key])

    response = client.post(url, {"file": _upload(kind)})

    assert response.status_code == 200
    text = assert_inert(response.content.decode())
    if kind == "csv-with-formulas":  # read as text, then refused for its missing columns
        assert "must name the columns" in text
    else:
        assert REFUSAL.search(text), text[-1500:]
    assert not Stakeholder.objects.exists()


@pytest.mark.parametrize("kind", FILES)
def test_hostile_email_record_is_refused_or_kept_inert(client, pm, project, kind):
    client.force_login(pm)
    url = reverse("stakeholders:email", args=[project.key])

    response = client.post(url, {"file": _upload(kind)}, follow=True)

    if not Entry.objects.exists():
        _refused(response)
        return
    entry = Entry.objects.get()
    text = assert_inert(response.content.decode())
    assert "\n" not in entry.subject and "\r" not in entry.subject
    assert "<script" not in entry.body and "alert(1)" not in entry.body_html
    assert [a.name for a in entry.attachments.all()] == ["mail.eml"]
    assert "Attachment not kept: invoice.html: this type of file is not accepted" in text
    for item in entry.attachments.all():
        _assert_random_storage_name(item.file.name, item.name)
        served = reverse("stakeholders:attachment", args=[project.key, item.pk])
        _assert_served_inert(client, served, item.name)
