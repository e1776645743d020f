"""The dedup engine's state and its primitives: articles and stories as arrays.  Pure.

Observations
------------
A million articles as Python objects (a dict vector each, a Doc with its
text) take tens of KB an article; as numpy arrays over interned term indices
they take a few hundred bytes.  What the engine decides lives in
``digest.dedup.engine`` and ``digest.dedup.regrouping``; this module only keeps,
gathers and rebuilds.

How it works
------------
* Articles are numbered; each keeps its interned term indices and weights in
  a pool (salient terms first), its copy shingles in another, its facts in
  numpy columns (``digest.dedup.arrays``), never its text.
* A story keeps its members and nothing summed over them: every decision
  reads the members' own vectors.  :meth:`EngineCore._rebuild` makes a story
  of any list of members, :meth:`EngineCore._vectors` gives members' unit
  tf-idf vectors under the current idf in one pass.
* The lead is chosen by ``digest.dedup.lead`` over the story's facts
  (:meth:`EngineCore._facts`) when first asked for after a change.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

import numpy as np

from .arrays import Columns, Neighbours, Pool, Runs, Story, StoryColumns
from .copies import CopySketch
from .doc import Doc
from .fingerprint import (
    SUBLINEAR_TF,
    Fingerprint,
    IdfModel,
    fast_signature,
    salient,
    sublinear_tf,
)
from .index import CandidateIndex, KeyMultiMap, MemoryIndex
from .lead import Facts, VersionScore, coverage_arrays, pick, scores
from .params import SALIENT_TERMS, Params
from .terms import PLAIN, VOCAB


class EngineCore:
    """The state of an engine and what keeps it; ``digest.dedup.engine.Engine`` decides."""

    def __init__(self, params: Params | None = None, index: CandidateIndex | None = None) -> None:
        self.params = params or Params()
        self.idf = IdfModel()
        #: Proposes candidates (``digest.dedup.index``); in memory unless one is given.
        self.index: CandidateIndex = index or MemoryIndex(self.params.lsh_threshold)
        self._fast = isinstance(self.index, MemoryIndex)
        #: Article number -> id, and back.
        self._ids: list[str] = []
        self._num: dict[str, int] = {}
        self._col = Columns()
        self._terms = Pool(np.int32)
        #: Term weights are small whole numbers (occurrences x title and name weights): one
        #: byte holds them up to 255; an article with other weights keeps them here instead
        #: (float64).
        self._weights = Pool(np.uint8)
        self._odd_weights: dict[int, np.ndarray] = {}
        self._sources: list[str] = []
        self._source_code: dict[str, int] = {}
        #: Copy detection (``digest.dedup.copies``): opening keys -> articles, and each
        #: article's shingles (a pool; the keys live in the map only).
        self._copy_keys = KeyMultiMap()
        self._shingles = Pool(np.uint16)
        #: Copy groups of two or more articles (copies of one text): the group's label (the
        #: number in the ``group`` column of each member) -> its members.
        self._groups: dict[int, array] = {}
        self._stories: dict[str, Story] = {}
        self._story_list: list[Story | None] = []
        self._scol = StoryColumns()
        self._seq = 0
        #: Each article's nearest neighbours (for the shared-neighbour regrouping).
        self._nb = Neighbours(self.params.neighbours)
        #: Dense scratch vectors over ``VOCAB`` (zero between uses).
        self._dense = np.zeros(0)
        self._dense_w = np.zeros(0)

    def __len__(self) -> int:
        return len(self._num)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._num

    @property
    def _docs(self) -> dict[str, int]:
        """Known article ids (-> article number)."""
        return self._num

    def _sid(self, num: int) -> str:
        st = self._story_list[int(self._col.story[num])]
        return st.id if st is not None else ""

    def story_of(self, doc_id: str) -> str:
        return self._sid(self._num[doc_id])

    def members(self, story_id: str) -> list[str]:
        ids = self._ids
        return [ids[m] for m in self._stories[story_id].members]

    def lead(self, story_id: str) -> str:
        st = self._stories[story_id]
        if st.lead < 0:
            self._rechoose(st)
        return self._ids[st.lead]

    def scores(self, story_id: str) -> dict[str, VersionScore]:
        st = self._stories[story_id]
        if st.scores is None:
            f = self._facts(st)
            lead, raw, tied, best = pick(f)
            st.scores = scores(f, lead, raw, tied, best)
            st.lead = st.members[lead]
        return dict(st.scores)

    def stories(self) -> list[str]:
        return list(self._stories)

    def _member_terms(self, num: int) -> tuple[np.ndarray, np.ndarray]:
        off, n = int(self._col.toff[num]), int(self._col.tlen[num])
        odd = self._odd_weights.get(num)
        w = odd if odd is not None else self._weights.data[off : off + n].astype(np.float64)
        return self._terms.data[off : off + n], w

    def fingerprint_of(self, doc_id: str) -> Fingerprint:
        """A known article's fingerprint (terms, words, and the signature of its salient terms;
        for a restored article, salient under the current idf)."""
        num = self._num[doc_id]
        idx, w = self._member_terms(num)
        if self._col.ranked[num]:
            top = np.arange(min(idx.size, SALIENT_TERMS))
        else:
            top = salient(idx, w, self.idf)
        ids = VOCAB.ids[idx]
        sig = fast_signature((ids[top] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        return Fingerprint(ids=ids, weights=w, signature=sig, words=int(self._col.words[num]), idx=idx)

    def _scratch(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._dense) < len(VOCAB.ids):
            self._dense = np.zeros(len(VOCAB.ids))
            self._dense_w = np.zeros(len(VOCAB.ids))
        return self._dense, self._dense_w

    def _sketch_of(self, num: int) -> CopySketch | None:
        n = int(self._col.slen[num])
        if not n:
            return None
        off = int(self._col.soff[num])
        return CopySketch((), self._shingles.data[off : off + n])

    def _remember_sketch(self, num: int, sk: CopySketch) -> None:
        if len(sk):
            self._col.soff[num] = self._shingles.extend(sk.shingles)
            self._col.slen[num] = len(sk)
            if sk.keys:
                self._copy_keys.add(sk.keys, num)

    def _union(self, a: int, b: int) -> None:
        """Articles ``a`` and ``b`` are copies of one text: one copy group (the smaller
        group takes the larger one's label)."""
        group, groups = self._col.group, self._groups
        ga, gb = int(group[a]), int(group[b])
        if ga == gb:
            return
        ma, mb = groups.get(ga) or array("i", [ga]), groups.get(gb) or array("i", [gb])
        if len(ma) > len(mb):
            ga, gb, ma, mb = gb, ga, mb, ma
        group[np.frombuffer(ma, dtype=np.int32)] = gb
        mb.extend(ma)
        groups.pop(ga, None)
        groups[gb] = mb

    def _new_num(
        self, doc: Doc, fp: Fingerprint, idx: np.ndarray, w: np.ndarray, top: np.ndarray | None = None
    ) -> int:
        """Number the article and keep its facts (not its text); its salient terms first when known."""
        col = self._col
        num = col.append()
        self._ids.append(doc.id)
        self._num[doc.id] = num
        code = self._source_code.get(doc.source)
        if code is None:
            code = self._source_code[doc.source] = len(self._sources)
            self._sources.append(doc.source)
        col.published[num] = np.nan if doc.published is None else doc.published
        col.priority[num], col.truncated[num], col.junk[num] = doc.priority, doc.truncated, doc.junk
        col.words[num], col.source[num] = fp.words, code
        if top is not None:
            rest = np.ones(idx.size, dtype=bool)
            rest[top] = False
            order = np.concatenate([top, np.flatnonzero(rest)])
            idx, w = idx[order], w[order]
        col.ranked[num] = top is not None
        col.toff[num] = self._terms.extend(idx)
        w8 = np.clip(w, 0, 255).astype(np.uint8)
        if not np.array_equal(w8, w):  # not whole, or too heavy for a byte: kept aside
            self._odd_weights[num] = np.array(w, dtype=np.float64)
        self._weights.extend(w8)
        col.tlen[num] = idx.size
        col.slen[num] = 0
        col.group[num] = num
        col.silent[num] = False
        return num

    def _attach(self, story: Story, num: int, published: float | None) -> None:
        """Article ``num`` joins ``story``; its lead is chosen again when next asked for."""
        self._col.story[num] = story.num
        story.members.append(num)
        story.lead, story.scores = -1, None
        if published is not None and (story.first is None or published < story.first):
            story.first = published
            self._scol.sync(story)
        if published is not None and (story.last is None or published > story.last):
            story.last = published
            self._scol.sync(story)

    def _open(self, snums: np.ndarray, published: float | None) -> np.ndarray:
        """Which stories (numbers) accept an article published at ``published``: those with
        a version within ``Params.window`` of it (after their latest, or before their first:
        feeds arrive out of order).  Undated articles and undated stories: all."""
        if published is None:
            return np.ones(snums.size, dtype=bool)
        sc = self._scol
        gap = np.maximum(sc.first[snums] - published, published - sc.last[snums])
        return ~(gap > self.params.window)  # NaN (undated story): open

    def _time_factor(self, nums: np.ndarray) -> np.ndarray | None:
        """Per pair of articles, the share of their link that counts given how far apart in
        time they were published: 1 within ``Params.time_grace``, then decaying by e every
        ``Params.time_scale`` seconds (a report weeks later joins on strong evidence only).
        Undated pairs: 1.  None when every pair counts fully (all within the grace, or
        undated): the usual case, which then costs no matrix."""
        p = self.params
        t = self._col.published[nums]
        dated = t[~np.isnan(t)]
        if dated.size < 2 or float(dated.max() - dated.min()) <= p.time_grace:
            return None
        gap = np.abs(t[:, None] - t[None, :])
        over = np.nan_to_num(gap - p.time_grace, nan=0.0)
        return np.exp(-np.maximum(over, 0.0) / p.time_scale)

    def _index_insert(self, num: int, fp: Fingerprint) -> None:
        if fp.ids.size:
            if self._fast:
                assert isinstance(self.index, MemoryIndex)
                self.index.insert_num(num, fp.signature)
            else:
                self.index.insert(self._ids[num], fp)

    def _new_story(self, sid: str, first: float | None) -> Story:
        self._seq += 1
        st = Story(sid, num=len(self._story_list), first=first, last=first, seq=self._seq)
        self._story_list.append(st)
        self._stories[sid] = st
        self._scol.sync(st)
        return st

    def _rebuild(self, st: Story, members: list[int]) -> None:
        """Make ``members`` (article numbers, in arrival order) the story's versions."""
        nums = np.array(members, dtype=np.int32)
        st.members = array("i", members)
        pub = self._col.published[nums]
        dated = not np.isnan(pub).all()
        st.first = float(np.nanmin(pub)) if dated else None
        st.last = float(np.nanmax(pub)) if dated else None
        st.lead, st.scores = -1, None
        self._col.story[nums] = st.num
        self._scol.sync(st)

    def _gather(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The articles' pooled terms and weights, concatenated, and each one's owner position."""
        terms, w8, runs = self._gather_bytes(nums)
        return terms, self._with_odd(w8.astype(np.float64), nums, runs, lambda w: w), runs.owner

    def _gather_bytes(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, Runs]:
        """The articles' pooled terms and byte weights (not the odd ones), concatenated, and
        their runs."""
        col = self._col
        runs = Runs(col.tlen[nums])
        pos = np.repeat(col.toff[nums] - runs.starts, runs.lens) + np.arange(runs.owner.size)
        return self._terms.data[pos], self._weights.data[pos], runs

    def _with_odd(
        self, out: np.ndarray, nums: np.ndarray, runs: Runs, f: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """``out`` (per pooled term) with the articles that keep odd weights set to ``f`` of them."""
        if self._odd_weights:
            for i, m in enumerate(nums.tolist()):
                odd = self._odd_weights.get(m)
                if odd is not None:
                    start = int(runs.starts[i])
                    out[start : start + odd.size] = f(odd)
        return out

    def _raw_vectors(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, Runs, np.ndarray]:
        """The articles' tf-idf vectors under the current idf, concatenated and not yet
        normalised: (term indices, values, their runs, each article's norm)."""
        terms, w8, runs = self._gather_bytes(nums)
        tf = self._with_odd(SUBLINEAR_TF[w8], nums, runs, sublinear_tf)  # byte weights: a lookup
        x = np.maximum(tf * self.idf.idf_idx(terms), 0.0)
        norm = np.sqrt(runs.sum(x * x))
        norm[norm == 0] = 1.0
        return terms, x, runs, norm

    def _vectors(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Runs]:
        """The articles' unit tf-idf vectors under the current idf, concatenated:
        (term indices, values, words values, their runs)."""
        terms, x, runs, norm = self._raw_vectors(nums)
        owner = runs.owner
        val = x / norm[owner]
        wx = np.where(VOCAB.is_name[terms], 0.0, val)
        wn = np.sqrt(runs.sum(wx * wx))
        wn[wn == 0] = 1.0
        return terms, val, wx / wn[owner], runs

    def _drop_story(self, st: Story) -> None:
        """Forget a story (its members are elsewhere, or forgotten too)."""
        del self._stories[st.id]
        self._story_list[st.num] = None
        self._scol.alive[st.num] = False

    def _absorb(self, keep: Story, drop: Story) -> None:
        """Move ``drop``'s members into ``keep``."""
        members = np.frombuffer(drop.members, dtype=np.int32)
        self._col.story[members] = keep.num
        keep.members.extend(drop.members)
        keep.lead, keep.scores = -1, None
        if drop.first is not None and (keep.first is None or drop.first < keep.first):
            keep.first = drop.first
        if drop.last is not None and (keep.last is None or drop.last > keep.last):
            keep.last = drop.last
        self._scol.sync(keep)
        self._drop_story(drop)

    def _facts(self, st: Story) -> Facts:
        members = np.frombuffer(st.members, dtype=np.int32)
        col = self._col
        terms, weights, version = self._gather(members)
        cov, unshared, extra = coverage_arrays(
            version, terms, weights, members.size, self.idf.idf_idx, VOCAB.ids[terms] & PLAIN, VOCAB.is_name[terms]
        )
        ids = self._ids
        group, groups = col.group[members].tolist(), self._groups
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
        )

    def _rechoose(self, story: Story) -> None:
        f = self._facts(story)
        lead, _raw, _tied, _best = pick(f)
        story.lead = story.members[lead]
        story.scores = None
