"""The caps on a pair's shared-neighbour link: what a sparse or young neighbourhood, or two
concurrent events of one kind, make the link count at most.  Pure.

Shared neighbours say most where neighbourhoods are full; where they are not, they say 1 for
two events of one kind as for one.  Each cap here is a matrix over a region's articles (1 where
it gives no evidence); ``digest.dedup.regrouping`` takes their minimum with the link.

* :func:`relative_cosine`: sparse neighbourhoods (an article not ``crowded``): the pair's own
  cosines, words and names, relative to the closer one's nearest neighbour.
* :func:`profile_cap`: regions of ``profile_size`` or fewer: the contrast of the pair's cosines
  to the third articles near either (two matches of one club).
* :func:`young_cap`: regions of ``profile_size`` or fewer where both articles have few
  neighbours (a new store): the pair's cosine and names cosine.
* :func:`crowd_cap`: regions of ``profile_size`` or fewer where both articles are crowded and
  their lists not full, published days apart: the pair's cosine relative to the closer one's
  nearest (``Params.crowd_scale``; 0 turns it off).
"""

from __future__ import annotations

import numpy as np

from .arrays import Runs
from .cosines import template_cap
from .state import EngineState
from .terms import VOCAB


def names_vectors(terms: np.ndarray, val: np.ndarray, runs: Runs, names_min: float) -> tuple[np.ndarray, np.ndarray]:
    """Each article's names alone, normalised (``val`` where the term is a name), and whether
    it names enough (a names mass of ``names_min`` or more) for its names cosine to count."""
    nval = np.where(VOCAB.is_name[terms], val, 0.0)
    nmass = runs.sum(nval * nval)
    nval /= np.sqrt(np.maximum(nmass, 1e-12))[runs.owner]
    return nval, nmass >= names_min


def relative_cosine(state: EngineState, nums: np.ndarray) -> np.ndarray:
    """The cap on each pair's shared-neighbour similarity: 1 where both articles are crowded
    (``Params.crowded`` neighbours at twice the floor); else the pair's cosine over
    ``relative`` x the closer one's nearest-neighbour cosine, its words cosine over
    ``words_scale``, and, where both articles name things (``names_min``) and their words
    are alike (``template_words``), its names cosine over ``names_scale`` (capped at 1),
    squared; where both name things, its names cosine over ``names_sparse`` too (two
    reports alone in a young store are each other's only neighbours: shared neighbours
    say 1 for two earthquakes as for two rewrites of one, their places and people tell
    them apart); 0 below ``sparse_cosine`` (each other's nearest, two far-apart reports
    alone would count fully by the relative cosine, whatever its absolute value).  Where neighbourhoods are sparse, shared neighbours say little: two close
    versions must not take in an article only loosely like them, and two templated reports
    of different events are each other's only neighbours (``cosines.template_gate`` scales their
    cosine down, but not out of each other's lists)."""
    p, nb = state.params, state.nb
    r = nums.size
    gate = np.ones((r, r))
    crowded = (nb.sims[nums] >= 2 * p.neighbour_floor).sum(axis=1) >= p.crowded
    sparse = np.flatnonzero(~crowded)
    if not sparse.size:
        return gate
    terms, val, wval, runs = state.vectors(nums)
    nval, named = names_vectors(terms, val, runs, p.names_min)
    top = np.maximum(nb.sims[nums].max(axis=1), p.neighbour_floor)
    dense, dense_w = state.scratch()
    for i in sparse.tolist():
        a = int(runs.starts[i])
        b = a + int(runs.lens[i])
        ti = terms[a:b]
        dense[ti], dense_w[ti] = val[a:b], wval[a:b]
        try:
            cos = runs.sum(dense[terms] * val)
            wcos = runs.sum(dense_w[terms] * wval)
            dense[ti] = nval[a:b]
            ncos = runs.sum(dense[terms] * nval)
        finally:
            dense[ti] = 0.0
            dense_w[ti] = 0.0
        rel = cos / (p.relative * np.maximum(top, top[i]))
        row = np.minimum(np.minimum(rel, wcos / p.words_scale), 1.0)
        if p.sparse_cosine > 0:  # each other's nearest, yet far apart: a topic, not an event
            row = np.where(cos < p.sparse_cosine, 0.0, row)
        if p.names_sparse > 0 and named[i]:  # alone, two reports of one kind: their names tell
            row = np.where(named, np.minimum(row, ncos / p.names_sparse), row)
        if named[i] and p.names_scale > 0:  # templated: the same words around other names
            row = np.minimum(row, template_cap(p, wcos, ncos, named))
        row[i] = 1.0
        gate[i, :] = row
        gate[:, i] = row
    return gate


def profile_cap(state: EngineState, nums: np.ndarray, need: np.ndarray | None = None) -> np.ndarray:
    """Per pair, the cap from the contrast of their neighbour profiles: two reports of one
    event are close to the same third articles; two reports of two concurrent events of
    one kind are each close to their own event's.  The Pearson correlation of the pair's
    cosines to the third articles near either (``neighbour_floor``): 1 from
    ``profile_floor`` up, falling linearly to 0 at -1.  No evidence from fewer than
    ``profile_thirds`` third articles (with only two, a correlation is always +1 or -1), for a
    pair as alike as ``profile_alike`` (versions of one text lightly edited are all close to
    one another: their profiles are flat, and the correlation of flat profiles is noise's),
    or for a pair published more than ``time_grace`` apart (a developing story's early report
    and its follow-ups weeks later are close to different articles, and are one story).
    Versions of one text among the third articles (``profile_alike``: an outlet's revision of
    its report, a copy) count as one: an entry updated in place made two thirds of one text,
    three thirds where there had been two, and a story shown as one was read as two events.

    ``need``: the pairs whose cap is read (a regrouping's pairs with a link above 0: the
    least of 0 and a cap is 0); 1 for the others.  Each pair i < j is weighed once, for both
    of its orders (its thirds and their weights are the same; its means, spreads and
    correlation are each order's own, summed over the thirds as over the pair's row of an
    [i, j, k] block: the same values, bit for bit).  The diagonal is 1 (an article and
    itself are no pair: the linkage never reads it)."""
    p = state.params
    r = nums.size
    terms, val, _wval, runs = state.vectors(nums)
    cos = np.empty((r, r))
    dense, _ = state.scratch()
    for i in range(r):  # row by row through the scratch vector: no BLAS call (its threads spin)
        lo, hi = int(runs.starts[i]), int(runs.starts[i]) + int(runs.lens[i])
        dense[terms[lo:hi]] = val[lo:hi]
        try:
            cos[i] = runs.sum(dense[terms] * val)
        finally:
            dense[terms[lo:hi]] = 0.0
    t = state.col.published[nums]
    far = np.abs(t[:, None] - t[None, :]) > p.time_grace  # NaN (undated): compared
    unlike = cos < p.profile_alike
    # the pairs a profile may cap: not far apart, one order at least not alike, and read
    may = ~far & (unlike | unlike.T)
    if need is not None:
        may &= need | need.T
    first, second = np.nonzero(np.triu(may, 1))
    cap = np.ones((r, r))
    if not first.size:
        return cap
    near = cos >= p.neighbour_floor
    pairs = np.arange(first.size)
    third = near[first] | near[second]  # [pair, k]: k near either
    third[pairs, first] = False
    third[pairs, second] = False
    alike = cos >= p.profile_alike  # versions of one text: copies, an entry's revisions
    np.fill_diagonal(alike, False)
    if alike.any():  # each third weighs 1 / (the pair's thirds of its text): one text, one third
        twins = np.einsum("pl,kl->pk", third.astype(np.float64), alike.astype(np.float64), optimize=False)
        w = np.where(third, 1.0 / (1.0 + twins), 0.0)
    else:
        w = third.astype(np.float64)
    n = w.sum(axis=1)
    w = w / np.maximum(n, 1e-12)[:, None]
    a, b = cos[first], cos[second]  # i's cosines to k, j's
    da = a - (w * a).sum(axis=1, keepdims=True)
    db = b - (w * b).sum(axis=1, keepdims=True)
    sa = np.sqrt((w * da * da).sum(axis=1))
    sb = np.sqrt((w * db * db).sum(axis=1))
    spread = np.maximum(sa * sb, 1e-12)
    # (a count of weights: seven versions of one text are 7 x 1/7, 0.999... in floating point)
    enough = n >= p.profile_thirds - 1e-9
    for x, y, rho in ((first, second, (w * da * db).sum(axis=1) / spread),
                      (second, first, (w * db * da).sum(axis=1) / spread)):
        capped = np.clip((rho + 1.0) / (p.profile_floor + 1.0), 0.0, 1.0)
        cap[x, y] = np.where(enough & unlike[x, y], capped, 1.0)
    return cap


def young_cap(state: EngineState, nums: np.ndarray) -> np.ndarray:
    """Per pair, the cap in a young neighbourhood: where both articles have fewer than
    ``young_list`` neighbours at the floor (a new store, a few feeds), a topic's four to six
    reports are each other's only neighbours, each counts as crowded (``relative_cosine``
    leaves it uncapped) and shared neighbours say 1 for two events of one kind as for one.
    The pair's own cosines rank better there (``benchmarks.sparse_errors``: among the merged
    pairs, cosine AUC 0.80, link 0.51): it counts at most the mean of its cosine and names
    cosine (its cosine where either names nothing, ``names_min``) over ``young_cosine``.
    1 elsewhere; all 1 when ``young_list`` is 0."""
    p, nb = state.params, state.nb
    r = nums.size
    cap = np.ones((r, r))
    if p.young_list <= 0 or r < 2:
        return cap
    listed = ((nb.nums[nums] >= 0) & (nb.sims[nums] >= p.neighbour_floor)).sum(axis=1)
    short = listed < p.young_list
    rows = np.flatnonzero(short)
    if rows.size < 2:
        return cap
    terms, val, _wval, runs = state.vectors(nums)
    nval, named = names_vectors(terms, val, runs, p.names_min)
    dense, _ = state.scratch()
    for i in rows.tolist():
        lo, hi = int(runs.starts[i]), int(runs.starts[i]) + int(runs.lens[i])
        ti = terms[lo:hi]
        try:
            dense[ti] = val[lo:hi]
            cos = runs.sum(dense[terms] * val)
            dense[ti] = nval[lo:hi]
            ncos = runs.sum(dense[terms] * nval)
        finally:
            dense[ti] = 0.0
        both = named & named[i]
        x = np.where(both, (cos + ncos) / 2.0, cos)
        row = np.where(short, np.clip(x / p.young_cosine, 0.0, 1.0), 1.0)
        row[i] = 1.0
        cap[i, :] = row
        cap[:, i] = row
    return cap


def crowd_cap(state: EngineState, nums: np.ndarray) -> np.ndarray:
    """Per pair, the cap between crowded articles in a young store: where both have
    ``Params.crowded`` neighbours at twice the floor (``relative_cosine`` leaves them uncapped)
    and fewer than ``crowd_list`` at the floor, shared neighbours say 1 for two events of one
    kind as for one.  Their cosine over the closer one's nearest-neighbour cosine, over
    ``crowd_scale``, squared (capped at 1), for a pair published more than ``crowd_gap`` and at
    most ``time_grace`` apart (one day's reports of one event, an undated pair, a developing
    story's follow-ups weeks later are left alone).  An undated one among dated ones is held to
    each of those that is held to another (``digest dedupe`` records without a time mixed with
    dated ones): its pairs never being held, it bridged the events it was among (review of
    stop 57).  Two matches of one club four days apart and
    a third match's report, alone in a new store: every report is every other's neighbour, and
    the third match flattens the profiles (``profile_cap``).  1 elsewhere; all 1 when
    ``crowd_scale`` is 0 (off; stop 57)."""
    p, nb = state.params, state.nb
    r = nums.size
    cap = np.ones((r, r))
    if p.crowd_scale <= 0 or r < 2:
        return cap
    sims = nb.sims[nums]
    listed = ((nb.nums[nums] >= 0) & (sims >= p.neighbour_floor)).sum(axis=1)
    crowded = (sims >= 2 * p.neighbour_floor).sum(axis=1) >= p.crowded
    young = crowded & (listed < p.crowd_list)
    rows = np.flatnonzero(young)
    if rows.size < 2:
        return cap
    t = state.col.published[nums]
    dt = np.abs(t[:, None] - t[None, :])
    # published more than crowd_gap apart (NaN, undated: not), within the grace (a developing
    # story's follow-ups weeks later are one story)
    held = (dt > p.crowd_gap) & (dt <= p.time_grace)
    undated = np.isnan(t)
    if undated.any():  # an undated one among dated ones held apart: held to each of those
        spans = (held & young[None, :]).any(axis=1) & young
        held |= (undated[:, None] & spans[None, :]) | (spans[:, None] & undated[None, :])
    # the cosines only of young rows held to another young one (one day's reports: none)
    rows = np.flatnonzero(young & (held & young[None, :]).any(axis=1))
    if rows.size == 0:
        return cap
    top = np.maximum(sims.max(axis=1), p.neighbour_floor)
    terms, val, _wval, runs = state.vectors(nums)
    dense, _ = state.scratch()
    cos = np.zeros((r, r))
    for i in rows.tolist():
        lo, hi = int(runs.starts[i]), int(runs.starts[i]) + int(runs.lens[i])
        ti = terms[lo:hi]
        try:
            dense[ti] = val[lo:hi]
            cos[i] = runs.sum(dense[terms] * val)
        finally:
            dense[ti] = 0.0
    for i in rows.tolist():
        share = np.clip(cos[i] / (p.crowd_scale * np.maximum(top, top[i])), 0.0, 1.0)
        row = np.where(young & held[i], share * share, 1.0)
        row[i] = 1.0
        cap[i, :] = np.minimum(cap[i, :], row)
        cap[:, i] = np.minimum(cap[:, i], row)
    return cap
