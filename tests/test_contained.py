"""One event's reports in two groups: the briefer half says nothing the other does not
(``regrouping.join_contained``); a sibling event of the topic has particulars of its own."""

from __future__ import annotations

import numpy as np

from digest.dedup.params import Params
from digest.dedup.regrouping import linkage

DAY = 86400.0


def _blocks(sizes: list[int], within: float, across: dict[tuple[int, int], float]) -> np.ndarray:
    """A link matrix of groups: ``within`` inside each, ``across[(g, h)]`` between two."""
    owner = np.repeat(np.arange(len(sizes)), sizes)
    sim = np.zeros((owner.size, owner.size))
    for i, g in enumerate(owner.tolist()):
        for j, h in enumerate(owner.tolist()):
            sim[i, j] = within if g == h else across.get((min(g, h), max(g, h)), 0.0)
    np.fill_diagonal(sim, 1.0)
    return sim


def _label_sets(labels: np.ndarray, sizes: list[int]) -> list[set[int]]:
    out, at = [], 0
    for n in sizes:
        out.append(set(labels[at : at + n].tolist()))
        at += n
    return out


# terms as the engine keeps them (indices): the church fire told at length (0-5: church,
# fire, arson, the governor, the town, the chief's name) and briefly (0-3 only, plus each
# report's own wording 100+); a sibling fire at another church (0-2, and its own 50-53)
FULL = [np.array([0, 1, 2, 3, 4, 5, 10 + i]) for i in range(5)]
BRIEF = [np.array([0, 1, 2, 3, 100 + i]) for i in range(4)]
SIBLING = [np.array([0, 1, 2, 50, 51, 52, 53, 200 + i]) for i in range(4)]


def test_the_briefer_half_of_one_event_joins_the_other_and_a_sibling_stays_apart() -> None:
    sizes = [5, 4, 4]
    # the halves link 0.33 on average, the sibling 0.35 to the long half: under Params.shared
    sim = _blocks(sizes, 0.8, {(0, 1): 0.33, (0, 2): 0.35, (1, 2): 0.3})
    rows = FULL + BRIEF + SIBLING
    terms = lambda idx: [rows[i] for i in idx.tolist()]  # noqa: E731
    times = np.array([0.0] * 9 + [1.0] * 4) * DAY
    old = np.full(13, -1)

    plain = linkage(Params(contained_least=0), sim, times, old, terms)
    assert [len(s) for s in _label_sets(plain, sizes)] == [1, 1, 1]
    assert len(set(plain.tolist())) == 3  # average linkage alone: three stories

    labels = linkage(Params(), sim, times, old, terms)
    full, brief, sibling = _label_sets(labels, sizes)
    assert full == brief  # the brief half says nothing the long one does not: one story
    assert sibling.isdisjoint(full)  # the sibling names its own church (50-53): apart


def test_two_halves_that_each_say_something_of_their_own_stay_apart() -> None:
    """Each group holds two frequent terms the other lacks: two events, however linked."""
    sizes = [5, 4]
    sim = _blocks(sizes, 0.8, {(0, 1): 0.39})
    brief = [np.array([0, 1, 2, 3, 60, 61, 100 + i]) for i in range(4)]
    rows = FULL + brief
    labels = linkage(Params(), sim, np.zeros(9), np.full(9, -1), lambda idx: [rows[i] for i in idx.tolist()])
    assert len(set(labels.tolist())) == 2
    # one term of its own is allowed (Params.contained_terms): a briefer report's one detail
    brief1 = [np.array([0, 1, 2, 3, 60, 100 + i]) for i in range(4)]
    rows = FULL + brief1
    labels = linkage(Params(), sim, np.zeros(9), np.full(9, -1), lambda idx: [rows[i] for i in idx.tolist()])
    assert len(set(labels.tolist())) == 1


def test_groups_under_contained_least_are_not_joined() -> None:
    sizes = [2, 2]
    sim = _blocks(sizes, 0.8, {(0, 1): 0.35})
    rows = FULL[:2] + BRIEF[:2]
    labels = linkage(Params(), sim, np.zeros(4), np.full(4, -1), lambda idx: [rows[i] for i in idx.tolist()])
    assert len(set(labels.tolist())) == 2


def test_the_join_does_not_undo_the_check_of_early_versions() -> None:
    """An early report (0) of its own story's event, linked closely to a later event of its
    kind (3-5, two days on): the check of early versions counts its links to them less
    (``lead_factor``) and it stays with its story (0-2).  The join read the links undamped
    (0.37 on average between the two groups) and put it, and its story, in the later event's."""
    sim = np.full((6, 6), 0.1)
    sim[3:, 3:] = 0.9  # the later event
    sim[1, 2] = sim[2, 1] = 0.9  # the early report's story
    sim[0, 1:3] = sim[1:3, 0] = 0.45
    sim[0, 3:] = sim[3:, 0] = 0.9  # the early report reads as the later event's
    np.fill_diagonal(sim, 1.0)
    times = np.array([0.0, 0.0, 0.0, 2.0, 2.0, 2.0]) * DAY
    old = np.array([0, 0, 0, -1, -1, -1])
    same = [np.array([0, 1, 2, 3])] * 6  # nothing in the terms parts them: the links must
    terms = lambda idx: [same[i] for i in idx.tolist()]  # noqa: E731
    unchecked = linkage(Params(lead_gap=0.0), sim, times, old, terms)
    assert unchecked.tolist() == [0, 1, 1, 0, 0, 0]  # without the check it follows the later event
    labels = linkage(Params(), sim, times, old, terms)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1], labels
