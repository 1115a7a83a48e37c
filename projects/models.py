import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from .labels import ChoiceLabels
from .roles import PERMISSIONS, Role


class SizeBand(models.TextChoices):
    SMALL = "small", _("Small (under 500 employees)")
    MID = "mid", _("Mid-size (500 to 1,000 employees)")
    LARGE = "large", _("Large (over 1,000 employees)")


def size_band(headcount: int) -> SizeBand:
    """The client's size band, which drives who should own the platform."""
    if headcount < 500:
        return SizeBand.SMALL
    if headcount <= 1000:
        return SizeBand.MID
    return SizeBand.LARGE


class ClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Client(models.Model):
    name = models.CharField(_("organisation name"), max_length=200)
    headcount = models.PositiveIntegerField(
        _("headcount"), help_text=_("Number of employees; it sets the size band.")
    )
    countries = models.CharField(
        _("countries"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. France, Spain"),
    )
    industry = models.CharField(_("industry"), max_length=200, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="client_name_unique",
                violation_error_message=_("A client with this name already exists."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:client_edit", args=[self.pk])

    @property
    def size_band(self) -> SizeBand:
        return size_band(self.headcount)


class DeploymentModel(models.TextChoices):
    SAAS = "saas", _("SaaS")
    MANAGED = "managed", _("Managed hosting")
    ON_PREMISE = "on_premise", _("On-premise")


class ProjectStatus(models.TextChoices):
    SETUP = "setup", _("Setting up")
    ACTIVE = "active", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    # A saved template: a plan to start new projects from, never run itself.
    TEMPLATE = "template", _("Template")


CURRENCIES = [
    (code, code)
    for code in (
        "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "CNY", "INR", "SGD",
        "SEK", "NOK", "DKK", "PLN", "CZK", "BRL", "MXN", "ZAR", "AED", "NZD",
    )
]  # fmt: skip


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one query for "projects this person may see"; every list starts from it."""
        return self._with_permission(user, "view_project")

    def managed_by(self, user):
        """The projects this person may set up (vendor staff: every one)."""
        return self._with_permission(user, "manage_project")

    def _with_permission(self, user, codename: str):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff or user.is_superuser:
            return self
        granted = grants_of(user).filter(permission=Subquery(_permission(codename)))
        return self.filter(pk__in=granted.values("content_object_id"))

    def unarchived(self):
        return self.exclude(status=ProjectStatus.ARCHIVED)

    def current(self):
        """The projects being run: neither archived nor templates. Checks, digests and the
        portfolio look only at these."""
        return self.unarchived().exclude(status=ProjectStatus.TEMPLATE)

    def templates(self):
        return self.filter(status=ProjectStatus.TEMPLATE)

    def plan_sources_for(self, user):
        """What this person may start a new project from: the templates they see and the
        projects they manage."""
        managed = self.managed_by(user).values("pk")
        # A template carries vendor-internal budget lines: only vendor roles copy it.
        templates = self._with_permission(user, "view_internal").templates().values("pk")
        return self.filter(Q(pk__in=managed) | Q(pk__in=templates))

    def live(self):
        """The projects the health checks watch: current ones that are not closed."""
        return self.current().exclude(status=ProjectStatus.CLOSED)

    def portfolio_for(self, user):
        """The live projects a vendor person works on (every one for staff), each with the
        rank of its worst open finding per area (`rag_<area>`: 0 green, 1 amber, 2 red) and
        its open red and amber counts, worst first."""
        projects = self.live()._with_permission(user, "view_internal")
        is_open = models.Q(findings__closed_at__isnull=True)
        red = is_open & models.Q(findings__severity=Severity.RED)
        amber = is_open & models.Q(findings__severity=Severity.AMBER)
        ranks = {
            f"rag_{area}": models.Max(
                models.Case(
                    models.When(red & models.Q(findings__area=area), then=2),
                    models.When(amber & models.Q(findings__area=area), then=1),
                    default=0,
                )
            )
            for area in CheckArea.values
        }
        return (
            projects.select_related("client")
            .annotate(
                **ranks,
                red_count=models.Count("findings", filter=red),
                amber_count=models.Count("findings", filter=amber),
            )
            .order_by("-red_count", "-amber_count", "target_go_live", "name")
        )


def statuses_allowed(current: str) -> list[ProjectStatus]:
    """The statuses a project may be given by editing it: a template stays a template (or is
    archived), and a running project becomes one only by "Save as template", which copies it."""
    if current == ProjectStatus.TEMPLATE:
        return [ProjectStatus.TEMPLATE, ProjectStatus.ARCHIVED]
    return [status for status in ProjectStatus if status != ProjectStatus.TEMPLATE]


PLAUSIBLE_YEARS = {"first": 2000, "last": 2100}
IMPLAUSIBLE_DATE = _("Enter a date between %(first)d and %(last)d.")


def _plausible(day) -> bool:
    return PLAUSIBLE_YEARS["first"] <= day.year <= PLAUSIBLE_YEARS["last"]


def implausible_dates(instance, *names: str) -> dict[str, str]:
    """Errors for the date fields outside this century: year 1 or 9999 is a typing mistake."""
    return {
        name: IMPLAUSIBLE_DATE % PLAUSIBLE_YEARS
        for name in names
        if getattr(instance, name) is not None and not _plausible(getattr(instance, name))
    }


class UniqueBesideField:
    """A model whose unique constraint on `Lower(field)`, which Django cannot tie to a field,
    is reported beside that field rather than above the form: `beside` maps the constraint's
    `violation_error_code` to the field."""

    beside: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude)
        except ValidationError as error:
            errors = {}
            for field, problems in error.error_dict.items():
                for problem in problems:
                    at = (
                        self.beside.get(problem.code, field) if field == NON_FIELD_ERRORS else field
                    )
                    errors.setdefault(at, []).append(problem)
            raise ValidationError(errors) from None


def validate_plausible_date(day) -> None:
    """`implausible_dates` for a form field that is not a model's, such as a filter's."""
    if not _plausible(day):
        raise ValidationError(IMPLAUSIBLE_DATE % PLAUSIBLE_YEARS)


project_key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$",
    _("Use 2 to 10 capital letters or digits, starting with a letter, e.g. NWP."),
)


class Project(ChoiceLabels, models.Model):
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="projects", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(
        _("short key"),
        max_length=10,
        unique=True,
        validators=[project_key_validator],
        help_text=_("Prefix of item keys such as NWP-12. It cannot be changed later."),
    )
    lms_product = models.CharField(_("LMS product"), max_length=200)
    deployment_model = models.CharField(
        _("deployment model"), max_length=20, choices=DeploymentModel.choices
    )
    start_date = models.DateField(_("start"))
    target_go_live = models.DateField(_("target go-live"))
    hosting_term_end = models.DateField(
        _("hosting term end"), null=True, blank=True, help_text=_("When the hosting contract ends.")
    )
    programme_end = models.DateField(
        _("programme end"),
        null=True,
        blank=True,
        help_text=_("How long the platform must run."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.SETUP
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # Only "add" is a global permission (who may create projects); everything else is
        # granted per project through its role groups.
        default_permissions = ("add",)
        permissions = list(PERMISSIONS.items())

    def __str__(self):
        return f"{self.key} · {self.name}"

    def get_absolute_url(self):
        return reverse("projects:home", args=[self.key])

    @property
    def is_template(self) -> bool:
        return self.status == ProjectStatus.TEMPLATE

    def clean(self):
        errors = implausible_dates(
            self, "start_date", "target_go_live", "hosting_term_end", "programme_end"
        )
        if errors:
            raise ValidationError(errors)
        if self.start_date and self.target_go_live and self.target_go_live < self.start_date:
            errors["target_go_live"] = _("Go-live cannot be before the project starts.")
        if self.start_date and self.programme_end and self.programme_end < self.start_date:
            errors["programme_end"] = _("The programme cannot end before the project starts.")
        if self.start_date and self.hosting_term_end and self.hosting_term_end < self.start_date:
            errors["hosting_term_end"] = _("The hosting term cannot end before the project starts.")
        if errors:
            raise ValidationError(errors)


class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


def grants_of(user) -> models.QuerySet:
    """What the person's role groups are granted. Permissions go to a project's role groups
    only, never to a person directly (see `services.project_sync_role_groups`).

    Read from the person's group memberships alone, without joining the groups: a vendor
    lead is in a few hundred groups, while a permission is granted to thousands of them."""
    groups = user.groups.through.objects.filter(user=user).values("group_id")
    return ProjectGroupObjectPermission.objects.filter(group__in=groups)


def _permission(codename: str) -> models.QuerySet:
    """A project permission's id, as a subquery the database reads once, before the grants.
    Joined by its codename instead, PostgreSQL guessed that few grants carry the permission and
    walked all of them to find the person's: 6 ms a page for a lead of 200 projects."""
    return (
        Permission.objects.filter(
            content_type__app_label="projects", content_type__model="project", codename=codename
        )
        .order_by()
        .values("pk")
    )


class SiteKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    BUSINESS_UNIT = "business_unit", _("Business unit")


class SiteQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Site(UniqueBesideField, ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Germany, or Retail BU"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=SiteKind.choices, default=SiteKind.COUNTRY
    )
    local_go_live = models.DateField(_("local go-live"), null=True, blank=True)
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("e.g. German, English")
    )
    local_owner = models.CharField(_("local owner"), max_length=200, blank=True)
    configuration_notes = models.TextField(_("local configuration notes"), blank=True)
    content_qc_target_days = models.PositiveIntegerField(
        _("content QC lead-time target (days)"),
        null=True,
        blank=True,
        help_text=_("From content ready to available to learners at this site."),
    )
    local_alternative_cost = models.DecimalField(
        _("annual cost of a local alternative"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What a local LMS would cost this site a year, to compare with rebilling."),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("name"),
                name="site_name_unique_in_project",
                violation_error_message=_("This project already has a site with this name."),
                violation_error_code="name_taken",
            )
        ]

    beside = {"name_taken": "name"}

    def __str__(self):
        return self.name

    def clean(self):
        errors = implausible_dates(self, "local_go_live") | negative_amounts(
            self, "local_alternative_cost"
        )
        if (self.content_qc_target_days or 0) > 365:
            errors["content_qc_target_days"] = _("Enter at most 365 days: a lead time of a year.")
        if errors:
            raise ValidationError(errors)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Removing a member ends the membership; the row stays so the history keeps who was there.
    is_active = models.BooleanField(_("active"), default=True)
    wants_digest = models.BooleanField(_("daily digest by e-mail"), default=False)
    # The secret in this member's private calendar link; a new one revokes the old link.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "user__first_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_person")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Invitation(ChoiceLabels, models.Model):
    """A person was added to a project and is told so by e-mail (see `tasks.send_invitation`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} → {self.project.key}"

    @property
    def notification_key(self) -> str:
        return f"invitation:{self.pk}"


class Notification(models.Model):
    """One e-mail to one person about one thing, whose unique key makes sending idempotent."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.key


class MilestoneQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Milestone(models.Model):
    """A dated step of the plan, for the whole project or one site. The planned date is the
    baseline; the forecast moves as the plan does; the actual date says it happened."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("site"),
        help_text=_("Leave empty for a milestone of the whole project."),
    )
    name = models.CharField(_("name"), max_length=200)
    planned_date = models.DateField(_("planned (baseline)"))
    forecast_date = models.DateField(_("forecast"))
    actual_date = models.DateField(_("done on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    budget_share = models.DecimalField(
        _("share of the budget (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For earned value: the part of the budget this milestone delivers."),
    )
    is_go_live = models.BooleanField(_("go-live milestone"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every save: a form carries the version it was read at (see `versions`).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["forecast_date", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = implausible_dates(self, "planned_date", "forecast_date", "actual_date")
        if (
            "actual_date" not in errors
            and self.actual_date
            and self.actual_date > timezone.localdate()
        ):
            errors["actual_date"] = _("It cannot be done on a day still to come: today or earlier.")
        if self.budget_share is not None and not 0 <= self.budget_share <= 100:
            errors["budget_share"] = _("A share is between 0 and 100%.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        return self.actual_date is None and self.forecast_date < timezone.localdate()

    @property
    def slip_days(self) -> int:
        """How far the forecast has moved from the baseline (negative: earlier)."""
        return (self.forecast_date - self.planned_date).days


class ContentRelease(models.Model):
    """A batch of content for one site: the lead time from ready to available to learners is
    where central quality control can delay local rollouts."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="releases", verbose_name=_("site")
    )
    title = models.CharField(_("content"), max_length=200)
    ready_on = models.DateField(_("content ready"))
    qc_passed_on = models.DateField(_("quality check passed"), null=True, blank=True)
    available_on = models.DateField(_("available to learners"), null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-ready_on", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        errors = implausible_dates(self, "ready_on", "qc_passed_on", "available_on")
        if self.ready_on and self.qc_passed_on and self.qc_passed_on < self.ready_on:
            errors["qc_passed_on"] = _("The check cannot pass before the content is ready.")
        if self.ready_on and self.available_on and self.available_on < self.ready_on:
            errors["available_on"] = _("Content cannot be available before it is ready.")
        elif self.qc_passed_on and self.available_on and self.available_on < self.qc_passed_on:
            errors["available_on"] = _("Content cannot be available before its check passed.")
        if errors:
            raise ValidationError(errors)

    @property
    def lead_time_days(self) -> int | None:
        return (self.available_on - self.ready_on).days if self.available_on else None


def lead_times(sites, releases) -> list[dict]:
    """Per site: its releases' lead times (ready to available), their median, and whether the
    median is above the site's target."""
    by_site = {site.pk: [] for site in sites}
    for release in releases:
        if release.lead_time_days is not None and release.site_id in by_site:
            by_site[release.site_id].append(release.lead_time_days)
    summary = []
    for site in sites:
        days = sorted(by_site[site.pk])
        median = (
            days[len(days) // 2]
            if len(days) % 2
            else ((days[len(days) // 2 - 1] + days[len(days) // 2]) / 2 if days else None)
        )
        target = site.content_qc_target_days
        summary.append(
            {
                "site": site,
                "count": len(days),
                "median": median,
                "target": target,
                "over": median is not None and target is not None and median > target,
            }
        )
    return summary


class RaidKind(models.TextChoices):
    RISK = "risk", _("Risk")
    ASSUMPTION = "assumption", _("Assumption")
    ISSUE = "issue", _("Issue")
    DEPENDENCY = "dependency", _("Dependency")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


LEVEL_SCORE = {Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3}


class RaidStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_HAND = "in_hand", _("Being handled")
    CLOSED = "closed", _("Closed")
    VALIDATED = "validated", _("Validated")
    INVALIDATED = "invalidated", _("Invalidated")


# An assumption ends validated or invalidated; other items end closed.
ASSUMPTION_OUTCOMES = frozenset({RaidStatus.VALIDATED, RaidStatus.INVALIDATED})
RAID_OPEN = frozenset({RaidStatus.OPEN, RaidStatus.IN_HAND})


class RaidQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=RAID_OPEN, archived_at__isnull=True)


class RaidItem(ChoiceLabels, models.Model):
    """A risk, assumption, issue or dependency: written down, owned and checked."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="raid")
    kind = models.CharField(_("kind"), max_length=20, choices=RaidKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    impact = models.CharField(
        _("impact"), max_length=10, choices=Level.choices, default=Level.MEDIUM
    )
    likelihood = models.CharField(
        _("likelihood"),
        max_length=10,
        choices=Level.choices,
        blank=True,
        help_text=_("For risks."),
    )
    due_date = models.DateField(
        _("due or validation date"),
        null=True,
        blank=True,
        help_text=_("When it must be resolved; for an assumption, when it must be checked."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RaidStatus.choices, default=RaidStatus.OPEN
    )
    mitigation = models.TextField(_("mitigation or plan"), blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = RaidQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("RAID item")

    def __str__(self):
        return self.title

    def clean(self):
        errors = implausible_dates(self, "due_date")
        if self.status in ASSUMPTION_OUTCOMES and self.kind != RaidKind.ASSUMPTION:
            errors["status"] = _(
                "Only an assumption is validated or invalidated; close it instead."
            )
        if self.kind == RaidKind.ASSUMPTION and self.status == RaidStatus.CLOSED:
            errors["status"] = _("An assumption ends validated or invalidated.")
        if errors:
            raise ValidationError(errors)

    @property
    def score(self) -> int:
        """Impact × likelihood, 1 to 9; items without a likelihood count it as medium."""
        return LEVEL_SCORE[self.impact] * LEVEL_SCORE.get(self.likelihood, 2)

    @property
    def is_late(self) -> bool:
        return (
            self.status in RAID_OPEN
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


# Health checks (see `checks.py`)


class CheckArea(models.TextChoices):
    TIMELINE = "timeline", _("Timeline")
    BUDGET = "budget", _("Budget")
    SCOPE = "scope", _("Scope")
    QUALITY = "quality", _("Quality")
    GOVERNANCE = "governance", _("Governance")


class Severity(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


SEVERITY_RANK = {Severity.GREEN: 0, Severity.AMBER: 1, Severity.RED: 2}


class FindingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def visible_with(self, perms: frozenset[str]):
        """Budget findings are judged on every line, vendor-internal ones included: only those
        who may see internal figures see them."""
        return self if "view_internal" in perms else self.exclude(area=CheckArea.BUDGET)


class Finding(ChoiceLabels, models.Model):
    """A problem a health check found: open from the run that first saw it until the first run
    that no longer does. A problem that comes back later is a new finding."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(max_length=120)
    area = models.CharField(_("area"), max_length=20, choices=CheckArea.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    message = models.CharField(_("finding"), max_length=1000)
    url = models.CharField(max_length=500)
    # The permission the page at `url` needs: those without it read the finding, unlinked.
    opens_with = models.CharField(max_length=40, default="view_project")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_finding_per_problem",
            )
        ]
        indexes = [models.Index(fields=["project", "closed_at"])]

    def __str__(self):
        return self.message


class PendingCheck(models.Model):
    """A run of a project's checks that is queued but has not started: while this row exists,
    further changes to the project ride along instead of queueing another run."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"checks of project {self.project_id} queued at {self.requested_at}"


class BudgetCategory(models.TextChoices):
    LICENCES = "licences", _("Licences")
    IMPLEMENTATION = "implementation", _("Implementation services")
    CONTENT = "content", _("Content")
    HOSTING = "hosting", _("Hosting")
    INTERNAL_REBILLING = "internal_rebilling", _("Internal rebilling")
    TRAINING = "training", _("Training")
    CONTINGENCY = "contingency", _("Contingency")
    OTHER = "other", _("Other")


MONEY = {"max_digits": 14, "decimal_places": 2}
# An amount in a project's currency is below this: what MONEY holds.
LARGEST_AMOUNT = 10**12
CENT = Decimal("0.01")


def to_project_currency(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount converted at its rate, rounded to the cent the way an invoice is."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def negative_amounts(instance, *names: str) -> dict[str, str]:
    return {
        name: _("Enter zero or more: an amount cannot be negative.")
        for name in names
        if getattr(instance, name) is not None and getattr(instance, name) < 0
    }


class BudgetLineQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def visible(self, *, internal: bool):
        """What a person sees: everything with `view_internal`, else the shared lines only."""
        return self if internal else self.filter(is_internal=False)


class BudgetLine(ChoiceLabels, models.Model):
    """A planned amount of the project's budget, in the project currency."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=30, choices=BudgetCategory.choices)
    name = models.CharField(_("name"), max_length=200)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("site"),
        help_text=_("The site this line is charged to, e.g. for internal rebilling."),
    )
    planned_amount = models.DecimalField(
        _("planned amount"), **MONEY, help_text=_("In the project currency.")
    )
    is_internal = models.BooleanField(
        _("vendor-internal"),
        default=False,
        help_text=_("Hidden from the client's people, with every total that includes it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = negative_amounts(self, "planned_amount")
        if self.category == BudgetCategory.INTERNAL_REBILLING and not self.site_id:
            errors["site"] = _("Internal rebilling is charged to a site: choose which.")
        if errors:
            raise ValidationError(errors)


class CostEntryQuerySet(models.QuerySet):
    def active(self):
        """Entries that count: neither they nor their line are archived."""
        return self.filter(archived_at__isnull=True, line__archived_at__isnull=True)

    def visible(self, *, internal: bool):
        return self if internal else self.filter(line__is_internal=False)


class CostEntry(ChoiceLabels, models.Model):
    """Money spent against a budget line, in any currency with its rate to the project's."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cost_entries")
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("budget line"),
    )
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    rate_to_project = models.DecimalField(
        _("rate to the project currency"),
        max_digits=12,
        decimal_places=6,
        default=Decimal(1),
        help_text=_("One unit of this currency in the project currency; 1 for the same one."),
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CostEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = _("cost entries")

    def __str__(self):
        return self.description

    def clean(self):
        errors = implausible_dates(self, "date") | negative_amounts(self, "amount")
        rate = self.rate_to_project
        same_currency = self.project_id and self.currency == self.project.currency
        if rate is not None and rate <= 0:
            errors["rate_to_project"] = _("A rate must be above zero.")
        elif rate is not None and rate != 1 and same_currency:
            errors["rate_to_project"] = _(
                "This entry is in the project currency (%(currency)s): its rate is 1."
            ) % {"currency": self.currency}
        elif (
            rate is not None
            and "amount" not in errors
            and self.amount is not None
            and abs(to_project_currency(self.amount, rate)) >= LARGEST_AMOUNT
        ):
            # What the budget's sums and charts hold: a typing slip, such as a rate mistyped.
            errors["rate_to_project"] = _(
                "At this rate the entry would be over %(largest)s in the project currency: "
                "check the rate and the amount."
            ) % {"largest": number_format(LARGEST_AMOUNT, force_grouping=True)}
        if errors:
            raise ValidationError(errors)

    @property
    def is_internal(self) -> bool:
        return self.line.is_internal

    @property
    def project_amount(self) -> Decimal:
        """The amount in the project currency."""
        return to_project_currency(self.amount, self.rate_to_project)


# Status reports


class Audience(models.TextChoices):
    CLIENT = "client", _("Client")
    VENDOR = "vendor", _("Vendor (internal)")


# Who may generate and read a report for each audience.
AUDIENCE_PERMISSION = {Audience.CLIENT: "view_reports", Audience.VENDOR: "view_internal"}


def audiences_for(perms: frozenset[str]) -> list[str]:
    return [audience for audience, perm in AUDIENCE_PERMISSION.items() if perm in perms]


class Paper(models.TextChoices):
    A4 = "a4", _("A4")
    LETTER = "letter", _("Letter")


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being drawn")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_path(instance, filename: str) -> str:
    # A random name: the file is only ever served through the authorising view.
    return f"reports/{uuid.uuid4().hex}.pdf"


class ReportQuerySet(models.QuerySet):
    def readable_with(self, perms: frozenset[str]):
        """The reports of audiences a person may read; the others do not exist for them."""
        return self.filter(audience__in=audiences_for(perms))


class Report(ChoiceLabels, models.Model):
    """A status report as drawn once for a period; a stored report never changes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    paper = models.CharField(_("paper"), max_length=10, choices=Paper.choices, default=Paper.A4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    schedule = models.ForeignKey(
        "ReportSchedule", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_path, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A schedule draws one report per period, however often its task runs.
            models.UniqueConstraint(
                fields=["schedule", "period_end"],
                condition=models.Q(schedule__isnull=False),
                name="report_once_per_schedule_period",
            )
        ]

    def __str__(self):
        return f"{self.project.key} {self.period_start}–{self.period_end} ({self.audience})"

    @property
    def is_pending(self) -> bool:
        return self.state in (ReportState.QUEUED, ReportState.RUNNING)

    @property
    def filename(self) -> str:
        return f"{self.project.key}-status-{self.period_end:%Y-%m-%d}-{self.audience}.pdf"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ReportSchedule(ChoiceLabels, models.Model):
    """A report drawn and e-mailed on a weekday or a day of the month, at an hour of the
    installation's time zone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="report_schedules")
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1 to 28, so that every month has it."),
    )
    hour = models.PositiveSmallIntegerField(
        _("hour"), default=8, validators=[MaxValueValidator(23)]
    )
    paper = models.CharField(_("paper"), max_length=10, choices=Paper.choices, default=Paper.A4)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[recipients])

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.project.key} {self.get_frequency_display()} ({self.audience})"

    def period_due(self, now: datetime.datetime) -> tuple[datetime.date, datetime.date] | None:
        """The period of the last report due by `now`, (first day, last day), or None when
        none has come due since the schedule was made."""
        occurrence = last_occurrence(
            now, self.frequency, weekday=self.weekday, day=self.day_of_month, hour=self.hour
        )
        if occurrence < self.created_at:
            return None
        end = occurrence.date()
        if self.frequency == Frequency.WEEKLY:
            return end - datetime.timedelta(days=6), end
        return _month_before(end) + datetime.timedelta(days=1), end


def _month_before(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=day.day)


def last_occurrence(
    now: datetime.datetime, frequency: str, *, weekday: int, day: int, hour: int
) -> datetime.datetime:
    """The last moment, up to `now`, at which a schedule fires, in the installation's time zone
    (projects have none of their own)."""
    local = timezone.localtime(now)
    if frequency == Frequency.WEEKLY:
        date = local.date() - datetime.timedelta(days=(local.weekday() - weekday) % 7)
        step = lambda d: d - datetime.timedelta(days=7)  # noqa: E731
    else:
        date = (
            local.date().replace(day=day)
            if local.day >= day
            else _month_before(local.date().replace(day=day))
        )
        step = _month_before
    moment = timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))
    if moment > local:
        moment = timezone.make_aware(datetime.datetime.combine(step(date), datetime.time(hour)))
    return moment


class OutboxMessage(models.Model):
    """A task to publish, written in the transaction of the action that wants it: when the
    broker is down at commit, the row waits here until a later publish or the beat drains it
    (see `projects.outbox`)."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class Submission(models.Model):
    """A create form sent once. The form carries a one-time token; the action records it
    in its own transaction, under the unique constraint, so that a double click or a replayed
    request finds the first submission's row instead of creating a second one."""

    token = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True)
    object_id = models.PositiveBigIntegerField(null=True)
    created = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token"], name="submission_token_unique")]

    def __str__(self):
        return self.token
