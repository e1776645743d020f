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
   (``names_shared``: a wire template repeats every word but the names), is
   that member's neighbour whatever the cosine says, and copies of one text
   are never parted.  Copies form a copy group, which the lead choice uses
   (the cleaner of two full copies leads).  A copy of the *same text* as one
   of them (cosine ``SAME_TEXT``; ``PADDED_TEXT`` when it is no shorter: the
   same text with site lines around it), or a truncated summary of a known
   text, adds nothing: it is silent (``_add_silent``), joins their story and
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
``explain`` asks the engine what it decides with: ``similarity``, ``nearest``
and ``pair_link`` (``digest.dedup.regrouping``).

Cost and memory
---------------
* State is arrays (``digest.dedup.arrays``): articles are numbered; each
  keeps its interned term indices and weights in a pool (salient terms
  first), its copy shingles in another, its facts in numpy columns, never
  its text (``digest.dedup.core``).  Each keeps its 8 nearest neighbours
  (48 bytes).
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

import numpy as np

from .arrays import Story
from .copies import CopySketch, is_copy, sketch
from .core import EngineCore, Params
from .doc import Assignment, Doc
from .fingerprint import Fingerprint, cosine, fast_signature, salient
from .index import MemoryIndex
from .params import (
    BUCKET_CAP,
    COPY_NAMES,
    COPY_NAMES_MIN,
    FINGERPRINT_VERSION,
    MAX_CANDIDATES,
    PADDED_TEXT,
    SAME_LENGTH,
    SAME_TEXT,
)
from .regrouping import Regrouping
from .terms import PLAIN, VOCAB, analyse

__all__ = ["MAX_CANDIDATES", "Assignment", "Doc", "Engine", "EngineCore", "Params"]


def names_shared(a: np.ndarray, b: np.ndarray) -> float:
    """How far the shorter of two articles (term lists, ``VOCAB`` indices) names what the
    longer one does: the share of its names found among the longer one's words, a name and
    the same plain word counting as one (reflow moves names to line starts).  1.0 when the
    shorter one names fewer than ``COPY_NAMES_MIN`` things (a summary's few names may be a
    site's own).

    A copy, or a summary, carries its original's names; a templated report of another event
    carries the same words around other names, which the copy test on word sequences alone
    would take for a copy.
    """
    short, long = (a, b) if a.size <= b.size else (b, a)
    ids = VOCAB.ids
    names = set((ids[short[VOCAB.is_name[short]]] & PLAIN).tolist())
    if len(names) < COPY_NAMES_MIN:
        return 1.0
    return len(names.intersection((ids[long] & PLAIN).tolist())) / len(names)


def is_named_copy(sk: CopySketch, other: CopySketch, idx: np.ndarray, other_idx: np.ndarray) -> bool:
    """The copy test: the same word sequence (or its opening, ``digest.dedup.copies``) naming the
    same things (``names_shared`` of the term lists ``idx``, ``other_idx``)."""
    return is_copy(sk, other) and names_shared(idx, other_idx) >= COPY_NAMES


class Engine(Regrouping):
    """Incremental story clustering.  Not thread-safe: one engine per worker."""

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two known articles under the current idf."""
        ia, va = self.idf.vector_idx(*self._member_terms(self._num[a]))
        ib, vb = self.idf.vector_idx(*self._member_terms(self._num[b]))
        return cosine(dict(zip(ia.tolist(), va.tolist(), strict=True)), dict(zip(ib.tolist(), vb.tolist(), strict=True)))

    def copy_state(self, doc_id: str) -> tuple[str | None, bool]:
        """A known article's copy group (the id of the article it is labelled by, None when it
        copies nothing) and whether it is a silent copy of the same text (``_add_silent``)."""
        num = self._num[doc_id]
        label = int(self._col.group[num])
        return (self._ids[label] if label in self._groups else None), bool(self._col.silent[num])

    def fingerprint(self, doc: Doc) -> Fingerprint:
        idx, weights, words = analyse(doc.title, doc.text)
        ids = VOCAB.ids[idx]
        top = salient(idx, weights, self.idf)
        sig = fast_signature((ids[top] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        fp = Fingerprint(ids=ids, weights=weights, signature=sig, words=words, idx=idx)
        fp.top = top
        return fp

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
        vidx, val, _w = self._vector(fp)
        sts = [self._stories[s] for s in self._propose(doc, fp)]
        if not sts:
            return []
        members, sims = self._member_cosines(vidx, val, sts)
        ok = np.flatnonzero(sims >= self.params.neighbour_floor)
        best = ok[np.argsort(-sims[ok], kind="stable")][: self.params.neighbours]
        return [(self._ids[int(members[i])], float(sims[i])) for i in best]

    def _vector(self, fp: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The article's unit tf-idf vector (indices, values), and its words vector (aligned)."""
        idx, val = self.idf.vector_idx(fp.vocab_idx(), fp.weights)
        wval = np.where(VOCAB.is_name[idx], 0.0, val)
        norm = float(np.sqrt(wval @ wval)) or 1.0
        return idx, val, wval / norm

    def _propose(self, doc: Doc, fp: Fingerprint) -> list[str]:
        """Candidate story ids: the ones most LSH bands point to first (then the most recent),
        at most ``MAX_CANDIDATES`` (templated entries that all resemble each other would
        otherwise make each article compare every story)."""
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
        ok &= self._open(snums, doc.published)  # stories quiet for longer than the window are closed
        snums, votes = snums[ok], votes[ok]
        best = np.lexsort((-sc.seq[snums], -votes))[:MAX_CANDIDATES]  # most votes, then most recent
        story_list = self._story_list
        return [st.id for i in snums[best].tolist() if (st := story_list[i]) is not None]

    def _copies_of(self, doc: Doc, sk: CopySketch, idx: np.ndarray) -> list[int]:
        """Known articles this one copies (or that copy it): the same word sequence
        (``digest.dedup.copies``) naming the same things (``names_shared``); within the window."""
        if not sk.keys:
            return []
        found = np.unique(self._copy_keys.query(np.array(sk.keys, dtype=np.uint64), BUCKET_CAP))
        if found.size:  # stories quiet for longer than the window are closed
            found = found[self._open(self._col.story[found], doc.published)]
        out = []
        for other in found.tolist():
            osk = self._sketch_of(other)
            if osk is None:
                continue
            if is_named_copy(sk, osk, idx, self._member_terms(other)[0]):
                out.append(other)
        return out

    def add(self, doc: Doc, fp: Fingerprint | None = None) -> Assignment:
        """Add one article; return the story it is in now (and what moved)."""
        known = self._num.get(doc.id)
        if known is not None:
            sid = self._sid(known)
            return Assignment(doc.id, sid, False, touched=(sid,))
        if fp is None:
            fp = self.fingerprint(doc)
        idx = fp.vocab_idx()
        sk = sketch(doc.text, doc.title)
        copies = self._copies_of(doc, sk, idx)
        home = self._adds_nothing(doc, fp, copies)
        if home is not None:
            return self._add_silent(doc, fp, idx, copies, home)
        self.idf.add_idx(idx)
        vidx, val, _w = self._vector(fp)
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
            return self._alone(num, doc)
        return self._regroup(num, doc, near)

    def _adds_nothing(self, doc: Doc, fp: Fingerprint, copies: list[int]) -> Story | None:
        """The story of the copies found, when the article adds nothing to them and they are
        all in that story; else None.  It adds nothing when it is the same text as one of them
        (cosine at least ``SAME_TEXT`` under the current idf and not over ``SAME_LENGTH`` times
        as long: a clean version a paragraph longer adds that paragraph, whatever the cosine),
        or the same text with site lines the cleaner left around it (``PADDED_TEXT``, when it
        carries site junk, ``Doc.junk``, and is no shorter than the longest full copy), or a
        truncated summary (``Doc.truncated``) no longer than the longest: the opening of a
        text already known.  A version with other sentences, an update from a clean page, or
        an untruncated shorter one keeps its own place in the clustering."""
        if not copies:
            return None
        story = self._col.story[copies]
        if (story != story[0]).any():
            return None
        home = self._story_list[int(story[0])]
        if doc.truncated and fp.words <= int(self._col.words[copies].max()):
            return home
        vidx, val, _w = self._vector(fp)
        nums = np.array(copies, dtype=np.int32)
        sims = self._cosines(vidx, val, nums)
        if float(sims.max()) >= SAME_TEXT and fp.words <= SAME_LENGTH * int(self._col.words[nums].max()):
            return home
        # padded: the cleaner found site junk in it, and it is no shorter than the full copies
        # (a copy that is cut, a feed summary, is an opening: the text after it adds something)
        full = ~self._col.truncated[nums]
        if doc.junk > 0 and full.any() and fp.words >= int(self._col.words[nums[full]].max()):
            return home if float(sims[full].max()) >= PADDED_TEXT else None
        return None

    def _add_silent(
        self, doc: Doc, fp: Fingerprint, idx: np.ndarray, copies: list[int], story: Story
    ) -> Assignment:
        """A copy that adds nothing joins its copies' story and their copy group, and nothing
        else: it is not indexed, counts in no document frequency, is nobody's neighbour and is
        clustered with its copy group, and it is not in the copy lookup.  However many outlets
        carry one text, the stories around it are grouped as if one did (and each further copy
        costs only its copy test and one cosine)."""
        num = self._new_num(doc, fp, idx, fp.weights, fp.top)
        self._col.silent[num] = True
        for o in copies:
            self._union(num, o)
        # no copy keys: later copies find the text it copies (so more than ``BUCKET_CAP``
        # copies do not crowd the one they copy out of the lookup)
        self._nb.set(num, np.zeros(0, np.int32), np.zeros(0, np.float32))
        self._attach(story, num, doc.published)
        return Assignment(doc.id, story.id, False, touched=(story.id,))

    def restore(self, doc: Doc, fp: Fingerprint, story_id: str) -> None:
        """Put back an article stored earlier, in its stored story (no re-clustering).

        ``doc.text`` is only read for the copy sketch (``digest.dedup.copies``); the
        engine does not keep it.  The story's lead is chosen when next asked for.
        """
        if doc.id in self._num:
            return
        idx = fp.vocab_idx()
        story = self._stories.get(story_id) or self._new_story(story_id, doc.published)
        sk = sketch(doc.text, doc.title)
        matches = self._copies_of(doc, sk, idx)  # within the window, as when it arrived
        if self._adds_nothing(doc, fp, matches) is story:  # as when it arrived: a silent copy
            self._add_silent(doc, fp, idx, matches, story)
            return
        self.idf.add_idx(idx)
        num = self._new_num(doc, fp, idx, fp.weights)
        for other in matches:
            self._union(num, other)
        self._remember_sketch(num, sk)
        vidx, val, _w = self._vector(fp)
        # its neighbours, as when it arrived (the stored story stands: no regrouping)
        cands = [st for s in self._propose(doc, fp) if (st := self._stories.get(s)) is not None]
        if story not in cands and story.members:
            cands.append(story)
        self._neighbour(num, vidx, val, cands, matches)
        self._attach(story, num, doc.published)
        self._index_insert(num, fp)
        story.lead, story.scores = -1, None

    def replay_merge(self, keep: str, drop: str) -> None:
        """Merge story ``drop`` into ``keep`` as another worker decided (no re-check)."""
        a, b = self._stories.get(keep), self._stories.get(drop)
        if a is None or b is None or a is b:
            return
        self._absorb(a, b)
        a.seq = min(a.seq, b.seq)
        self._scol.sync(a)

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
                self._drop_story(src)
