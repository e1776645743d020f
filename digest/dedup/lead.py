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
* A term is shared when two *holders* have it (:func:`holders`): copies of one
  text are one holder, and a version that no longer stands (revised
  later by its outlet, taken back, a notice) is none.  A copier's feed
  republishing a report, an outlet's text revised in place, a report put back
  after its notice each made one text's words shared, its page the cleanest: the
  lead moved to it from the outlet that had it (stop 44).
* ``content``: the version's clean words, where words of terms no other
  version has count only a quarter.  Residual junk the cleaner missed (a
  site's comment form, its related headlines) is exactly such unshared text,
  so it barely adds; a rewrite's own details still count for something.
* ``score = content * (0.5 + 0.5 * coverage)`` (``COVERAGE_BASE``).
* Versions marked truncated (a feed summary cut short) never beat a full one.
* An outlet's version that the same outlet revised later in the story (a
  correction, the toll raised: ``superseded``) does not lead while a version
  not so revised may: the reader is never shown, as the story's text, what
  its own outlet has since corrected.  Another outlet's more complete version
  still leads; a follow-up of the outlet (another text) or its later summary
  supersedes nothing.
* An outlet's versions before its notice that it removed or retracted its report
  (``Doc.notice``: ``withdrawn``) do not lead while another version may; the notice
  itself, short, leads only where nothing else is left (the outlet's story alone).
* Versions within ``TIE`` (5%) of the best score, and full copies of those
  (same body text, ``digest.dedup.copies``), are equal in content.  Among them the
  cleaner ones (fewer unshared words, by more than ``CLEAN_SLACK``; see ``pick``)
  stay; then the higher source ``priority`` wins, then the
  page that carried less site junk (the outlet the reader is sent to), then the
  earliest publication, then the higher score, then the first read (``Doc.arrived``:
  a copier keeping its original's date), then the smaller id (so the choice is
  deterministic).
* Each version keeps its score and the reason, for ``digest explain``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .params import (
    CLEAN_SLACK,
    COPY_LENGTH,
    COVERAGE_BASE,
    NAME_WEIGHT,
    PEER_LENGTH,
    REVISION,
    REVISION_LENGTH,
    TIE,
    UNSHARED,
)


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


def _fold(
    version: np.ndarray, terms: np.ndarray, weights: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One row per (version, key): weights summed, the first row's term kept."""
    order = np.lexsort((keys, version))
    v, k = version[order], keys[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (v[1:] != v[:-1]) | (k[1:] != k[:-1])
    group = np.cumsum(first) - 1
    return v[first], terms[order][first], np.bincount(group, weights=weights[order]), k[first]


def coverage_arrays(
    version: np.ndarray,
    terms: np.ndarray,
    weights: np.ndarray,
    n: int,
    idf_of: Callable[[np.ndarray], np.ndarray],
    keys: np.ndarray | None = None,
    names: np.ndarray | None = None,
    holder: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per version: coverage of the shared terms, the share of its words that are unshared, and their number.

    ``version[i]`` is the version (0 .. n-1) holding term ``terms[i]`` with
    weight ``weights[i]`` (each term once per version); ``idf_of`` gives the
    idf of an array of terms.  ``keys[i]``, when given, is what makes two
    terms the same word for sharing: the engine keys a name ("@palin") and
    the plain word ("palin") apart, but whether one outlet wrote a word at a
    line start (not a name) and another mid-sentence (a name) says nothing
    about completeness, and with the name weight such a split looked like
    five unshared words.  ``names[i]``, when given, marks a name: it weighs
    ``NAME_WEIGHT`` times in similarity but counts once here (a word is a word).
    ``holder[i]``, when given, is who holds version i's words as evidence (-1: no one): a word
    is shared when another holder has it.  Copies of one text are one holder (a copier's feed
    republishing a report a day later made that report's words all shared, its page the
    cleanest, and the copy or its original took the lead from another outlet's; each copy's
    own furniture is still its own, so the cleanest copy is still told); a version that does
    not stand (revised later by its outlet, taken back, a notice) is none (an outlet's text
    revised in place shares every word with the text it replaced, a report put back with the
    one its notice took back).
    """
    if n == 1:
        return np.ones(1), np.zeros(1), np.zeros(1)
    if not terms.size:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    if names is not None:
        weights = np.where(names, weights / NAME_WEIGHT, weights)
    if keys is None:
        keys = terms
    else:
        version, terms, weights, keys = _fold(version, terms, weights, keys)
    _uniq, first, inv, support = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    if holder is not None and np.unique(holder[holder >= 0]).size >= 2:
        who = holder[version]  # each occurrence: its version's holder
        held = who >= 0
        pairs = np.unique(np.stack([inv[held], who[held]]), axis=1)  # each word once per holder
        support = np.bincount(pairs[0], minlength=support.size)
        shared = support >= 2
        alone = support[inv] - held < 1  # no other holder has it
    else:
        shared = support >= 2
        alone = ~shared[inv]
    value = np.where(shared, np.maximum(idf_of(terms[first]), 0.0), 0.0)
    total = float(value.sum())
    mass = np.bincount(version, weights=weights, minlength=n)
    mass[mass == 0] = 1.0
    unshared = np.bincount(version, weights=np.where(alone, weights, 0.0), minlength=n) / mass
    cov = np.bincount(version, weights=value[inv], minlength=n) / total if total > 0 else np.zeros(n)
    return cov, unshared, unshared * mass


def holders(group: np.ndarray, *out: np.ndarray | None) -> np.ndarray | None:
    """Each version's holder for :func:`coverage_arrays`: its copy group (``group``: copies of
    one text, word for word or with a credit line or a site's furniture of their own, share one:
    ``digest.dedup.copies``), -1 for a version marked in any of ``out`` (revised later, taken
    back, a notice); None where each version is its own holder."""
    holder = group.astype(np.int64)
    for gone in out:
        if gone is not None:
            holder[gone] = -1
    return None if np.unique(holder).size == holder.size and (holder >= 0).all() else holder


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
    #: Word occurrences (of content words) no other version has.
    extra: np.ndarray
    #: Versions their own outlet revised later in the story (``superseded``); None: none.
    superseded: np.ndarray | None = None
    #: Versions their own outlet removed or retracted later in the story (``withdrawn``); None: none.
    withdrawn: np.ndarray | None = None
    #: Versions that are an outlet's notice taking its report back (``Doc.notice``); None: none.
    notice: np.ndarray | None = None
    #: When each version was read, epoch seconds (NaN: unknown); None: not known at all.
    arrived: np.ndarray | None = None


def superseded(published: np.ndarray, truncated: np.ndarray, words: np.ndarray, cos: np.ndarray) -> np.ndarray:
    """One outlet's versions of a story, in arrival order: whether each has a later revision.

    ``cos`` holds their pairwise cosines.  A version revises an earlier one (published
    later; arrived later when a time is unknown or the same: a CMS may keep the first
    publication time on a correction) when it is no truncated summary, their cosine is at
    least ``REVISION`` (one text edited: a figure corrected, a lede rewritten with the toll
    raised) and it has at least ``REVISION_LENGTH`` of the earlier one's words (not its
    opening alone).  A follow-up is another text, at a lower cosine: it revises nothing.
    """
    n = words.size
    order = np.arange(n)
    known = ~np.isnan(published)
    timed = known[:, None] & known[None, :] & (published[:, None] != published[None, :])
    # later[i, j]: version j came after version i
    later = np.where(timed, published[None, :] > published[:, None], order[None, :] > order[:, None])
    revises = later & (cos >= REVISION) & ~truncated[None, :] & (words[None, :] >= REVISION_LENGTH * words[:, None])
    return np.asarray(revises.any(axis=1), dtype=bool)


def withdrawn(published: np.ndarray, notice: np.ndarray) -> np.ndarray:
    """One outlet's versions of a story, in arrival order: whether a notice of the outlet that
    it removed or retracted its report (``notice``) came after each (published later; arrived
    later when a time is unknown or the same).  Notices are never withdrawn themselves."""
    n = notice.size
    order = np.arange(n)
    known = ~np.isnan(published)
    timed = known[:, None] & known[None, :] & (published[:, None] != published[None, :])
    later = np.where(timed, published[None, :] > published[:, None], order[None, :] > order[:, None])
    return np.asarray((later & notice[None, :]).any(axis=1) & ~notice, dtype=bool)


def _copy_groups(f: Facts) -> dict[str, np.ndarray]:
    """Each copy group of the story's versions (``Facts.copies``): its label and which versions
    are in it."""
    labels = np.array([c or "" for c in f.copies], dtype=object)
    return {group: labels == group for group in set(f.copies) if group is not None}


def _later_copies(
    groups: dict[str, np.ndarray], when: np.ndarray, full: np.ndarray, raw: np.ndarray, best: float
) -> np.ndarray:
    """The copies (``groups``: :func:`_copy_groups`) read after their text's first full version
    (``when``: each version's arrival), where that one is not within ``TIE`` of ``best``: their
    own words (a copier's "(Wire Mirror)") made them look a little more complete than the text
    they copy, enough to tie with another outlet's more complete report and, cleaner, take its
    lead (stop 44's review)."""
    out = np.zeros(raw.size, dtype=bool)
    for same in groups.values():
        members = np.flatnonzero(same & full)
        if members.size < 2:
            continue
        first = members[np.argmin(when[members])]
        if raw[first] < best * (1 - TIE):
            out[members] = True
    return out


def pick(f: Facts) -> tuple[int, np.ndarray, list[int], float]:
    """(lead position, raw scores, tied positions, best score); see the module docstring."""
    raw = f.words * (1 - (1 - UNSHARED) * f.unshared) * (COVERAGE_BASE + (1 - COVERAGE_BASE) * f.cov)
    n = len(f.ids)
    full = ~f.truncated if not f.truncated.all() else np.ones(n, dtype=bool)
    if f.withdrawn is not None and f.withdrawn.any():  # an outlet's report taken back: out
        kept = ~f.withdrawn
        full = full & kept if (full & kept).any() else kept
    if f.superseded is not None and (full & ~f.superseded).any():
        full &= ~f.superseded  # an outlet's revised version neither leads nor ties
    best = float(raw[full].max())
    close = full & (raw >= best * (1 - TIE))
    groups = _copy_groups(f)
    if f.arrived is not None:  # a copy is as complete as its text's first read: a copier's credit
        when = np.where(np.isnan(f.arrived), np.inf, f.arrived)  # line does not bring it level with the best
        level = close & ~_later_copies(groups, when, full, raw, best)
        close = level if level.any() else close
    # copies of a version as complete as the best are as complete too
    for group in {c for i in np.flatnonzero(close).tolist() if (c := f.copies[i]) is not None}:
        same = groups[group]
        longest = float(f.words[close & same].max())
        close |= full & same & (f.words >= COPY_LENGTH * longest)
    tied = np.flatnonzero(close)
    extra, words = f.extra[tied], f.words[tied]
    # The cleanest is judged among versions of about the longest's length: a
    # shorter one (an opening) has few unshared words because it lacks the rest.
    peers = np.flatnonzero(words >= PEER_LENGTH * words.max())
    least = float(extra[peers].min())
    cleanest = int(tied[peers[int(extra[peers].argmin())]])
    # Few unshared words are proof of a clean page only where the cleaner cut
    # nothing; a page it cut may owe them to a cut too deep (a dateline one outlet
    # kept and the cleaner dropped from another): there the slack is ``TIE`` of the
    # longest tied version if that is more, and the page that carried less junk wins.
    slack = CLEAN_SLACK if not f.junk[cleanest] else max(CLEAN_SLACK, TIE * float(words.max()))
    tied = tied[extra <= least + slack].tolist()

    def key(i: int) -> tuple[float, int, float, float, float, str]:
        published = f.published[i]
        when = float("inf") if published != published else published
        read = float("inf") if f.arrived is None or f.arrived[i] != f.arrived[i] else float(f.arrived[i])
        return (-f.priority[i], f.junk[i], when, -raw[i], read, f.ids[i])  # then the first read

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
                reason = "as complete as others; earliest published, else first read"
        elif f.notice is not None and f.notice[i]:
            reason = "its outlet's notice taking its report back"
        elif f.withdrawn is not None and f.withdrawn[i] and not f.withdrawn[lead]:
            reason = "removed or retracted by its outlet"
        elif f.superseded is not None and f.superseded[i] and not f.superseded[lead]:
            reason = "revised later by its outlet"
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
