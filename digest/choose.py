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
``score = words * (0.5 + 0.5 * coverage)`` where ``coverage`` is the
idf-weighted share of the story's shared terms present in the version.
Versions marked truncated (a feed summary cut short) never beat a full one.
Versions within ``TIE`` (5%) of the best score are equal in content; among
them the higher source ``priority`` wins, then the earliest publication,
then the higher score, then the smaller id (so the choice is deterministic).
Each version keeps its score and the reason, for ``digest explain``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

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


def _coverage(versions: Sequence[Version], idf: _Idf) -> dict[str, float]:
    if len(versions) == 1:
        return {versions[0].id: 1.0}
    support: dict[int, int] = {}
    for v in versions:
        for t in v.terms:
            support[t] = support.get(t, 0) + 1
    shared = {t: max(idf.idf(t), 0.0) for t, n in support.items() if n >= 2}
    total = sum(shared.values())
    if total <= 0:
        return {v.id: 0.0 for v in versions}
    return {v.id: sum(w for t, w in shared.items() if t in v.terms) / total for v in versions}


def choose_lead(versions: Sequence[Version], idf: _Idf) -> tuple[str, dict[str, VersionScore]]:
    """Return the lead's id and every version's score with the reason."""
    if not versions:
        raise ValueError("a story has at least one version")
    cov = _coverage(versions, idf)
    raw = {v.id: v.words * (0.5 + 0.5 * cov[v.id]) for v in versions}
    full = [v for v in versions if not v.truncated] or list(versions)
    best = max(raw[v.id] for v in full)
    tied = [v for v in full if raw[v.id] >= best * (1 - TIE)]

    def key(v: Version) -> tuple[float, float, float, str]:
        published = v.published if v.published is not None else float("inf")
        return (-v.priority, published, -raw[v.id], v.id)

    lead = min(tied, key=key)
    scores = {}
    for v in versions:
        if v.id == lead.id:
            if len(versions) == 1:
                reason = "only version"
            elif len(tied) == 1:
                reason = "most complete clean version"
            elif any(t.priority != lead.priority for t in tied):
                reason = "as complete as others; preferred source (priority)"
            else:
                reason = "as complete as others; earliest published"
        elif v.truncated and not lead.truncated:
            reason = "truncated summary"
        elif v in tied:
            reason = "as complete as the lead; lower priority or later"
        else:
            reason = f"less complete ({raw[v.id] / best:.0%} of the lead)" if best else "less complete"
        scores[v.id] = VersionScore(
            score=raw[v.id],
            coverage=cov[v.id],
            words=v.words,
            truncated=v.truncated,
            priority=v.priority,
            published=v.published,
            lead=v.id == lead.id,
            reason=reason,
        )
    return lead.id, scores
