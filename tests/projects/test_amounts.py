"""Sums of money written by `amount` exactly as Django's `floatformat:"2g"` writes them."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from projects.templatetags.amounts import amount

# English and the three other ways of grouping Django's catalogues know: dots, spaces, and no
# grouping at all (Hindi, which floatformat is left to write).
LANGUAGES = ["en", "de", "fr", "hi"]

money = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4, allow_nan=False
)


@pytest.mark.parametrize("language", LANGUAGES)
@given(value=money)
def test_a_decimal_reads_as_floatformat_writes_it(language, value):
    with translation.override(language):
        assert amount(value) == floatformat(value, "2g")


@pytest.mark.parametrize("language", LANGUAGES)
@given(value=money.map(float) | st.integers() | st.booleans())
def test_floats_and_whole_numbers_read_as_floatformat_writes_them(language, value):
    with translation.override(language):
        assert amount(value) == floatformat(value, "2g")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("1234567.895"), "1,234,567.90"),  # half up, as money is rounded
        (Decimal("-0.004"), "0.00"),  # no minus sign on nothing
        (Decimal("-0.005"), "-0.01"),
        (1.005, "1.01"),  # a float by its shortest form, not its binary expansion
        (Decimal("12"), "12.00"),
        (None, ""),
        ("not a number", ""),
        (Decimal("NaN"), "NaN"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
    ],
)
def test_amounts_at_the_edges(value, written):
    with translation.override("en"):
        assert amount(value) == written == floatformat(value, "2g")


def test_the_separators_follow_the_active_language():
    template = Template("{% load amounts %}{{ value|amount }}")
    context = Context({"value": Decimal("1234567.5")})
    with translation.override("de"):
        assert template.render(context) == "1.234.567,50"
    with translation.override("en"):
        assert template.render(context) == "1,234,567.50"
    with translation.override("fr"):
        assert template.render(context) == "1\xa0234\xa0567,50"
