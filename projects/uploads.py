"""Files people upload: checked by size, by name and by their first bytes, then stored under a
random name and only ever served back as a download by a view that checks access."""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MAX_SIZE = 10 * 1024 * 1024
MAX_FILES = 5

_ZIP = (b"PK\x03\x04",)
_TEXT = None  # no signature: plain text in any encoding, so no NUL bytes

# extension -> (content type we serve it with, accepted first bytes)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".txt": ("text/plain", _TEXT),
    ".csv": ("text/csv", _TEXT),
    ".eml": ("message/rfc822", _TEXT),
}


@dataclass(frozen=True)
class UploadedFile:
    name: str
    content: bytes
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    def as_django_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def clean_name(name: str) -> str:
    """The file's own name, made safe to show and to offer as a download name."""
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem, suffix = PurePath(name).stem.strip(" ."), PurePath(name).suffix.lower()
    return f"{stem[:100] or 'file'}{suffix[:10]}"


def check_upload(name: str, content: bytes) -> UploadedFile:
    """Accept a file or say, in words for the person who sent it, why not."""
    name = clean_name(name)
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        kinds = ", ".join(sorted(ALLOWED))
        raise ValidationError(
            _("%(name)s: this type of file is not accepted (accepted: %(kinds)s).")
            % {"name": name, "kinds": kinds}
        )
    if len(content) > MAX_SIZE:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": MAX_SIZE // 2**20}
        )
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    content_type, signatures = ALLOWED[suffix]
    ok = b"\x00" not in content if signatures is _TEXT else content.startswith(signatures)
    if not ok:
        raise ValidationError(
            _("%(name)s does not contain what its name says (%(suffix)s).")
            % {"name": name, "suffix": suffix}
        )
    return UploadedFile(name=name, content=content, content_type=content_type)


def check_uploads(files) -> list[UploadedFile]:
    """Django's uploaded files from a form field, all checked; raises with every problem."""
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
    accepted, problems = [], []
    for upload in files:
        if upload.size > MAX_SIZE:
            problems.append(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": clean_name(upload.name), "mb": MAX_SIZE // 2**20}
            )
            continue
        try:
            accepted.append(check_upload(upload.name, upload.read()))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems)
    return accepted
