"""The incremental dedup engine: one article in, its story out.  Pure, in memory.

Observations
------------
* Copies and truncated summaries of one article share most of their salient
  words; independent rewrites of one event share its names and specific
  words but few word sequences; two different events of the same kind share
  generic words and differ in names.  Similarity is therefore tf-idf cosine
  over name-weighted terms (``digest.dedup.fingerprint``), not shingle overlap.
* Joining an article to a story because it resembles *one* member is how
  single-link clustering chains two events together through a third article;
  deciding once, in arrival order, is deciding on too little.  Here each new
  article's neighbourhood is regrouped by average linkage over shared nearest
  neighbours (``digest.dedup.regrouping``, ``digest.dedup.neighbours``), and earlier
  articles may move.

How it works (per article)
--------------------------
1. **Propose** (cheap): a MinHash LSH index over each article's salient terms
   returns candidate articles; their stories are the candidate stories.
   Stories older than the time window are never candidates.
2. **Copies** are recognised exactly (``digest.dedup.copies``): an article whose
   body (with its title) is the same word sequence as a member's, or its
   opening (a truncated feed summary), and that names the same things
   (``copies.names_shared``: a wire template repeats every word but the names), is
   that member's neighbour whatever the cosine says, and copies of one text
   are never parted.  Copies form a copy group, which the lead choice uses
   (the cleaner of two full copies leads).  A copy of the *same text* as one
   of them (cosine ``SAME_TEXT``; ``PADDED_TEXT`` when it is no shorter: the
   same text with site lines around it), or a truncated summary of a known
   text, adds nothing: it is silent (``digest.dedup.silent``), joins their story and
   stops here.  Thirty outlets carrying one wire text would otherwise fill every
   neighbour list with copies, and the rewrites of the same event would share
   no neighbour with them (with 20 copies of one article per ECB+ dev event,
   the other reports of the event in its story fell from 85% to 41%; silent:
   83%).
3. **Neighbours and regrouping**: the article's cosine (streaming idf) to
   every member of the candidate stories gives its nearest neighbours; the
   stories it has a neighbour in are re-clustered with it.  Most of the time
   it simply joins one story or starts its own; otherwise ``Assignment``
   says which articles moved and which stories are gone.
4. **Choose**: the lead of every changed story is recomputed
   (``digest.dedup.lead``).

Story ids are the id of the article that started the story (a regrouped
story keeps the id of the old story it holds most of), so the same input in
the same order always gives the same ids, whichever process runs it.
``explain`` asks the engine what it decides with: ``similarity``, ``nearest``,
``source_cosine`` and ``pair_link`` (``digest.dedup.regrouping``).

Cost and memory
---------------
* State is one object (``digest.dedup.state.EngineState``) of arrays
  (``digest.dedup.arrays``): articles are numbered; each keeps its interned
  term indices and weights in a pool (salient terms first), its copy
  shingles in another, its facts in numpy columns, never its text, and its
  8 nearest neighbours (48 bytes).  ``Engine`` decides over that state:
  proposing here; the copies and notices that add nothing in
  ``digest.dedup.silent`` and the regrouping in ``digest.dedup.regrouping``
  (plain functions of the state).
* Proposing is bounded: the in-memory index proposes at most the most
  recent ``BUCKET_CAP`` articles of a band, and at most ``MAX_CANDIDATES``
  stories (most bands first, then most recent) are compared, in one numpy
  gather, and at most ``Params.region`` articles are regrouped.  The copy
  lookup likewise checks the most recent ``BUCKET_CAP`` articles of each
  opening key, in the window only.  Templated near-identical entries
  therefore cost linear time, and nothing per article grows with the store.
* A story's lead is chosen when first asked for (``lead``, ``scores``), not
  on every change: a story that gains five versions in one batch, or a window
  of restored articles, chooses once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from . import regrouping
from .copies import sketch
from .cosines import cosines, member_cosines
from .doc import Assignment, Doc, title_key
from .fingerprint import Fingerprint, HeldAnalyses, IdfModel, cosine, fast_signature, salient
from .index import CandidateIndex, MemoryIndex
from .lead import VersionScore, pick, scores
from .lead_facts import rechoose, story_facts
from .params import FINGERPRINT_VERSION, MAX_CANDIDATES, SALIENT_TERMS, Params
from .silent import add_silent, adds_nothing, copies_of, notice_home
from .state import EngineState
from .terms import VOCAB

__all__ = ["MAX_CANDIDATES", "Assignment", "Doc", "Engine", "EngineState", "Params"]


class Engine:
    """Incremental story clustering over one ``EngineState``.  Not thread-safe: one engine per
    worker."""

    def __init__(self, params: Params | None = None, index: CandidateIndex | None = None) -> None:
        params = params or Params()
        #: Everything the engine knows (``digest.dedup.state``); the regrouping reads and
        #: writes it too.  The index proposes candidates; in memory unless one is given.
        self.state = EngineState(params, index or MemoryIndex(params.lsh_threshold))
        self._ahead = HeldAnalyses()  # the analyses ``expect`` made, until ``fingerprint`` takes them

    @property
    def params(self) -> Params:
        return self.state.params

    @property
    def idf(self) -> IdfModel:
        return self.state.idf

    @property
    def index(self) -> CandidateIndex:
        return self.state.index

    # -- what it holds -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.state.num)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.state.num

    def story_of(self, doc_id: str) -> str:
        s = self.state
        return s.sid(s.num[doc_id])

    def members(self, story_id: str) -> list[str]:
        ids = self.state.ids
        return [ids[m] for m in self.state.stories[story_id].members]

    def lead(self, story_id: str) -> str:
        s = self.state
        st = s.stories[story_id]
        if st.lead < 0:
            rechoose(s, st)
        return s.ids[st.lead]

    def scores(self, story_id: str) -> dict[str, VersionScore]:
        st = self.state.stories[story_id]
        if st.scores is None:
            f = story_facts(self.state, st)
            lead, raw, tied, best = pick(f)
            st.scores = scores(f, lead, raw, tied, best)
            st.lead = st.members[lead]
        return dict(st.scores)

    def stories(self) -> list[str]:
        return list(self.state.stories)

    def fingerprint_of(self, doc_id: str) -> Fingerprint:
        """A known article's fingerprint (terms, words, and the signature of its salient terms;
        for a restored article, salient under the current idf)."""
        s = self.state
        num = s.num[doc_id]
        idx, w = s.member_terms(num)
        if s.col.ranked[num]:
            top = np.arange(min(idx.size, SALIENT_TERMS))
        else:
            top = salient(idx, w, s.idf)
        ids = VOCAB.ids[idx]
        sig = fast_signature((ids[top] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        return Fingerprint(ids=ids, weights=w, signature=sig, words=int(s.col.words[num]), idx=idx)

    # -- what it decides with (``explain``) ------------------------------------------
    def similarity(self, a: str, b: str) -> float:
        """Cosine of two known articles under the current idf."""
        s = self.state
        ia, va = s.idf.vector_idx(*s.member_terms(s.num[a]))
        ib, vb = s.idf.vector_idx(*s.member_terms(s.num[b]))
        return cosine(dict(zip(ia.tolist(), va.tolist(), strict=True)), dict(zip(ib.tolist(), vb.tolist(), strict=True)))

    def pair_link(
        self, a: str, b: str, caps: dict[str, float] | None = None, factors: dict[str, float] | None = None
    ) -> tuple[float, float, float]:
        """Two known articles' shared-neighbour similarity, the cosine cap on it, and the link
        the regrouping uses (their minimum times the factors; ``caps`` and ``factors``: the
        ``pair_caps`` and ``pair_factors`` already read; ``digest.dedup.regrouping.pair_link``)."""
        return regrouping.pair_link(self.state, a, b, caps, factors)

    def pair_factors(self, a: str, b: str) -> dict[str, float]:
        """Each factor under 1 on two known articles' link (time, places), by name
        (``digest.dedup.regrouping.pair_factors``)."""
        return regrouping.pair_factors(self.state, a, b)

    def story_gap(self, a: str, b: str) -> float | None:
        """Seconds between one known article and the other's story, the less of the two ways
        (``digest.dedup.regrouping.story_gap``): over ``Params.window``, never compared."""
        return regrouping.story_gap(self.state, a, b)

    def pair_caps(self, a: str, b: str) -> dict[str, float]:
        """Each cap on two known articles' link that applies to them, by name
        (``digest.dedup.regrouping.pair_caps``)."""
        return regrouping.pair_caps(self.state, a, b)

    def source_cosine(self, a: str, b: str) -> tuple[float, np.ndarray] | None:
        """Two known articles of one source: the neighbour cosine the engine gives the later
        (numbered last) to the earlier, of their terms other than the source's own
        (``cosines.cosines``; ``digest.dedup.sourceterms``, counted as they are now), and
        those own terms (``VOCAB`` indices, none when the source has no template).  None for
        articles of two sources or of no source."""
        s = self.state
        old, new = sorted((s.num[a], s.num[b]))
        code = int(s.col.source[new])
        if code != int(s.col.source[old]) or not s.sources[code]:
            return None
        vidx, val = s.idf.vector_idx(*s.member_terms(new))
        own = s.own_terms(s.sources[code], vidx)
        return float(cosines(s, vidx, val, np.array([old], dtype=np.int32), own)[0]), own[1]

    def copy_state(self, doc_id: str) -> tuple[str | None, bool]:
        """A known article's copy group (the id of the article it is labelled by, None when it
        copies nothing) and whether it is a silent copy of the same text (``silent.add_silent``)."""
        s = self.state
        num = s.num[doc_id]
        label = int(s.col.group[num])
        return (s.ids[label] if label in s.groups else None), bool(s.col.silent[num])

    def fingerprint(self, doc: Doc) -> Fingerprint:
        """The article's terms, weights and signature.  A title its source gave an earlier
        article of the engine's (``EngineState.titles``: "Daily update", "Weather") is read as
        no title: it would join the source's unrelated items (``digest.dedup.doc.title_key``)."""
        title = doc.title
        if title and title_key(doc.source, title) in self.state.titles:
            title = ""
        idx, weights, words = self._ahead.take(doc.id, title, doc.text)  # made by ``expect``, or now
        ids = VOCAB.ids[idx]
        top = salient(idx, weights, self.state.idf)
        sig = fast_signature((ids[top] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        fp = Fingerprint(ids=ids, weights=weights, signature=sig, words=words, idx=idx)
        fp.top = top
        return fp

    def expect(self, docs: Iterable[Doc]) -> None:
        """Count the terms of articles about to be added, each under its source, before the
        first of them is compared: a poll's articles are read among all of it, so a new
        feed's first posts find its template (``digest.dedup.sourceterms``).  Each analysis is
        held for ``fingerprint`` (``HeldAnalyses``: the last call's only)."""
        s = self.state
        self._ahead.clear()
        s.source_terms.new_poll()
        for doc in docs:
            if doc.source and doc.id not in s.num:
                idx, _w, _n = self._ahead.hold(doc.id, doc.title, doc.text)
                s.source_terms.expect(s.code_of(doc.source), doc.id, idx, doc.title, doc.text)

    def stored_fingerprint(self, doc: Doc, blob: bytes) -> Fingerprint:
        """A stored article's fingerprint, for ``restore``: the stored one when it is of the
        current format (``FINGERPRINT_VERSION``), else made again from ``doc``'s title and text
        (salient terms under the current idf, as a restore in arrival order has it): one made
        under other weights is never mixed with this engine's own."""
        if Fingerprint.version_of(blob) == FINGERPRINT_VERSION:
            return Fingerprint.from_bytes(blob)
        return self.fingerprint(doc)

    def nearest(self, doc: Doc, fp: Fingerprint) -> list[tuple[str, float]]:
        """The articles that would be the article's neighbours, closest first, without adding
        it: what each new article costs before its neighbourhood is regrouped."""
        s = self.state
        vidx, val, _w = s.vector(fp)
        sts = [s.stories[sid] for sid in self._propose(doc, fp)]
        if not sts:
            return []
        members, sims = member_cosines(s, vidx, val, sts, s.own_terms(doc.source, vidx))
        ok = np.flatnonzero(sims >= s.params.neighbour_floor)
        best = ok[np.argsort(-sims[ok], kind="stable")][: s.params.neighbours]
        return [(s.ids[int(members[i])], float(sims[i])) for i in best]

    # -- proposing -------------------------------------------------------------------
    def _propose(self, doc: Doc, fp: Fingerprint) -> list[str]:
        """Candidate story ids: the ones most LSH bands point to first (then the most recent),
        at most ``MAX_CANDIDATES`` (templated entries that all resemble each other would
        otherwise make each article compare every story)."""
        s = self.state
        if s.fast:
            assert isinstance(s.index, MemoryIndex)
            nums = s.index.query_num(fp.signature)
        else:
            num = s.num
            nums = np.fromiter(
                (n for k in s.index.query(fp) if (n := num.get(k)) is not None), dtype=np.int64
            )
        if not nums.size:
            return []
        nums = nums[nums < s.col.size]
        snums, votes = np.unique(s.col.story[nums], return_counts=True)
        sc = s.scol
        ok = sc.alive[snums]
        ok &= s.open(snums, doc.published)  # stories quiet for longer than the window are closed
        snums, votes = snums[ok], votes[ok]
        best = np.lexsort((-sc.seq[snums], -votes))[:MAX_CANDIDATES]  # most votes, then most recent
        story_list = s.story_list
        return [st.id for i in snums[best].tolist() if (st := story_list[i]) is not None]

    # -- adding ----------------------------------------------------------------------
    def add(self, doc: Doc, fp: Fingerprint | None = None) -> Assignment:
        """Add one article; return the story it is in now (and what moved)."""
        s = self.state
        known = s.num.get(doc.id)
        if known is not None:
            sid = s.sid(known)
            return Assignment(doc.id, sid, False, touched=(sid,))
        if fp is None:
            fp = self.fingerprint(doc)
        idx = fp.vocab_idx()
        taken_back = notice_home(s, doc)
        if taken_back is not None:
            return add_silent(s, doc, fp, idx, [taken_back[0]], taken_back[1])
        sk = sketch(doc.text, doc.title)
        copies = copies_of(s, doc, sk, idx)
        home = adds_nothing(s, doc, fp, copies)
        if home is not None:
            return add_silent(s, doc, fp, idx, copies, home)
        s.idf.add_idx(idx)
        vidx, val, _w = s.vector(fp)
        cand = self._propose(doc, fp)
        for o in copies:
            if (sid := s.sid(o)) not in cand:
                cand.append(sid)
        num = s.new_num(doc, fp, idx, fp.weights, fp.top)
        for o in copies:
            s.union(num, o)
        s.remember_sketch(num, sk)
        near = regrouping.neighbour(s, num, vidx, val, [s.stories[sid] for sid in cand], copies)
        s.index_insert(num, fp)
        if not near:
            return regrouping.alone(s, num, doc)
        return regrouping.regroup(s, num, doc, near)

    # -- restoring and replaying -----------------------------------------------------
    def restore(self, doc: Doc, fp: Fingerprint, story_id: str) -> None:
        """Put back an article stored earlier, in its stored story (no re-clustering).

        ``doc.text`` is only read for the copy sketch (``digest.dedup.copies``); the
        engine does not keep it.  The story's lead is chosen when next asked for.
        """
        s = self.state
        if doc.id in s.num:
            return
        idx = fp.vocab_idx()
        story = s.stories.get(story_id) or s.new_story(story_id, doc.published)
        taken_back = notice_home(s, doc)  # as when it arrived: a silent copy of what it takes back
        if taken_back is not None and taken_back[1] is story:
            add_silent(s, doc, fp, idx, [taken_back[0]], story)
            return
        sk = sketch(doc.text, doc.title)
        matches = copies_of(s, doc, sk, idx)  # within the window, as when it arrived
        if adds_nothing(s, doc, fp, matches) is story:  # as when it arrived: a silent copy
            add_silent(s, doc, fp, idx, matches, story)
            return
        s.idf.add_idx(idx)
        num = s.new_num(doc, fp, idx, fp.weights)
        for other in matches:
            s.union(num, other)
        s.remember_sketch(num, sk)
        vidx, val, _w = s.vector(fp)
        # its neighbours, as when it arrived (the stored story stands: no regrouping)
        cands = [st for sid in self._propose(doc, fp) if (st := s.stories.get(sid)) is not None]
        if story not in cands and story.members:
            cands.append(story)
        regrouping.neighbour(s, num, vidx, val, cands, matches)
        s.attach(story, num, doc.published)
        s.index_insert(num, fp)
        story.lead, story.scores = -1, None

    def replay_merge(self, keep: str, drop: str) -> None:
        """Merge story ``drop`` into ``keep`` as another worker decided (no re-check)."""
        s = self.state
        a, b = s.stories.get(keep), s.stories.get(drop)
        if a is None or b is None or a is b:
            return
        s.absorb(a, b)
        a.seq = min(a.seq, b.seq)
        s.scol.sync(a)

    def replay_move(self, doc_id: str, story_id: str) -> None:
        """Move article ``doc_id`` to story ``story_id`` as another worker decided (no re-check)."""
        s = self.state
        num = s.num.get(doc_id)
        if num is None:
            return
        src = s.story_list[int(s.col.story[num])]
        if src is not None and src.id == story_id:
            return
        dst = s.stories.get(story_id) or s.new_story(story_id, None)
        s.rebuild(dst, sorted([*dst.members, num]))
        if src is not None:
            rest = [m for m in src.members if m != num]
            if rest:
                s.rebuild(src, rest)
            else:
                s.drop_story(src)
