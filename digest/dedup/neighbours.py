"""Regrouping a neighbourhood: shared-nearest-neighbour similarity, average linkage.  Pure.

Observations
------------
* On ECB+ (dev split) an article's most similar article is a report of the
  same event 98.8% of the time, yet no single cosine threshold separates
  events: the two events of one topic (Klitschko beating Rahman, Klitschko
  beating Thompson) can be as close to each other as one event's own
  reports are.  How close is close depends on the neighbourhood.
* Shared nearest neighbours (Jarvis and Patrick, 1973) measure that: two
  articles are alike when their lists of nearest neighbours overlap.  Reports
  of one event share their neighbours; two events of one topic each have
  their own.  Offline on ECB+ dev, average linkage over this similarity
  reaches B-cubed F1 0.95 where cosine reaches 0.90.
* Decisions taken once, in arrival order, are taken on too little: the first
  report of the second event sees only the first event's reports, and
  joins them.  So the neighbourhood of each new article is regrouped from
  scratch, and earlier articles may move to another story.

How it works
------------
* Each article keeps its ``k`` most similar articles (cosine at least a
  floor).  Its *neighbour set* is itself plus the neighbours at least
  ``ratio`` times as similar as its nearest one, so a story of two close
  versions in a crowd of loosely related articles is its own neighbourhood.
* :func:`shared_similarity`: ``|N(a) ∩ N(b)| / min(|N(a)|, |N(b)|)``.
* :func:`average_linkage` cuts the average-linkage tree at a similarity:
  no cluster's members are on average less alike than the threshold, and no
  single article can chain two groups together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .sketch import average_linkage_tree


def neighbour_sets(nums: np.ndarray, nbrs: np.ndarray, sims: np.ndarray, ratio: float) -> np.ndarray:
    """The neighbour set of every article ``nums[i]`` (neighbour rows ``nbrs[i]``, ``sims[i]``,
    -1 where empty): the article itself and its neighbours at least ``ratio`` x as similar as
    its nearest one.  A matrix with one set per row (the article first), padded with -1."""
    top = sims.max(axis=1, initial=-1.0, where=nbrs >= 0)
    keep = (nbrs >= 0) & (sims >= ratio * top[:, None])
    return np.concatenate([nums.reshape(-1, 1), np.where(keep, nbrs, -1)], axis=1)


def shared_similarity(sets: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Pairwise ``|A ∩ B| / min(|A|, |B|)`` of neighbour sets (1 on the diagonal).

    ``sets`` is a list of arrays, or a matrix with one set per row padded with -1.
    """
    if isinstance(sets, np.ndarray):
        mat = sets
    else:
        width = max((len(x) for x in sets), default=0)
        mat = np.full((len(sets), width), -1, dtype=np.int64)
        for i, x in enumerate(sets):
            mat[i, : len(x)] = x
    r = mat.shape[0]
    if r == 0:
        return np.zeros((0, 0))
    rows, cols = np.nonzero(mat >= 0)
    uniq, inv = np.unique(mat[rows, cols], return_inverse=True)
    inc = np.zeros((r, uniq.size), dtype=np.float32)
    inc[rows, inv.reshape(-1)] = 1.0
    inter = inc @ inc.T
    size = np.maximum(inc.sum(axis=1), 1.0)
    out = inter / np.minimum.outer(size, size)
    np.fill_diagonal(out, 1.0)
    return out.astype(np.float64)


def average_linkage(sim: np.ndarray, threshold: float) -> np.ndarray:
    """Flat clusters (labels 0..) of average linkage, merging while the average similarity
    between two clusters is at least ``threshold``.  Labels are numbered by first member."""
    r = sim.shape[0]
    if r <= 1:
        return np.zeros(r, dtype=np.int64)
    dist = np.clip(1.0 - (sim + sim.T) / 2.0, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    tree = average_linkage_tree(dist)  # scipy's, without scipy.spatial's import
    # merge heights only grow (average linkage): the clusters at the cut are the merges below it
    cut = 1.0 - threshold + 1e-9
    owner = list(range(2 * r - 1))  # node -> the node that stands for its cluster
    for k, (a, b, height, _n) in enumerate(tree.tolist()):
        if height > cut:
            break
        owner[int(a)] = owner[int(b)] = r + k

    def root(x: int) -> int:
        while owner[x] != x:
            owner[x] = owner[owner[x]]
            x = owner[x]
        return x

    label: dict[int, int] = {}  # each cluster's root -> its label, by first appearance
    return np.array([label.setdefault(root(x), len(label)) for x in range(r)], dtype=np.int64)
