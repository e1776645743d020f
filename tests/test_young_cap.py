"""The young-neighbourhood cap (``digest.dedup.caps.young_cap``): in a new store a topic's
few reports are each other's only neighbours, so shared neighbours say 1 across two events of
one kind; the pair's own cosine and names cosine cap its link there."""

from __future__ import annotations

import itertools

import numpy as np

from digest.dedup.caps import young_cap
from digest.dedup.engine import Engine, Params
from tests.support.stories import load, stories_of

#: Two paint-store fires on two nights in two towns, two reports each (rewrites, not copies):
#: the kind's words (solvent drums, the roof, smoke, windows shut) in all four, the town and
#: the weekday only in its own event's.
HARWICK = ("fire_a1", "fire_a2")
PELLINGFORD = ("fire_b1", "fire_b2")
ALL = HARWICK + PELLINGFORD


def _engine(params: Params) -> Engine:
    eng = Engine(params)
    for name in ALL:
        eng.add(load(name))
    return eng


def _cap(params: Params) -> np.ndarray:
    eng = _engine(params)
    nums = np.array([eng.state.num[n] for n in ALL], dtype=np.int32)
    return young_cap(eng.state, nums)


def test_the_cap_falls_across_the_events_and_not_within_them() -> None:
    """Every report has fewer than ``young_list`` neighbours: across the two fires the cap is
    under the link cut (``shared``), within each it is 1 (one town, one night: names cosine 1)."""
    p = Params()
    cap = _cap(p)
    assert np.all(cap[:2, :2] == 1.0) and np.all(cap[2:, 2:] == 1.0)
    assert cap[:2, 2:].max() < p.shared
    assert np.array_equal(cap, cap.T)


def test_no_cap_without_the_rule_or_where_neighbour_lists_are_full() -> None:
    assert np.all(_cap(Params(young_list=0)) == 1.0)
    # each report here has 3 neighbours at the floor: from 3 on a list counts as grown
    assert np.all(_cap(Params(young_list=3)) == 1.0)


def _stories(order: tuple[str, ...], params: Params) -> set[frozenset[str]]:
    return stories_of(order, ALL, params)


def test_two_fires_are_two_stories_and_their_rewrites_one_in_every_order() -> None:
    """Each report's nearest is its rewrite (cosine 0.56 / 0.70) and the other fire's reports
    are within half of that (0.26-0.33): all four are in every neighbour set, shared neighbours
    say 1 for every pair, and each report is crowded, so no sparse cap applies.  Without the
    young cap the four are one story, or a Harwick report joins the Pellingford fire."""
    want = {frozenset(HARWICK), frozenset(PELLINGFORD)}
    orders = list(itertools.permutations(ALL))
    for order in orders:
        assert _stories(order, Params()) == want, order
    # (the places and the event times in the openings part them too: off here, to see the cap alone)
    assert all(_stories(order, Params(young_list=0, place_factor=1.0, clock_factor=1.0)) != want for order in orders)
