import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms import SEARCH_LENGTH
from .models import Client, Project, ProjectStatus


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=SEARCH_LENGTH)
    client = django_filters.ModelChoiceFilter(
        label=_("Client"), queryset=Client.objects.all(), empty_label=_("All clients")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProjectStatus.choices, empty_label=_("All but archived")
    )

    class Meta:
        model = Project
        fields = ["q", "client", "status"]

    def __init__(self, *args, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.filters["client"].queryset = clients

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(name__icontains=value) | Q(key__icontains=value))
            if value
            else queryset
        )

    @property
    def qs(self):
        queryset = super().qs
        # Templates stay in the default list (with their badge): it is where a project manager
        # finds them. The header's switcher keeps to the projects being run.
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.unarchived()
        return queryset
