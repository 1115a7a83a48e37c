"""The benchmark's ratio arithmetic."""

import pytest

from bench import stats


def test_ratios_pair_each_round_with_its_own_floor():
    assert stats.ratios([0.30, 0.20, 0.90], [0.10, 0.10, 0.30]) == pytest.approx([3.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        stats.ratios([0.3, 0.2], [0.1])


def test_median_and_p95_of_rounds():
    rounds = [2.0, 2.5, 3.0, 1.5, 4.0]
    result = stats.summary(rounds)
    assert result == {"median": 2.5, "p95": 4.0, "min": 1.5, "max": 4.0, "rounds": 5}
    # Nearest rank: of 20 rounds the p95 is the 19th smallest, not the largest.
    assert stats.percentile([float(n) for n in range(1, 21)], 0.95) == 19.0


def test_verdicts_for_at_most_and_at_least_targets():
    assert stats.verdict(2.9, 3.0) == "PASS"
    assert stats.verdict(3.0, 3.0) == "PASS"
    assert stats.verdict(3.1, 3.0) == "MISS"
    assert stats.verdict(0.4, 0.5, at_least=True) == "MISS"
    assert stats.verdict(0.6, 0.5, at_least=True) == "PASS"
    assert stats.verdict(None, 3.0) == "n/a"
