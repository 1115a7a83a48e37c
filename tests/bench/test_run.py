"""The benchmark's in-process measurements, run on a tiny scale so that `make bench` cannot
break unnoticed: they sign in as the lead, reach every page and time real work."""

import pytest

from bench import run
from requirements import scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    scale.build(scale=0.01)


def test_queries_are_counted_on_every_page_at_three_sizes(seeded):
    counts = run.query_counts()

    assert set(counts) == {*run.pages("K", 1, 1), "fragment (status change)"}
    for name, by_size in counts.items():
        assert set(by_size) == {scale.TEN, scale.K1000, scale.WHALE}, name
        for measured in by_size.values():
            assert measured["queries"] > 0 and measured["in_render"] == 0, name


def test_the_import_and_the_nightly_checks_are_timed_against_their_floors(seeded):
    imported = run.import_ratio(rows=20)
    nightly = run.nightly_checks()

    assert imported["rows"] == 20 and imported["ratio"] > 0
    assert nightly["projects"] == 5 and nightly["queries"] > 0 and nightly["ratio"] > 0
