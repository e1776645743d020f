"""The time of day a group's reports state, against a report of the group that states another.  Pure.

Observations
------------
* Two events of one kind 1-3 days apart (issue #19, ``benchmarks.same_team``'s
  ``ecb-sameteam``: two DUI arrests of one club's players, "shortly after 2 a.m." and
  "2:30 a.m." against "1:30 a.m.") join in one story through the reports that state nothing
  that tells them apart: average linkage sees a stray's links to all of them, and a pairwise
  factor (``Params.clock_factor``) touches only its links to the few that state a time.
* What most of a group's reports state is a vote: one page's stamp read as the event's time
  ("Posted : Sunday ... at 9:17pm", stop 61's GVC test cost of the pairwise factor) is one
  voice against the group's, not a veto on each pair (stop 64, ``benchmarks.story_facts``
  ``--prototype clock``: 18 of 205 strays parted on ``ecb-sameteam`` at 10 seeds, no right
  join flagged on any dev / val stream).

How it works
------------
* :func:`parted`: in one group, the reports whose stated times (``digest.dedup.clock``:
  ``decode`` of ``event_times``' codes) conflict (``clock.conflict``) with more than half of
  the group's other reports that state one, when ``least`` or more of them do.
* :func:`part_factor`: per pair of a region's articles (grouped once: ``labels``), ``factor``
  between a parted report and every other report of its group (stating no time, silent copies
  included) but those whose times agree with its own (they tell its event: two reports of each
  of two quakes, 2 against 2, are two stories, not four), else 1; None when none is parted.  ``regrouping._cluster`` groups the
  region again with its similarity times this, once.

Special cases
-------------
* A report stating no time is never parted, and does not vote.
* A group with fewer than ``least`` stating reports besides the one judged parts none; a tie
  (half of them against) parts none.
* Copies of one text (``digest.dedup.copies``' groups, silent ones too) are one vote: a report
  syndicated to five outlets does not outvote four reports of the event (syndicate dev, stop 65:
  counted per copy, the mixture's ECB+ events lost F1 0.8887 -> 0.8867 over 3 orders).
"""

from __future__ import annotations

import numpy as np

from .clock import Time, conflict, decode


def parted(times: list[frozenset[Time] | None], least: int, copies: list[int] | None = None) -> list[int]:
    """Positions in one group (each report's stated times, None: none) of the reports whose
    times conflict with more than half of the others stating one (``least`` of them at least).
    ``copies``: each report's copy group (``EngineState``'s ``group`` column): a text carried by
    many outlets votes once, by its first stating copy, and not against its own copies."""
    copies = list(range(len(times))) if copies is None else copies
    voter: dict[int, int] = {}  # copy group -> its first stating report
    for k, t in enumerate(times):
        if t:
            voter.setdefault(copies[k], k)
    if len(voter) <= least:
        return []
    out = []
    for k, mine in enumerate(times):
        if not mine:
            continue
        others = [times[j] for g, j in voter.items() if g != copies[k]]
        against = sum(conflict(mine, o) for o in others if o is not None)
        if 2 * against > len(others):
            out.append(k)
    return out


def part_factor(
    factor: float, labels: np.ndarray, codes: list[np.ndarray | None], least: int, copies: np.ndarray | None = None
) -> np.ndarray | None:
    """Per pair of a region's articles (``labels``: their groups; ``codes``: each one's
    ``clock.event_times`` codes, None or empty: none; ``copies``: each one's copy group),
    ``factor`` between a parted report and the rest of its group, else 1; None when none is
    parted."""
    group_of = np.arange(labels.size) if copies is None else copies
    read = [decode(c) if c is not None and c.size else None for c in codes]
    out: np.ndarray | None = None
    for lab in np.unique(labels).tolist():
        idx = np.flatnonzero(labels == lab)
        if idx.size <= least:
            continue
        for k in parted([read[i] for i in idx.tolist()], least, group_of[idx].tolist()):
            if out is None:
                out = np.ones((labels.size, labels.size))
            i = int(idx[k])
            mine = read[i]
            assert mine is not None
            # its links to the reports whose times agree with its own stay: they tell its event
            rest = [j for j in idx.tolist() if j != i and not ((t := read[j]) and not conflict(mine, t))]
            out[i, rest] = factor
            out[rest, i] = factor
    return out
