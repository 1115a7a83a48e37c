"""Reading an e-mail saved as an .eml file into a channel record."""

import datetime
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.uploads import UploadedFile, check_upload


@dataclass
class ParsedEmail:
    subject: str
    sender: str
    recipients: str
    sent: datetime.datetime | None
    text: str
    attachments: list[UploadedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # attachments not kept, and why


def parse_eml(content: bytes) -> ParsedEmail:
    try:
        message = BytesParser(policy=policy.default).parsebytes(content)
        subject = str(message.get("subject", "") or "")
        sender = str(message.get("from", "") or "")
        recipients = ", ".join(
            str(message.get(header)) for header in ("to", "cc") if message.get(header)
        )
    except (ValueError, TypeError, IndexError) as error:
        raise ValidationError(_("This file could not be read as an e-mail.")) from error
    if not (subject or sender):
        raise ValidationError(_("This file does not look like an e-mail: no subject, no sender."))
    try:
        sent = parsedate_to_datetime(str(message["date"])) if message["date"] else None
    except (TypeError, ValueError):
        sent = None
    if sent is not None and sent.tzinfo is None:
        sent = sent.replace(tzinfo=datetime.UTC)
    body = message.get_body(preferencelist=("plain", "html"))
    try:
        text = body.get_content() if body is not None else ""
    except (LookupError, UnicodeError):  # a charset Python does not know
        text = (body.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if body is not None and body.get_content_type() == "text/html":
        text = nh3.clean(text, tags=set())  # keep the words, drop every tag
    # Encoded headers and bodies can decode to NUL, which no database column should hold.
    subject, sender, recipients, text = (
        value.replace("\x00", "") for value in (subject, sender, recipients, text)
    )
    # Headers are one line each: an encoded CR/LF must not split a subject shown or re-sent.
    subject, sender, recipients = (" ".join(v.split()) for v in (subject, sender, recipients))
    parsed = ParsedEmail(subject[:300], sender[:500], recipients, sent, text.strip())
    for part in message.iter_attachments():
        name = part.get_filename() or "attachment"
        try:
            parsed.attachments.append(check_upload(name, part.get_payload(decode=True) or b""))
        except ValidationError as error:
            parsed.refused.extend(error.messages)
    return parsed
