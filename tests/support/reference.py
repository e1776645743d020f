"""Plain reference versions of what the dedup core does on arrays (tests only).

The engine never builds these: it keeps its articles as arrays and calls the
array functions directly.  Tests use them to state a rule on a handful of
hand-written versions or neighbour lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from digest.dedup.lead import Facts, VersionScore, coverage_arrays, pick, scores
from digest.dedup.terms import PLAIN


class Idf(Protocol):
    def idf(self, t: int) -> float: ...


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a story, as plain data (term id -> weighted count)."""

    id: str
    source: str
    terms: Mapping[int, float]
    words: int
    truncated: bool = False
    priority: float = 0.0
    published: float | None = None
    #: Versions with the same ``copies`` value are copies of one text; None: a copy of nothing.
    copies: str | None = None
    #: Characters of site junk removed from this version's page.
    junk: int = 0


def choose_lead(versions: Sequence[Version], idf: Idf) -> tuple[str, dict[str, VersionScore]]:
    """The lead's id and every version's score with the reason (``digest.dedup.lead.pick``
    over the versions' facts, as ``digest.dedup.lead_facts.story_facts`` gathers them)."""
    if not versions:
        raise ValueError("a story has at least one version")
    lens = [len(v.terms) for v in versions]
    total = sum(lens)
    terms = np.fromiter((t for v in versions for t in v.terms), dtype=np.uint64, count=total)
    weights = np.fromiter((w for v in versions for w in v.terms.values()), dtype=np.float64, count=total)
    version = np.repeat(np.arange(len(versions)), lens)

    def idf_of(ts: np.ndarray) -> np.ndarray:
        return np.fromiter((idf.idf(t) for t in ts.tolist()), dtype=np.float64, count=ts.size)

    plain = terms & PLAIN
    cov, unshared, extra = coverage_arrays(version, terms, weights, len(versions), idf_of, plain, plain != terms)
    f = Facts(
        ids=[v.id for v in versions],
        words=np.array([v.words for v in versions], dtype=np.float64),
        truncated=np.array([v.truncated for v in versions], dtype=bool),
        priority=np.array([v.priority for v in versions], dtype=np.float64),
        published=np.array([np.nan if v.published is None else v.published for v in versions]),
        junk=np.array([v.junk for v in versions], dtype=np.int64),
        copies=[v.copies for v in versions],
        cov=cov,
        unshared=unshared,
        extra=extra,
    )
    lead, raw, tied, best = pick(f)
    return f.ids[lead], scores(f, lead, raw, tied, best)


def neighbour_set(num: int, nbrs: np.ndarray, sims: np.ndarray, ratio: float) -> np.ndarray:
    """One article's neighbour set, one at a time (``digest.dedup.neighbours.neighbour_sets``
    gives every row at once): ``num`` and its neighbours at least ``ratio`` x as similar as
    the nearest, sorted."""
    keep = nbrs >= 0
    nbrs, sims = nbrs[keep], sims[keep]
    if nbrs.size:
        nbrs = nbrs[sims >= ratio * float(sims.max())]
    return np.unique(np.append(nbrs, num))
