"""The arrays the engine's state is made of: stories, per-article columns and neighbour lists, pools.

Observations
------------
A million articles as Python objects (a dict vector each, a Doc with its
text) take tens of KB an article; as numpy arrays over interned term
indices they take a few hundred bytes.  Nothing here knows the engine's
rules; ``digest.dedup.state.EngineState`` holds these and keeps them.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

from .lead import VersionScore
from .terms import grow


@dataclass(slots=True)
class Story:
    id: str
    #: Article numbers, in order of joining.
    members: array = field(default_factory=lambda: array("i"))
    first: float | None = None
    #: The latest version's publication time: the story stays open while it develops.
    last: float | None = None
    #: Arrival order of the article that started the story (merges keep the older).
    seq: int = 0
    #: Position in the engine's story list.
    num: int = 0
    #: The lead's article number; -1 until chosen (restored stories choose lazily).
    lead: int = -1
    scores: dict[str, VersionScore] | None = None


class Columns:
    """Per-article facts as growable numpy columns, indexed by article number."""

    SPEC: tuple[tuple[str, type], ...] = (
        ("story", np.int32), ("published", np.float64), ("priority", np.float64),
        ("truncated", np.bool_), ("junk", np.int64), ("words", np.int64),
        ("source", np.int32), ("toff", np.int64), ("tlen", np.int32),
        ("soff", np.int64), ("slen", np.int16), ("ranked", np.bool_), ("group", np.int32),
        ("silent", np.bool_), ("notice", np.bool_), ("arrived", np.float64),
        ("poff", np.int64), ("plen", np.int16),
    )

    story: np.ndarray
    published: np.ndarray
    priority: np.ndarray
    truncated: np.ndarray
    junk: np.ndarray
    words: np.ndarray
    source: np.ndarray
    toff: np.ndarray
    tlen: np.ndarray
    #: The copy sketch's shingles in the shingle pool (slen 0: no sketch).
    soff: np.ndarray
    slen: np.ndarray
    #: Whether the article's first ``SALIENT_TERMS`` pooled terms are its salient ones, in rank order.
    ranked: np.ndarray
    #: The article's copy group (``EngineState.union``): the number of one of its members,
    #: the article's own number when it copies nothing.
    group: np.ndarray
    #: A copy of the same text as one already known (``silent.add_silent``): it is nobody's
    #: neighbour, counts in no document frequency and is clustered with its copy group.
    silent: np.ndarray
    #: The outlet's notice taking its report back (``Doc.notice``).
    notice: np.ndarray
    #: When it was read, epoch seconds (``Doc.arrived``; NaN: unknown).
    arrived: np.ndarray
    #: The places its opening names in the place pool (``digest.dedup.places``; plen 0: none).
    poff: np.ndarray
    plen: np.ndarray

    def __init__(self) -> None:
        for name, dt in self.SPEC:
            setattr(self, name, np.zeros(1024, dtype=dt))
        self.size = 0

    def append(self) -> int:
        n = self.size
        if n == len(getattr(self, self.SPEC[0][0])):
            for name, _ in self.SPEC:
                setattr(self, name, grow(getattr(self, name), 2 * n))
        self.size += 1
        return n


class StoryColumns(Columns):
    """Per-story facts the proposal filters on, indexed by story number."""

    SPEC: tuple[tuple[str, type], ...] = (
        ("first", np.float64), ("last", np.float64), ("seq", np.int64), ("alive", np.bool_),
    )
    first: np.ndarray
    last: np.ndarray
    seq: np.ndarray
    alive: np.ndarray

    def sync(self, st: Story) -> None:
        while st.num >= self.size:
            self.append()
        self.first[st.num] = np.nan if st.first is None else st.first
        self.last[st.num] = np.nan if st.last is None else st.last
        self.seq[st.num] = st.seq
        self.alive[st.num] = True


class Pool:
    """Append-only arrays of numbers (terms and weights of every article)."""

    def __init__(self, dtype: type) -> None:
        self.data: np.ndarray = np.zeros(4096, dtype=dtype)
        self.used = 0

    def extend(self, values: np.ndarray) -> int:
        start, end = self.used, self.used + values.size
        if end > len(self.data):  # grow by a quarter: little slack at a million articles
            self.data = grow(self.data, max(len(self.data) + len(self.data) // 4, end))
        self.data[start:end] = values
        self.used = end
        return start


class Runs:
    """Several articles' values concatenated, one run each (in order): which article each
    value belongs to (``owner``), and sums per article.

    Summing the runs with ``np.add.reduceat`` costs a sixth of ``np.bincount`` with weights
    at the sizes the engine gathers (thousands of values, tens of articles)."""

    __slots__ = ("_nonempty", "lens", "n", "owner", "starts")

    def __init__(self, lens: np.ndarray) -> None:
        self.n = int(lens.size)
        self.lens = lens
        ends = np.cumsum(lens)
        self.starts = ends - lens
        self.owner = np.repeat(np.arange(self.n), lens)
        self._nonempty: np.ndarray | None = None if bool((lens > 0).all()) else np.flatnonzero(lens > 0)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Each article's sum of ``values`` (aligned with ``owner``); 0 for an empty run."""
        if self._nonempty is None:
            return np.add.reduceat(values, self.starts) if self.n else np.zeros(0)
        out = np.zeros(self.n)
        if self._nonempty.size:
            out[self._nonempty] = np.add.reduceat(values, self.starts[self._nonempty])
        return out


class Neighbours:
    """Each article's ``k`` most similar articles (numbers and cosines), as two 2-D arrays.

    Row ``num`` holds article ``num``'s list; an empty slot is -1 (similarity -1).
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.nums = np.full((1024, k), -1, dtype=np.int32)
        self.sims = np.full((1024, k), -1.0, dtype=np.float32)

    def _room(self, num: int) -> None:
        n = len(self.nums)
        if num >= n:
            size = max(2 * n, num + 1)
            self.nums = np.concatenate([self.nums, np.full((size - n, self.k), -1, np.int32)])
            self.sims = np.concatenate([self.sims, np.full((size - n, self.k), -1.0, np.float32)])

    def set(self, num: int, others: np.ndarray, sims: np.ndarray) -> None:
        """``num``'s list: the ``k`` most similar of ``others`` (already floored)."""
        self._room(num)
        best = np.argsort(-sims, kind="stable")[: self.k]
        self.nums[num] = -1
        self.sims[num] = -1.0
        self.nums[num, : best.size] = others[best]
        self.sims[num, : best.size] = sims[best]

    def offer(self, num: int, others: np.ndarray, sims: np.ndarray) -> None:
        """Put ``num`` into each of ``others``' lists where it beats their weakest entry."""
        if not others.size:
            return
        rows = self.sims[others]
        slot = rows.argmin(axis=1)
        better = rows[np.arange(others.size), slot] < sims
        o, s = others[better], slot[better]
        self.nums[o, s] = num
        self.sims[o, s] = sims[better]
