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
  between a parted report and every other report of its group (stating a time or not, silent
  copies included), else 1; None when no report is parted.  ``regrouping._cluster`` groups the
  region again with its similarity times this, once.

Special cases
-------------
* A report stating no time is never parted, and does not vote.
* A group with fewer than ``least`` stating reports besides the one judged parts none; a tie
  (half of them against) parts none.
"""

from __future__ import annotations

import numpy as np

from .clock import Time, conflict, decode


def parted(times: list[frozenset[Time] | None], least: int) -> list[int]:
    """Positions in one group (each report's stated times, None: none) of the reports whose
    times conflict with more than half of the others stating one (``least`` of them at least)."""
    stating = [k for k, t in enumerate(times) if t]
    if len(stating) <= least:
        return []
    out = []
    for k in stating:
        mine = times[k]
        assert mine is not None
        others = [times[j] for j in stating if j != k]
        against = sum(conflict(mine, o) for o in others if o is not None)
        if 2 * against > len(others):
            out.append(k)
    return out


def part_factor(factor: float, labels: np.ndarray, codes: list[np.ndarray | None], least: int) -> np.ndarray | None:
    """Per pair of a region's articles (``labels``: their groups; ``codes``: each one's
    ``clock.event_times`` codes, None or empty: none), ``factor`` between a parted report and
    the rest of its group, else 1; None when none is parted."""
    read = [decode(c) if c is not None and c.size else None for c in codes]
    out: np.ndarray | None = None
    for lab in np.unique(labels).tolist():
        idx = np.flatnonzero(labels == lab)
        if idx.size <= least:
            continue
        for k in parted([read[i] for i in idx.tolist()], least):
            if out is None:
                out = np.ones((labels.size, labels.size))
            i = int(idx[k])
            out[i, idx] = factor
            out[idx, i] = factor
            out[i, i] = 1.0
    return out
