"""Places in the opening (``digest.dedup.places``, ``Params.place_factor``): in a young store
two events of one kind in two towns are each other's only neighbours; each report's opening
says where, and a report of the other event never names that town.  Their link counts half."""

from __future__ import annotations

import itertools

import numpy as np

from digest.dedup.engine import Doc, Engine, Params
from digest.dedup.fingerprint import Fingerprint
from digest.dedup.places import END, opening_places
from digest.dedup.terms import PLAIN, VOCAB, term_id
from tests.support.stories import load, stories_of

#: Two water mains burst on two nights in two towns of one water company, two reports each
#: (rewrites, not copies): the company, its spokesman, the pipe, the flooding and the bottled
#: water in all four; the town (and its street) only in its own event's.  Each report's
#: nearest is its rewrite (cosine 0.76 / 0.78), the other burst's reports 0.27-0.42 are in its
#: neighbour set too (shared neighbours say 1 for every pair), and the names they share keep
#: the young cap at 0.48-0.91: without the places the four are one story.
ELSWORTH = ("burst_a1", "burst_a2")
HARNBY = ("burst_b1", "burst_b2")
ALL = ELSWORTH + HARNBY


def _stories(order: tuple[str, ...], params: Params) -> set[frozenset[str]]:
    return stories_of(order, ALL, params)


def _words(run: np.ndarray) -> list[list[int]]:
    """The places of a run, each as its words' plain term ids."""
    out: list[list[int]] = [[]]
    for i in run.tolist():
        if i == END:
            out.append([])
        else:
            out[-1].append(int(VOCAB.ids[i] & PLAIN))
    return out[:-1]


def test_the_opening_names_its_places_without_their_generic_words() -> None:
    run = opening_places("Quake strikes off Sumatra", "A quake hit near Southern Iran on Monday. " + "x " * 300 + "in Chile")
    assert _words(run) == [[term_id("sumatra")], [term_id("iran")]]  # "Chile" is past the opening
    assert _words(opening_places("Storm in North", "")) == [[term_id("north")]]  # generic alone: kept
    assert opening_places("Rates rise in US", "a report in the city").size == 0  # a stopword, lower case


def test_the_factor_falls_across_the_towns_and_not_within_them() -> None:
    eng = Engine(Params())
    for name in ALL:
        eng.add(load(name))
    nums = np.array([eng.state.num[n] for n in ALL], dtype=np.int32)
    f = eng.state.place_factor(nums)
    assert f is not None
    assert np.all(f[:2, :2] == 1.0) and np.all(f[2:, 2:] == 1.0) and np.all(f[:2, 2:] == 0.5)
    assert eng.state.place_factor(nums[:2]) is None  # one town: no conflict
    assert Engine(Params(place_factor=1.0)).state.place_factor(nums[:0]) is None


def test_a_place_the_other_mentions_anywhere_is_no_conflict() -> None:
    eng = Engine(Params())
    eng.add(Doc("a", "Flood in Elsworth", "A main burst in Elsworth on Monday, flooding the High Street."))
    eng.add(Doc("b", "Burst in Harnby", "A main burst in Harnby on Tuesday, a day after the elsworth flood."))
    eng.add(Doc("c", "Burst in Harnby", "A main burst in Harnby on Tuesday, flooding Mill Lane."))
    s = eng.state
    f = s.place_factor(np.array([s.num["a"], s.num["b"], s.num["c"]], dtype=np.int32))
    assert f is not None
    assert f[0, 1] == 1.0 and f[0, 2] == 0.5  # b mentions Elsworth (any case, later in its text)


def test_two_bursts_are_two_stories_and_their_rewrites_one_in_every_order() -> None:
    """Without the places the four are one story in every order."""
    want = {frozenset(ELSWORTH), frozenset(HARNBY)}
    orders = list(itertools.permutations(ALL))
    for order in orders:
        assert _stories(order, Params()) == want, order
    for order in orders:
        assert _stories(order, Params(place_factor=1.0)) == {frozenset(ALL)}, order


def test_a_rebuilt_engine_reads_the_places_as_the_live_one() -> None:
    """An engine restored from the store (text and fingerprints) then given the second
    Harnby report decides as the live engine did."""
    live = Engine(Params())
    for name in ALL[:3]:
        live.add(load(name))
    rebuilt = Engine(Params())
    for name in ALL[:3]:
        fp = Fingerprint.from_bytes(live.fingerprint_of(name).to_bytes())
        rebuilt.restore(load(name), fp, live.story_of(name))
    a, b = live.add(load(ALL[3])), rebuilt.add(load(ALL[3]))
    assert (a.story_id, a.moved, a.merged) == (b.story_id, b.moved, b.merged)
    assert {rebuilt.story_of(n) for n in ALL} == {live.story_of(n) for n in ALL}
    assert live.story_of("burst_b2") != live.story_of("burst_a1")
