"""One event in two groups: the briefer half joins the other.  Pure.

Observations
------------
* An event of twenty reports is two neighbourhoods at ``Params.neighbours`` (8): each
  report's list fills with its own half, and the halves' average shared-neighbour link
  (0.31-0.39 on ECB+ close dev: the Palin church fire, the Doctor Who casting) falls under
  ``Params.shared``.  Sibling events of one topic link as much (0.23-0.39: the IE patches,
  the Endangered Species rulings, the Turkmen elections), and their neighbour lists cross
  as often: no link or neighbour count parts them (``docs/evaluation.md``, stop 52).
* What does: one half of an event is most often the other's briefer telling, and says
  nothing the other does not (0-1 terms in half its reports and in at most a tenth of the
  other's); a sibling has particulars of its own (a date, a name, a figure: 2-29).

How it works
------------
:func:`join_contained`, after average linkage: two groups of ``Params.contained_least``
or more, linked on average by ``contained_link`` or more, are joined when one of them
holds at most ``contained_terms`` such terms; the most alike pair first, again until none
is left.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .params import Params

#: Rows of a regrouped region -> each article's term indices (read only when asked).
Terms = Callable[[np.ndarray], list[np.ndarray]]
#: A group's terms (sorted) and how many of its articles hold each.
Counted = tuple[np.ndarray, np.ndarray]


def _says(a: Counted, size_a: int, b: Counted, size_b: int) -> int:
    """How many terms in half of group a's articles (two at least) are in at most a tenth
    of group b's (``a``, ``b``: each group's terms and how many of its articles hold each)."""
    ua, ca = a
    frequent = ua[ca >= max(2.0, 0.5 * size_a)]
    if not frequent.size:
        return 0
    ub, cb = b
    if not ub.size:
        return int(frequent.size)
    pos = np.clip(np.searchsorted(ub, frequent), 0, ub.size - 1)
    held = np.where(ub[pos] == frequent, cb[pos], 0)
    return int(np.count_nonzero(held <= 0.1 * size_b))


def join_contained(p: Params, sim: np.ndarray, labels: np.ndarray, terms: Terms) -> np.ndarray:
    """Two groups of ``contained_least`` articles or more, linked on average by
    ``contained_link`` or more, are one story when one of them says at most
    ``contained_terms`` things the other does not: terms in half its articles (two at
    least) and in at most a tenth of the other's.  An event of twenty reports is two
    neighbourhoods at ``Params.neighbours`` (its halves' average link under
    ``Params.shared``), one half often the other's briefer telling; a sibling event of
    its topic, as alike, has particulars of its own (a date, a name, a figure).  The
    most alike pair first, again until none is left.

    Most regroupings have no two groups linked that much: their terms are then never read
    (they are read per group, when a pair of it is first weighed, and counted once)."""
    if p.contained_least <= 0:
        return labels
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= p.contained_least)
    if big.size < 2:
        return labels
    members = {int(g): np.flatnonzero(labels == g) for g in big.tolist()}

    def link(a: int, b: int) -> float:
        return float(sim[np.ix_(members[a], members[b])].mean())

    keys = sorted(members)
    links = {(a, b): link(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]}
    if max(links.values()) < p.contained_link:
        return labels
    pooled: dict[int, np.ndarray] = {}  # each term once an article, the group's articles pooled
    counted: dict[int, Counted] = {}

    def counts(g: int) -> Counted:
        if g not in counted:
            pooled[g] = np.concatenate([np.unique(r) for r in terms(members[g])])
            counted[g] = np.unique(pooled[g], return_counts=True)
        return counted[g]

    def says(a: int, b: int) -> int:  # a's frequent terms b seldom holds
        return _says(counts(a), members[a].size, counts(b), members[b].size)

    out = labels.copy()
    while len(members) >= 2:
        best, pair = p.contained_link, None
        for (a, b), value in sorted(links.items()):  # a tie goes to the last pair, as it always did
            if value >= best and min(says(a, b), says(b, a)) <= p.contained_terms:
                best, pair = value, (a, b)
        if pair is None:
            break
        a, b = pair
        out[members[b]] = a
        members[a] = np.concatenate([members[a], members.pop(b)])
        pooled[a] = np.concatenate([pooled[a], pooled.pop(b)])
        counted[a] = np.unique(pooled[a], return_counts=True)
        counted.pop(b)
        links = {k: v for k, v in links.items() if b not in k and a not in k}
        links.update({(min(a, c), max(a, c)): link(min(a, c), max(a, c)) for c in members if c != a})
    _, first, inv = np.unique(out, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inv.reshape(-1)].astype(np.int64)
