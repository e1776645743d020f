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

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .choose import Facts, VersionScore, coverage_arrays, pick, scores
from .copies import CopySketch, is_copy, sketch
from .engine_state import Columns, Neighbours, Pool, Story, StoryColumns
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
from .regroup import average_linkage, neighbour_set, shared_similarity

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
    #: Stories that are gone after this article (their versions moved to other stories).
    merged: tuple[str, ...] = ()
    #: Earlier articles that moved to another story: (article id, its story id now).
    moved: tuple[tuple[str, str], ...] = ()
    #: Every story whose versions changed (``story_id`` included).
    touched: tuple[str, ...] = ()


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
    #: Nearest neighbours each article keeps (shared-neighbour similarity, ``digest.regroup``).
    neighbours: int = 8
    #: Cosine an article needs to be one of another's neighbours.
    neighbour_floor: float = 0.1
    #: A neighbour counts when at least this share of the nearest one's cosine.
    neighbour_ratio: float = 0.5
    #: Average shared-neighbour similarity at which a regrouped neighbourhood stays one story.
    shared: float = 0.4
    #: Neighbours (at twice the floor) an article needs for its shared-neighbour similarity to be
    #: trusted alone;
    #: pairs with a less crowded member are also held to the two cosine caps below.
    crowded: int = 3
    #: A pair counts fully when its cosine is this share of the closer one's nearest neighbour.
    relative: float = 0.5
    #: Cosine of the words that are not names at which a pair counts fully (two events about
    #: the same people share the names, not the rest).
    words_scale: float = 0.3
    #: Articles regrouped at most around one new article (the closest stories first).
    region: int = 400
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
        #: Each article's nearest neighbours (for the shared-neighbour regrouping).
        self._nb = Neighbours(self.params.neighbours)
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

    def pair_link(self, a: str, b: str) -> tuple[float, float, float]:
        """Two known articles' shared-neighbour similarity, the cosine cap on it, and the link
        the regrouping uses (their minimum)."""
        nums = np.array([self._num[a], self._num[b]], dtype=np.int32)
        p, nb = self.params, self._nb
        sets = [neighbour_set(x, nb.nums[x], nb.sims[x], p.neighbour_ratio) for x in nums.tolist()]
        shared = float(shared_similarity(sets)[0, 1])
        cap = float(self._relative_cosine(nums)[0, 1])
        return shared, cap, min(shared, cap)

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
        """Add one article; return the story it is in now (and what moved)."""
        known = self._num.get(doc.id)
        if known is not None:
            sid = self._sid(known)
            return Assignment(doc.id, sid, False, self.lead(sid), False, touched=(sid,))
        if fp is None:
            fp = self.fingerprint(doc)
        idx = fp.vocab_idx()
        self.idf.add_idx(idx)
        vidx, val, wval = self._vector(fp)
        sk = sketch(doc.text, doc.title)
        copies = self._copies_of(doc, sk)
        cand = self._propose(doc, fp)
        for o in copies:
            if (sid := self._sid(o)) not in cand:
                cand.append(sid)
        num = self._new_num(doc, fp, idx, fp.weights, fp.top)
        for o in copies:
            self._union(num, o)
        self._remember_sketch(num, sk)
        near = self._neighbour(num, vidx, val, [self._stories[s] for s in cand], copies)
        self._index_insert(num, fp)
        if not near:
            story = self._new_story(doc.id, doc.published)
            self._attach(story, num, doc.published, vidx, val, wval)
            self._rechoose(story)
            return Assignment(doc.id, story.id, True, doc.id, True, touched=(story.id,))
        return self._regroup(num, doc, near, vidx, val, wval)

    def _neighbour(
        self, num: int, vidx: np.ndarray, val: np.ndarray, sts: list[Story], copies: list[int]
    ) -> list[Story]:
        """Update the neighbour lists with article ``num``; the stories it has a neighbour in
        (closest first).  Copies of one text are neighbours whatever the cosine."""
        if not sts:
            self._nb.set(num, np.zeros(0, np.int32), np.zeros(0, np.float32))
            return []
        members = np.concatenate([np.frombuffer(st.members, dtype=np.int32) for st in sts])
        terms, mval, _w, owner = self._vectors(members)
        dense, _ = self._scratch()
        dense[vidx] = val
        try:
            sims = np.bincount(owner, weights=dense[terms] * mval, minlength=members.size)
        finally:
            dense[vidx] = 0.0
        if copies:
            sims[np.isin(members, np.array(copies, dtype=np.int32))] = 1.0
        ok = sims >= self.params.neighbour_floor
        near, nsims = members[ok], sims[ok].astype(np.float32)
        self._nb.set(num, near, nsims)
        self._nb.offer(num, near, nsims)
        best: dict[int, float] = {}
        story_of = self._col.story
        for m, x in zip(near.tolist(), nsims.tolist(), strict=True):
            s = int(story_of[m])
            best[s] = max(best.get(s, -1.0), x)
        out = [st for st in sts if st.num in best]
        out.sort(key=lambda st: (-best[st.num], st.seq))
        return out

    def _regroup(
        self, num: int, doc: Doc, near: list[Story], vidx: np.ndarray, val: np.ndarray, wval: np.ndarray
    ) -> Assignment:
        """Regroup the new article and the stories near it (``digest.regroup``)."""
        p = self.params
        region: list[Story] = []
        size = 1
        for st in near:
            if size + len(st.members) > p.region and region:
                break
            region.append(st)
            size += len(st.members)
        nums = np.concatenate(
            [np.array([num], np.int32)] + [np.frombuffer(st.members, dtype=np.int32) for st in region]
        )
        nb = self._nb
        sets = [neighbour_set(int(x), nb.nums[x], nb.sims[x], p.neighbour_ratio) for x in nums.tolist()]
        sim = np.minimum(shared_similarity(sets), self._relative_cosine(nums))
        if self._copy_parent:  # copies of one text stay together
            parent = self._copy_parent
            roots = np.array([self._root(x) if x in parent else -1 - i for i, x in enumerate(nums.tolist())])
            sim[roots[:, None] == roots[None, :]] = 1.0
        labels = average_linkage(sim, p.shared)
        old = self._col.story[nums]  # story numbers (the new article's is not set yet)
        old[0] = -1
        groups: dict[int, list[int]] = {}
        for pos, lab in enumerate(labels.tolist()):
            groups.setdefault(lab, []).append(pos)
        whole = all(len({int(old[q]) for q in g if q}) <= 1 for g in groups.values()) and all(
            len({int(labels[q]) for q in range(1, nums.size) if old[q] == st.num}) == 1 for st in region
        )
        if whole:  # nothing moves: the article joins one story or starts its own
            mates = [q for q in groups[int(labels[0])] if q]
            if not mates:
                story = self._new_story(doc.id, doc.published)
                self._attach(story, num, doc.published, vidx, val, wval)
                self._rechoose(story)
                return Assignment(doc.id, story.id, True, doc.id, True, touched=(story.id,))
            joined = self._story_list[int(old[mates[0]])]
            assert joined is not None
            old_lead = joined.lead
            self._attach(joined, num, doc.published, vidx, val, wval)
            self._rechoose(joined)
            lead_id = self._ids[joined.lead] or ""
            return Assignment(doc.id, joined.id, False, lead_id, joined.lead != old_lead, touched=(joined.id,))
        return self._rebuild_region(num, doc, nums, labels, old, groups, region)

    def _relative_cosine(self, nums: np.ndarray) -> np.ndarray:
        """Pairwise cosine over ``neighbour_ratio`` x the closer pair's nearest-neighbour cosine
        and the words cosine over ``words_scale`` (capped at 1), for pairs with a member whose
        neighbourhood is sparse (1 where both are crowded): there shared neighbours say little,
        and two close versions must not take in an article only loosely like them."""
        from scipy.sparse import csr_matrix

        p = self.params
        terms, val, wval, owner = self._vectors(nums)
        shape = (nums.size, int(terms.max(initial=0)) + 1)
        x = csr_matrix((val, (owner, terms)), shape=shape)
        xw = csr_matrix((wval, (owner, terms)), shape=shape)
        cos, wcos = (x @ x.T).toarray(), (xw @ xw.T).toarray()
        top = np.maximum(self._nb.sims[nums].max(axis=1), p.neighbour_floor)
        rel = cos / (p.relative * np.maximum.outer(top, top))
        gate = np.minimum(np.minimum(rel, wcos / p.words_scale), 1.0)
        crowded = (self._nb.sims[nums] >= 2 * p.neighbour_floor).sum(axis=1) >= p.crowded
        gate[np.logical_and.outer(crowded, crowded)] = 1.0
        return gate

    def _rebuild_region(
        self, num: int, doc: Doc, nums: np.ndarray, labels: np.ndarray, old: np.ndarray,
        groups: dict[int, list[int]], region: list[Story],
    ) -> Assignment:
        """Apply a regrouping that moves articles: each group keeps the id of the old story it
        holds most of (older stories first), or takes its earliest article's id."""
        by_num = {st.num: st for st in region}
        overlap: dict[tuple[int, int], int] = {}
        for lab, g in groups.items():
            for q in g:
                if q:
                    key = (lab, int(old[q]))
                    overlap[key] = overlap.get(key, 0) + 1
        chosen: dict[int, Story] = {}
        used: set[int] = set()
        for (lab, snum), _n in sorted(overlap.items(), key=lambda kv: (-kv[1], by_num[kv[0][1]].seq)):
            if lab not in chosen and snum not in used:
                chosen[lab], used = by_num[snum], used | {snum}
        old_ids = {st.num: st.id for st in region}
        old_leads = {st.id: st.lead for st in region}
        gone = [st for st in region if st.num not in used]
        for st in gone:
            del self._stories[st.id]
            self._story_list[st.num] = None
            self._scol.alive[st.num] = False
        taken = set(self._stories)
        for lab in sorted(groups):
            if lab in chosen:
                continue
            members = sorted(int(nums[q]) for q in groups[lab])
            sid = next((i for m in members if (i := self._ids[m] or "") not in taken), "")
            if not sid:
                sid = f"{self._ids[members[0]]}~{self._seq + 1}"
            taken.add(sid)
            chosen[lab] = self._new_story(sid, None)
        self._col.story[num] = -1
        moved: list[tuple[str, str]] = []
        for lab, g in groups.items():
            st = chosen[lab]
            members = sorted(int(nums[q]) for q in g)
            for q in g:
                if q and old_ids[int(old[q])] != st.id:
                    moved.append((self._ids[int(nums[q])] or "", st.id))
            self._rebuild(st, members)
            self._rechoose(st)
        story = chosen[int(labels[0])]
        lead_id = self._ids[story.lead] or ""
        new = story.id not in old_leads
        touched = tuple(chosen[lab].id for lab in sorted(groups))
        return Assignment(
            doc.id, story.id, new, lead_id, new or story.lead != old_leads[story.id],
            merged=tuple(st.id for st in gone), moved=tuple(sorted(moved)), touched=touched,
        )

    def _rebuild(self, st: Story, members: list[int]) -> None:
        """Make ``members`` (article numbers, in arrival order) the story's versions."""
        nums = np.array(members, dtype=np.int32)
        terms, val, wval, _owner = self._vectors(nums)
        uniq, inv = np.unique(terms, return_inverse=True)
        inv = inv.reshape(-1)
        v = np.bincount(inv, weights=val, minlength=uniq.size)
        w = np.bincount(inv, weights=wval, minlength=uniq.size)
        st.members = array("i", members)
        st.idx, st.val, st.wval = uniq.astype(np.int32), v.astype(np.float32), w.astype(np.float32)
        st.norm2 = float(v @ v)
        pub = self._col.published[nums]
        st.first = float(np.nanmin(pub)) if not np.isnan(pub).all() else None
        st.lead, st.scores = -1, None
        self._col.story[nums] = st.num
        self._scol.sync(st)

    def _gather(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The articles' pooled terms and weights, concatenated, and each one's owner position."""
        col = self._col
        offs, lens = col.toff[nums], col.tlen[nums]
        total = int(lens.sum())
        ends = np.cumsum(lens)
        pos = np.repeat(offs, lens) + np.arange(total) - np.repeat(ends - lens, lens)
        terms = self._terms.data[pos]
        weights = self._weights.data[pos].astype(np.float64)
        if self._odd_weights:
            for i, m in enumerate(nums.tolist()):
                odd = self._odd_weights.get(m)
                if odd is not None:
                    start = int(ends[i] - lens[i])
                    weights[start : start + odd.size] = odd
        return terms, weights, np.repeat(np.arange(nums.size), lens)

    def _vectors(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The articles' unit tf-idf vectors under the current idf, concatenated:
        (term indices, values, words values, owner position)."""
        terms, w, owner = self._gather(nums)
        n = nums.size
        tf = np.where(w >= 1, 1.0 + np.log(np.maximum(w, 1.0)), w)
        x = np.maximum(tf * self.idf.idf_idx(terms), 0.0)
        norm = np.sqrt(np.bincount(owner, weights=x * x, minlength=n))
        norm[norm == 0] = 1.0
        val = x / norm[owner]
        wx = np.where(VOCAB.is_name[terms], 0.0, val)
        wn = np.sqrt(np.bincount(owner, weights=wx * wx, minlength=n))
        wn[wn == 0] = 1.0
        return terms, val, wx / wn[owner], owner

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
        # its neighbours, as when it arrived (the stored story stands: no regrouping)
        cands = [st for s in self._propose(doc, fp) if (st := self._stories.get(s)) is not None]
        if story not in cands and story.members:
            cands.append(story)
        self._neighbour(num, vidx, val, cands, matches)
        self._attach(story, num, doc.published, vidx, val, wval)
        self._index_insert(num, fp)
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
                self._nb.drop(m)
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
        self, story: Story, num: int, published: float | None,
        vidx: np.ndarray, val: np.ndarray, wval: np.ndarray,
    ) -> None:
        self._col.story[num] = story.num
        story.members.append(num)
        story.add_vec(vidx, val, wval)
        story.scores = None
        if published is not None and (story.first is None or published < story.first):
            story.first = published
            self._scol.sync(story)

    def _index_insert(self, num: int, fp: Fingerprint) -> None:
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

    def replay_move(self, doc_id: str, story_id: str) -> None:
        """Move article ``doc_id`` to story ``story_id`` as another worker decided (no re-check)."""
        num = self._num.get(doc_id)
        if num is None:
            return
        src = self._story_list[int(self._col.story[num])]
        if src is not None and src.id == story_id:
            return
        dst = self._stories.get(story_id) or self._new_story(story_id, None)
        self._rebuild(dst, sorted([*dst.members, num]))
        if src is not None:
            rest = [m for m in src.members if m != num]
            if rest:
                self._rebuild(src, rest)
            else:
                del self._stories[src.id]
                self._story_list[src.num] = None
                self._scol.alive[src.num] = False

    def _facts(self, st: Story) -> Facts:
        members = np.frombuffer(st.members, dtype=np.int32)
        col = self._col
        terms, weights, version = self._gather(members)
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
