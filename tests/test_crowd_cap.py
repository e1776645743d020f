"""The cap between crowded articles in a young store (``digest.dedup.caps.crowd_cap``): two
matches of one club four days apart and a report of a third match, seven reports alone in a
new store, are three stories; one day's reports of one event are not held to it.  The cap is
on by default (``Params.crowd_scale`` 0.8); 0 turns it off, as the engine was before stop 57."""

from __future__ import annotations

from dataclasses import replace

from digest.dedup.engine import Doc, Params
from tests.support.stories import load, stories_in_order

SATURDAY = ("rovers_a1", "rovers_a2", "rovers_a3")
WEDNESDAY = ("rovers_b1", "rovers_b2", "rovers_b3")
DAY = 86400.0
T0 = 1_780_000_000.0
#: The engine as it is (``crowd_scale`` 0.8, ``crowd_gap`` a day, ``crowd_list`` 7: docs/evaluation.md, stop 57).
ON = Params()


def _week() -> list[Doc]:
    docs = [replace(load(n), published=T0 + (17 + i) * 3600.0) for i, n in enumerate(SATURDAY)]
    docs += [replace(load(n), published=T0 + 4 * DAY + (19 + i) * 3600.0) for i, n in enumerate(WEDNESDAY)]
    return [*docs, replace(load("derby"), published=T0 + 4 * DAY + 23 * 3600.0)]


def test_two_matches_and_a_third_are_three_stories_in_every_order() -> None:
    """Seven reports alone: each has the six others as neighbours, so each is crowded and shared
    neighbours say 1; ``derby`` (far from both matches) flattens the profiles, so the profile cap
    says 1 too.  A Saturday report's cosine to a Wednesday one (0.15-0.45) is small against its
    rewrites' (0.64-0.73).  Without the cap all seven are one story."""
    docs = _week()
    want = {frozenset(SATURDAY), frozenset(WEDNESDAY), frozenset({"derby"})}
    for seed in range(12):
        assert stories_in_order(docs, ON, seed) == want, seed
    assert stories_in_order(docs, replace(ON, crowd_scale=0.0), 0) == {frozenset(SATURDAY + WEDNESDAY + ("derby",))}


def test_one_days_reports_are_not_held_to_it() -> None:
    """The same seven reports published within hours: no pair is a day apart, the cap says
    nothing, and the regrouping is today's."""
    docs = [replace(d, published=T0 + i * 600.0) for i, d in enumerate(_week())]
    for seed in range(3):
        assert stories_in_order(docs, ON, seed) == stories_in_order(docs, replace(ON, crowd_scale=0.0), seed), seed


def test_one_undated_report_among_dated_ones_does_not_bridge_the_week() -> None:
    """``digest dedupe`` records without ``published`` mixed with dated ones: one report of the
    week undated.  Its pairs were never held (NaN is never ``crowd_gap`` apart), so it bridged:
    with ``derby`` undated, Saturday's reports and ``derby`` were one story in every order; with
    ``rovers_a1`` or ``rovers_b1`` undated, one order in eight parted right.  In a region whose
    dated reports are days apart, an undated crowded report's pairs are held (review of stop 57)."""
    want = {frozenset(SATURDAY), frozenset(WEDNESDAY), frozenset({"derby"})}
    for name in ("derby", "rovers_a1", "rovers_b1"):
        docs = [replace(d, published=None) if d.id == name else d for d in _week()]
        for seed in range(8):
            assert stories_in_order(docs, ON, seed) == want, (name, seed)
