"""A project archive: one zip that holds a whole project, to move it to another instance.

The zip holds `manifest.json` (format version, when, which Liaison), `data.json` (the people
referred to, by e-mail, and every row of the project, grouped by model, with its history rows)
and the stored files under `files/`. Each app registers the models it owns in
`AppConfig.ready`, so that `projects` archives the others' data without importing them, e.g.

    register_archive_part(Stakeholder)                      # the rows whose `project` is it
    register_archive_part(Attachment, lambda p: Attachment.objects.filter(entry__project=p))

Rows keep their primary key in the archive only to tie relations together: the import gives
every row a new one and follows the relations. People are named by e-mail; the import creates
those it lacks, inactive and without a usable password. History rows are restored as they were,
so the import itself writes no history.
"""

import datetime
import io
import json
import posixpath
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT_VERSION = 1
LIAISON_VERSION = "0.1.0"
MANIFEST = "manifest.json"
DATA = "data.json"
FILES = "files/"

# At most this many members; what they unpack to is capped by settings.ARCHIVE_MAX_BYTES.
MAX_MEMBERS = 20_000


class ArchiveError(ValidationError):
    """The archive is refused whole; the message says why, for the person importing it."""


@dataclass(frozen=True)
class ArchivePart:
    model: type[models.Model]
    rows: Callable  # rows(project) -> the project's rows of `model`
    # Fields the import works out again instead of trusting the archive (stored HTML).
    derived: dict[str, Callable] = field(default_factory=dict)
    # An existing row to reuse instead of a new one (a client the target already has).
    match: Callable | None = None


_parts: dict[str, ArchivePart] = {}


def register_archive_part(model, rows=None, *, derived=None, match=None) -> None:
    """Archive `model`: the rows `rows(project)` returns, by default those whose `project` it
    is, and their history rows."""
    if rows is None:
        rows = lambda project: model._default_manager.filter(project=project)  # noqa: E731
    _parts[model._meta.label] = ArchivePart(model, rows, derived or {}, match)


def _history_models(model) -> list:
    """The history model of `model` and the history of its many-to-many fields, if any."""
    manager = getattr(model, "history", None)
    if manager is None or not hasattr(manager, "model"):
        return []
    historical = manager.model
    m2m = [
        other
        for other in apps.get_models()
        if any(
            f.name == "history" and f.is_relation and f.related_model is historical
            for f in other._meta.concrete_fields
        )
    ]
    return [historical, *m2m]


def _links() -> dict:
    """The link table of each many-to-many field of an archived model: (model, field)."""
    return {
        f.remote_field.through: (part.model, f)
        for part in _parts.values()
        for f in part.model._meta.many_to_many
        if f.remote_field.through._meta.auto_created
    }


def _model_order() -> list:
    """Every archived model, its link tables and its history models, each after the models it
    points to."""
    links = _links()
    wanted = []
    for part in _parts.values():
        wanted += [part.model, *_history_models(part.model)]
    wanted += list(links)
    done: list = []

    def visit(model, path=()):
        if model in done or model in path:
            return
        targets = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
        # A history row names its row by id, not by a relation: the row comes first all the same.
        targets.append(getattr(model, "instance_type", None))
        for target in targets:
            if target in wanted and target is not model:
                visit(target, (*path, model))
        done.append(model)

    for model in wanted:
        visit(model)
    return done


def _origin(historical):
    """The archived model or link table whose history `historical` keeps, if it is one."""
    origin = getattr(historical, "instance_type", None)
    if origin is not None and (origin._meta.label in _parts or origin in _links()):
        return origin
    return None


def _is_m2m_history(model) -> bool:
    return any(
        f.name == "history" and f.is_relation for f in model._meta.concrete_fields
    ) and hasattr(model, "m2m_history_id")


# Export


def export_project(project, out) -> None:
    """Write the archive of `project` to the binary file `out`."""
    User = get_user_model()
    rows: dict[str, list] = {}
    pks: dict = {}
    links = _links()
    for model in _model_order():
        label = model._meta.label
        if label in _parts:
            queryset = _parts[label].rows(project)
        elif model in links:
            source, f = links[model]
            queryset = model._default_manager.filter(
                **{f"{f.m2m_field_name()}__in": pks.get(source, ())}
            )
        elif _is_m2m_history(model):  # by the history rows it belongs to
            history = model._meta.get_field("history").related_model
            queryset = model._default_manager.filter(history__in=pks.get(history, ()))
        elif origin := _origin(model):
            belongs = models.Q(id__in=pks.get(origin, ()))
            if any(f.name == "project" for f in model._meta.concrete_fields):
                # The history of rows since removed from the project is part of it too.
                belongs |= models.Q(project_id=project.pk)
            queryset = model._default_manager.filter(belongs)
        else:
            raise LookupError(f"{label} is not part of a project archive")
        rows[label] = list(queryset.order_by("pk"))
        pks[model] = [row.pk for row in rows[label]]

    user_ids = set()
    for objects in rows.values():
        for f in _user_fields(objects[0].__class__ if objects else None):
            user_ids |= {getattr(o, f.attname) for o in objects} - {None}
    people = User.objects.filter(pk__in=user_ids).order_by("pk")
    email_of = {u.pk: u.email for u in people}

    files: dict[str, bytes] = {}
    data = {
        "people": [
            {"email": u.email, "first_name": u.first_name, "last_name": u.last_name} for u in people
        ],
        "models": {},
    }
    for label, objects in rows.items():
        data["models"][label] = [_serialise(o, label, email_of, files) for o in objects]

    manifest = {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "liaison_version": LIAISON_VERSION,
        "project": project.key,
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        archive.writestr(DATA, json.dumps(data, indent=1, ensure_ascii=False))
        for name, content in sorted(files.items()):
            archive.writestr(FILES + name, content)


def _user_fields(model) -> list:
    if model is None:
        return []
    User = get_user_model()
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is User]


def _serialise(obj, label: str, email_of: dict, files: dict) -> dict:
    User = get_user_model()
    derived = _parts[label].derived if label in _parts else {}
    fields = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in derived:
            continue
        if f.is_relation:
            value = getattr(obj, f.attname)
            fields[f.name] = email_of.get(value) if f.related_model is User else value
        elif isinstance(f, models.FileField):
            name = getattr(obj, f.attname).name or ""
            if name:
                with getattr(obj, f.attname).open("rb") as stored:
                    files[name] = stored.read()
            fields[f.name] = name
        else:
            value = f.value_from_object(obj)
            # Numbers and text as they are; dates, times and amounts as their full text.
            plain = value is None or isinstance(value, (str, int, float, bool))
            fields[f.name] = value if plain else f.value_to_string(obj)
    return {"pk": obj.pk, "fields": fields}


def export_to_bytes(project) -> bytes:
    buffer = io.BytesIO()
    export_project(project, buffer)
    return buffer.getvalue()


# Import


@dataclass
class Archive:
    manifest: dict
    data: dict
    files: dict[str, bytes]


def read_archive(source) -> Archive:
    """Open the zip `source` (a path or a binary file) and check its shape before anything is
    written; refuse it with an `ArchiveError` that says what is wrong."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(_("This file is not a zip archive.")) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ArchiveError(_("The archive holds too many files."))
        for member in members:
            name = member.filename
            parts = name.split("/")
            if name.startswith("/") or "\\" in name or ".." in parts or ":" in parts[0]:
                raise ArchiveError(
                    _("The archive holds a file named “%(name)s” outside its own folder.")
                    % {"name": name}
                )
        budget = settings.ARCHIVE_MAX_BYTES
        contents = {}
        for member in members:
            if member.is_dir():
                continue
            # Read no more than the budget allows, whatever sizes the zip declares.
            try:
                with archive.open(member) as stream:
                    content = stream.read(budget + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
                raise ArchiveError(
                    _("The archive is damaged: %(name)s cannot be read.")
                    % {"name": member.filename}
                ) from error
            budget -= len(content)
            if budget < 0:
                raise ArchiveError(_("The archive unpacks to more than this instance accepts."))
            contents[member.filename] = content
    if MANIFEST not in contents or DATA not in contents:
        raise ArchiveError(_("This is not a Liaison project archive: it has no manifest or data."))
    try:
        manifest = json.loads(contents[MANIFEST])
        data = json.loads(contents[DATA])
    except (ValueError, UnicodeDecodeError) as error:
        raise ArchiveError(_("The archive's data is not valid JSON.")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise ArchiveError(
            _("This archive is in format %(found)s; this instance reads format %(wanted)s.")
            % {"found": manifest.get("format") if isinstance(manifest, dict) else "?",
               "wanted": FORMAT_VERSION}
        )  # fmt: skip
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ArchiveError(_("The archive's data is not a Liaison project."))
    files = {name[len(FILES) :]: body for name, body in contents.items() if name.startswith(FILES)}
    return Archive(manifest, data, files)


def import_project(source, *, by=None):
    """Create the project held in the archive `source`, with new keys for every row, in one
    transaction; return it. A broken archive is refused whole and leaves nothing behind."""
    archive = read_archive(source)
    saved: list = []
    try:
        with transaction.atomic():
            project = _load(archive, saved)
    except BaseException as error:
        _remove(saved)  # the rows went with the transaction; the files go here
        if isinstance(error, ArchiveError) or not isinstance(error, _MALFORMED):
            raise
        raise ArchiveError(
            _("The archive's data does not fit this instance: %(error)s") % {"error": error}
        ) from error
    return project


# What data that is not the shape of a project archive raises on its way in.
_MALFORMED = (
    ValidationError, ValueError, TypeError, KeyError, LookupError, AttributeError, IntegrityError,
)  # fmt: skip


def _remove(saved: list) -> None:
    for storage, name in saved:
        storage.delete(name)


def _load(archive: Archive, saved: list):
    from .models import Project, project_key_validator
    from .services import project_regrant

    data = archive.data
    User = get_user_model()
    projects = data["models"].get("projects.Project", [])
    key = projects[0]["fields"].get("key") if len(projects) == 1 else None
    if key is None or key != archive.manifest.get("project"):
        raise ArchiveError(_("The archive does not hold exactly the project its manifest names."))
    try:
        project_key_validator(key)
    except ValidationError as error:
        raise ArchiveError(_("The archive's project key is not a valid key.")) from error
    if Project.objects.filter(key=key).exists():
        raise ArchiveError(
            _("A project with the key %(key)s exists here already: this archive is not imported.")
            % {"key": key}
        )
    users = {}
    for person in data.get("people", []):
        email = User.objects.normalize_email(person["email"]).strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(
                email=email,
                first_name=person.get("first_name", "")[:150],
                last_name=person.get("last_name", "")[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
        users[person["email"]] = user.pk

    known = {m._meta.label for m in _model_order()}
    unknown = set(data["models"]) - known
    if unknown:
        raise ArchiveError(
            _("The archive holds data this instance does not know: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    new_pk: dict = defaultdict(dict)  # model -> {pk in the archive: pk here}
    skipped: set = set()  # models whose rows were matched, not created (and their history)
    gone: dict = {}  # (history model, id in the archive) -> id here, for rows removed before
    later = []  # (model, new pk, field, old target pk): relations to rows not made yet
    for model in _model_order():
        label = model._meta.label
        records = data["models"].get(label, [])
        part = _parts.get(label)
        origin = _origin(model)
        if origin in skipped:
            continue
        objects, pending = [], []
        for record in records:
            fields = record["fields"]
            if part and part.match and (existing := part.match(fields)) is not None:
                new_pk[model][record["pk"]] = existing.pk
                skipped.add(model)
                continue
            obj, deferred = _build(model, fields, new_pk, users, archive.files, saved)
            if origin is not None:
                obj.id = new_pk[origin].get(int(fields["id"]))
                if obj.id is None:
                    obj.id = _gone_id(model, int(fields["id"]), gone)
            for f, derive in part.derived.items() if part else ():
                setattr(obj, f, derive(obj))
            objects.append(obj)
            pending.append((record, deferred))
        created = model._default_manager.bulk_create(objects)
        # auto_now(_add) fields were stamped now by the insert: put back the archived times.
        stamped = [
            f.name
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        for obj, (record, deferred) in zip(created, pending, strict=True):
            new_pk[model][record["pk"]] = obj.pk
            for f, value in deferred:
                later.append((model, obj.pk, f, value))
        if stamped and created:
            for obj, (record, _deferred) in zip(created, pending, strict=True):
                for name in stamped:
                    value = record["fields"][name]
                    setattr(obj, name, model._meta.get_field(name).to_python(value))
            model._default_manager.bulk_update(created, stamped)

    for model, pk, f, old in later:
        target = new_pk[f.related_model].get(old)
        if target is None:
            raise ArchiveError(_("The archive refers to a row it does not hold."))
        model._default_manager.filter(pk=pk).update(**{f.attname: target})

    project = Project.objects.get(pk=new_pk[Project][_project_pk(data)])
    project_regrant(project=project)
    return project


def _gone_id(historical, old: int, gone: dict) -> int:
    """The id the history of a row removed before the export keeps here: below every id in
    that history, so that it never names a live row, here or later."""
    if (historical, old) not in gone:
        taken = [new for (model, _old), new in gone.items() if model is historical]
        if taken:
            lowest = min(taken)
        else:
            lowest = historical._default_manager.aggregate(low=models.Min("id"))["low"] or 0
        gone[(historical, old)] = min(lowest, 0) - 1
    return gone[(historical, old)]


def _project_pk(data: dict) -> int:
    (record,) = data["models"]["projects.Project"]
    return record["pk"]


def _build(model, fields: dict, new_pk: dict, users: dict, files: dict, saved: list):
    """An unsaved row of `model` from its archived fields, and the relations left for later."""
    User = get_user_model()
    obj = model()
    deferred = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name not in fields:
            continue
        value = fields[f.name]
        if f.is_relation:
            if value is None:
                target = None
            elif f.related_model is User:
                target = users[value]
            else:
                target = new_pk[f.related_model].get(value)
                if target is None and f.null and f.related_model is not model:
                    # A history row may point at a row the project no longer holds.
                    target = None
                elif target is None:
                    if not f.null:
                        raise ArchiveError(_("The archive refers to a row it does not hold."))
                    deferred.append((f, value))
            setattr(obj, f.attname, target)
        elif isinstance(f, models.FileField):
            if value:
                if value not in files:
                    raise ArchiveError(_("The archive lacks the file %(name)s.") % {"name": value})
                storage = f.storage
                name = f.generate_filename(obj, posixpath.basename(value))
                name = storage.save(name, ContentFile(files[value]))
                saved.append((storage, name))
                value = name
            setattr(obj, f.attname, value)
        else:
            setattr(obj, f.attname, f.to_python(value))
    return obj, deferred


def default_filename(project, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    return f"{project.key}-archive-{now:%Y-%m-%d}.zip"
