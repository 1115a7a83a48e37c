"""Files people upload: checked by size, by name and by their first bytes, then stored under a
random name and only ever served back as a download by a view that checks access."""

import io
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
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


def _check_all(files, check, field: str) -> list[UploadedFile]:
    """The files of the form field `field`, each checked; raises with every problem, beside
    that field (files are checked after the form's own checks, in the action)."""
    if len(files) > MAX_FILES:
        raise ValidationError({field: _("Attach at most %(n)d files.") % {"n": MAX_FILES}})
    accepted, problems = [], []
    for upload in files:
        try:
            accepted.append(check(upload))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({field: problems})
    return accepted


def check_uploads(files, *, field: str) -> list[UploadedFile]:
    """Django's uploaded files from the form field `field`, all checked (see `_check_all`)."""
    # Read one byte past the limit only: an oversized file is refused unread.
    return _check_all(
        files, lambda upload: check_upload(upload.name, upload.read(MAX_SIZE + 1)), field
    )


# Screenshots: images only, smaller, and re-encoded so that what is stored is a plain picture
# (no metadata, no trailing payload, no second format hidden behind the first bytes).
IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
IMAGE_MAX_SIZE = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000


def check_image(name: str, content: bytes) -> UploadedFile:
    """Accept a PNG or JPEG screenshot, re-encoded, or say why not."""
    from PIL import Image, UnidentifiedImageError

    name = clean_name(name)
    suffix = PurePath(name).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValidationError(_("%(name)s: a screenshot is a PNG or JPEG image.") % {"name": name})
    if len(content) > IMAGE_MAX_SIZE:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": IMAGE_MAX_SIZE // 2**20}
        )
    checked = check_upload(name, content)  # the name's type, its first bytes, not empty
    unreadable = ValidationError(_("%(name)s is not a readable image.") % {"name": name})
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format != IMAGE_SUFFIXES[suffix]:
                raise unreadable
            if probe.width * probe.height > IMAGE_MAX_PIXELS:
                raise ValidationError(_("%(name)s has too many pixels.") % {"name": name})
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            out = io.BytesIO()
            if image.format == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=90)
            else:
                image.save(out, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise unreadable from error
    return UploadedFile(
        name=checked.name, content=out.getvalue(), content_type=checked.content_type
    )


def check_images(files, *, field: str) -> list[UploadedFile]:
    """Screenshots from the form field `field`, all checked (see `_check_all`)."""
    return _check_all(
        files, lambda upload: check_image(upload.name, upload.read(IMAGE_MAX_SIZE + 1)), field
    )


def storage_name(folder: str, project_id: int, filename: str) -> str:
    """A random name to store an upload under: the file's own name is kept beside it, never
    trusted on disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{project_id}/{secrets.token_hex(16)}{suffix}"


class StoredUpload(models.Model):
    """What every stored upload keeps beside its file (declared by each kind, with its own
    storage folder); served only through a view that checks who asks, as a download."""

    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return self.name
