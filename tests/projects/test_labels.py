"""Choice labels from a table made once per field, the same as Django's own."""

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from projects.labels import ChoiceLabels

OURS = ("accounts", "audit", "projects", "requirements", "stakeholders")


def _models_with_choices():
    for app in OURS:
        for model in apps.get_app_config(app).get_models():
            fields = [f for f in model._meta.concrete_fields if f.choices]
            if fields and not model.__name__.startswith("Historical"):
                yield model, fields


def test_every_model_of_ours_with_choices_reads_its_labels_from_the_table():
    missing = [m.__name__ for m, _f in _models_with_choices() if not issubclass(m, ChoiceLabels)]
    assert missing == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_label_is_the_one_django_gives_in_the_active_language(language):
    with translation.override(language):
        for model, fields in _models_with_choices():
            for field in fields:
                for value, _label in [*field.flatchoices, ("not-a-choice", None), (None, None)]:
                    row = model(**{field.attname: value})
                    ours = getattr(row, f"get_{field.name}_display")()
                    assert ours == Model._get_FIELD_display(row, field), (model, field, value)


def test_a_label_table_is_kept_per_language():
    from django.db import models
    from django.utils.translation import gettext_lazy

    from projects.labels import labels

    # A label Django's own catalogues translate, so that the languages differ.
    field = models.CharField(choices=[("maybe", gettext_lazy("yes,no,maybe"))])
    with translation.override("fr"):
        assert labels(field)["maybe"] == "oui,non,peut-être"
    with translation.override("en"):
        assert labels(field)["maybe"] == "yes,no,maybe"
    with translation.override("fr"):
        assert labels(field)["maybe"] == "oui,non,peut-être"
