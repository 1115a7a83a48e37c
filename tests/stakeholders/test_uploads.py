"""Files attached to channel entries and e-mails recorded from .eml files: what is accepted,
what is refused and said why, how a file is stored, and how it is served back."""

import datetime
import struct
import zlib
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.uploads import check_upload, clean_name
from stakeholders import services
from stakeholders.models import Attachment, Entry, EntryKind
from tests.projects.factories import ProjectFactory
from tests.security.hostile import assert_inert


def _png() -> bytes:
    """A real 1×1 greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TXT = "Agenda für den Kick-off: Umfang, Standorte, Zuständige.\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
ACCEPTED = ".csv, .docx, .eml, .gif, .jpeg, .jpg, .pdf, .png, .pptx, .txt, .xlsx"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _post_entry(client, project, files, subject="Kick-off material"):
    url = reverse("stakeholders:post", args=[project.key])
    data = {
        "kind": EntryKind.MEETING_NOTE,
        "subject": subject,
        "body": "See the files.",
        "files": files,
    }
    return client.post(url, data, follow=True)


class _FieldErrors(HTMLParser):
    """The messages Django shows next to one field: its `<ul class="errorlist" id="…_error">`."""

    def __init__(self, error_id: str):
        super().__init__(convert_charrefs=True)
        self.error_id = error_id
        self.depth = 0  # >0 while inside the field's error list
        self.messages: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "ul"
            if tag == "li":
                self.messages.append("")
        elif tag == "ul" and dict(attrs).get("id") == self.error_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag == "ul":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.messages:
            self.messages[-1] += data


def field_errors(html: str, field: str) -> list[str]:
    parser = _FieldErrors(f"id_{field}_error")
    parser.feed(html)
    return [message.strip() for message in parser.messages]


def _download(client, project, attachment):
    response = client.get(reverse("stakeholders:attachment", args=[project.key, attachment.pk]))
    # Reading the stream to its end closes the response (and its file) the way a server does;
    # closing it again would end the test's database connection on PostgreSQL.
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, content


def _attachment_elsewhere():
    """An attachment on another project, posted the way the app posts one."""
    other = ProjectFactory(key="OTH", name="Other rollout")
    entry = services.entry_post(
        project=other,
        author=other.memberships.get().user,
        kind=EntryKind.MEETING_NOTE,
        subject="Their notes",
        files=[check_upload("theirs.pdf", PDF)],
    )
    return entry.attachments.get()


# Accepted


def test_png_pdf_and_text_attachments_are_stored_with_the_entry(client, pm, project):
    client.force_login(pm)
    files = [_upload("diagram.png", PNG), _upload("offer.pdf", PDF), _upload("agenda.txt", TXT)]

    response = _post_entry(client, project, files)

    assert response.status_code == 200
    assert "Posted." in response.content.decode()
    entry = Entry.objects.get(project=project)
    stored = [(a.name, a.size, a.content_type) for a in entry.attachments.all()]
    assert stored == [
        ("diagram.png", len(PNG), "image/png"),
        ("offer.pdf", len(PDF), "application/pdf"),
        ("agenda.txt", len(TXT), "text/plain"),
    ]
    for attachment, content in zip(entry.attachments.all(), (PNG, PDF, TXT), strict=True):
        with attachment.file.open("rb") as stored_file:
            assert stored_file.read() == content
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "diagram.png" in page and "offer.pdf" in page and "agenda.txt" in page


# Refused


REFUSALS = [
    pytest.param(
        [("photo.png", HTML)],
        ["photo.png does not contain what its name says (.png)."],
        id="html-as-png",
    ),
    pytest.param(
        [("page.html", HTML)],
        [f"page.html: this type of file is not accepted (accepted: {ACCEPTED})."],
        id="html",
    ),
    pytest.param(
        [("logo.svg", SVG)],
        [f"logo.svg: this type of file is not accepted (accepted: {ACCEPTED})."],
        id="svg-with-script",
    ),
    pytest.param(
        [("a.png.html", HTML)],
        [f"a.png.html: this type of file is not accepted (accepted: {ACCEPTED})."],
        id="double-extension",
    ),
    pytest.param(
        [("setup.exe", EXE)],
        [f"setup.exe: this type of file is not accepted (accepted: {ACCEPTED})."],
        id="exe",
    ),
    pytest.param(
        [("big.pdf", PDF + b"0" * (10 * 1024 * 1024))],
        ["big.pdf is larger than 10 MB."],
        id="over-10-mb",
    ),
    pytest.param(
        [(f"notes-{n}.txt", TXT) for n in range(6)], ["Attach at most 5 files."], id="six-files"
    ),
    pytest.param([("empty.txt", b"")], ["The submitted file is empty."], id="empty"),
    pytest.param(
        [("diagram.png", PNG), ("setup.exe", EXE)],
        [f"setup.exe: this type of file is not accepted (accepted: {ACCEPTED})."],
        id="one-good-one-bad",
    ),
]


@pytest.mark.parametrize(("files", "messages"), REFUSALS)
def test_refused_attachment_says_why_and_saves_nothing(client, pm, project, files, messages):
    client.force_login(pm)

    response = _post_entry(client, project, [_upload(name, content) for name, content in files])

    assert response.status_code == 200
    assert response.redirect_chain == []  # the form again, not the channel
    assert field_errors(response.content.decode(), "files") == messages
    assert response.context["form"]["subject"].value() == "Kick-off material"  # nothing retyped
    assert not Entry.objects.exists()
    assert not Attachment.objects.exists()


# Served back


def test_attachment_is_served_as_a_download_with_its_exact_bytes(client, pm, project):
    client.force_login(pm)
    _post_entry(client, project, [_upload("diagram.png", PNG)])
    attachment = Attachment.objects.get()

    response, content = _download(client, project, attachment)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="diagram.png"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content == PNG


def test_text_that_looks_like_a_page_is_still_only_a_download(client, pm, project):
    client.force_login(pm)
    _post_entry(client, project, [_upload("notes.txt", HTML)])  # plain text: accepted

    response, content = _download(client, project, Attachment.objects.get())

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content == HTML


def test_a_stakeholder_reads_attachments(client, pm, stakeholder, project):
    client.force_login(pm)
    _post_entry(client, project, [_upload("offer.pdf", PDF)])
    client.force_login(stakeholder)

    response, content = _download(client, project, Attachment.objects.get())

    assert response.status_code == 200
    assert content == PDF


def test_member_of_another_project_gets_not_found(client, pm, outsider, project):
    client.force_login(pm)
    _post_entry(client, project, [_upload("offer.pdf", PDF)])
    client.force_login(outsider)

    response, content = _download(client, project, Attachment.objects.get())

    assert response.status_code == 404
    assert content == b""


def test_tester_may_not_read_the_channel_so_gets_forbidden(client, pm, tester, project):
    client.force_login(pm)
    _post_entry(client, project, [_upload("offer.pdf", PDF)])
    client.force_login(tester)

    response, _content = _download(client, project, Attachment.objects.get())

    assert response.status_code == 403
    assert "does not allow you to read the channel" in response.content.decode()


def test_attachment_of_another_project_under_this_key_is_not_found(client, pm, project):
    theirs = _attachment_elsewhere()
    client.force_login(pm)

    response, content = _download(client, project, theirs)

    assert response.status_code == 404
    assert content == b""


def test_anonymous_visitor_is_sent_to_sign_in(client, pm, project):
    client.force_login(pm)
    _post_entry(client, project, [_upload("offer.pdf", PDF)])
    client.logout()

    response, content = _download(client, project, Attachment.objects.get())

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert content == b""


# Hostile file names


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A form post built by hand: the test client would reduce every file name to its base
    name before sending it, and these tests are about the names a browser can send."""
    boundary = "liaison-hostile-names"
    parts = []
    for name, value in fields.items():
        head = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{value}\r\n".encode())
    for filename, content in files:
        head = f'Content-Disposition: form-data; name="files"; filename="{filename}"'
        parts.append(
            f"--{boundary}\r\n{head}\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


HOSTILE_NAMES = [
    pytest.param("../../../../etc/passwd.pdf", "passwd.pdf", ("etc", "passwd", ".."), id="dot-dot"),
    pytest.param("..\\..\\windows\\win.pdf", "win.pdf", ("windows", "win", ".."), id="backslash"),
    pytest.param("budget\x00.exe.pdf", "budget.exe.pdf", ("budget", "\x00"), id="nul"),
    pytest.param(
        "report-" * 42 + "xx.pdf", "report-" * 14 + "re.pdf", ("report",), id="300-characters"
    ),
    pytest.param("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf", ("invoice", "\u202e"), id="rtl"),
]


@pytest.mark.parametrize(("sent", "shown", "fragments"), HOSTILE_NAMES)
def test_hostile_file_name_is_stored_under_a_random_name_and_shown_cleaned(
    client, pm, project, sent, shown, fragments
):
    client.force_login(pm)
    fields = {"kind": EntryKind.MEETING_NOTE, "subject": "Offer", "body": ""}
    body, content_type = _multipart(fields, [(sent, PDF)])

    response = client.post(
        reverse("stakeholders:post", args=[project.key]), body, content_type=content_type
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == shown
    assert attachment.file.name.startswith(f"attachments/{project.pk}/")
    assert attachment.file.name.endswith(".pdf")
    for fragment in fragments:
        assert fragment not in attachment.file.name
    page = client.get(attachment.entry.get_absolute_url()).content.decode()
    assert f">{shown}</a>" in page
    assert "\u202e" not in page and "\x00" not in page
    assert_inert(page)
    download, content = _download(client, project, attachment)
    assert download["Content-Disposition"] == f'attachment; filename="{shown}"'
    assert content == PDF


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\offer.PDF", "offer.pdf"),
        ("budget\x00.pdf", "budget.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
        ("....pdf", "file.pdf"),
        ("", "file"),
    ],
)
def test_clean_name_keeps_only_a_safe_base_name(raw, cleaned):
    assert clean_name(raw) == cleaned


# E-mails recorded from .eml files


def _email() -> bytes:
    message = EmailMessage()
    message["From"] = "Jörg Müller <joerg.mueller@northwind.example>"
    message["To"] = "Priya Manager <priya@vendor.example>"
    message["Cc"] = "Zoë Ångström <zoe@northwind.example>"
    message["Date"] = "Tue, 03 Mar 2026 09:15:00 +0100"
    message["Subject"] = "Freigabe: Budget für Schulungsinhalte – Größe Ⅲ"
    message.set_content("Hallo Priya,\n\nwir geben das Budget für die Inhalte frei.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="Angebot.pdf")
    message.add_attachment(
        EXE, maintype="application", subtype="octet-stream", filename="setup.exe"
    )
    return message.as_bytes()


def _post_email(client, project, name: str, content: bytes):
    url = reverse("stakeholders:email", args=[project.key])
    return client.post(url, {"file": _upload(name, content)}, follow=True)


def test_eml_becomes_an_email_record_with_its_pdf_and_without_its_exe(client, pm, project):
    client.force_login(pm)
    original = _email()

    response = _post_email(client, project, "Freigabe.eml", original)

    assert response.status_code == 200
    entry = Entry.objects.get(project=project)
    assert entry.kind == EntryKind.EMAIL
    assert entry.subject == "Freigabe: Budget für Schulungsinhalte – Größe Ⅲ"
    assert entry.email_from == "Jörg Müller <joerg.mueller@northwind.example>"
    assert entry.email_to == (
        "Priya Manager <priya@vendor.example>, Zoë Ångström <zoe@northwind.example>"
    )
    assert entry.email_date == datetime.datetime(2026, 3, 3, 8, 15, tzinfo=datetime.UTC)
    assert entry.body == "Hallo Priya,\n\nwir geben das Budget für die Inhalte frei."
    kept = [(a.name, a.content_type) for a in entry.attachments.all()]
    assert kept == [("Freigabe.eml", "message/rfc822"), ("Angebot.pdf", "application/pdf")]
    eml, pdf = entry.attachments.all()
    assert _download(client, project, eml)[1] == original
    assert _download(client, project, pdf)[1] == PDF
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == entry.get_absolute_url()
    assert "E-mail recorded." in page
    assert (
        "Attachment not kept: setup.exe: this type of file is not accepted "
        f"(accepted: {ACCEPTED})." in page
    )
    assert "Jörg Müller &lt;joerg.mueller@northwind.example&gt;" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "mail.eml",
            b"Dear all,\nthis is not an e-mail, only words.\n",
            "This file does not look like an e-mail: no subject, no sender.",
            id="garbage",
        ),
        pytest.param(
            "mail.eml",
            bytes(range(256)),
            "mail.eml does not contain what its name says (.eml).",
            id="binary",
        ),
        pytest.param("mail.pdf", PDF, "Choose an .eml file.", id="not-an-eml"),
        pytest.param(
            "mail.exe",
            EXE,
            f"mail.exe: this type of file is not accepted (accepted: {ACCEPTED}).",
            id="exe",
        ),
    ],
)
def test_file_that_is_not_an_email_gives_a_form_error_and_no_entry(
    client, pm, project, name, content, message
):
    client.force_login(pm)

    response = _post_email(client, project, name, content)

    assert response.status_code == 200
    assert response.redirect_chain == []
    assert field_errors(response.content.decode(), "file") == [message]
    assert not Entry.objects.exists()
    assert not Attachment.objects.exists()


def test_eml_with_an_unknown_charset_gives_a_form_error_not_a_server_error(client, pm, project):
    client.force_login(pm)
    client.raise_request_exception = False
    content = (
        b"From: joerg@northwind.example\r\nSubject: Budget\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nHallo\r\n"
    )

    response = _post_email(client, project, "budget.eml", content)

    assert response.status_code == 200
    if Entry.objects.exists():  # recorded, its words read as well as they can be
        assert Entry.objects.get().body == "Hallo"
    else:
        assert field_errors(response.content.decode(), "file") != []


def test_eml_whose_headers_decode_to_a_nul_byte_never_stores_it(client, pm, project):
    client.force_login(pm)
    content = (
        b"From: joerg@northwind.example\r\nSubject: =?utf-8?b?QnVkZ2V0AGFwcHJvdmVk?=\r\n"
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nSGFsbG8AV2VsdA==\r\n"
    )

    _post_email(client, project, "budget.eml", content)

    for entry in Entry.objects.all():
        assert "\x00" not in entry.subject + entry.body + entry.email_from + entry.email_to


def test_email_record_page_is_inert_with_hostile_headers(client, pm, project):
    client.force_login(pm)
    message = EmailMessage()
    message["From"] = '"<img src=x onerror=alert(1)>" <joerg@northwind.example>'
    message["To"] = '"<script>alert(1)</script>" <priya@vendor.example>'
    message["Subject"] = '"><svg onload=alert(1)>'
    message.set_content("<b>hi</b> [x](javascript:alert(1))", subtype="html")

    response = _post_email(client, project, "hostile.eml", message.as_bytes())

    page = response.content.decode()
    assert_inert(page)
    entry = Entry.objects.get()
    assert entry.subject == '"><svg onload=alert(1)>'
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
