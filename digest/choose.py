"""Choosing a story's lead: its most complete clean version.  Pure.

Observations
------------
* Versions of one story are wire copies (same body, different junk),
  truncated feed summaries of a full article, and rewrites.  Junk is removed
  before anything here sees the text, so it never makes a version longer.
* Length alone is a poor measure: a rewrite can be long and still miss half
  of what the other outlets report.  What counts is how much of the story's
  *shared* content (terms found in at least two versions, weighted by idf) a
  version carries, and how much clean text it has.

How it works
------------
* ``coverage``: the idf-weighted share of the story's shared terms (found in
  at least two versions) that the version carries.
* ``content``: the version's clean words, where words of terms no other
  version has count only a quarter.  Residual junk the cleaner missed (a
  site's comment form, its related headlines) is exactly such unshared text,
  so it barely adds; a rewrite's own details still count for something.
* ``score = content * (0.5 + 0.5 * coverage)``.
* Versions marked truncated (a feed summary cut short) never beat a full one.
* Versions within ``TIE`` (5%) of the best score, and full copies of the best
  version (same body text, ``digest.copies``), are equal in content; among
  them the cleaner one (fewer unshared words, by more than ``CLEAN_SLACK``) wins,
  then the higher source ``priority``, then the page that carried less site
  junk (the outlet the reader is sent to), then the earliest publication, then
  the smaller id (so the choice is deterministic).
* Each version keeps its score and the reason, for ``digest explain``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

TIE = 0.05


class _Idf(Protocol):
    def idf(self, t: int) -> float: ...


@dataclass(frozen=True, slots=True)
class Version:
    id: str
    source: str
    terms: Mapping[int, float]
    words: int
    truncated: bool = False
    priority: float = 0.0
    published: float | None = None
    #: Versions with the same ``copies`` value are copies of one text
    #: (``digest.copies``); None: a copy of nothing else here.
    copies: str | None = None
    #: Characters of site junk removed from this version's page.
    junk: int = 0


@dataclass(frozen=True, slots=True)
class VersionScore:
    score: float
    coverage: float
    words: int
    truncated: bool
    priority: float
    published: float | None
    lead: bool
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 2),
            "coverage": round(self.coverage, 3),
            "words": self.words,
            "truncated": self.truncated,
            "priority": self.priority,
            "lead": self.lead,
            "reason": self.reason,
        }


#: Unshared words by which an equally complete version may exceed the cleanest.
CLEAN_SLACK = 2.0
#: A copy of the best version ties with it only with at least this share of its words.
COPY_LENGTH = 0.6
#: Weight of a word whose term no other version has.
UNSHARED = 0.25


def coverage_arrays(
    version: np.ndarray, terms: np.ndarray, weights: np.ndarray, n: int, idf_of: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per version: coverage of the shared terms, and the share of its words that are unshared.

    ``version[i]`` is the version (0 .. n-1) holding term ``terms[i]`` with
    weight ``weights[i]`` (each term once per version); ``idf_of`` gives the
    idf of an array of terms.
    """
    if n == 1:
        return np.ones(1), np.zeros(1)
    if not terms.size:
        return np.zeros(n), np.zeros(n)
    uniq, inv, support = np.unique(terms, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    shared = support >= 2
    value = np.where(shared, np.maximum(idf_of(uniq), 0.0), 0.0)
    total = float(value.sum())
    mass = np.bincount(version, weights=weights, minlength=n)
    mass[mass == 0] = 1.0
    unshared = np.bincount(version, weights=np.where(shared[inv], 0.0, weights), minlength=n) / mass
    cov = np.bincount(version, weights=value[inv], minlength=n) / total if total > 0 else np.zeros(n)
    return cov, unshared


@dataclass(frozen=True, slots=True)
class Facts:
    """The versions of one story as arrays (what the lead choice reads)."""

    ids: Sequence[str]
    words: np.ndarray
    truncated: np.ndarray
    priority: np.ndarray
    #: Publication times, NaN when unknown.
    published: np.ndarray
    junk: np.ndarray
    copies: Sequence[str | None]
    cov: np.ndarray
    unshared: np.ndarray


def pick(f: Facts) -> tuple[int, np.ndarray, list[int], float]:
    """(lead position, raw scores, tied positions, best score); see the module docstring."""
    raw = f.words * (1 - (1 - UNSHARED) * f.unshared) * (0.5 + 0.5 * f.cov)
    n = len(f.ids)
    full = ~f.truncated if not f.truncated.all() else np.ones(n, dtype=bool)
    best = float(raw[full].max())
    top = max((i for i in np.flatnonzero(full & (raw == best)).tolist()), key=lambda i: f.words[i])
    top_copies, top_words = f.copies[top], f.words[top]
    close = full & (raw >= best * (1 - TIE))
    if top_copies is not None:
        same = np.fromiter((c == top_copies for c in f.copies), dtype=bool, count=n)
        close |= full & same & (f.words >= COPY_LENGTH * top_words)
    tied = np.flatnonzero(close)
    extra = f.words[tied] * f.unshared[tied]
    tied = tied[extra <= extra.min() + CLEAN_SLACK].tolist()

    def key(i: int) -> tuple[float, int, float, float, str]:
        published = f.published[i]
        return (-f.priority[i], f.junk[i], float("inf") if published != published else published, -raw[i], f.ids[i])

    return min(tied, key=key), raw, tied, best


def scores(f: Facts, lead: int, raw: np.ndarray, tied: list[int], best: float) -> dict[str, VersionScore]:
    """Every version's score with the reason."""
    out = {}
    n = len(f.ids)
    tied_set = set(tied)
    lp, lj = f.priority[lead], f.junk[lead]
    for i in range(n):
        if i == lead:
            if n == 1:
                reason = "only version"
            elif len(tied) == 1:
                reason = "most complete clean version"
            elif any(f.priority[t] != lp for t in tied):
                reason = "as complete as others; preferred source (priority)"
            elif any(f.junk[t] != lj for t in tied):
                reason = "as complete as others; the cleanest page"
            else:
                reason = "as complete as others; earliest published"
        elif f.truncated[i] and not f.truncated[lead]:
            reason = "truncated summary"
        elif i in tied_set:
            reason = "as complete as the lead; lower priority or later"
        else:
            reason = f"less complete ({raw[i] / best:.0%} of the lead)" if best else "less complete"
        published = float(f.published[i])
        out[f.ids[i]] = VersionScore(
            score=float(raw[i]),
            coverage=float(f.cov[i]),
            words=int(f.words[i]),
            truncated=bool(f.truncated[i]),
            priority=float(f.priority[i]),
            published=None if published != published else published,
            lead=i == lead,
            reason=reason,
        )
    return out


def choose_lead(versions: Sequence[Version], idf: _Idf) -> tuple[str, dict[str, VersionScore]]:
    """Return the lead's id and every version's score with the reason."""
    if not versions:
        raise ValueError("a story has at least one version")
    lens = [len(v.terms) for v in versions]
    total = sum(lens)
    terms = np.fromiter((t for v in versions for t in v.terms), dtype=np.uint64, count=total)
    weights = np.fromiter((w for v in versions for w in v.terms.values()), dtype=np.float64, count=total)
    version = np.repeat(np.arange(len(versions)), lens)

    def idf_of(ts: np.ndarray) -> np.ndarray:
        return np.fromiter((idf.idf(t) for t in ts.tolist()), dtype=np.float64, count=ts.size)

    cov, unshared = coverage_arrays(version, terms, weights, len(versions), idf_of)
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
    )
    lead, raw, tied, best = pick(f)
    return f.ids[lead], scores(f, lead, raw, tied, best)
