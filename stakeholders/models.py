from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.labels import ChoiceLabels
from projects.models import Project, Site, UniqueBesideField
from projects.uploads import StoredUpload, storage_name


class Side(models.TextChoices):
    CLIENT = "client", _("Client")
    VENDOR = "vendor", _("Vendor")
    THIRD_PARTY = "third_party", _("Third party")


class Department(models.TextChoices):
    HR = "hr", _("HR")
    LD = "ld", _("L&D")
    FINANCE = "finance", _("Finance")
    MARKETING = "marketing", _("Marketing")
    IT = "it", _("IT")
    PROCUREMENT = "procurement", _("Procurement")
    BUSINESS = "business", _("Business department")
    MANAGEMENT = "management", _("General management")
    DELIVERY = "delivery", _("Delivery (vendor)")


class StakeholderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Stakeholder(UniqueBesideField, ChoiceLabels, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    side = models.CharField(_("side"), max_length=20, choices=Side.choices, default=Side.CLIENT)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stakeholders",
        verbose_name=_("site"),
        help_text=_("Leave empty for someone with a global role."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholder_roles",
        verbose_name=_("account"),
        help_text=_("Their Liaison account, when they are a member of the project."),
    )
    # Someone who leaves is marked inactive: the ownership map and the channel keep their past.
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("email"),
                condition=~Q(email=""),
                name="stakeholder_email_unique_in_project",
                violation_error_message=_(
                    "This project already has a stakeholder with this e-mail."
                ),
                violation_error_code="email_taken",
            )
        ]

    beside = {"email_taken": "email"}

    def __str__(self):
        return self.name

    @property
    def scope(self) -> str:
        return self.site.name if self.site_id else str(_("Global"))


class Area(models.TextChoices):
    PLATFORM = "platform", _("Platform overall")
    BUDGET = "budget", _("Budget approval")
    CONTENT = "content", _("Content")
    CONFIGURATION = "configuration", _("Configuration")
    INTEGRATIONS = "integrations", _("Integrations and data")
    UAT = "uat", _("User acceptance")
    COMMUNICATION = "communication", _("Communication and change")
    LOCAL_ROLLOUT = "local_rollout", _("Local rollout")


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class AssignmentQuerySet(models.QuerySet):
    def held(self):
        """The cells that carry a letter: a cleared cell keeps its row, with no letter."""
        return self.exclude(letter="")


class Assignment(ChoiceLabels, models.Model):
    """One stakeholder's RACI letter for one area of the ownership map; clearing the cell
    empties the letter and keeps the row, so that the map's past stays in the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    area = models.CharField(max_length=20, choices=Area.choices)
    # Only the "local rollout" area is per site.
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True)
    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="assignments"
    )
    letter = models.CharField(max_length=1, choices=Raci.choices)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stakeholder", "area"],
                condition=Q(site__isnull=True),
                name="one_letter_per_stakeholder_and_area",
            ),
            models.UniqueConstraint(
                fields=["stakeholder", "area", "site"],
                condition=Q(site__isnull=False),
                name="one_letter_per_stakeholder_and_site_area",
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder} {self.letter} {self.get_area_display()}"


class PointOfContact(ChoiceLabels, models.Model):
    """One term as a project's point of contact; the newest term on a side is the current one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="points_of_contact")
    side = models.CharField(
        max_length=20, choices=[c for c in Side.choices if c[0] != "third_party"]
    )
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self):
        return f"{self.stakeholder} ({self.get_side_display()}, {self.started_on})"


class EntryKind(models.TextChoices):
    REQUEST = "request", _("Request")
    INSTRUCTION = "instruction", _("Instruction")
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")
    DECISION = "decision", _("Decision")
    MEETING_NOTE = "meeting_note", _("Meeting note")
    EMAIL = "email", _("E-mail record")


# Requests and instructions are what the vendor acts on, so only these need the SPOC's word.
ACTIONABLE_KINDS = frozenset({EntryKind.REQUEST, EntryKind.INSTRUCTION})


class SpocStatus(models.TextChoices):
    ON_CHANNEL = "on_channel", _("On channel")
    WAITING = "waiting", _("Waiting for the point of contact")
    CONFIRMED = "confirmed", _("Confirmed by the point of contact")
    DECLINED = "declined", _("Declined by the point of contact")


def spoc_status_for(*, kind: str, author_side: str, author_is_spoc: bool) -> SpocStatus:
    """A request or instruction from the client side that the point of contact did not post
    waits for the point of contact; everything else is on channel from the start."""
    if kind in ACTIONABLE_KINDS and author_side == Side.CLIENT and not author_is_spoc:
        return SpocStatus.WAITING
    return SpocStatus.ON_CHANNEL


class EntryQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def waiting(self):
        return self.filter(spoc_status=SpocStatus.WAITING)

    def decisions(self):
        return self.filter(kind=EntryKind.DECISION)


class Entry(ChoiceLabels, models.Model):
    """A line of the project's written record. Never edited or deleted: corrections are new
    entries that point to the one they correct."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="channel")
    kind = models.CharField(_("type"), max_length=20, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="channel_entries"
    )
    author_side = models.CharField(max_length=20, choices=Side.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True, help_text=_("Markdown is supported."))
    body_html = models.TextField(editable=False, blank=True)
    excerpt_html = models.TextField(editable=False, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    spoc_status = models.CharField(
        max_length=20, choices=SpocStatus.choices, default=SpocStatus.ON_CHANNEL
    )
    spoc_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    spoc_decided_at = models.DateTimeField(null=True, blank=True)
    spoc_comment = models.TextField(_("comment"), blank=True)
    # Read from an uploaded .eml file for e-mail records.
    email_from = models.CharField(_("from"), max_length=500, blank=True)
    email_to = models.TextField(_("to"), blank=True)
    email_date = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["body_html", "excerpt_html"])
    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("entries")
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            # The channel's author filter: who has posted, read from the index alone.
            models.Index(fields=["project", "author"]),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("stakeholders:entry", args=[self.project.key, self.pk])

    @property
    def off_channel(self) -> bool:
        """Still outside the channel: not (yet) confirmed by the point of contact."""
        return self.spoc_status in (SpocStatus.WAITING, SpocStatus.DECLINED)


def _attachment_path(instance, filename):
    return storage_name("attachments", instance.entry.project_id, filename)


class Attachment(StoredUpload):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
