import secrets

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    Audience,
    BudgetCategory,
    BudgetLine,
    Client,
    ContentRelease,
    CostEntry,
    Frequency,
    Milestone,
    Paper,
    Project,
    RaidItem,
    RaidKind,
    RaidStatus,
    ReportSchedule,
    Site,
    statuses_allowed,
    validate_plausible_date,
)
from .pages import whole_number
from .roles import Role

User = get_user_model()


class Versioned:
    """A form that edits a versioned row carries the version the person read: saving over
    someone else's newer change is refused (see `projects.versions`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            required=False,
            initial=instance.version if instance is not None and instance.pk else None,
        )


class SentOnce:
    """A form that creates something carries a one-time token: sent twice (a double click, a
    replayed request), it creates one row (see `projects.pages.submitted`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            self.fields["once"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                max_length=64,
                initial=secrets.token_urlsafe(24),
            )

    @property
    def action_data(self) -> dict:
        """The cleaned data without the one-time token: what the action is given."""
        return {name: value for name, value in self.cleaned_data.items() if name != "once"}


class RowsField(forms.ModelMultipleChoiceField):
    """Rows picked by their ids, as Django's field picks them, but an id no database holds is
    refused like any other id not on offer. Django bounds a lone id in a lookup, not a list of
    them: the list's query would fail (too large an integer for SQLite or PostgreSQL)."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if whole_number(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# The longest search: SQLite refuses a LIKE pattern of about 50,000 characters.
SEARCH_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(max_length=SEARCH_LENGTH, required=False)


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "headcount", "countries", "industry"]


PROJECT_DATE_FIELDS = ["start_date", "target_go_live", "hosting_term_end", "programme_end"]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "client",
            "name",
            "key",
            "lms_product",
            "deployment_model",
            *PROJECT_DATE_FIELDS,
            "currency",
        ]
        widgets = {name: DateInput() for name in PROJECT_DATE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            self.fields["client"].queryset = Client.objects.active()
        if "key" in self.fields:
            self.fields["key"].widget.attrs.update({"autocapitalize": "characters"})

    def clean_key(self):
        return self.cleaned_data["key"].strip().upper()


class ProjectCreateForm(SentOnce, ProjectForm):
    source = forms.TypedChoiceField(
        label=_("Start from"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "A template or a past project. The ownership map comes along only when the new "
            "project is for the same client: its people belong to that client."
        ),
        # The same answer for a project that does not exist and one the person may not
        # manage: the form must not tell which projects exist.
        error_messages={"invalid_choice": _("Choose a project you manage.")},
    )
    field_order = ["source"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sources = Project.objects.plan_sources_for(user).select_related("client")
        self.sources = {project.pk: project for project in sources.order_by("name")}
        groups = {True: [], False: []}
        for project in self.sources.values():
            label = f"{project.key} · {project.name} · {project.client.name}"
            groups[project.is_template].append((project.pk, label))
        choices = [("", _("A blank project"))]
        if groups[True]:
            choices.append((_("Templates"), groups[True]))
        if groups[False]:
            choices.append((_("Projects you manage"), groups[False]))
        self.fields["source"].choices = choices

    def clean_source(self) -> Project | None:
        source = self.cleaned_data["source"]
        return self.sources[source] if source is not None else None


class ProjectEditForm(ProjectForm):
    """After creation the key and the client are fixed: item keys and history depend on them."""

    class Meta(ProjectForm.Meta):
        fields = [f for f in ProjectForm.Meta.fields if f not in ("client", "key")] + ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = statuses_allowed(self.instance.status)
        self.fields["status"].choices = [(status.value, status.label) for status in allowed]


class SaveAsTemplateForm(ProjectForm):
    class Meta(ProjectForm.Meta):
        fields = ["name", "key"]
        labels = {"name": _("Template name"), "key": _("Template key")}
        help_texts = {"key": _("2 to 10 capital letters or digits, e.g. TPL2.")}


class SiteForm(SentOnce, forms.ModelForm):
    class Meta:
        model = Site
        fields = [
            "name",
            "kind",
            "local_go_live",
            "languages",
            "local_owner",
            "content_qc_target_days",
            "local_alternative_cost",
            "configuration_notes",
        ]
        widgets = {
            "local_go_live": DateInput(),
            "configuration_notes": forms.Textarea(attrs={"rows": 3}),
        }


# The client point of contact is named by a handover, which keeps its history.
ASSIGNABLE_ROLES = [(value, label) for value, label in Role.choices if value != Role.SPOC]


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    # No default: a careless submit must not hand someone the project manager's role.
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Choose a role…")), *ASSIGNABLE_ROLES]
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ASSIGNABLE_ROLES)


class StaffUserForm(forms.ModelForm):
    may_create_projects = forms.BooleanField(
        label=_("Vendor project manager (may create projects)"), required=False
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "time_zone", "is_staff", "is_active"]
        labels = {
            "is_staff": _("Vendor staff (administers clients, users and every project)"),
            "is_active": _("Active (may sign in)"),
        }
        help_texts = {"is_staff": "", "is_active": ""}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another account already uses this e-mail address."))
        return email


class MilestoneForm(Versioned, SentOnce, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = [
            "name",
            "site",
            "planned_date",
            "forecast_date",
            "actual_date",
            "owner",
            "budget_share",
            "is_go_live",
        ]
        widgets = {name: DateInput() for name in ("planned_date", "forecast_date", "actual_date")}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = project.sites.active()
        self.fields["site"].empty_label = _("Whole project")
        self.fields["owner"].queryset = User.objects.filter(
            memberships__project=project, memberships__is_active=True
        )
        self.fields["forecast_date"].required = False
        self.fields["forecast_date"].help_text = _("Leave empty while it is on plan.")

    def clean(self):
        data = super().clean()
        if not data.get("forecast_date") and data.get("planned_date"):
            data["forecast_date"] = data["planned_date"]
            self.instance.forecast_date = data["planned_date"]
        return data


class ContentReleaseForm(SentOnce, forms.ModelForm):
    class Meta:
        model = ContentRelease
        fields = ["site", "title", "ready_on", "qc_passed_on", "available_on"]
        widgets = {name: DateInput() for name in ("ready_on", "qc_passed_on", "available_on")}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = project.sites.active()


class RaidForm(SentOnce, forms.ModelForm):
    class Meta:
        model = RaidItem
        fields = [
            "kind",
            "title",
            "description",
            "owner",
            "impact",
            "likelihood",
            "due_date",
            "status",
            "mitigation",
        ]
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__project=project, memberships__is_active=True
        )


class RaidFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RaidKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        choices=RaidStatus.choices, empty_label=_("Open and being handled"), method="by_status"
    )

    class Meta:
        model = RaidItem
        fields = ["kind", "status"]

    def by_status(self, queryset, name, value):
        return queryset.filter(status=value)

    @property
    def qs(self):
        queryset = super().qs
        return queryset if self.form.cleaned_data.get("status") else queryset.open()


class BudgetLineForm(SentOnce, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "name", "site", "planned_amount", "is_internal", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = project.sites.active()
        self.fields["site"].empty_label = _("Whole project")
        self.fields["planned_amount"].help_text = _("In %(currency)s.") % {
            "currency": project.currency
        }


class CostEntryForm(SentOnce, forms.ModelForm):
    class Meta:
        model = CostEntry
        fields = ["line", "date", "description", "amount", "currency", "rate_to_project"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, project, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        # The lines come sorted by category: the menu shows each under its category's name,
        # so that the order can be seen and two lines of the same name told apart.
        by_category = {value: [] for value in BudgetCategory.values}
        for line in lines:
            by_category[line.category].append((line.pk, line.name))
        self.fields["line"].widget.choices = [("", _("Choose a budget line…"))] + [
            (BudgetCategory(value).label, options)
            for value, options in by_category.items()
            if options
        ]
        self.fields["rate_to_project"].help_text = _(
            "What one unit of the entry's currency is worth in %(currency)s; 1 when the entry "
            "is in %(currency)s."
        ) % {"currency": project.currency}


class ReportForm(SentOnce, forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    period_start = forms.DateField(
        label=_("From"), widget=DateInput(), validators=[validate_plausible_date]
    )
    period_end = forms.DateField(
        label=_("To"), widget=DateInput(), validators=[validate_plausible_date]
    )
    paper = forms.ChoiceField(label=_("Paper"), choices=Paper.choices)

    def __init__(self, *args, audiences: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the audiences whose report this person may read.
        self.fields["audience"].choices = [c for c in Audience.choices if c[0] in audiences]


class ReportScheduleForm(SentOnce, forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = [
            "audience",
            "frequency",
            "weekday",
            "day_of_month",
            "hour",
            "paper",
            "recipients",
        ]
        widgets = {"recipients": forms.CheckboxSelectMultiple}
        field_classes = {"recipients": RowsField}

    def __init__(self, *args, readers, **kwargs):
        """`readers`: audience -> the members who may read that audience's report."""
        super().__init__(*args, **kwargs)
        self.readers = readers
        self.fields["audience"].initial = Audience.CLIENT
        self.fields["frequency"].initial = Frequency.WEEKLY
        self.fields["recipients"].queryset = readers[Audience.CLIENT]
        self.fields["recipients"].label_from_instance = lambda user: user.display_name
        self.fields["hour"].help_text = _("0 to 23, in the time zone %(zone)s.") % {
            "zone": settings.TIME_ZONE
        }

    def clean(self):
        data = super().clean()
        audience, recipients = data.get("audience"), data.get("recipients")
        if audience and recipients:
            allowed = set(self.readers[audience].values_list("pk", flat=True))
            refused = [user.display_name for user in recipients if user.pk not in allowed]
            if refused:
                self.add_error(
                    "recipients",
                    _("May not read this audience's report: %(names)s.")
                    % {"names": ", ".join(refused)},
                )
        return data


class ArchiveImportForm(forms.Form):
    archive = forms.FileField(
        label=_("Project archive"),
        help_text=_("A .zip made by “Download the project archive” on another instance."),
    )

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        limit = settings.ARCHIVE_MAX_BYTES
        if archive.size > limit:
            raise forms.ValidationError(
                _("The archive is larger than this instance accepts (%(limit)s MB).")
                % {"limit": limit // (1024 * 1024)}
            )
        return archive
