import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.forms import DateInput, SentOnce
from projects.models import validate_plausible_date

from .models import Department, Entry, EntryKind, Raci, Side, Stakeholder

User = get_user_model()


class StakeholderForm(SentOnce, forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["name", "email", "side", "department", "title", "site", "user"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = project.sites.active()
        self.fields["site"].empty_label = _("Global (all sites)")
        self.fields["user"].queryset = User.objects.filter(
            memberships__project=project, memberships__is_active=True
        )
        self.fields["user"].empty_label = _("No account")


class StakeholderFilter(django_filters.FilterSet):
    side = django_filters.ChoiceFilter(choices=Side.choices, empty_label=_("Both sides"))
    department = django_filters.ChoiceFilter(
        choices=Department.choices, empty_label=_("All departments")
    )
    site = django_filters.ModelChoiceFilter(queryset=None, empty_label=_("All sites"))
    inactive = django_filters.BooleanFilter(
        label=_("Show people who left"), method="show_inactive", widget=forms.CheckboxInput
    )

    class Meta:
        model = Stakeholder
        fields = ["side", "department", "site"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["site"].queryset = project.sites.all()

    def show_inactive(self, queryset, name, value):
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        return queryset if self.form.cleaned_data.get("inactive") else queryset.active()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: name, email, side, department, title, site. One person per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ImportConfirmForm(SentOnce, forms.Form):
    """Confirming an import, which posts the checked file's text back: acted on once."""


class AssignmentForm(forms.Form):
    stakeholder = forms.IntegerField()
    area = forms.CharField(max_length=40)
    letter = forms.ChoiceField(choices=[("", "—"), *Raci.choices], required=False)


class HandoverForm(SentOnce, forms.Form):
    side = forms.ChoiceField(choices=[(Side.CLIENT, _("Client")), (Side.VENDOR, _("Vendor"))])
    stakeholder = forms.ModelChoiceField(
        queryset=Stakeholder.objects.none(), label=_("New point of contact")
    )
    started_on = forms.DateField(
        label=_("From"), widget=DateInput(), validators=[validate_plausible_date]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = project.stakeholders.active().exclude(
            side=Side.THIRD_PARTY
        )
        self.fields["started_on"].initial = timezone.localdate()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class EntryForm(SentOnce, forms.ModelForm):
    files = MultipleFileField(label=_("Attachments"), required=False)

    class Meta:
        model = Entry
        fields = ["kind", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # E-mail records come from an uploaded .eml file, with their own form.
        self.fields["kind"].choices = [c for c in EntryKind.choices if c[0] != EntryKind.EMAIL]


class EmailRecordForm(SentOnce, forms.Form):
    file = forms.FileField(
        label=_("E-mail file (.eml)"),
        help_text=_("Save the e-mail from your mail program as an .eml file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822"}),
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ChannelFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=EntryKind.choices, empty_label=_("All types")
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"), queryset=None, empty_label=_("Everyone")
    )

    class Meta:
        model = Entry
        fields = ["kind", "author"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        # Everyone who has posted here: a semi-join on the (project, author) index rather than
        # a DISTINCT over every entry joined with its author.
        authors = Entry.objects.filter(project=project).values("author_id")
        self.filters["author"].queryset = User.objects.filter(pk__in=authors)
