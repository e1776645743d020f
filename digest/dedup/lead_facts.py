"""What a story's lead choice reads of the engine's state: its versions' facts.  Pure.

Observations
------------
``digest.dedup.lead`` decides over plain arrays (``Facts``) and knows nothing of
``digest.dedup.state.EngineState``; ``EngineState`` keeps the articles and knows
nothing of leads.  Gathering the one from the other is this module's job:
each version's words, junk, copies and coverage of the story's shared terms,
and which versions their own outlet revised or took back later in the story.

How it works
------------
* :func:`story_facts` gathers a story's members' pooled terms and columns into
  ``Facts`` (``digest.dedup.lead.coverage_arrays`` over each version's terms,
  copies of one text one holder).
* :func:`superseded_versions` and :func:`withdrawn_versions` take each outlet's
  versions in arrival order (article numbers) and ask ``digest.dedup.lead``'s
  ``superseded`` (over their cosines) and ``withdrawn`` (over their notices).
* :func:`rechoose` picks the lead again (``digest.dedup.lead.pick``) and drops
  the scores, which ``Engine.scores`` makes when asked for.

Special cases
-------------
* Versions without a source name no outlet: none of them supersedes or withdraws
  another.
* No outlet with two versions, or no notice in the story: None (the usual case,
  nothing to compare).
"""

from __future__ import annotations

import numpy as np

from .arrays import Story
from .lead import Facts, coverage_arrays, holders, pick, superseded, withdrawn
from .state import EngineState
from .terms import PLAIN, VOCAB


def story_facts(state: EngineState, st: Story) -> Facts:
    """What the lead choice reads of the story's versions (``digest.dedup.lead``)."""
    members = np.frombuffer(st.members, dtype=np.int32)
    col = state.col
    terms, weights, version = state.gather(members)
    revised, gone = superseded_versions(state, members), withdrawn_versions(state, members)
    marked = col.notice[members]
    notice = marked if marked.any() else None
    cov, unshared, extra = coverage_arrays(
        version, terms, weights, members.size, state.idf.idf_idx, VOCAB.ids[terms] & PLAIN, VOCAB.is_name[terms],
        holder=holders(col.group[members], revised, gone, notice),
    )
    ids = state.ids
    group, groups = col.group[members].tolist(), state.groups
    return Facts(
        ids=[ids[m] for m in st.members],
        words=col.words[members].astype(np.float64),
        truncated=col.truncated[members],
        priority=col.priority[members],
        published=col.published[members],
        junk=col.junk[members],
        copies=[(ids[g] if g in groups else None) for g in group],
        cov=cov,
        unshared=unshared,
        extra=extra,
        superseded=revised,
        withdrawn=gone,
        notice=notice,
        arrived=col.arrived[members],
    )


def withdrawn_versions(state: EngineState, members: np.ndarray) -> np.ndarray | None:
    """Which of a story's versions their outlet removed or retracted later in it
    (``digest.dedup.lead.withdrawn``, over each outlet's versions in arrival order); None
    when the story holds no notice.  Versions without a source name no outlet."""
    notice = state.col.notice[members]
    if not notice.any():
        return None
    src = state.col.source[members]
    blank = state.source_code.get("", -1)
    out = np.zeros(members.size, dtype=bool)
    for code in np.unique(src[notice]).tolist():
        if code == blank:
            continue
        pos = np.flatnonzero(src == code)
        pos = pos[np.argsort(members[pos], kind="stable")]  # numbered in arrival order
        out[pos] = withdrawn(state.col.published[members[pos]], notice[pos])
    return out


def superseded_versions(state: EngineState, members: np.ndarray) -> np.ndarray | None:
    """Which of a story's versions their outlet revised later in it (``digest.dedup.lead.superseded``,
    over each outlet's versions in arrival order); None when no outlet has two (the usual
    case: nothing to compare).  Versions without a source name no outlet."""
    src = state.col.source[members]
    codes, counts = np.unique(src, return_counts=True)
    blank = state.source_code.get("", -1)
    repeated = codes[(counts > 1) & (codes != blank)]
    if not repeated.size:
        return None
    out = np.zeros(members.size, dtype=bool)
    col = state.col
    for code in repeated.tolist():
        pos = np.flatnonzero(src == code)
        pos = pos[np.argsort(members[pos], kind="stable")]  # numbered in arrival order
        nums = members[pos]
        terms, val, _words, runs = state.vectors(nums)
        uniq, inv = np.unique(terms, return_inverse=True)
        m = np.zeros((nums.size, uniq.size))
        m[runs.owner, inv.reshape(-1)] = val
        out[pos] = superseded(col.published[nums], col.truncated[nums], col.words[nums].astype(np.float64), m @ m.T)
    return out


def rechoose(state: EngineState, story: Story) -> None:
    """Choose the story's lead again (its scores are made when asked for)."""
    lead, _raw, _tied, _best = pick(story_facts(state, story))
    story.lead = story.members[lead]
    story.scores = None
