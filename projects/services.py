"""Every write to clients, projects, sites and memberships goes through these functions.

Each runs in one transaction, validates, records who made the change in the history, and
enqueues e-mail only once the transaction has committed.
"""

import datetime
import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q, Value
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from accounts.services import user_sessions_end
from audit import services as audit
from audit.models import Kind

from . import checks, outbox
from .archive import ArchiveError, import_project
from .models import (
    AUDIENCE_PERMISSION,
    BudgetLine,
    Client,
    CostEntry,
    Finding,
    Invitation,
    Membership,
    Notification,
    OutboxMessage,
    PendingCheck,
    Project,
    ProjectGroupObjectPermission,
    ProjectStatus,
    RaidKind,
    RaidStatus,
    Report,
    ReportSchedule,
    ReportState,
    Site,
)
from .roles import PERMISSIONS, Role, permissions_for
from .tasks import (
    email_report,
    generate_report,
    notify_findings,
    run_project_checks,
    send_invitation,
)
from .templates import copy_of, plan_shift, shifted, template_parts
from .versions import save_over

logger = logging.getLogger(__name__)

User = get_user_model()


def _save(obj, *, by):
    obj.full_clean()
    obj._history_user = by
    obj.save()
    return obj


def _save_and_check(obj, *, by):
    """Save a part of the plan that the health checks look at, and have them look again."""
    _save(obj, by=by)
    checks_request(project=obj.project)
    return obj


def _set_archived(obj, *, archived: bool, by, save=_save):
    obj.archived_at = timezone.now() if archived else None
    return save(obj, by=by)


@transaction.atomic
def client_save(*, client: Client, by) -> Client:
    client.name = client.name.strip()
    return _save(client, by=by)


@transaction.atomic
def client_set_archived(*, client: Client, archived: bool, by) -> Client:
    return _set_archived(client, archived=archived, by=by)


def role_group(project: Project, role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=f"project:{project.pk}:{role}")
    return group


def project_sync_role_groups(project: Project) -> None:
    """Give each role group of the project exactly the permissions its role grants."""
    content_type = ContentType.objects.get_for_model(Project)
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(content_type=content_type, codename__in=PERMISSIONS)
    }
    for role in Role:
        group = role_group(project, role)
        wanted = permissions_for(role)
        granted = ProjectGroupObjectPermission.objects.filter(group=group, content_object=project)
        granted.exclude(permission__codename__in=wanted).delete()
        have = set(granted.values_list("permission__codename", flat=True))
        ProjectGroupObjectPermission.objects.bulk_create(
            ProjectGroupObjectPermission(
                group=group, content_object=project, permission=permissions[codename]
            )
            for codename in sorted(wanted - have)
        )


@transaction.atomic
def project_create(*, project: Project, by, source: Project | None = None) -> Project:
    """Create the project, its role groups, and make its creator the project manager; with a
    `source` (a template or a past project), start from a copy of its plan."""
    _save(project, by=by)
    project_sync_role_groups(project)
    membership_grant(project=project, user=by, role=Role.PROJECT_MANAGER, by=by)
    if source is not None:
        project_copy_plan(source=source, target=project, by=by)
    checks_request(project=project)
    return project


@transaction.atomic
def project_save_as_template(*, source: Project, name: str, key: str, by) -> Project:
    """A template of `source`'s plan, on the same dates, with `by` as its project manager."""
    fields = (
        "client",
        "lms_product",
        "deployment_model",
        "start_date",
        "target_go_live",
        "currency",
    )
    template = copy_of(source, fields, name=name, key=key, status=ProjectStatus.TEMPLATE)
    return project_create(project=template, by=by, source=source)


@transaction.atomic
def project_copy_plan(*, source: Project, target: Project, by) -> None:
    """Copy into the new project `target` the active sites of `source`, then every registered
    part (see `templates`), with the dates moved from one start to the other. Nothing else
    comes along: no requirements, channel, members, costs or content releases."""
    shift = plan_shift(source, target)
    fields = (
        "name",
        "kind",
        "languages",
        "local_owner",
        "configuration_notes",
        "content_qc_target_days",
        "local_alternative_cost",
    )
    sites = list(source.sites.active())
    copies = copies_create(
        rows=[
            copy_of(site, fields, project=target, local_go_live=shifted(site.local_go_live, shift))
            for site in sites
        ],
        by=by,
    )
    site_map = {site.pk: copy for site, copy in zip(sites, copies, strict=True)}
    for part in template_parts():
        part.copier(source=source, target=target, site_map=site_map, by=by)


def copies_create(*, rows: list, by) -> list:
    """Create the rows copied into a new project in one insert per kind, each validated as a
    save would and with its history entry by `by`. The health checks are asked to look once,
    by `project_create`, not once per row."""
    if not rows:
        return []
    model = type(rows[0])
    # The target is new and empty and its rows point at rows just read or made: what is
    # unique in the source is unique in it, and the database refuses the rest. Checking each
    # row's links and uniqueness would cost a query per row.
    links = [field.name for field in model._meta.concrete_fields if field.is_relation]
    for row in rows:
        row.full_clean(exclude=links, validate_unique=False, validate_constraints=False)
    return rows_create_with_history(rows=rows, by=by)


# Rows whose history one INSERT … SELECT copies: within what SQLite lets a statement bind.
HISTORY_COPY_BATCH = 500


def rows_create_with_history(*, rows: list, by) -> list:
    """Insert `rows` (all of one model) in bulk, each with its history entry "created by `by`",
    as simple-history's `bulk_create_with_history` writes it, but copied from the saved rows
    inside the database instead of built in Python a row at a time: 300 requirements' history
    takes 3 ms instead of 21."""
    if not rows:
        return []
    model = type(rows[0])
    saved = model.objects.bulk_create(rows)
    history = model.history.model
    tracked = [field.attname for field in history.tracked_fields]
    entry = {
        "history_date": Value(timezone.now(), output_field=models.DateTimeField()),
        "history_type": Value("+"),
        "history_user_id": Value(by.pk if by else None, output_field=models.BigIntegerField()),
        "history_change_reason": Value(None, output_field=models.TextField()),
    }
    quote = connection.ops.quote_name
    columns = ", ".join(quote(history._meta.get_field(name).column) for name in [*tracked, *entry])
    values = model._base_manager.annotate(**{f"entry_{name}": v for name, v in entry.items()})
    pks = [row.pk for row in saved]
    for start in range(0, len(pks), HISTORY_COPY_BATCH):
        chosen = values.filter(pk__in=pks[start : start + HISTORY_COPY_BATCH]).order_by("pk")
        select, params = chosen.values_list(
            *tracked, *(f"entry_{name}" for name in entry)
        ).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}) {select}",  # noqa: S608 - names from the models
                params,
            )
    return saved


def milestones_copy(*, source: Project, target: Project, site_map: dict, by) -> None:
    """The active milestones as a fresh plan: on their baseline, not done, nobody owning them
    yet. A milestone of a site that stayed behind (archived) stays behind too."""
    shift = plan_shift(source, target)
    copies = []
    for milestone in source.milestones.active():
        if milestone.site_id is not None and milestone.site_id not in site_map:
            continue
        planned = milestone.planned_date + shift
        copies.append(
            copy_of(
                milestone,
                ("name", "budget_share", "is_go_live"),
                project=target,
                site=site_map.get(milestone.site_id),
                planned_date=planned,
                forecast_date=planned,
            )
        )
    copies_create(rows=copies, by=by)


def assumptions_copy(*, source: Project, target: Project, site_map: dict, by) -> None:
    """The assumptions as a checklist to validate again: what held on one project must be
    checked on the next, so each starts open and unowned."""
    shift = plan_shift(source, target)
    copies = [
        copy_of(
            item,
            ("kind", "title", "description", "impact", "mitigation"),
            project=target,
            due_date=shifted(item.due_date, shift),
            status=RaidStatus.OPEN,
        )
        for item in source.raid.filter(kind=RaidKind.ASSUMPTION, archived_at__isnull=True)
    ]
    copies_create(rows=copies, by=by)


def budget_lines_copy(*, source: Project, target: Project, site_map: dict, by) -> None:
    """The budget's lines by category with their planned amounts, nothing spent yet. Amounts
    in another currency than the new project's start at zero, to be planned again."""
    same_currency = source.currency == target.currency
    copies = [
        copy_of(
            line,
            ("category", "name", "is_internal", "notes"),
            project=target,
            site=site_map.get(line.site_id),
            planned_amount=line.planned_amount if same_currency else Decimal(0),
        )
        for line in source.budget_lines.active()
        if line.site_id is None or line.site_id in site_map
    ]
    copies_create(rows=copies, by=by)


@transaction.atomic
def project_update(*, project: Project, by) -> Project:
    """Save the project's details. Its currency is fixed once its budget has a line or a
    cost: their amounts are in it, and would be read in the new one unconverted."""
    saved = Project.objects.filter(pk=project.pk).values_list("currency", flat=True).get()
    if project.currency != saved and (
        project.budget_lines.exists() or project.cost_entries.exists()
    ):
        raise ValidationError({"currency": _(
            "The budget is in %(currency)s: its lines and costs would be read in the new "
            "currency without being converted. Keep %(currency)s."
        ) % {"currency": saved}})  # fmt: skip
    _save(project, by=by)
    checks_request(project=project)
    return project


@transaction.atomic
def site_save(*, site: Site, by) -> Site:
    site.name = site.name.strip()
    return _save_and_check(site, by=by)


@transaction.atomic
def site_set_archived(*, site: Site, archived: bool, by) -> Site:
    return _set_archived(site, archived=archived, by=by, save=_save_and_check)


def _ensure_not_the_point_of_contact(membership: Membership | None, role: str) -> None:
    """The client point of contact changes only by a handover, which keeps its history."""
    was_spoc = membership is not None and membership.is_active and membership.role == Role.SPOC
    if was_spoc != (role == Role.SPOC):
        raise ValidationError(
            {
                "role": _(
                    "The client point of contact is named by a handover on the point of "
                    "contact page."
                )
            }
        )


@transaction.atomic
def membership_grant(*, project: Project, user, role: str, by) -> Membership:
    """Give `user` the role on the project (re-activating an ended membership); no e-mail."""
    membership = Membership.objects.filter(project=project, user=user).first()
    _ensure_not_the_point_of_contact(membership, role)
    return _grant(project=project, user=user, role=role, by=by, membership=membership)


def _grant(*, project, user, role, by, membership=None) -> Membership:
    was = membership.role if membership is not None and membership.is_active else None
    if membership is None:
        membership = Membership(project=project, user=user, role=role)
    else:
        membership.role, membership.is_active = role, True
    _save(membership, by=by)
    _regroup(membership)
    if was != membership.role:
        _record_role(membership, was=was, now=membership.role, by=by)
    return membership


def _record_role(membership: Membership, *, was: str | None, now: str | None, by) -> None:
    def label(role):
        return str(Role(role).label) if role else _("no role")

    audit.record(
        Kind.ROLE_CHANGED,
        user=by,
        project=membership.project,
        subject=_("%(person)s: %(was)s → %(now)s")
        % {"person": membership.user.email, "was": label(was), "now": label(now)},
        obj=membership,
        detail={"member": membership.user.email, "from": was, "to": now},
    )


def _regroup(membership: Membership) -> None:
    """Put the member in exactly the group of their current role (none once removed)."""
    project_groups = Group.objects.filter(name__startswith=f"project:{membership.project_id}:")
    membership.user.groups.remove(*project_groups)
    if membership.is_active:
        membership.user.groups.add(role_group(membership.project, membership.role))


def _ensure_another_manager(membership: Membership) -> None:
    others = (
        Membership.objects.active()
        .filter(project_id=membership.project_id, role=Role.PROJECT_MANAGER)
        .exclude(pk=membership.pk)
    )
    if membership.role == Role.PROJECT_MANAGER and not others.exists():
        raise ValidationError(
            _("A project needs at least one project manager: name another one first.")
        )


def _account_for(email: str):
    """The active account for an address, created (without a password) if there is none."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    elif not user.is_active:
        raise ValidationError(
            {"email": _("This account is deactivated. Ask vendor staff to reactivate it first.")}
        )
    return user


def _tell(membership: Membership, by) -> None:
    invitation = Invitation.objects.create(
        project=membership.project, user=membership.user, role=membership.role, invited_by=by
    )
    send_invitation.delay_on_commit(invitation.pk)


@transaction.atomic
def member_add(*, project: Project, email: str, role: str, by) -> Membership:
    """Add a person by e-mail; someone with no account gets one and an invitation to set a
    password. Either way they are told by e-mail, once the change has committed."""
    user = _account_for(email)
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is not None and membership.is_active:
        raise ValidationError(
            {"email": _("%(email)s is already a member.") % {"email": user.email}}
        )
    membership = membership_grant(project=project, user=user, role=role, by=by)
    _tell(membership, by)
    return membership


@transaction.atomic
def spoc_transfer(*, project: Project, email: str, by) -> Membership:
    """Make the person with this address the project's only client point of contact: the
    previous one becomes a stakeholder; a newcomer is invited. Called by the handover."""
    user = _account_for(email)
    for previous in Membership.objects.active().filter(project=project, role=Role.SPOC):
        if previous.user_id != user.pk:
            _grant(
                project=project,
                user=previous.user,
                role=Role.STAKEHOLDER,
                by=by,
                membership=previous,
            )
    membership = Membership.objects.filter(project=project, user=user).first()
    newcomer = membership is None or not membership.is_active
    membership = _grant(project=project, user=user, role=Role.SPOC, by=by, membership=membership)
    if newcomer:
        _tell(membership, by)
    return membership


@transaction.atomic
def member_set_role(*, membership: Membership, role: str, by) -> Membership:
    if role != membership.role:
        _ensure_another_manager(membership)
        _ensure_not_the_point_of_contact(membership, role)
    return _grant(
        project=membership.project,
        user=membership.user,
        role=Role(role),
        by=by,
        membership=membership,
    )


@transaction.atomic
def member_remove(*, membership: Membership, by) -> Membership:
    _ensure_another_manager(membership)
    if membership.role == Role.SPOC:
        raise ValidationError(
            _("Hand the point of contact over to someone else before removing this person.")
        )
    membership.is_active = False
    _save(membership, by=by)
    _regroup(membership)
    _record_role(membership, was=membership.role, now=None, by=by)
    return membership


def _create_project_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="projects", codename="add_project")


@transaction.atomic
def user_save(*, user, may_create_projects: bool, by):
    """Vendor staff create or change an account; "may create projects" is a global right."""
    if user.pk == by.pk and not (user.is_staff and user.is_active) and by.is_staff:
        raise ValidationError(
            _("You cannot take away your own staff access or deactivate yourself.")
        )
    before = _account_rights(User.objects.filter(pk=user.pk).first()) if user.pk else None
    if user.pk is None:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    if not user.is_active:
        user_sessions_end(user=user)
    if may_create_projects:
        user.user_permissions.add(_create_project_permission())
    else:
        user.user_permissions.remove(_create_project_permission())
    after = _account_rights(user)
    if before != after:
        changed = {
            name: {"from": before[name] if before else None, "to": value}
            for name, value in after.items()
            if before is None or before[name] != value
        }
        audit.record(
            Kind.ACCOUNT_CHANGED,
            user=by,
            subject=(_("%(email)s created") if before is None else _("%(email)s changed"))
            % {"email": user.email},
            obj=user,
            detail={"account": user.email, "changed": changed},
        )
    return user


# Manages a project, or may create one: such a person must use two-factor sign-in (a condition
# on the user, registered with accounts.two_factor).
MANAGES_PROJECTS = Q(memberships__role=Role.PROJECT_MANAGER, memberships__is_active=True) | Q(
    user_permissions__content_type__app_label="projects", user_permissions__codename="add_project"
)


def _account_rights(user) -> dict[str, bool] | None:
    """What vendor staff grant on an account, as the audit log compares it."""
    if user is None:
        return None
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "may_create_projects": user_may_create_projects(user),
    }


def user_may_create_projects(user) -> bool:
    return (
        user.is_staff
        or user.user_permissions.filter(
            content_type__app_label="projects", codename="add_project"
        ).exists()
    )


@transaction.atomic
def member_set_digest(*, membership: Membership, wants_digest: bool, by) -> Membership:
    membership.wants_digest = wants_digest
    return _save(membership, by=by)


def _ensure_own_site(obj) -> None:
    if obj.site_id and obj.site.project_id != obj.project_id:
        raise ValidationError({"site": _("Choose a site of this project.")})


@transaction.atomic
def milestone_save(*, milestone, by, read_version: int | None = None):
    """Save a milestone; an edit made on an older version than the saved one is refused
    (`versions.StaleEdit`) rather than overwriting the other person's change."""
    save_over(milestone, read_version=read_version)
    _ensure_own_site(milestone)
    return _save_and_check(milestone, by=by)


@transaction.atomic
def milestone_set_archived(*, milestone, archived: bool, by):
    save_over(milestone, read_version=None)
    return _set_archived(milestone, archived=archived, by=by, save=_save_and_check)


@transaction.atomic
def member_new_calendar_link(*, membership: Membership, by) -> Membership:
    """Give the member a fresh private calendar link; any previous link stops working."""
    membership.calendar_token = secrets.token_urlsafe(32)
    return _save(membership, by=by)


@transaction.atomic
def release_save(*, release, by):
    _ensure_own_site(release)
    return _save_and_check(release, by=by)


@transaction.atomic
def raid_save(*, item, by):
    return _save_and_check(item, by=by)


@transaction.atomic
def budget_line_save(*, line: BudgetLine, by) -> BudgetLine:
    _ensure_own_site(line)
    line.name = line.name.strip()
    return _save_and_check(line, by=by)


@transaction.atomic
def budget_line_set_archived(*, line: BudgetLine, archived: bool, by) -> BudgetLine:
    """An archived line leaves the budget with its cost entries; both rows stay."""
    return _set_archived(line, archived=archived, by=by, save=_save_and_check)


@transaction.atomic
def cost_entry_save(*, entry: CostEntry, by) -> CostEntry:
    if entry.line_id and (
        entry.line.project_id != entry.project_id or entry.line.archived_at is not None
    ):
        raise ValidationError({"line": _("Choose a current budget line of this project.")})
    entry.description = entry.description.strip()
    return _save_and_check(entry, by=by)


@transaction.atomic
def cost_entry_set_archived(*, entry: CostEntry, archived: bool, by) -> CostEntry:
    return _set_archived(entry, archived=archived, by=by, save=_save_and_check)


# Health checks


def checks_request(*, project: Project) -> None:
    """After a change to what the checks look at: run the project's checks once the change has
    committed. A burst of changes runs them once (see `PendingCheck`)."""
    queued = transaction.get_connection().run_on_commit
    # Fifty requirements moved in one transaction ask once, not fifty times.
    if any(getattr(f, "checks_of", None) == project.pk for _ids, f, _robust in queued):
        return

    def queue_checks() -> None:
        _queue_checks(project.pk)

    queue_checks.checks_of = project.pk
    # Robust: the change is saved whatever happens to the checks (the nightly run retries).
    transaction.on_commit(queue_checks, robust=True)


def _queue_checks(project_id: int) -> None:
    # In a burst a run is usually queued already: one read, rather than an insert refused.
    if PendingCheck.objects.filter(project_id=project_id).exists():
        return  # a queued run that has not started yet will see this change too
    try:
        with transaction.atomic():
            PendingCheck.objects.create(project_id=project_id)
    except IntegrityError:
        return  # a queued run that has not started yet will see this change too
    try:
        if outbox.broker_resting():
            raise BrokerUnavailable("the last publish failed moments ago")
        run_project_checks.apply_async((project_id,), countdown=settings.CHECKS_COALESCE_SECONDS)
    except BrokerUnavailable:
        outbox.broker_failed()
        # The run waits in the outbox, and keeps its pending mark: later changes join it.
        OutboxMessage.objects.create(task=run_project_checks.name, args=[project_id])
        logger.warning("Broker unavailable: checks of project %s wait in the outbox", project_id)


def findings_refresh(*, project: Project, now: datetime.datetime | None = None) -> list[Finding]:
    """Run every check on `project` and bring its findings up to date: new problems open a
    finding (and notify on commit), problems no longer seen close theirs. Returns the findings
    opened by this run."""
    return findings_refresh_many(project_ids=[project.pk], now=now)


@transaction.atomic
def findings_refresh_many(
    *, project_ids: list[int], now: datetime.datetime | None = None
) -> list[Finding]:
    """`findings_refresh` for each of the projects, with one read per check for them all and
    one write of each kind (open, change, close): what the nightly run does in batches."""
    now = now or timezone.now()
    # One run at a time per project: a second one waits here, then reads what the first saved.
    projects = list(
        Project.objects.live()
        .select_for_update(of=("self",))
        .select_related("client")
        .filter(pk__in=project_ids)
        .order_by("pk")
    )
    if not projects:  # closed, archived or templates: nothing to watch
        return []
    # Whoever starts the run, in whatever zone and language, the checks judge the same day in
    # the same words: otherwise a finding could close and reopen between two people's runs.
    with timezone.override(settings.TIME_ZONE), translation.override(settings.LANGUAGE_CODE):
        found = checks.run_many(projects, timezone.localdate(now))
    # Most findings are found again unchanged: compare plain values, write only what differs.
    fields = ["area", "severity", "message", "url", "opens_with", "owner_id"]
    still_open: dict[tuple[int, str], tuple] = {
        (project_id, code): (pk, tuple(values))
        for pk, project_id, code, *values in Finding.objects.open()
        .filter(project__in=[p.pk for p in projects])
        .values_list("pk", "project_id", "code", *fields)
    }
    opened: dict[int, list[Finding]] = {}
    changed = []
    for project in projects:
        results = {result.code: (area, result) for area, result in found[project.pk]}
        for code, (area, result) in results.items():
            known = still_open.pop((project.pk, code), None)
            values = (
                area,
                result.severity,
                result.message[:1000],
                result.url,
                result.opens_with,
                result.owner_id,
            )
            if known is None:
                opened.setdefault(project.pk, []).append(
                    Finding(
                        project=project,
                        code=code,
                        opened_at=now,
                        **dict(zip(fields, values, strict=True)),
                    )
                )
            elif known[1] != values:
                changed.append(Finding(pk=known[0], **dict(zip(fields, values, strict=True))))
    created = Finding.objects.bulk_create([f for fs in opened.values() for f in fs])
    if changed:
        Finding.objects.bulk_update(changed, fields)
    if still_open:
        Finding.objects.filter(pk__in=[pk for pk, _values in still_open.values()]).update(
            closed_at=now
        )
    # One e-mail batch per project: its managers hear of their own project only.
    for findings in opened.values():
        notify_findings.delay_on_commit([finding.pk for finding in findings])
    return created


# Status reports


def report_default_period(*, project: Project, audience: str, today: datetime.date):
    """Since the day after the last report of this audience, or the last 14 days."""
    last = project.reports.filter(audience=audience).exclude(state=ReportState.FAILED).first()
    if last and last.period_end < today:
        return last.period_end + datetime.timedelta(days=1), today
    return today - datetime.timedelta(days=13), today


def report_request(
    *,
    project: Project,
    audience: str,
    start: datetime.date,
    end: datetime.date,
    paper: str,
    by,
    schedule: ReportSchedule | None = None,
) -> Report:
    """Queue the drawing of a report; the task starts once the row is committed."""
    if start > end:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    with transaction.atomic():
        report = Report.objects.create(
            project=project,
            audience=audience,
            period_start=start,
            period_end=end,
            paper=paper,
            created_by=by,
            schedule=schedule,
        )
        generate_report.delay_on_commit(report.pk)
    return report


# Longer than a report's time limit: a report still queued or drawn after this was lost.
REPORT_LOST_AFTER = datetime.timedelta(minutes=10)


# A report nobody could draw for this long is given up: its person may ask again.
REPORT_GIVEN_UP_AFTER = datetime.timedelta(days=1)


def reports_requeue_lost(*, now: datetime.datetime) -> int:
    """Queue again each report still queued or drawn long after it was asked for: its message
    was lost (a broker that restarted empty, a worker killed before redelivery). Drawing twice
    stores it once. One lost for a day is marked failed rather than left "being drawn".
    Returns how many were queued again."""
    pending = Report.objects.filter(state__in=(ReportState.QUEUED, ReportState.RUNNING))
    pending.filter(created_at__lt=now - REPORT_GIVEN_UP_AFTER).update(state=ReportState.FAILED)
    lost = list(pending.filter(created_at__lt=now - REPORT_LOST_AFTER).values_list("pk", flat=True))
    with transaction.atomic():
        for report_id in lost:
            generate_report.delay_on_commit(report_id)
    return len(lost)


def report_unsent(*, report: Report) -> bool:
    """Whether a recipient of a scheduled report who may read it has not been sent it yet."""
    recipients = report_schedule_recipients(project=report.project, audience=report.audience)
    wanted = recipients.filter(pk__in=report.schedule.recipients.values("pk")).count()
    sent = Notification.objects.filter(
        key__startswith=f"report:{report.pk}:", sent_at__isnull=False
    ).count()
    return sent < wanted


def report_schedules_run(*, now: datetime.datetime) -> list[Report]:
    """Queue the report of every schedule whose period has come due, once per period: the
    unique (schedule, period end) makes a second run, or a run after a restart, find it."""
    queued = []
    for schedule in ReportSchedule.objects.filter(active=True, project__in=Project.objects.live()):
        period = schedule.period_due(now)
        if period is None:
            continue
        start, end = period
        with transaction.atomic():
            report, created = Report.objects.get_or_create(
                schedule=schedule,
                period_end=end,
                defaults={
                    "project_id": schedule.project_id,
                    "audience": schedule.audience,
                    "period_start": start,
                    "paper": schedule.paper,
                },
            )
            # A report the worker lost, or did not finish e-mailing, is taken up again:
            # drawing never replaces a stored report and each e-mail goes once.
            lost = report.state in (ReportState.QUEUED, ReportState.RUNNING) and (
                report.created_at < now - REPORT_LOST_AFTER
            )
            if created or lost:
                generate_report.delay_on_commit(report.pk)
            elif report.state == ReportState.DONE and report_unsent(report=report):
                email_report.delay_on_commit(report.pk)
        if created:
            queued.append(report)
    return queued


def report_schedule_recipients(*, project: Project, audience: str):
    """The members who may read a report for `audience`: those a schedule may send it to."""
    perm = AUDIENCE_PERMISSION[audience]
    roles = [role for role in Role.values if perm in permissions_for(role)]
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__project=project,
            memberships__role__in=roles,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def report_schedule_save(
    *, schedule: ReportSchedule, recipients, project: Project, by
) -> ReportSchedule:
    with transaction.atomic():
        schedule.project = project
        _save(schedule, by=by)
        schedule.recipients.set(recipients)
    return schedule


def report_schedule_stop(*, schedule: ReportSchedule, by) -> ReportSchedule:
    schedule.active = False
    return _save(schedule, by=by)


def project_regrant(*, project: Project) -> None:
    """Give the members of a project brought in whole (from an archive) the object permissions
    of their roles, as `membership_grant` would have."""
    project_sync_role_groups(project)
    for membership in project.memberships.select_related("project", "user"):
        _regroup(membership)


def project_import(*, source, by) -> Project:
    """Create the project held in a project archive (see `archive.py`); a refused archive
    says why next to the file it came in."""
    try:
        with transaction.atomic():
            project = import_project(source, by=by)
            audit.record(
                Kind.IMPORT,
                user=by,
                project=project,
                subject=_("Project archive %(name)s") % {"name": getattr(source, "name", "")},
                obj=project,
            )
            return project
    except ArchiveError as error:
        raise ValidationError({"archive": error.messages}) from error
