"""Choice labels read from a table worked out once per field."""

import functools

from django.utils.encoding import force_str


@functools.cache
def labels(model_field) -> dict:
    """A choice field's labels by value."""
    return dict(model_field.flatchoices)


class ChoiceLabels:
    """A model whose `get_FOO_display` looks its label up in `labels`: Django's builds the
    table again on every call, making each choice hashable, which a list of a hundred rows
    with two or three labels each pays for a few hundred times a page."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(labels(field).get(value, value), strings_only=True)
