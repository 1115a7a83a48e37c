"""Every write to stakeholders, the ownership map, the point of contact and the channel."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from audit.models import Kind
from projects import services as project_services
from projects.markdown import excerpt, render_markdown
from projects.models import Membership, Project
from projects.roles import VENDOR_ROLES, Role
from projects.templates import copy_of
from projects.uploads import UploadedFile

from .models import (
    Assignment,
    Attachment,
    Entry,
    PointOfContact,
    Side,
    SpocStatus,
    Stakeholder,
    spoc_status_for,
)
from .tasks import notify_spoc_of_waiting_entry

# Stakeholders


def _check_belongs(stakeholder: Stakeholder) -> None:
    errors = {}
    if stakeholder.site_id and stakeholder.site.project_id != stakeholder.project_id:
        errors["site"] = _("Choose a site of this project.")
    if (
        stakeholder.user_id
        and not Membership.objects.active()
        .filter(project_id=stakeholder.project_id, user_id=stakeholder.user_id)
        .exists()
    ):
        errors["user"] = _("Only a member of this project can be linked.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def stakeholder_save(*, stakeholder: Stakeholder, by) -> Stakeholder:
    stakeholder.email = stakeholder.email.strip().lower()
    stakeholder.full_clean()
    _check_belongs(stakeholder)
    stakeholder._history_user = by
    stakeholder.save()
    project_services.checks_request(project=stakeholder.project)
    return stakeholder


@transaction.atomic
def stakeholders_import(*, stakeholders: list[Stakeholder], by) -> list[Stakeholder]:
    """All or nothing: one bad row and none is saved."""
    saved = [stakeholder_save(stakeholder=s, by=by) for s in stakeholders]
    if saved:
        audit.record(
            Kind.IMPORT,
            user=by,
            project=saved[0].project,
            subject=ngettext(
                "%(n)d stakeholder imported", "%(n)d stakeholders imported", len(saved)
            )
            % {"n": len(saved)},
            detail={"kind": "stakeholders", "rows": len(saved)},
        )
    return saved


@transaction.atomic
def stakeholder_set_active(*, stakeholder: Stakeholder, active: bool, by) -> Stakeholder:
    stakeholder.is_active = active
    stakeholder._history_user = by
    stakeholder.save(update_fields=["is_active"])
    project_services.checks_request(project=stakeholder.project)
    return stakeholder


# The ownership map


@transaction.atomic
def assignment_set(
    *, project: Project, stakeholder: Stakeholder, area: str, site_id, letter: str, by
) -> Assignment | None:
    """Set (or clear, with an empty letter) one cell of the map."""
    if stakeholder.project_id != project.pk:
        raise ValidationError(_("This person is not a stakeholder of the project."))
    project_services.checks_request(project=project)
    if site_id is not None and not project.sites.filter(pk=site_id).exists():
        raise ValidationError(_("This site is not part of the project."))
    assignment = Assignment.objects.filter(
        project=project, stakeholder=stakeholder, area=area, site_id=site_id
    ).first()
    if not letter:
        if assignment is not None and assignment.letter:
            assignment.letter = ""
            assignment._history_user = by
            assignment.save()
        return None
    if assignment is None:
        assignment = Assignment(
            project=project, stakeholder=stakeholder, area=area, site_id=site_id
        )
    assignment.letter = letter
    assignment.full_clean(exclude=["project", "stakeholder", "site"])
    assignment._history_user = by
    assignment.save()
    return assignment


@transaction.atomic
def ownership_copy(*, source: Project, target: Project, site_map: dict, by) -> None:
    """Part of starting a project from another: for the same client, the ownership map comes
    along with the people who hold a letter in it (as stakeholders only: no accounts, no
    memberships). Someone who has left stays behind, and so do their letters. For another
    client nothing is copied: the people belong to the first client."""
    if source.client_id != target.client_id:
        return
    assignments = [
        assignment
        for assignment in Assignment.objects.held()
        .filter(project=source, stakeholder__is_active=True)
        .select_related("stakeholder")
        .order_by("stakeholder__name", "area", "site_id")
        if assignment.site_id is None or assignment.site_id in site_map
    ]
    people = list({a.stakeholder_id: a.stakeholder for a in assignments}.values())
    fields = ("name", "email", "side", "department", "title")
    copies = project_services.copies_create(
        rows=[
            copy_of(person, fields, project=target, site=site_map.get(person.site_id))
            for person in people
        ],
        by=by,
    )
    copy_for = {person.pk: copy for person, copy in zip(people, copies, strict=True)}
    project_services.copies_create(
        rows=[
            Assignment(
                project=target,
                stakeholder=copy_for[assignment.stakeholder_id],
                area=assignment.area,
                site=site_map.get(assignment.site_id),
                letter=assignment.letter,
            )
            for assignment in assignments
        ],
        by=by,
    )


# The point of contact


def current_contacts(project: Project) -> dict[str, PointOfContact]:
    """The current term on each side (client, vendor), from the newest handover."""
    current: dict[str, PointOfContact] = {}
    for term in project.points_of_contact.select_related("stakeholder__user"):
        current.setdefault(term.side, term)
    return current


@transaction.atomic
def contact_hand_over(
    *,
    project: Project,
    side: str,
    stakeholder: Stakeholder,
    started_on: datetime.date,
    reason: str,
    by,
) -> PointOfContact:
    """Name the point of contact on one side. On the client side the new person becomes the
    only member with the point-of-contact role (invited if they have no account); the previous
    one goes back to being a stakeholder."""
    if stakeholder.project_id != project.pk or not stakeholder.is_active:
        raise ValidationError({"stakeholder": _("Choose an active stakeholder of this project.")})
    if stakeholder.side != side:
        raise ValidationError(
            {
                "stakeholder": _("Choose someone from the %(side)s side.")
                % {"side": str(Side(side).label).lower()}
            }
        )
    previous = current_contacts(project).get(side)
    if previous and previous.stakeholder_id == stakeholder.pk:
        raise ValidationError(
            {
                "stakeholder": _("%(name)s is already the point of contact.")
                % {"name": stakeholder.name}
            }
        )
    if previous and started_on < previous.started_on:
        raise ValidationError(
            {
                "started_on": _("The handover cannot be before the current term began (%(date)s).")
                % {"date": previous.started_on}
            }
        )
    if side == Side.CLIENT:
        _make_spoc_member(project=project, stakeholder=stakeholder, by=by)
    elif not (stakeholder.user_id and _role_of(project, stakeholder.user_id) in VENDOR_ROLES):
        raise ValidationError(
            {"stakeholder": _("The vendor counterpart must be a vendor member of the project.")}
        )
    project_services.checks_request(project=project)
    term = PointOfContact.objects.create(
        project=project,
        side=side,
        stakeholder=stakeholder,
        started_on=started_on,
        reason=reason.strip(),
        named_by=by,
    )
    audit.record(
        Kind.ROLE_CHANGED,
        user=by,
        project=project,
        subject=_("%(side)s point of contact: %(was)s → %(now)s")
        % {
            "side": Side(side).label,
            "was": previous.stakeholder.name if previous else "—",
            "now": stakeholder.name,
        },
        obj=term,
        detail={
            "point_of_contact": side,
            "from": previous.stakeholder.name if previous else None,
            "to": stakeholder.name,
        },
    )
    return term


def _role_of(project: Project, user_id) -> str | None:
    membership = Membership.objects.active().filter(project=project, user_id=user_id).first()
    return membership.role if membership else None


def _make_spoc_member(*, project: Project, stakeholder: Stakeholder, by) -> None:
    if not stakeholder.email:
        raise ValidationError(
            {
                "stakeholder": _(
                    "Add %(name)s's e-mail address first: the point of contact signs in to "
                    "confirm requests."
                )
                % {"name": stakeholder.name}
            }
        )
    membership = project_services.spoc_transfer(project=project, email=stakeholder.email, by=by)
    if stakeholder.user_id != membership.user_id:
        stakeholder.user = membership.user
        stakeholder_save(stakeholder=stakeholder, by=by)


# The channel


def author_side(project: Project, user) -> str:
    return (
        Side.VENDOR if user.is_staff or _role_of(project, user.pk) in VENDOR_ROLES else Side.CLIENT
    )


@transaction.atomic
def entry_post(
    *,
    project: Project,
    author,
    kind: str,
    subject: str,
    body: str = "",
    corrects: Entry | None = None,
    files: list[UploadedFile] = (),
    email_from: str = "",
    email_to: str = "",
    email_date: datetime.datetime | None = None,
) -> Entry:
    """Post an entry. Whether it needs the point of contact is judged now, against who is the
    point of contact at posting time: a later handover does not change it."""
    if corrects is not None and corrects.project_id != project.pk:
        raise ValidationError(_("The corrected entry is not in this project."))
    side = author_side(project, author)
    body_html = render_markdown(body)
    entry = Entry(
        project=project,
        kind=kind,
        author=author,
        author_side=side,
        subject=subject.strip(),
        body=body,
        body_html=body_html,
        excerpt_html=excerpt(body_html),
        corrects=corrects,
        email_from=email_from,
        email_to=email_to,
        email_date=email_date,
        spoc_status=spoc_status_for(
            kind=kind, author_side=side, author_is_spoc=_role_of(project, author.pk) == Role.SPOC
        ),
    )
    entry.full_clean()
    entry._history_user = author
    entry.save()
    for upload in files:
        Attachment.objects.create(
            entry=entry,
            file=upload.as_django_file(),
            name=upload.name,
            size=upload.size,
            content_type=upload.content_type,
        )
    if entry.spoc_status == SpocStatus.WAITING:
        notify_spoc_of_waiting_entry.delay_on_commit(entry.pk)
    return entry


@transaction.atomic
def entry_spoc_decide(*, entry: Entry, by, confirm: bool, comment: str = "") -> Entry:
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.spoc_status != SpocStatus.WAITING:
        raise ValidationError(_("This entry is no longer waiting for the point of contact."))
    if _role_of(entry.project, by.pk) != Role.SPOC:
        raise ValidationError(_("Only the current point of contact can confirm or decline."))
    if not confirm and not comment.strip():
        raise ValidationError({"comment": _("Say why you decline it: the author will read this.")})
    entry.spoc_status = SpocStatus.CONFIRMED if confirm else SpocStatus.DECLINED
    entry.spoc_decided_by = by
    entry.spoc_decided_at = timezone.now()
    entry.spoc_comment = comment.strip()
    entry._history_user = by
    entry.save()
    project_services.checks_request(project=entry.project)
    return entry
