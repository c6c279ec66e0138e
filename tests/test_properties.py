"""Property-based tests (Hypothesis) of what users type: sample counts, seeds, threads."""

from __future__ import annotations

import argparse
import math

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (the test extra)")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import accelpi  # noqa: E402
from accelpi import InvalidArgument  # noqa: E402
from accelpi.cli import parse_count  # noqa: E402
from accelpi.core import MAX_N, MAX_SEED, check_n, check_seed  # noqa: E402

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(st.integers(min_value=0, max_value=10**40))
def test_parse_count_reads_integers_in_every_spelling(k):
    assert parse_count(str(k)) == k
    assert parse_count(f"{k:_}") == k
    assert parse_count(f"  {k}  ") == k


@FAST
@given(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=70))
def test_parse_count_reads_powers(base, power):
    if base > 1 and power * math.log2(base) > 64:  # refused before computing it
        with pytest.raises(argparse.ArgumentTypeError, match="more than 2\\*\\*64 samples"):
            parse_count(f"{base}**{power}")
    else:
        assert parse_count(f"{base}**{power}") == base**power


@FAST
@given(st.text(alphabet="abcxyz!@#$%^&()[]{} ,;", min_size=1, max_size=12))
def test_parse_count_refuses_words_clearly(text):
    with pytest.raises(argparse.ArgumentTypeError, match="is not a number of samples"):
        parse_count(text)


@FAST
@given(st.integers(min_value=1, max_value=MAX_N))
def test_every_whole_n_in_range_is_accepted_as_int_and_float(n):
    assert check_n(n) == n
    if float(n) == n and float(n) <= MAX_N:
        assert check_n(float(n)) == n


@FAST
@given(
    st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=MAX_N + 1),
        st.floats().filter(lambda x: not (math.isfinite(x) and x == math.floor(x) and 1 <= x <= MAX_N)),
        st.booleans(),
        st.text(max_size=5),
        st.none(),
        st.complex_numbers(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_every_other_n_is_refused_naming_it(n):
    with pytest.raises(InvalidArgument, match=r"^n=.* n must be a positive whole number"):
        check_n(n)


@FAST
@given(st.integers(min_value=0, max_value=MAX_SEED))
def test_every_seed_in_range_is_kept(seed):
    assert check_seed(seed) == seed


@FAST
@given(
    st.one_of(
        st.integers(max_value=-1), st.integers(min_value=MAX_SEED + 1), st.floats(), st.text(max_size=3)
    )
)
def test_every_other_seed_is_refused(seed):
    with pytest.raises(InvalidArgument, match=r"^seed="):
        check_seed(seed)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=200_000), st.integers(min_value=0, max_value=2**64))
def test_an_estimate_counts_what_it_was_asked(n, seed):
    est = accelpi.estimate(n, "numpy", seed=seed)
    assert est.n == n and 0 <= est.hits <= n and est.value == 4 * est.hits / n
    assert accelpi.estimate(n, "numpy:threads", seed=seed, threads=2).hits == est.hits
