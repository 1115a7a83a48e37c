"""Choice labels read from a table worked out once per field and language."""

import functools

from django.utils.encoding import force_str
from django.utils.translation import get_language


def labels(model_field) -> dict:
    """A choice field's labels by value, translated into the active language."""
    return _translated(model_field, get_language())


@functools.cache
def _translated(model_field, language) -> dict:
    return {value: force_str(label, strings_only=True) for value, label in model_field.flatchoices}


class ChoiceLabels:
    """A model whose `get_FOO_display` looks its label up in `labels`: Django's builds the
    table again on every call, making each choice hashable, and translates the label again,
    which a list of a hundred rows with two or three labels each pays for a few hundred times
    a page."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return labels(field).get(value, value)
