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


def _coverage(
    versions: Sequence[Version], idf: _Idf
) -> tuple[dict[str, float], dict[str, float]]:
    """Per version: coverage of the shared terms, and the share of its words that are unshared."""
    if len(versions) == 1:
        return {versions[0].id: 1.0}, {versions[0].id: 0.0}
    support: dict[int, int] = {}
    for v in versions:
        for t in v.terms:
            support[t] = support.get(t, 0) + 1
    shared = {t: max(idf.idf(t), 0.0) for t, n in support.items() if n >= 2}
    total = sum(shared.values())
    cov, unshared = {}, {}
    for v in versions:
        mass = sum(v.terms.values()) or 1.0
        unshared[v.id] = sum(w for t, w in v.terms.items() if support[t] < 2) / mass
        cov[v.id] = sum(w for t, w in shared.items() if t in v.terms) / total if total > 0 else 0.0
    return cov, unshared


def choose_lead(versions: Sequence[Version], idf: _Idf) -> tuple[str, dict[str, VersionScore]]:
    """Return the lead's id and every version's score with the reason."""
    if not versions:
        raise ValueError("a story has at least one version")
    cov, unshared = _coverage(versions, idf)
    raw = {
        v.id: v.words * (1 - (1 - UNSHARED) * unshared[v.id]) * (0.5 + 0.5 * cov[v.id])
        for v in versions
    }
    full = [v for v in versions if not v.truncated] or list(versions)
    best = max(raw[v.id] for v in full)
    top = max((v for v in full if raw[v.id] == best), key=lambda v: v.words)
    # full copies of the best version are as complete as it: what one has beyond
    # the other is junk the cleaner missed, so they tie and the cleaner wins (a
    # copy of its opening only, a summary the cleaner did not flag, does not tie)
    tied = [
        v
        for v in full
        if raw[v.id] >= best * (1 - TIE)
        or (v.copies is not None and v.copies == top.copies and v.words >= COPY_LENGTH * top.words)
    ]
    extra = {v.id: v.words * unshared[v.id] for v in tied}
    cleanest = min(extra.values())
    tied = [v for v in tied if extra[v.id] <= cleanest + CLEAN_SLACK]

    def key(v: Version) -> tuple[float, int, float, float, str]:
        published = v.published if v.published is not None else float("inf")
        return (-v.priority, v.junk, published, -raw[v.id], v.id)

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
            elif any(t.junk != lead.junk for t in tied):
                reason = "as complete as others; the cleanest page"
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
