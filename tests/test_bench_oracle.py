"""The waiters bench's lower bound (``least_listing_calls``) against a brute force on small cases.

The bound is only worth printing if no schedule of listing passes beats it: here, every set of pass
times drawn from a wider set of candidates (each end, its window's middle and its window's end) that
sees enough of the ends costs at least what the dynamic programme says.
"""

from __future__ import annotations

import bisect
import itertools
import math

from hypothesis import given
from hypothesis import strategies as st

from bench.bench_waiters import least_listing_calls


def _brute_force(ends: list[float], within: float, page: int, share: float) -> int:
    ordered = sorted(ends)
    misses = int((1.0 - share) * len(ordered))
    candidates = sorted({t for e in ordered for t in (e, e + within / 2, e + within)})

    def cost(at: float) -> int:
        return max(1, math.ceil((len(ordered) - bisect.bisect_right(ordered, at)) / page))

    best = math.inf
    for size in range(len(candidates) + 1):
        for passes in itertools.combinations(candidates, size):
            unseen = sum(not any(e <= t <= e + within for t in passes) for e in ordered)
            if unseen <= misses:
                best = min(best, sum(cost(t) for t in passes))
        if best < math.inf and size > best:  # every pass costs at least one request
            break
    return int(best)


@given(
    st.lists(st.integers(0, 40).map(lambda tenths: tenths / 10), min_size=1, max_size=5),
    st.sampled_from([0.5, 1.0, 2.5]),
    st.sampled_from([1, 2, 200]),
    st.sampled_from([1.0, 0.8, 0.6]),
)
def test_no_schedule_of_passes_sees_enough_ends_for_fewer_calls(
    ends: list[float], within: float, page: int, share: float
) -> None:
    assert least_listing_calls(ends, within, page, share) == _brute_force(ends, within, page, share)
