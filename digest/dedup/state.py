"""The dedup engine's state, one object: articles and stories as arrays, and its primitives.  Pure.

Observations
------------
A million articles as Python objects (a dict vector each, a Doc with its
text) take tens of KB an article; as numpy arrays over interned term indices
they take a few hundred bytes.  What the engine decides lives in
``digest.dedup.engine`` (proposing, copies, the public API) and
``digest.dedup.regrouping`` (functions over this state); ``EngineState`` only
keeps, gathers and rebuilds.

How it works
------------
* Articles are numbered; each keeps its interned term indices and weights in
  a pool (salient terms first), its copy shingles in another, its facts in
  numpy columns (``digest.dedup.arrays``), never its text (but its capitals: ``.offices``).
* A story keeps its members and nothing summed over them: every decision
  reads the members' own vectors.  :meth:`EngineState.rebuild` makes a story
  of any list of members, :meth:`EngineState.vectors` gives members' unit
  tf-idf vectors under the current idf in one pass.
* The lead is chosen by ``digest.dedup.lead`` over the story's facts, which
  ``digest.dedup.lead_facts`` gathers from this state, when first asked for after
  a change; a story here only forgets its lead (``lead`` -1) when its members change.

Special cases
-------------
* Term weights are small whole numbers and fit a byte; an article with other
  weights keeps them aside (``odd_weights``), and every gather puts them back
  (:meth:`EngineState.with_odd`).
* The candidate index may be the in-memory one (``fast``: it is told article
  numbers) or any other ``CandidateIndex`` (told article ids).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .arrays import Columns, Neighbours, Pool, Runs, Story, StoryColumns
from .clock import clock_factor, event_times
from .copies import CopySketch
from .doc import Doc, title_key
from .fingerprint import SUBLINEAR_TF, Fingerprint, IdfModel, sublinear_tf
from .index import CandidateIndex, KeyMultiMap, MemoryIndex
from .offices import Offices, read_offices
from .params import Params
from .places import opening_places, place_factor
from .sourceterms import SourceTerms
from .terms import VOCAB


@dataclass(eq=False, repr=False)
class EngineState:
    """Everything one engine knows, and the primitives that keep it (``digest.dedup.engine.Engine``
    decides)."""

    params: Params
    #: Proposes candidates (``digest.dedup.index``).
    index: CandidateIndex
    idf: IdfModel = field(init=False, default_factory=IdfModel)
    #: Article number -> id, and back.
    ids: list[str] = field(init=False, default_factory=list)
    num: dict[str, int] = field(init=False, default_factory=dict)
    col: Columns = field(init=False, default_factory=Columns)
    terms: Pool = field(init=False, default_factory=lambda: Pool(np.int32))
    #: Term weights are small whole numbers (occurrences x title and name weights): one
    #: byte holds them up to 255; an article with other weights keeps them in
    #: ``odd_weights`` instead (float64).
    weights: Pool = field(init=False, default_factory=lambda: Pool(np.uint8))
    odd_weights: dict[int, np.ndarray] = field(init=False, default_factory=dict)
    sources: list[str] = field(init=False, default_factory=list)
    source_code: dict[str, int] = field(init=False, default_factory=dict)
    #: Each source's titles seen (``digest.dedup.doc.title_key``) -> the latest article with it:
    #: a title one source gave an earlier article is read as no title (``Engine.fingerprint``);
    #: a notice finds the article it takes back by it (``silent.notice_home``).
    titles: dict[int, int] = field(init=False, default_factory=dict)
    #: How many of each source's articles hold each term (``digest.dedup.sourceterms``).
    source_terms: SourceTerms = field(init=False)
    #: Each entry updated in place (``Doc.revises``) -> its latest article: a notice that
    #: replaces the entry takes back what the entry said last.
    entries: dict[str, int] = field(init=False, default_factory=dict)
    #: Copy detection (``digest.dedup.copies``): opening keys -> articles, and each
    #: article's shingles (a pool; the keys live in the map only).
    copy_keys: KeyMultiMap = field(init=False, default_factory=KeyMultiMap)
    shingles: Pool = field(init=False, default_factory=lambda: Pool(np.uint16))
    #: Each article's opening places (``digest.dedup.places``): a run of ``VOCAB`` indices
    #: per article that names any (``poff``, ``plen``), read from the title and text at its
    #: adding and at its restoring alike.
    places: Pool = field(init=False, default_factory=lambda: Pool(np.int32))
    #: The event times of day the opening of each article that states any says
    #: (``digest.dedup.clock``'s codes), read at its adding and at its restoring alike.
    clocks: dict[int, np.ndarray] = field(init=False, default_factory=dict)
    #: Offices and holders each article naming any names (``digest.dedup.offices``), read alike.
    offices: dict[int, Offices] = field(init=False, default_factory=dict)
    #: Copy groups of two or more articles (copies of one text): the group's label (the
    #: number in the ``group`` column of each member) -> its members.
    groups: dict[int, array] = field(init=False, default_factory=dict)
    #: Live stories by id, and every story by number (None once gone).
    stories: dict[str, Story] = field(init=False, default_factory=dict)
    story_list: list[Story | None] = field(init=False, default_factory=list)
    scol: StoryColumns = field(init=False, default_factory=StoryColumns)
    #: Stories made so far (a story's ``seq``: its arrival order).
    seq: int = field(init=False, default=0)
    #: Each article's nearest neighbours (for the shared-neighbour regrouping).
    nb: Neighbours = field(init=False)
    #: Whether ``index`` is the in-memory index (told article numbers, not ids).
    fast: bool = field(init=False)
    #: Dense scratch vectors over ``VOCAB`` (zero between uses; ``scratch``).
    dense: np.ndarray = field(init=False, default_factory=lambda: np.zeros(0))
    dense_w: np.ndarray = field(init=False, default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        self.fast = isinstance(self.index, MemoryIndex)
        self.nb = Neighbours(self.params.neighbours)
        self.source_terms = SourceTerms(self.params.source_recent)

    # -- articles ------------------------------------------------------------------
    def sid(self, num: int) -> str:
        """The id of article ``num``'s story."""
        st = self.story_list[int(self.col.story[num])]
        return st.id if st is not None else ""

    def member_terms(self, num: int) -> tuple[np.ndarray, np.ndarray]:
        """Article ``num``'s pooled term indices and weights (salient terms first when ranked)."""
        off, n = int(self.col.toff[num]), int(self.col.tlen[num])
        odd = self.odd_weights.get(num)
        w = odd if odd is not None else self.weights.data[off : off + n].astype(np.float64)
        return self.terms.data[off : off + n], w

    def vector(self, fp: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """An article's unit tf-idf vector (indices, values) under the current idf, and its
        words vector (aligned)."""
        idx, val = self.idf.vector_idx(fp.vocab_idx(), fp.weights)
        wval = np.where(VOCAB.is_name[idx], 0.0, val)
        norm = float(np.sqrt(wval @ wval)) or 1.0
        return idx, val, wval / norm

    def code_of(self, source: str) -> int:
        """The source's code (numbered on first use)."""
        code = self.source_code.get(source)
        if code is None:
            code = self.source_code[source] = len(self.sources)
            self.sources.append(source)
        return code

    def own_terms(self, source: str, vidx: np.ndarray) -> tuple[int, np.ndarray]:
        """(the source's code, the terms of ``vidx`` that are the source's own:
        ``digest.dedup.sourceterms``; none for articles of no source, ``""``)."""
        code = self.code_of(source)
        if not source:  # no source named (a batch's records without one): no template known
            return code, vidx[:0]
        p = self.params
        return code, self.source_terms.own(code, vidx, p.source_share, p.source_least, p.source_titled)

    def scratch(self) -> tuple[np.ndarray, np.ndarray]:
        """The two dense scratch vectors, as long as ``VOCAB`` (zero: leave them zero)."""
        if len(self.dense) < len(VOCAB.ids):
            self.dense = np.zeros(len(VOCAB.ids))
            self.dense_w = np.zeros(len(VOCAB.ids))
        return self.dense, self.dense_w

    def sketch_of(self, num: int) -> CopySketch | None:
        """Article ``num``'s copy shingles (no keys); None when it has none."""
        n = int(self.col.slen[num])
        if not n:
            return None
        off = int(self.col.soff[num])
        return CopySketch((), self.shingles.data[off : off + n])

    def remember_sketch(self, num: int, sk: CopySketch) -> None:
        """Keep article ``num``'s copy shingles, and its opening keys in the copy lookup."""
        if len(sk):
            self.col.soff[num] = self.shingles.extend(sk.shingles)
            self.col.slen[num] = len(sk)
            if sk.keys:
                self.copy_keys.add(sk.keys, num)

    def union(self, a: int, b: int) -> None:
        """Articles ``a`` and ``b`` are copies of one text: one copy group (the smaller
        group takes the larger one's label)."""
        group, groups = self.col.group, self.groups
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

    def new_num(
        self, doc: Doc, fp: Fingerprint, idx: np.ndarray, w: np.ndarray, top: np.ndarray | None = None
    ) -> int:
        """Number the article and keep its facts (not its text); its salient terms first when known."""
        col = self.col
        num = col.append()
        self.ids.append(doc.id)
        self.num[doc.id] = num
        code = self.code_of(doc.source)
        col.published[num] = np.nan if doc.published is None else doc.published
        col.arrived[num] = np.nan if doc.arrived is None else doc.arrived
        col.priority[num], col.truncated[num], col.junk[num] = doc.priority, doc.truncated, doc.junk
        col.words[num], col.source[num], col.notice[num] = fp.words, code, doc.notice
        if doc.source:  # articles of no source have no own words (``own_terms``)
            self.source_terms.count(code, doc.id, idx, doc.title, doc.text)
        key = title_key(doc.source, doc.title)
        if key is not None and not (doc.notice and key in self.titles):  # a notice: never for the report's
            self.titles[key] = num
        if doc.revises:
            self.entries[doc.revises] = num
        if top is not None:
            rest = np.ones(idx.size, dtype=bool)
            rest[top] = False
            order = np.concatenate([top, np.flatnonzero(rest)])
            idx, w = idx[order], w[order]
        col.ranked[num] = top is not None
        col.toff[num] = self.terms.extend(idx)
        w8 = np.clip(w, 0, 255).astype(np.uint8)
        if not np.array_equal(w8, w):  # not whole, or too heavy for a byte: kept aside
            self.odd_weights[num] = np.array(w, dtype=np.float64)
        self.weights.extend(w8)
        col.tlen[num] = idx.size
        col.slen[num] = 0
        named = opening_places(doc.title, doc.text)
        col.poff[num] = self.places.extend(named) if named.size else 0
        col.plen[num] = named.size
        if min(self.params.clock_factor, self.params.story_clock_factor) < 1.0 and (stated := event_times(doc.title, doc.text)).size:  # off: not read
            self.clocks[num] = stated
        if self.params.office_factor < 1.0 and (held := read_offices(doc.title, doc.text)):  # off: not read
            self.offices[num] = held
        col.group[num] = num
        col.silent[num] = False
        col.story[num] = -1  # in no story until attached
        return num

    def index_insert(self, num: int, fp: Fingerprint) -> None:
        """Article ``num`` can be proposed from now on (an article without terms never is)."""
        if fp.ids.size:
            if self.fast:
                assert isinstance(self.index, MemoryIndex)
                self.index.insert_num(num, fp.signature)
            else:
                self.index.insert(self.ids[num], fp)

    # -- time ----------------------------------------------------------------------
    def open(self, snums: np.ndarray, published: float | None) -> np.ndarray:
        """Which stories (numbers) accept an article published at ``published``: those with
        a version within ``Params.window`` of it (after their latest, or before their first:
        feeds arrive out of order).  Undated articles and undated stories: all."""
        if published is None:
            return np.ones(snums.size, dtype=bool)
        sc = self.scol
        gap = np.maximum(sc.first[snums] - published, published - sc.last[snums])
        return ~(gap > self.params.window)  # NaN (undated story): open

    def time_factor(self, nums: np.ndarray) -> np.ndarray | None:
        """Per pair of articles, the share of their link that counts given how far apart in
        time they were published: 1 within ``Params.time_grace``, then decaying by e every
        ``Params.time_scale`` seconds (a report weeks later joins on strong evidence only).
        Undated pairs: 1.  None when every pair counts fully (all within the grace, or
        undated): the usual case, which then costs no matrix."""
        p = self.params
        t = self.col.published[nums]
        dated = t[~np.isnan(t)]
        if dated.size < 2 or float(dated.max() - dated.min()) <= p.time_grace:
            return None
        gap = np.abs(t[:, None] - t[None, :])
        over = np.nan_to_num(gap - p.time_grace, nan=0.0)
        return np.exp(-np.maximum(over, 0.0) / p.time_scale)

    def place_factor(self, nums: np.ndarray) -> np.ndarray | None:
        """Per pair of articles, ``Params.place_factor`` where each one's opening names a place
        the other's terms never mention (``digest.dedup.places``), else 1; None when no pair
        conflicts or the rule is off (fewer than two of them name a place: the usual case,
        which then costs no matrix)."""
        p, col = self.params, self.col
        if p.place_factor >= 1.0:
            return None
        lens = col.plen[nums].astype(np.int64)
        pos = np.flatnonzero(lens)
        if pos.size < 2:
            return None
        sub = nums[pos]
        places, pruns = _pooled(self.places, col.poff[sub], lens[pos])
        terms, truns = _pooled(self.terms, col.toff[sub], col.tlen[sub])
        f = place_factor(p.place_factor, places, pruns.owner, terms, truns.owner, sub.size)
        if f is None:
            return None
        out = np.ones((nums.size, nums.size))
        out[np.ix_(pos, pos)] = f
        return out

    def clock_factor(self, nums: np.ndarray) -> np.ndarray | None:
        """Per pair of articles, ``Params.clock_factor`` where both openings state the event's
        time of day and none agrees (``digest.dedup.clock``), else 1; None when no pair
        conflicts or the rule is off (fewer than two of them state one: the usual case)."""
        if self.params.clock_factor >= 1.0:
            return None
        pos = [k for k, n in enumerate(nums.tolist()) if n in self.clocks]
        if len(pos) < 2:
            return None
        f = clock_factor(self.params.clock_factor, [self.clocks[int(nums[k])] for k in pos])
        if f is None:
            return None
        out = np.ones((nums.size, nums.size))
        out[np.ix_(pos, pos)] = f
        return out

    # -- stories -------------------------------------------------------------------
    def new_story(self, sid: str, first: float | None) -> Story:
        """A story without members, id ``sid``, the most recent one."""
        self.seq += 1
        st = Story(sid, num=len(self.story_list), first=first, last=first, seq=self.seq)
        self.story_list.append(st)
        self.stories[sid] = st
        self.scol.sync(st)
        return st

    def attach(self, story: Story, num: int, published: float | None) -> None:
        """Article ``num`` joins ``story``; its lead is chosen again when next asked for."""
        self.col.story[num] = story.num
        story.members.append(num)
        story.lead, story.scores = -1, None
        if published is not None and (story.first is None or published < story.first):
            story.first = published
            self.scol.sync(story)
        if published is not None and (story.last is None or published > story.last):
            story.last = published
            self.scol.sync(story)

    def rebuild(self, st: Story, members: list[int]) -> None:
        """Make ``members`` (article numbers, in arrival order) the story's versions."""
        nums = np.array(members, dtype=np.int32)
        st.members = array("i", members)
        pub = self.col.published[nums]
        dated = not np.isnan(pub).all()
        st.first = float(np.nanmin(pub)) if dated else None
        st.last = float(np.nanmax(pub)) if dated else None
        st.lead, st.scores = -1, None
        self.col.story[nums] = st.num
        self.scol.sync(st)

    def drop_story(self, st: Story) -> None:
        """Forget a story (its members are elsewhere, or forgotten too)."""
        del self.stories[st.id]
        self.story_list[st.num] = None
        self.scol.alive[st.num] = False

    def absorb(self, keep: Story, drop: Story) -> None:
        """Move ``drop``'s members into ``keep``."""
        members = np.frombuffer(drop.members, dtype=np.int32)
        self.col.story[members] = keep.num
        keep.members.extend(drop.members)
        keep.lead, keep.scores = -1, None
        if drop.first is not None and (keep.first is None or drop.first < keep.first):
            keep.first = drop.first
        if drop.last is not None and (keep.last is None or drop.last > keep.last):
            keep.last = drop.last
        self.scol.sync(keep)
        self.drop_story(drop)

    # -- gathering -----------------------------------------------------------------
    def gather(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The articles' pooled terms and weights, concatenated, and each one's owner position."""
        terms, w8, runs = self.gather_bytes(nums)
        return terms, self.with_odd(w8.astype(np.float64), nums, runs, lambda w: w), runs.owner

    def gather_bytes(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, Runs]:
        """The articles' pooled terms and byte weights (not the odd ones), concatenated, and
        their runs."""
        col = self.col
        runs = Runs(col.tlen[nums])
        pos = _positions(col.toff[nums], runs)
        return self.terms.data[pos], self.weights.data[pos], runs

    def with_odd(
        self, out: np.ndarray, nums: np.ndarray, runs: Runs, f: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """``out`` (per pooled term) with the articles that keep odd weights set to ``f`` of them."""
        if self.odd_weights:
            for i, m in enumerate(nums.tolist()):
                odd = self.odd_weights.get(m)
                if odd is not None:
                    start = int(runs.starts[i])
                    out[start : start + odd.size] = f(odd)
        return out

    def raw_vectors(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, Runs, np.ndarray]:
        """The articles' tf-idf vectors under the current idf, concatenated and not yet
        normalised: (term indices, values, their runs, each article's norm)."""
        terms, w8, runs = self.gather_bytes(nums)
        tf = self.with_odd(SUBLINEAR_TF[w8], nums, runs, sublinear_tf)  # byte weights: a lookup
        x = np.maximum(tf * self.idf.idf_idx(terms), 0.0)
        norm = np.sqrt(runs.sum(x * x))
        norm[norm == 0] = 1.0
        return terms, x, runs, norm

    def vectors(self, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Runs]:
        """The articles' unit tf-idf vectors under the current idf, concatenated:
        (term indices, values, words values, their runs)."""
        terms, x, runs, norm = self.raw_vectors(nums)
        owner = runs.owner
        val = x / norm[owner]
        wx = np.where(VOCAB.is_name[terms], 0.0, val)
        wn = np.sqrt(runs.sum(wx * wx))
        wn[wn == 0] = 1.0
        return terms, val, wx / wn[owner], runs


def _positions(offsets: np.ndarray, runs: Runs) -> np.ndarray:
    """Where in a pool each value of ``runs`` lies, its articles' runs starting at ``offsets``."""
    return np.repeat(offsets - runs.starts, runs.lens) + np.arange(runs.owner.size)


def _pooled(pool: Pool, offsets: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, Runs]:
    """The runs of ``pool`` starting at ``offsets``, ``lens`` long, concatenated, and their runs."""
    runs = Runs(lens)
    return pool.data[_positions(offsets, runs)], runs
