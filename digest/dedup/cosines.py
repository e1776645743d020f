"""A new article's cosines to its candidate stories' members, in one gather.  Pure.

The regrouping (``digest.dedup.regrouping``) and ``explain`` (``Engine.source_cosine``) read
likeness through here; two adjustments are made on the cosine's own products:

* a templated report of another event (alike in words, not in names: a wire template of
  quakes, results, earnings) is scaled down (:func:`template_gate`, :func:`template_cap`);
* between two articles of one source, its own words (``digest.dedup.sourceterms``) are no
  evidence: the cosine of their other terms (:func:`rest_scale`).
"""

from __future__ import annotations

import numpy as np

from .arrays import Runs, Story
from .params import Params
from .state import EngineState
from .terms import VOCAB


def member_cosines(
    state: EngineState, vidx: np.ndarray, val: np.ndarray, sts: list[Story],
    own: tuple[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every member of ``sts`` (article numbers) and its cosine to the (unit) vector, in one
    gather; scaled down for templated reports of another event (``template_gate``); ``own``:
    see :func:`cosines`."""
    members = np.concatenate([np.frombuffer(st.members, dtype=np.int32) for st in sts])
    members = members[~state.col.silent[members]]  # copies that add nothing are no one's neighbours
    return members, cosines(state, vidx, val, members, own)


def cosines(
    state: EngineState, vidx: np.ndarray, val: np.ndarray, members: np.ndarray,
    own: tuple[int, np.ndarray] | None = None,
) -> np.ndarray:
    """The cosine of each of ``members`` to the (unit) vector, in one gather; scaled down for
    templated reports of another event (``template_gate``).  ``own``: the article's source
    code and the terms that are that source's own (``EngineState.own_terms``): with a member
    of the same source, the cosine of their other terms (``rest_scale``;
    ``digest.dedup.sourceterms``)."""
    terms, x, runs, norm = state.raw_vectors(members)  # the dot products first, then the norms
    dense, _ = state.scratch()
    dense[vidx] = val
    scale = None
    try:
        prod = dense[terms] * x
        code, mine = own if own is not None else (-1, vidx[:0])
        same = state.col.source[members] == code if mine.size else None
        if same is not None and same.any():  # members of the article's source: their other terms
            own_val = dense[mine]  # (a copy: fancy indexing)
            dense[mine] = 0.0
            rows = same[runs.owner]
            prod[rows] = dense[terms[rows]] * x[rows]  # the products without the source's own terms
            scale = rest_scale(state.params, own_val, mine, terms, x, runs, norm, same)
    finally:
        dense[vidx] = 0.0
    sims = runs.sum(prod) / norm
    if state.params.names_scale > 0:
        sims *= template_gate(state.params, vidx, val, terms, x, prod, runs, norm, sims)
    if scale is not None:
        sims = np.minimum(sims * scale, 1.0)
    return sims


def rest_scale(
    p: Params, own_val: np.ndarray, own_terms: np.ndarray, terms: np.ndarray, x: np.ndarray, runs: Runs,
    norm: np.ndarray, same: np.ndarray,
) -> np.ndarray:
    """Per member: 1, or for one of the article's source, what makes its dot product without
    the source's own terms the cosine of the two articles' other terms: one over the root of
    the two rests' squared mass, each counted as at least ``Params.source_rest`` (an article
    nearly all template has a rest of a few words, which alone would be alike by chance)."""
    rest = max(1.0 - float(own_val @ own_val), p.source_rest)
    xo = np.where(np.isin(terms, own_terms), x, 0.0)
    theirs = np.maximum(1.0 - runs.sum(xo * xo) / np.maximum(norm * norm, 1e-12), p.source_rest)
    return np.where(same, 1.0 / np.sqrt(rest * theirs), 1.0)


def template_gate(
    p: Params, vidx: np.ndarray, val: np.ndarray, terms: np.ndarray, x: np.ndarray, prod: np.ndarray,
    runs: Runs, norm: np.ndarray, sims: np.ndarray,
) -> np.ndarray:
    """Per member: 1, or, where it and the article both name things (``names_min`` of the
    squared mass) and their words that are not names are alike (``template_words``), their
    names cosine over ``names_scale`` (at most 1), squared (``template_cap``).  A wire
    template (quakes, results, earnings) repeats every word but the names and numbers; a
    rewrite of one event keeps its names.  From the cosine's own products: the names' part
    of each dot product and norm is summed, the words' part is what is left."""
    gate = np.ones(norm.size)
    name = VOCAB.is_name[vidx]
    mass = float(val[name] @ val[name])  # the article's vector is a unit vector
    if not p.names_min <= mass < 1.0:
        return gate
    is_name = VOCAB.is_name[terms]
    names_dot = runs.sum(np.where(is_name, prod, 0.0))
    xn = np.where(is_name, x, 0.0)
    nn = np.sqrt(runs.sum(xn * xn))
    wn = np.sqrt(np.maximum(norm * norm - nn * nn, 0.0))
    words = (sims * norm - names_dot) / np.maximum(np.sqrt(1.0 - mass) * wn, 1e-12)
    names = names_dot / np.maximum(np.sqrt(mass) * nn, 1e-12)
    return template_cap(p, words, names, (nn / norm) ** 2 >= p.names_min)


def template_cap(p: Params, words: np.ndarray, names: np.ndarray, named: np.ndarray) -> np.ndarray:
    """The share a pair counts for under the templated-report rule: where both articles
    name things (``named``) and their non-name words are alike (``template_words``), the
    names cosine over ``names_scale`` (at most 1), squared; elsewhere 1.  Squared: the
    names two templated reports do share (the agency, the region) sit in their ledes,
    which weigh double, so their names cosine is not far under ``names_scale``; a rewrite
    of one event, at or over it, still counts fully."""
    return np.where(named & (words >= p.template_words), np.minimum(names / p.names_scale, 1.0) ** 2, 1.0)
