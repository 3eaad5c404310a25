"""Rates with honest intervals, Beta posteriors, Thompson sampling and shrinkage (core/stats.py)."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ringback.core import stats
from ringback.core.stats import (
    Arm,
    Beta,
    Tally,
    arms_from,
    decay,
    prior_fit,
    probability_below,
    shrink_levels,
    shrunk,
    thompson_pick,
    wilson,
)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Published values (Newcombe 1998, table I; Wilson score without continuity correction).
        (0, 10, 0.0, 0.2775),
        (3, 10, 0.1078, 0.6032),
        (81, 263, 0.2553, 0.3662),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_matches_published_intervals(successes: int, trials: int, low: float, high: float) -> None:
    interval = wilson(successes, trials)
    assert interval.low == pytest.approx(low, abs=5e-4)
    assert interval.high == pytest.approx(high, abs=5e-4)


def test_wilson_with_no_trials_knows_nothing() -> None:
    assert (wilson(0, 0).low, wilson(0, 0).high) == (0.0, 1.0)


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_wilson_holds_the_rate_inside_0_1_and_narrows_with_more_trials(successes: int, trials: int) -> None:
    successes = min(successes, trials)
    interval = wilson(successes, trials)
    assert 0.0 <= interval.low <= successes / trials <= interval.high <= 1.0
    ten_times = wilson(successes * 10, trials * 10)
    assert ten_times.high - ten_times.low < interval.high - interval.low


def test_a_tally_refuses_more_successes_than_trials() -> None:
    with pytest.raises(ValueError, match="successes <= trials"):
        Tally(3, 2)


@pytest.mark.parametrize(
    ("alpha", "beta", "x", "cdf"), [(2, 3, 0.5, 0.6875), (1, 1, 0.3, 0.3), (5, 1, 0.8, 0.32768)]
)
def test_beta_cdf_matches_closed_forms(alpha: float, beta: float, x: float, cdf: float) -> None:
    assert Beta(alpha, beta).cdf(x) == pytest.approx(cdf, abs=1e-9)


@given(st.floats(0.2, 500), st.floats(0.2, 500), st.floats(0.001, 0.999))
def test_beta_cdf_is_symmetric(alpha: float, beta: float, x: float) -> None:
    assert Beta(alpha, beta).cdf(x) + Beta(beta, alpha).cdf(1 - x) == pytest.approx(1.0, abs=1e-7)


@settings(deadline=None, max_examples=60)
@given(st.floats(0.5, 300), st.floats(0.5, 300), st.floats(0.5, 300), st.floats(0.5, 300))
def test_one_of_two_rates_is_below_the_other(a1: float, b1: float, a2: float, b2: float) -> None:
    x, y = Beta(a1, b1), Beta(a2, b2)
    assert probability_below(x, y) + probability_below(y, x) == pytest.approx(1.0, abs=5e-3)


def test_probability_below_separates_what_the_data_separates() -> None:
    assert probability_below(Beta(5, 5), Beta(5, 5)) == pytest.approx(0.5, abs=1e-3)
    assert probability_below(Beta(10, 90), Beta(30, 70)) > 0.999
    # 2 of 40 against 4 of 40: a hint, not a verdict.
    assert 0.6 < probability_below(Beta(3, 39), Beta(5, 37)) < 0.9


def test_thompson_is_reproducible_from_its_seed() -> None:
    arms = [Arm("a", Beta(3, 40)), Arm("b", Beta(4, 40)), Arm("c", Beta(2, 40))]
    picks = [thompson_pick(arms, random.Random(seed)) for seed in range(200)]
    assert picks == [thompson_pick(arms, random.Random(seed)) for seed in range(200)]
    assert len(set(picks)) == 3


def test_thompson_favours_the_clearly_better_arm_and_keeps_the_floor_share() -> None:
    arms = [Arm("good", Beta(70, 930)), Arm("poor", Beta(20, 980))]
    picks = Counter(thompson_pick(arms, random.Random(seed), floor=0.1) for seed in range(5000))
    # The poor arm is not retired: it keeps at least its floor (10 %), and little more.
    assert 0.08 < picks["poor"] / 5000 < 0.15
    retired = [arms[0], Arm("poor", arms[1].belief, retired=True)]
    picks = Counter(thompson_pick(retired, random.Random(seed), floor=0.1) for seed in range(5000))
    assert picks["poor"] / 5000 < 0.01


def test_an_arm_is_retired_only_with_enough_trials_and_a_clear_gap() -> None:
    prior = Beta(1, 19)
    arms = {
        arm.name: arm
        for arm in arms_from(
            {"best": Tally(40, 400), "worse": Tally(8, 400), "young": Tally(0, 10)},
            prior=prior,
        )
    }
    assert arms["worse"].retired
    assert not arms["best"].retired
    assert not arms["young"].retired  # 10 trials: too few to judge


def test_decay_halves_at_the_half_life() -> None:
    assert decay(90, 90) == pytest.approx(0.5)
    assert decay(0, 90) == 1.0
    assert decay(365, None) == 1.0


def test_prior_fit_is_strong_for_alike_cells_and_weak_for_different_ones() -> None:
    fallback = Beta(1, 1)
    alike = prior_fit([Tally(50, 500), Tally(51, 500), Tally(49, 500)], fallback=fallback)
    apart = prior_fit([Tally(5, 500), Tally(100, 500), Tally(250, 500)], fallback=fallback)
    assert alike.mean == pytest.approx(0.1, abs=1e-9)
    assert alike.strength > 100 * apart.strength
    assert prior_fit([Tally(1, 2)], fallback=fallback) is fallback


def test_shrinkage_pulls_few_results_toward_the_level_above() -> None:
    # Two answered calls out of two: promising, not certain.
    estimate = shrunk(Tally(2, 2), 0.2, 8.0)
    assert 0.2 < estimate.mean < 0.5
    levels = [{"tue-evening": Tally(30, 100)}, {"tue-evening": Tally(0, 1)}]
    estimates = shrink_levels(levels, prior=Beta(1, 1), strengths=[20.0])
    assert estimates["tue-evening"].mean == pytest.approx((31 / 102 * 20) / 21, abs=1e-9)


@settings(deadline=None, max_examples=40)
@given(st.floats(30, 3000), st.floats(30, 3000), st.floats(30, 3000), st.floats(30, 3000))
@example(30.0, 102.0, 115.0, 395.0)  # a plain normal approximation was 0.0100 off (found in CI)
@example(3262.0, 309.7, 308.0, 30.7)  # skewed both ways: it was 0.017 off
def test_the_shortcut_agrees_with_the_sum(a1: float, b1: float, a2: float, b2: float) -> None:
    x, y = Beta(a1, b1), Beta(a2, b2)
    exact = probability_below(x, y, steps=2000, approximate=False)
    assert probability_below(x, y) == pytest.approx(exact, abs=0.001)


def test_the_polygamma_functions_meet_their_known_values() -> None:
    euler = 0.5772156649015329
    assert stats._digamma(1.0) == pytest.approx(-euler, abs=1e-12)
    assert stats._digamma(0.5) == pytest.approx(-euler - 2 * math.log(2), abs=1e-12)
    assert stats._trigamma(1.0) == pytest.approx(math.pi**2 / 6, abs=1e-12)
    assert stats._tetragamma(1.0) == pytest.approx(-2 * 1.2020569031595942, abs=1e-11)  # −2ζ(3)
    for t in (0.7, 6.5, 31.0, 2500.0):  # each is the derivative of the one before
        h = 1e-5 * t
        assert stats._trigamma(t) == pytest.approx(
            (stats._digamma(t + h) - stats._digamma(t - h)) / (2 * h), rel=1e-6
        )
        assert stats._tetragamma(t) == pytest.approx(
            (stats._trigamma(t + h) - stats._trigamma(t - h)) / (2 * h), rel=1e-5
        )
