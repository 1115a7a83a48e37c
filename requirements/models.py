from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.labels import ChoiceLabels
from projects.models import Project, Site, implausible_dates
from projects.uploads import StoredUpload, storage_name
from stakeholders.models import Area, Stakeholder


class Tactic(models.TextChoices):
    BLENDED = "blended", _("Blended learning")
    MOBILE = "mobile", _("Mobile learning")
    SOCIAL = "social", _("Social learning")
    VIRTUAL_CLASSROOM = "virtual_classroom", _("Virtual classroom")
    SELF_PACED = "self_paced", _("Self-paced e-learning")
    MICROLEARNING = "microlearning", _("Microlearning")
    CERTIFICATION = "certification", _("Compliance and certification")


class Solution(models.TextChoices):
    LMS = "lms", _("LMS")
    LCMS = "lcms", _("LCMS")
    AUTHORING = "authoring", _("Authoring tool")
    SOCIAL_NETWORK = "social_network", _("Social network")
    VIRTUAL_CLASSROOM = "virtual_classroom", _("Virtual classroom tool")
    HRIS = "hris", _("HRIS integration")
    SSO = "sso", _("Single sign-on")
    REPORTING = "reporting", _("Reporting and analytics")


class Goal(models.Model):
    """WHY the client invests (a business goal with a measurable target), WHAT kind of learning
    serves it, and HOW the platform delivers it. Requirements trace to a goal."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("business goal (why)"), max_length=300)
    target = models.CharField(
        _("measurable target"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 95% of sales staff certified on the new range by June"),
    )
    tactics = models.JSONField(_("tactics (what)"), default=list, blank=True)
    solutions = models.JSONField(_("solution components (how)"), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

    def tactic_labels(self) -> list[str]:
        return [str(Tactic(code).label) for code in self.tactics if code in Tactic.values]

    def solution_labels(self) -> list[str]:
        return [str(Solution(code).label) for code in self.solutions if code in Solution.values]


class Priority(models.TextChoices):
    MUST = "must", _("Must")
    SHOULD = "should", _("Should")
    COULD = "could", _("Could")
    WONT = "wont", _("Won't")


class Kind(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional")
    CONFIGURATION = "configuration", _("Configuration")
    INTEGRATION = "integration", _("Integration")
    CONTENT = "content", _("Content")
    REPORTING = "reporting", _("Reporting")
    NON_FUNCTIONAL = "non_functional", _("Non-functional")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for clarification")
    ENDORSED = "endorsed", _("Endorsed")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    VERIFIED = "verified", _("Verified")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED = frozenset({Status.VERIFIED, Status.DECLINED, Status.WITHDRAWN})


class RequirementQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def open(self):
        return self.exclude(status__in=CLOSED)

    def musts(self):
        return self.filter(priority=Priority.MUST)

    def without_goal(self):
        return self.filter(goal__isnull=True).exclude(status__in=CLOSED)

    def visible_to(self, user, perms: frozenset[str]):
        """Everything for those who see all requirements; a client stakeholder follows their
        own submissions only."""
        if "view_requirements" in perms:
            return self
        if "submit_requirement" in perms:
            return self.filter(Q(submitter__user=user) | Q(created_by=user))
        return self.none()

    def with_ranks(self):
        """Each row's priority and status as their places in the workflow's order (must
        first, submitted first), to sort by: their codes sort alphabetically."""
        return self.annotate(
            priority_rank=_rank("priority", Priority.values),
            status_rank=_rank("status", Status.values),
        )


def _rank(field: str, values: list[str]) -> Case:
    ranks = [When(**{field: value}, then=Value(i)) for i, value in enumerate(values)]
    return Case(*ranks, output_field=IntegerField())


class Requirement(ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirements")
    # Numbered per project without gaps: `services.requirement_submit` hands out the numbers.
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    description_html = models.TextField(editable=False, blank=True)
    submitter = models.ForeignKey(
        Stakeholder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("submitter"),
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices, default=Area.PLATFORM)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("scope"),
        help_text=_("Leave empty when it applies to all sites."),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("goal"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.SHOULD
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.FUNCTIONAL)
    acceptance_criteria = models.TextField(
        _("acceptance criteria"), blank=True, help_text=_("One criterion per line.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    # Part of the baseline: its scope, priority and criteria then change only by change request.
    in_baseline = models.BooleanField(_("in the baseline"), default=False)
    # Bumped on every save; a form carries the version it was read at, so a second person
    # saving over a change they have not seen is told instead of overwriting it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["description_html", "updated_at"])
    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="requirement_number_unique")
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self):
        return f"{self.key} {self.title}"

    def get_absolute_url(self):
        return reverse("requirements:detail", args=[self.project.key, self.number])

    @property
    def key(self) -> str:
        return f"{self.project.key}-{self.number}"

    @property
    def criteria(self) -> list[str]:
        return [line.strip() for line in self.acceptance_criteria.splitlines() if line.strip()]


class Baseline(models.Model):
    """The accepted set of requirements, frozen at one moment: what the vendor committed to."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.project.key} baseline {self.created_at:%Y-%m-%d}"


class BaselineItem(ChoiceLabels, models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    # What was agreed, as it read then.
    title = models.CharField(max_length=300)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    scope = models.CharField(max_length=200)
    acceptance_criteria = models.TextField(blank=True)

    class Meta:
        ordering = ["requirement__number"]

    def __str__(self):
        return self.title


class ChangeKind(models.TextChoices):
    CHANGE = "change", _("Change a baselined requirement")
    ADD = "add", _("Add a requirement to the baseline")


class ChangeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for approval")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


class ChangeRequest(ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    number = models.PositiveIntegerField(editable=False)
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    description = models.TextField(_("what changes and why"))
    impact_timeline = models.CharField(_("impact on the timeline"), max_length=300, blank=True)
    impact_budget = models.DecimalField(
        _("impact on the budget"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # For a change: the proposed values of the controlled fields (site as its id).
    proposed_priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    proposed_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_all_sites = models.BooleanField(default=False)
    proposed_criteria = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.OPEN
    )
    spoc_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    spoc_approved_at = models.DateTimeField(null=True, blank=True)
    pm_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pm_approved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="change_request_number_unique"
            )
        ]

    def __str__(self):
        return self.key

    def get_absolute_url(self):
        return reverse("requirements:change", args=[self.project.key, self.number])

    @property
    def key(self) -> str:
        return f"CR-{self.number}"


class Conflict(models.Model):
    """Two requirements that ask for opposite things, typically a regional and a global head.
    The accountable owner of the area settles it; the decision goes into the decision log."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="conflicts")
    first = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("what conflicts"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        "stakeholders.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.first.key} × {self.second.key}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed, not imported")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing imported")


class ImportJob(ChoiceLabels, models.Model):
    """An uploaded file of requirements, kept from its preview until it is imported."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.PREVIEWED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    first_number = models.PositiveIntegerField(null=True, blank=True)
    last_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 0


# User acceptance testing


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for feedback")
    CLOSED = "closed", _("Closed")


class TestRoundQuerySet(models.QuerySet):
    def visible_to(self, user, perms: frozenset[str]):
        """Every round for those who triage or manage; a tester sees the rounds they are in."""
        if perms & {"triage_feedback", "manage_project"}:
            return self
        if "log_feedback" in perms:
            return self.filter(testers=user)
        return self.none()


class TestRound(ChoiceLabels, models.Model):
    """A cycle of user acceptance testing: a build, the requirements in scope, the testers."""

    __test__ = False  # not a pytest class, whatever its name

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="test_rounds")
    name = models.CharField(_("name"), max_length=200)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="test_rounds",
        verbose_name=_("site"),
        help_text=_("Leave empty for a round of the whole platform."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    build = models.CharField(_("build or version under test"), max_length=100, blank=True)
    requirements = models.ManyToManyField(
        Requirement, blank=True, related_name="test_rounds", verbose_name=_("requirements in scope")
    )
    testers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="test_rounds", verbose_name=_("testers")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TestRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("requirements:round", args=[self.project.key, self.pk])

    def clean(self):
        errors = implausible_dates(self, "starts_on", "ends_on")
        if not errors and self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A round ends on or after the day it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def is_past_its_end(self) -> bool:
        """Still open after its last day, in the reader's time zone: nothing closes a round
        but its project manager, so it takes feedback until they do."""
        return self.is_open and self.ends_on < timezone.localdate()


class FeedbackKind(models.TextChoices):
    DEFECT = "defect", _("Defect")
    USABILITY = "usability", _("Usability")
    CONTENT = "content", _("Content")
    PERFORMANCE = "performance", _("Performance")
    SUGGESTION = "suggestion", _("Suggestion")


class FeedbackSeverity(models.TextChoices):
    BLOCKER = "blocker", _("Blocker")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    COSMETIC = "cosmetic", _("Cosmetic")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    FIXING = "fixing", _("Fixing")
    FIXED = "fixed", _("Fixed, to verify")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    WONT_FIX = "wont_fix", _("Won't fix")
    DUPLICATE = "duplicate", _("Duplicate")


FEEDBACK_DONE = frozenset(
    {FeedbackStatus.VERIFIED, FeedbackStatus.CLOSED, FeedbackStatus.WONT_FIX,
     FeedbackStatus.DUPLICATE}
)  # fmt: skip
# Open feedback of these severities holds go-live back.
BLOCKING = frozenset({FeedbackSeverity.BLOCKER, FeedbackSeverity.MAJOR})


class FeedbackQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def open(self):
        return self.exclude(status__in=FEEDBACK_DONE)

    def blocking(self):
        return self.filter(severity__in=BLOCKING)

    def similar_to(self, title: str, limit: int = 5):
        """Open items whose title shares a word (of four letters or more) with `title`."""
        words = {word for word in title.lower().split() if len(word) >= 4}
        if not words:
            return self.none()
        match = Q()
        for word in sorted(words)[:8]:
            match |= Q(title__icontains=word)
        return self.open().filter(match).order_by("-number")[:limit]

    def visible_to(self, user, perms: frozenset[str]):
        """All of it for those who triage; a tester follows their own items."""
        if perms & {"triage_feedback", "manage_project"}:
            return self
        if "log_feedback" in perms:
            return self.filter(tester=user)
        return self.none()


class Feedback(ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="feedback")
    # Numbered per project without gaps: `services.feedback_log` hands out the numbers.
    number = models.PositiveIntegerField(editable=False)
    round = models.ForeignKey(
        TestRound, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("round")
    )
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback"
    )
    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("requirement it concerns"),
    )
    title = models.CharField(_("what happened"), max_length=200)
    steps = models.TextField(_("steps to reproduce"), blank=True)
    expected = models.TextField(_("what you expected"), blank=True)
    actual = models.TextField(_("what happened instead"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=FeedbackKind.choices, default=FeedbackKind.DEFECT
    )
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=FeedbackSeverity.choices,
        default=FeedbackSeverity.MINOR,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    status_reason = models.TextField(_("reason"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    # The tester's browser, filled in by the page and editable before sending.
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    os = models.CharField(_("operating system"), max_length=100, blank=True)
    device = models.CharField(_("device"), max_length=30, blank=True)
    viewport = models.CharField(_("screen size"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=35, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every triage: a form carries the version it was read at (see `versions`).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="feedback_number_unique")
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self):
        return f"{self.key} {self.title}"

    def get_absolute_url(self):
        return reverse("requirements:feedback", args=[self.project.key, self.number])

    @property
    def key(self) -> str:
        return f"{self.project.key}-F{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status not in FEEDBACK_DONE


class MeToo(models.Model):
    """Another person saw the same problem: counted once per person instead of a duplicate."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feedback", "user"], name="me_too_once_per_person")
        ]

    def __str__(self):
        return f"{self.user} on {self.feedback_id}"


class FeedbackComment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:60]


def _screenshot_path(instance, filename):
    return storage_name("screenshots", instance.feedback.project_id, filename)


class Screenshot(StoredUpload):
    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="screenshots")
    file = models.FileField(upload_to=_screenshot_path, max_length=200)
