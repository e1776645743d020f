"""The incremental dedup engine: one article in, its story out.  Pure, in memory.

Observations
------------
* Copies and truncated summaries of one article share most of their salient
  words; independent rewrites of one event share its names and specific
  words but few word sequences; two different events of the same kind share
  generic words and differ in names.  Similarity is therefore tf-idf cosine
  over name-weighted terms (``digest.fingerprint``), not shingle overlap.
* Joining an article to a story because it resembles *one* member is how
  single-link clustering chains two events together through a third article.
  Here an article joins a story only when it resembles the story *as a
  whole* (average similarity to its members), so one bridging article cannot
  pull in a different event.

How it works (per article)
--------------------------
1. **Propose** (cheap): a MinHash LSH index over each article's salient terms
   returns candidate articles; their stories are the candidate stories.
   Stories older than the time window are never candidates.
2. **Verify**: the article's tf-idf vector (streaming idf) is compared with
   each candidate story's centroid (the sum of its members' unit vectors):
   ``dot(v, centroid) / n`` is the average cosine to the members.
   **Copies** are recognised first and exactly (``digest.copies``): an
   article whose body (with its title) is the same word sequence as a
   member's, or its opening (a truncated feed summary), joins that member's
   story whatever the similarity says, and any other story holding one of
   its copies is merged in.  Copies of one text form a copy group, which the
   lead choice uses (the cleaner of two full copies leads).
3. **Cluster**: the article joins the best story whose average similarity is
   at least ``join``; otherwise it starts a story.  If it was also close to
   other candidate stories, those are merged into its story only when the two
   stories' average cross-similarity reaches ``merge`` (average linkage), so
   stories split by arrival order heal without chaining.
4. **Choose**: the story's lead is recomputed (``digest.choose``).

Story ids are the id of the article that started the story (merges keep
the older story's id), so the same input in the same order always gives the
same ids, whichever process runs it.

Cost and memory
---------------
* State is arrays (``digest.engine_state``): articles are numbered; each
  keeps its interned term indices and weights in a pool (salient terms
  first), its copy shingles in another, its facts in numpy columns, never
  its text.  A story keeps its centroids over term indices and the
  centroid's squared norm, so cohesion is read, not recomputed.
* Proposing is bounded: the in-memory index proposes at most the most
  recent ``BUCKET_CAP`` articles of a band, and at most ``MAX_CANDIDATES``
  stories (most bands first, then most recent) are verified, in one numpy
  gather.  Templated near-identical entries therefore cost linear time.
* A restored story's lead is chosen when first asked for (restoring a
  window of articles does not rechoose a story once per member).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .choose import Facts, VersionScore, coverage_arrays, pick, scores
from .copies import CopySketch, is_copy, sketch
from .engine_state import Columns, Pool, Story, StoryColumns
from .fingerprint import (
    SALIENT_TERMS,
    VOCAB,
    Fingerprint,
    IdfModel,
    analyse,
    cosine,
    fast_signature,
    salient,
)
from .index import CandidateIndex, KeyMultiMap, MemoryIndex

#: Candidate stories verified per article: the ones most LSH bands point to
#: (then the most recent).  Templated entries that all resemble each other
#: would otherwise make each article verify every story.
MAX_CANDIDATES = 64


@dataclass(frozen=True, slots=True)
class Doc:
    """What the engine needs to know of an article (clean text only)."""

    id: str
    title: str
    text: str
    source: str = ""
    #: Publication time, epoch seconds; None means "no time window applies".
    published: float | None = None
    priority: float = 0.0
    truncated: bool = False
    #: Characters of site junk the cleaner removed (a cleaner page wins a tie).
    junk: int = 0


@dataclass(frozen=True, slots=True)
class Assignment:
    """The engine's answer for one added article."""

    doc_id: str
    story_id: str
    new_story: bool
    #: The story's lead after this article joined (may be this article).
    lead_id: str
    lead_changed: bool
    #: Stories merged into ``story_id`` by this article (their ids are gone).
    merged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Params:
    #: Average cosine to a story's members needed to join it.
    join: float = 0.28
    #: The same, on the words that are not names (two events about the same
    #: people share the names, not the rest).
    join_words: float = 0.15
    #: A new article must reach this share of the story's own cohesion (the
    #: average similarity among its members): a story of close copies does
    #: not take in an article that only shares its names and setting.
    cohesion: float = 0.5
    #: Average cross-similarity needed to merge two stories.
    merge: float = 0.30
    #: LSH threshold on salient-term Jaccard (candidate proposal only).
    lsh_threshold: float = 0.08
    #: Seconds after a story's first article during which it accepts versions.
    window: float = 3 * 86400.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate story and its verification score (for ``explain``)."""

    story_id: str
    similarity: float
    words_similarity: float
    joined: bool


class Engine:
    """Incremental story clustering.  Not thread-safe: one engine per worker."""

    def __init__(self, params: Params | None = None, index: CandidateIndex | None = None) -> None:
        self.params = params or Params()
        self.idf = IdfModel()
        #: Proposes candidates (``digest.index``); in memory unless one is given.
        self.index: CandidateIndex = index or MemoryIndex(self.params.lsh_threshold)
        self._fast = isinstance(self.index, MemoryIndex)
        #: Article number -> id (None once expired), and back.
        self._ids: list[str | None] = []
        self._num: dict[str, int] = {}
        self._col = Columns()
        self._terms = Pool(np.int32)
        #: Term weights are small whole numbers: float16 holds them exactly up to 2048;
        #: an article with other weights keeps them here instead (float64).
        self._weights = Pool(np.float16)
        self._odd_weights: dict[int, np.ndarray] = {}
        self._sources: list[str] = []
        self._source_code: dict[str, int] = {}
        #: Copy detection (``digest.copies``): opening keys -> articles, and each
        #: article's shingles (a pool; the keys live in the map only).
        self._copy_keys = KeyMultiMap()
        self._shingles = Pool(np.uint32)
        #: Copy groups (union-find parent links): articles that are copies of one text.
        self._copy_parent: dict[int, int] = {}
        self._stories: dict[str, Story] = {}
        self._story_list: list[Story | None] = []
        self._scol = StoryColumns()
        self._seq = 0
        #: Dense scratch vectors over ``VOCAB`` (zero between uses).
        self._dense = np.zeros(0)
        self._dense_w = np.zeros(0)

    # -- queries ---------------------------------------------------------
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
        return [ids[m] or "" for m in self._stories[story_id].members]

    def lead(self, story_id: str) -> str:
        st = self._stories[story_id]
        if st.lead < 0:
            self._rechoose(st)
        return self._ids[st.lead] or ""

    def scores(self, story_id: str) -> dict[str, VersionScore]:
        st = self._stories[story_id]
        if st.scores is None:
            f = self._facts(st)
            lead, raw, tied, best = pick(f)
            st.scores = scores(f, lead, raw, tied, best)
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

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two known articles under the current idf."""
        ia, va = self.idf.vector_idx(*self._member_terms(self._num[a]))
        ib, vb = self.idf.vector_idx(*self._member_terms(self._num[b]))
        return cosine(dict(zip(ia.tolist(), va.tolist(), strict=True)), dict(zip(ib.tolist(), vb.tolist(), strict=True)))

    # -- the pipeline ----------------------------------------------------
    def fingerprint(self, doc: Doc) -> Fingerprint:
        idx, weights, words = analyse(doc.title, doc.text)
        ids = VOCAB.ids[idx]
        top = salient(idx, weights, self.idf)
        sig = fast_signature((ids[top] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        fp = Fingerprint(ids=ids, weights=weights, signature=sig, words=words, idx=idx)
        fp.top = top
        return fp

    def candidates(self, doc: Doc, fp: Fingerprint) -> list[Candidate]:
        """Propose (LSH) then verify (average similarity) candidate stories."""
        idx, val, wval = self._vector(fp)
        return self._verify(idx, val, wval, self._propose(doc, fp))

    def _vector(self, fp: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The article's unit tf-idf vector (indices, values), and its words vector (aligned)."""
        idx, val = self.idf.vector_idx(fp.vocab_idx(), fp.weights)
        wval = np.where(VOCAB.is_name[idx], 0.0, val)
        norm = float(np.sqrt(wval @ wval)) or 1.0
        return idx, val, wval / norm

    def _propose(self, doc: Doc, fp: Fingerprint) -> list[str]:
        """Candidate story ids: the most voted first, at most ``MAX_CANDIDATES``."""
        if self._fast:
            assert isinstance(self.index, MemoryIndex)
            nums = self.index.query_num(fp.signature)
        else:
            num = self._num
            nums = np.fromiter(
                (n for k in self.index.query(fp) if (n := num.get(k)) is not None), dtype=np.int64
            )
        if not nums.size:
            return []
        nums = nums[nums < self._col.size]
        snums, votes = np.unique(self._col.story[nums], return_counts=True)
        sc = self._scol
        ok = sc.alive[snums]
        if doc.published is not None:  # stories outside the time window (NaN: no time) are closed
            ok &= ~(np.abs(doc.published - sc.first[snums]) > self.params.window)
        snums, votes = snums[ok], votes[ok]
        best = np.lexsort((-sc.seq[snums], -votes))[:MAX_CANDIDATES]  # most votes, then most recent
        story_list = self._story_list
        return [st.id for i in snums[best].tolist() if (st := story_list[i]) is not None]

    def _scratch(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._dense) < len(VOCAB.ids):
            self._dense = np.zeros(len(VOCAB.ids))
            self._dense_w = np.zeros(len(VOCAB.ids))
        return self._dense, self._dense_w

    def _verify(
        self, idx: np.ndarray, val: np.ndarray, wval: np.ndarray, story_ids: Iterable[str]
    ) -> list[Candidate]:
        """Every candidate story with its average similarities; best first."""
        out = [
            Candidate(st.id, sim, wsim, ok)
            for st, sim, wsim, ok in self._check(idx, val, wval, [self._stories[s] for s in story_ids])
        ]
        out.sort(key=lambda c: (-c.similarity, c.story_id))
        return out

    def _check(
        self, idx: np.ndarray, val: np.ndarray, wval: np.ndarray, sts: list[Story]
    ) -> list[tuple[Story, float, float, bool]]:
        """(story, similarity, words similarity, joins) per story (see the module docstring).

        The dot products with all the stories' centroids are one gather from a
        dense copy of the article's vector; the words similarity is computed
        only where the similarity passes.
        """
        if not sts:
            return []
        p = self.params
        dense, dense_w = self._scratch()
        dense[idx], dense_w[idx] = val, wval
        try:
            all_idx = np.concatenate([st.idx for st in sts])
            starts = np.cumsum([0] + [st.idx.size for st in sts[:-1]])
            n = np.array([len(st.members) for st in sts], dtype=np.float64)
            sims = np.add.reduceat(dense[all_idx] * np.concatenate([st.val for st in sts]), starts) / n
            passed = np.flatnonzero(sims >= p.join).tolist()
            wsims = np.zeros(len(sts))
            for i in passed:
                st = sts[i]
                wsims[i] = float(dense_w[st.idx] @ st.wval) / n[i]
        finally:
            dense[idx] = 0.0
            dense_w[idx] = 0.0
        out = []
        for i, st in enumerate(sts):
            sim, wsim = float(sims[i]), float(wsims[i])
            ok = sim >= p.join and wsim >= p.join_words
            k = len(st.members)
            if ok and p.cohesion > 0 and k > 1:
                ok = sim >= p.cohesion * (st.norm2 - k) / (k * (k - 1))
            out.append((st, sim, wsim, ok))
        return out

    # -- copies ------------------------------------------------------------
    def _sketch_of(self, num: int) -> CopySketch | None:
        n = int(self._col.slen[num])
        if not n or self._ids[num] is None:
            return None
        off = int(self._col.soff[num])
        return CopySketch((), self._shingles.data[off : off + n])

    def _copies_of(self, doc: Doc, sk: CopySketch) -> list[int]:
        """Known articles this one copies (or that copy it), within the window."""
        if not sk.keys:
            return []
        found = dict.fromkeys(self._copy_keys.query(np.array(sk.keys, dtype=np.uint64)).tolist())
        out = []
        for other in found:
            osk = self._sketch_of(other)
            if osk is None or not self._in_window(doc, self._stories[self._sid(other)]):
                continue
            if is_copy(sk, osk):
                out.append(other)
        return out

    def _remember_sketch(self, num: int, sk: CopySketch) -> None:
        if len(sk):
            self._col.soff[num] = self._shingles.extend(sk.shingles)
            self._col.slen[num] = len(sk)
            if sk.keys:
                self._copy_keys.add(sk.keys, num)

    def _root(self, num: int) -> int:
        parent = self._copy_parent
        while (up := parent.get(num, num)) != num:
            parent[num] = parent.get(up, up)
            num = up
        return num

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            self._copy_parent[ra] = rb
            self._copy_parent.setdefault(rb, rb)

    def _in_window(self, doc: Doc, st: Story) -> bool:
        first = st.first
        return doc.published is None or first is None or abs(doc.published - first) <= self.params.window

    # -- adding ----------------------------------------------------------------
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
        with np.errstate(over="ignore"):  # too heavy for float16: kept aside below
            w16 = w.astype(np.float16)
        if not np.array_equal(w16, w):
            self._odd_weights[num] = np.array(w, dtype=np.float64)
        self._weights.extend(w16)
        col.tlen[num] = idx.size
        col.slen[num] = 0
        return num

    def add(self, doc: Doc, fp: Fingerprint | None = None) -> Assignment:
        """Add one article; return the story it is in now."""
        known = self._num.get(doc.id)
        if known is not None:
            sid = self._sid(known)
            return Assignment(doc.id, sid, False, self.lead(sid), False)
        if fp is None:
            fp = self.fingerprint(doc)
        idx = fp.vocab_idx()
        self.idf.add_idx(idx)
        vidx, val, wval = self._vector(fp)
        sk = sketch(doc.text, doc.title)
        copies = self._copies_of(doc, sk)
        best: dict[str, int] = {}
        for o in copies:
            sid = self._sid(o)
            best[sid] = max(best.get(sid, 0), int(self._col.slen[o]))
        copied = sorted(best, key=lambda s: (-best[s], self._stories[s].seq))
        checked = self._check(vidx, val, wval, [self._stories[s] for s in self._propose(doc, fp)])
        cands = sorted(((-sim, st.id) for st, sim, _w, ok in checked if ok))
        new = not cands and not copied
        num = self._new_num(doc, fp, idx, fp.weights, fp.top)
        for o in copies:
            self._union(num, o)
        if new:
            story = self._new_story(doc.id, doc.published)
        else:
            story = self._stories[copied[0] if copied else cands[0][1]]
        self._attach(story, num, doc.published, fp, vidx, val, wval)
        self._remember_sketch(num, sk)
        merged: list[str] = []
        for sid in copied[1:]:  # the article copies members of several stories: one story
            old_id = story.id
            other = self._stories.get(sid)
            if other is None or other is story:
                continue
            story = self._merge(story, other)
            merged.append(sid if story.id != sid else old_id)
        for _sim, cid in cands:  # the primary story is skipped below
            old_id = story.id
            other = self._stories.get(cid)
            if other is None or other is story:
                continue
            pairs = len(story.members) * len(other.members)
            link, wlink = self._cross(story, other)
            if link / pairs >= self.params.merge and wlink / pairs >= self.params.join_words:
                story = self._merge(story, other)
                merged.append(cid if story.id != cid else old_id)
        old_lead = story.lead  # -1: not chosen yet (a restored story): counts as a change
        self._rechoose(story)
        lead_id = self._ids[story.lead] or ""
        return Assignment(doc.id, story.id, new, lead_id, story.lead != old_lead, tuple(merged))

    def _cross(self, a: Story, b: Story) -> tuple[float, float]:
        """Dot products of two stories' centroids and of their words centroids."""
        dense, dense_w = self._scratch()
        dense[a.idx], dense_w[a.idx] = a.val, a.wval
        try:
            g, gw = dense[b.idx], dense_w[b.idx]
            return float(g @ b.val), float(gw @ b.wval)
        finally:
            dense[a.idx] = 0.0
            dense_w[a.idx] = 0.0

    def restore(self, doc: Doc, fp: Fingerprint, story_id: str) -> None:
        """Put back an article stored earlier, in its stored story (no re-clustering).

        ``doc.text`` is only read for the copy sketch (``digest.copies``); the
        engine does not keep it.  The story's lead is chosen when next asked for.
        """
        if doc.id in self._num:
            return
        idx = fp.vocab_idx()
        self.idf.add_idx(idx)
        story = self._stories.get(story_id) or self._new_story(story_id, doc.published)
        sk = sketch(doc.text, doc.title)
        matches = []
        if sk.keys:
            for other in dict.fromkeys(self._copy_keys.query(np.array(sk.keys, dtype=np.uint64)).tolist()):
                osk = self._sketch_of(other)
                if osk is not None and is_copy(sk, osk):
                    matches.append(other)
        num = self._new_num(doc, fp, idx, fp.weights)
        for other in matches:
            self._union(num, other)
        self._remember_sketch(num, sk)
        vidx, val, wval = self._vector(fp)
        self._attach(story, num, doc.published, fp, vidx, val, wval)
        story.lead, story.scores = -1, None

    def expire(self, before: float) -> list[str]:
        """Forget stories whose first article is older than ``before`` (epoch s)."""
        gone = [s for s in self._stories.values() if s.first is not None and s.first < before]
        for st in gone:
            for m in st.members:
                doc_id = self._ids[m]
                if doc_id is None:
                    continue
                self._num.pop(doc_id, None)
                if self._fast:
                    assert isinstance(self.index, MemoryIndex)
                    self.index.remove_num(m)
                else:
                    self.index.remove(doc_id)
                self._copy_keys.discard(m)
                self._col.slen[m] = 0
                self._odd_weights.pop(m, None)
                self.idf.remove_idx(self._member_terms(m)[0])
            del self._stories[st.id]
            self._story_list[st.num] = None
            self._scol.alive[st.num] = False
        for st in gone:
            for m in st.members:
                self._ids[m] = None
        return [s.id for s in gone]

    # -- internals -------------------------------------------------------
    def _attach(
        self, story: Story, num: int, published: float | None, fp: Fingerprint,
        vidx: np.ndarray, val: np.ndarray, wval: np.ndarray,
    ) -> None:
        self._col.story[num] = story.num
        story.members.append(num)
        story.add_vec(vidx, val, wval)
        story.scores = None
        if published is not None and (story.first is None or published < story.first):
            story.first = published
            self._scol.sync(story)
        if fp.ids.size:
            if self._fast:
                assert isinstance(self.index, MemoryIndex)
                self.index.insert_num(num, fp.signature)
            else:
                self.index.insert(self._ids[num] or "", fp)

    def _new_story(self, sid: str, first: float | None) -> Story:
        self._seq += 1
        st = Story(sid, num=len(self._story_list), first=first, seq=self._seq)
        self._story_list.append(st)
        self._stories[sid] = st
        self._scol.sync(st)
        return st

    def _merge(self, a: Story, b: Story) -> Story:
        keep, drop = (a, b) if a.seq <= b.seq else (b, a)
        self._absorb(keep, drop)
        return keep

    def _absorb(self, keep: Story, drop: Story) -> None:
        """Move ``drop``'s members into ``keep``."""
        members = np.frombuffer(drop.members, dtype=np.int32)
        self._col.story[members] = keep.num
        keep.members.extend(drop.members)
        keep.add_vec(drop.idx, drop.val.astype(np.float64), drop.wval.astype(np.float64))
        keep.scores = None
        if drop.first is not None and (keep.first is None or drop.first < keep.first):
            keep.first = drop.first
            self._scol.sync(keep)
        del self._stories[drop.id]
        self._story_list[drop.num] = None
        self._scol.alive[drop.num] = False

    def replay_merge(self, keep: str, drop: str) -> None:
        """Merge story ``drop`` into ``keep`` as another worker decided (no re-check)."""
        a, b = self._stories.get(keep), self._stories.get(drop)
        if a is None or b is None or a is b:
            return
        self._absorb(a, b)
        a.seq = min(a.seq, b.seq)
        self._scol.sync(a)
        self._rechoose(a)

    def _facts(self, st: Story) -> Facts:
        members = np.frombuffer(st.members, dtype=np.int32)
        col = self._col
        offs, lens = col.toff[members], col.tlen[members]
        total = int(lens.sum())
        ends = np.cumsum(lens)
        pos = np.repeat(offs, lens) + np.arange(total) - np.repeat(ends - lens, lens)
        terms = self._terms.data[pos]
        weights = self._weights.data[pos].astype(np.float64)
        if self._odd_weights:
            for i, m in enumerate(st.members):
                odd = self._odd_weights.get(m)
                if odd is not None:
                    start = int(ends[i] - lens[i])
                    weights[start : start + odd.size] = odd
        version = np.repeat(np.arange(members.size), lens)
        cov, unshared = coverage_arrays(version, terms, weights, members.size, self.idf.idf_idx)
        ids = self._ids
        parent = self._copy_parent
        return Facts(
            ids=[ids[m] or "" for m in st.members],
            words=col.words[members].astype(np.float64),
            truncated=col.truncated[members],
            priority=col.priority[members],
            published=col.published[members],
            junk=col.junk[members],
            copies=[(ids[self._root(m)] if m in parent else None) for m in st.members],
            cov=cov,
            unshared=unshared,
        )

    def _rechoose(self, story: Story) -> None:
        f = self._facts(story)
        lead, _raw, _tied, _best = pick(f)
        story.lead = story.members[lead]
        story.scores = None
