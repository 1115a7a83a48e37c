import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.forms import SEARCH_LENGTH, RowsField, SentOnce, Versioned
from projects.pages import whole_number
from projects.roles import Role
from stakeholders.forms import MultipleFileField
from stakeholders.models import Area, Side

from .models import (
    ChangeRequest,
    Feedback,
    FeedbackKind,
    FeedbackSeverity,
    FeedbackStatus,
    Goal,
    Priority,
    Requirement,
    RoundStatus,
    Solution,
    Status,
    Tactic,
    TestRound,
)


class GoalForm(SentOnce, forms.ModelForm):
    tactics = forms.MultipleChoiceField(
        label=_("Tactics (what)"), choices=Tactic.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    solutions = forms.MultipleChoiceField(
        label=_("Solution components (how)"), choices=Solution.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = Goal
        fields = ["title", "target", "tactics", "solutions"]


class RequirementForm(Versioned, SentOnce, forms.ModelForm):
    class Meta:
        model = Requirement
        fields = [
            "title", "description", "submitter", "area", "site", "goal", "priority", "kind",
            "acceptance_criteria",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, project, may_choose_submitter: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = project.sites.active()
        self.fields["site"].empty_label = _("All sites")
        self.fields["goal"].queryset = project.goals.filter(is_active=True)
        self.fields["goal"].empty_label = _("No goal yet")
        if may_choose_submitter:
            self.fields["submitter"].queryset = project.stakeholders.active().filter(
                side=Side.CLIENT
            )
        else:
            del self.fields["submitter"]
        if self.instance.in_baseline:
            for name in ("priority", "site", "acceptance_criteria"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Baselined: change it through a change request.")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


SORTS = {
    "key": ("number",),
    "-key": ("-number",),
    "priority": ("priority_rank", "number"),
    "status": ("status_rank", "number"),
    "-updated": ("-updated_at",),
}


class RequirementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=SEARCH_LENGTH)
    # A column of the row itself: no join, so no duplicate rows for DISTINCT to remove (a
    # DISTINCT over every column makes the page and its count sort the whole project).
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, distinct=False
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priority"), choices=Priority.choices, distinct=False
    )
    area = django_filters.ChoiceFilter(
        label=_("Area"), choices=Area.choices, empty_label=_("All areas")
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=None, empty_label=_("All sites")
    )
    goal = django_filters.ModelChoiceFilter(
        label=_("Goal"), queryset=None, empty_label=_("All goals")
    )
    submitter = django_filters.ModelChoiceFilter(
        label=_("Submitter"), queryset=None, empty_label=_("Anyone")
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), method="sort_by", empty_label=_("Key"),
        choices=[("-key", _("Newest first")), ("priority", _("Priority")),
                 ("status", _("Status")), ("-updated", _("Recently changed"))],
    )  # fmt: skip

    class Meta:
        model = Requirement
        fields = ["q", "status", "priority", "area", "site", "goal", "submitter"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["site"].queryset = project.sites.all()
        self.filters["goal"].queryset = project.goals.all()
        self.filters["submitter"].queryset = project.stakeholders.all()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = whole_number(value.rsplit("-", 1)[-1])
        by_key = Q(number=number) if number is not None else Q()
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value) | by_key)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["key"]))


class BaselineForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ChangeRequestForm(SentOnce, forms.ModelForm):
    class Meta:
        model = ChangeRequest
        fields = [
            "description",
            "impact_timeline",
            "impact_budget",
            "proposed_priority",
            "proposed_site",
            "proposed_all_sites",
            "proposed_criteria",
        ]
        labels = {
            "proposed_priority": _("New priority"),
            "proposed_site": _("New scope: one site"),
            "proposed_all_sites": _("New scope: all sites"),
            "proposed_criteria": _("New acceptance criteria (one per line)"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "proposed_criteria": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, requirement, **kwargs):
        super().__init__(*args, **kwargs)
        if requirement.in_baseline:
            self.fields["proposed_site"].queryset = requirement.project.sites.active()
            self.fields["proposed_priority"].choices = [("", _("unchanged")), *Priority.choices]
        else:  # adding it to the baseline proposes no change to it
            for name in (
                "proposed_priority",
                "proposed_site",
                "proposed_all_sites",
                "proposed_criteria",
            ):
                del self.fields[name]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConflictForm(SentOnce, forms.Form):
    second = forms.ModelChoiceField(label=_("Conflicts with"), queryset=Requirement.objects.none())
    note = forms.CharField(label=_("What conflicts"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, requirement, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["second"]
        field.queryset = (
            requirement.project.requirements.open()
            .exclude(pk=requirement.pk)
            .select_related("project")
        )
        field.label_from_instance = lambda r: f"{r.key} {r.title}"


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))


class BulkTransitionForm(forms.Form):
    numbers = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    to = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Numbers are checked against the project by the view, not listed here.
        self.fields["numbers"].valid_value = lambda value: whole_number(str(value)) is not None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


# User acceptance testing


class RoundForm(SentOnce, forms.ModelForm):
    class Meta:
        model = TestRound
        fields = ["name", "site", "starts_on", "ends_on", "build", "requirements", "testers"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "requirements": forms.CheckboxSelectMultiple,
            "testers": forms.CheckboxSelectMultiple,
        }
        field_classes = {"requirements": RowsField, "testers": RowsField}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = project.sites.active()
        self.fields["site"].empty_label = _("All sites")
        self.fields["requirements"].queryset = project.requirements.exclude(
            status__in=(Status.DECLINED, Status.WITHDRAWN)
        ).select_related("project")
        self.fields["requirements"].label_from_instance = lambda r: f"{r.key} {r.title}"
        self.fields["testers"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__project=project,
                memberships__role=Role.TESTER,
                memberships__is_active=True,
            )
            .order_by("first_name", "last_name")
        )
        self.fields["testers"].label_from_instance = lambda user: user.display_name


class RoundStatusForm(forms.Form):
    status = forms.ChoiceField(choices=RoundStatus.choices)


class FeedbackForm(SentOnce, forms.ModelForm):
    screenshots = MultipleFileField(
        label=_("Screenshots"),
        required=False,
        help_text=_("PNG or JPEG, up to 5 MB each. You can also paste one from the clipboard."),
    )

    class Meta:
        model = Feedback
        fields = [
            "title", "steps", "expected", "actual", "kind", "severity", "requirement",
            "browser", "os", "device", "viewport", "language",
        ]  # fmt: skip
        widgets = {
            "steps": forms.Textarea(attrs={"rows": 3}),
            "expected": forms.Textarea(attrs={"rows": 2}),
            "actual": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, test_round, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["requirement"]
        field.queryset = test_round.requirements.select_related("project")
        field.label_from_instance = lambda r: f"{r.key} {r.title}"
        field.empty_label = _("Not about one requirement")
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        self.fields["screenshots"].widget.attrs["accept"] = "image/png,image/jpeg"


class FeedbackTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=FeedbackStatus.choices)
    # The version of the item the person read: a triage over someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The key or number of the item this one repeats.
    duplicate_of = forms.CharField(label=_("Duplicate of"), required=False, max_length=30)

    def original_number(self, project_key: str) -> int | None:
        """The number named, as a key of this project (`KEY-F12`) or a bare number; a key of
        another project names nothing here."""
        value = self.cleaned_data["duplicate_of"].strip().upper()
        prefix = f"{project_key.upper()}-F"
        if value.startswith(prefix):
            value = value.removeprefix(prefix)
        elif value.startswith("F"):
            value = value[1:]
        return whole_number(value)


class CommentForm(SentOnce, forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackFilter(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(
        label=_("Round"), queryset=None, empty_label=_("All rounds")
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), field_name="round__site", queryset=None, empty_label=_("All sites")
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=FeedbackStatus.choices, distinct=False
    )
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"), choices=FeedbackSeverity.choices, distinct=False
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=FeedbackKind.choices, empty_label=_("All kinds")
    )
    requirement = django_filters.ModelChoiceFilter(
        label=_("Requirement"), queryset=None, empty_label=_("Any requirement")
    )
    tester = django_filters.ModelChoiceFilter(
        label=_("Tester"), queryset=None, empty_label=_("Any tester")
    )

    class Meta:
        model = Feedback
        fields = ["round", "site", "status", "severity", "kind", "requirement", "tester"]

    def __init__(self, *args, project, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["round"].queryset = rounds
        self.filters["site"].queryset = project.sites.all()
        # Only what the person may see: a tester, the requirements of their own rounds.
        self.filters["requirement"].queryset = (
            project.requirements.filter(test_rounds__in=rounds).distinct().select_related("project")
        )
        self.filters["requirement"].field.label_from_instance = lambda r: f"{r.key} {r.title}"
        self.filters["tester"].queryset = get_user_model().objects.filter(
            memberships__project=project, memberships__role=Role.TESTER
        )
