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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .choose import Version, VersionScore, choose_lead
from .copies import CopyIndex, CopySketch, is_copy, sketch
from .fingerprint import Fingerprint, IdfModel, cosine, fingerprint, without_names
from .index import CandidateIndex, MemoryIndex


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


@dataclass(slots=True)
class _Member:
    doc: Doc
    fp: Fingerprint
    vec: dict[int, float]


@dataclass(slots=True)
class _Story:
    id: str
    members: list[str] = field(default_factory=list)
    centroid: dict[int, float] = field(default_factory=dict)
    words_centroid: dict[int, float] = field(default_factory=dict)
    first: float | None = None
    #: Arrival order of the article that started the story (merges keep the older).
    seq: int = 0
    lead: str = ""
    scores: dict[str, VersionScore] = field(default_factory=dict)

    def add_vec(self, vec: dict[int, float], words: dict[int, float]) -> None:
        for c, v in ((self.centroid, vec), (self.words_centroid, words)):
            for t, x in v.items():
                c[t] = c.get(t, 0.0) + x


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
        self._docs: dict[str, _Member] = {}
        #: Copy detection (``digest.copies``): opening keys -> articles, and each sketch.
        self.copies = CopyIndex()
        self._sketches: dict[str, CopySketch] = {}
        #: Copy groups (union-find parent links): articles that are copies of one text.
        self._copy_parent: dict[str, str] = {}
        self._story_of: dict[str, str] = {}
        self._stories: dict[str, _Story] = {}
        self._seq = 0
        self._copy_matches: list[str] = []

    # -- queries ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def story_of(self, doc_id: str) -> str:
        return self._story_of[doc_id]

    def members(self, story_id: str) -> list[str]:
        return list(self._stories[story_id].members)

    def lead(self, story_id: str) -> str:
        return self._stories[story_id].lead

    def scores(self, story_id: str) -> dict[str, VersionScore]:
        return dict(self._stories[story_id].scores)

    def stories(self) -> list[str]:
        return list(self._stories)

    def fingerprint_of(self, doc_id: str) -> Fingerprint:
        return self._docs[doc_id].fp

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two known articles under the current idf."""
        va = self.idf.vector(self._docs[a].fp.terms)
        vb = self.idf.vector(self._docs[b].fp.terms)
        return cosine(va, vb)

    # -- the pipeline ----------------------------------------------------
    def fingerprint(self, doc: Doc) -> Fingerprint:
        return fingerprint(doc.title, doc.text, self.idf)

    def candidates(self, doc: Doc, fp: Fingerprint) -> list[Candidate]:
        """Propose (LSH) then verify (average similarity) candidate stories."""
        vec = self.idf.vector(fp.terms)
        return self._verify(doc, vec, self._propose(doc, fp))

    def _propose(self, doc: Doc, fp: Fingerprint) -> set[str]:
        found = set()
        for other in self.index.query(fp):
            sid = self._story_of.get(other)
            if sid is not None:
                found.add(sid)
        window = self.params.window
        if doc.published is not None:
            found = {
                s
                for s in found
                if (first := self._stories[s].first) is None or abs(doc.published - first) <= window
            }
        return found

    def _copy_stories(self, doc: Doc, sk: CopySketch) -> list[str]:
        """Stories holding an article this one copies (or that copies it), best first."""
        best: dict[str, int] = {}
        self._copy_matches = []
        for other in self.copies.query(sk):
            sid = self._story_of.get(other)
            osk = self._sketches.get(other)
            if sid is None or osk is None or not self._in_window(doc, sid):
                continue
            if is_copy(sk, osk):
                best[sid] = max(best.get(sid, 0), len(osk))
                self._copy_matches.append(other)
        return sorted(best, key=lambda s: (-best[s], self._stories[s].seq))

    def _root(self, doc_id: str) -> str:
        parent = self._copy_parent
        while (up := parent.get(doc_id, doc_id)) != doc_id:
            parent[doc_id] = parent.get(up, up)
            doc_id = up
        return doc_id

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra != rb:
            self._copy_parent[ra] = rb
            self._copy_parent.setdefault(rb, rb)

    def _in_window(self, doc: Doc, sid: str) -> bool:
        first = self._stories[sid].first
        return doc.published is None or first is None or abs(doc.published - first) <= self.params.window

    def _verify(self, doc: Doc, vec: dict[int, float], story_ids: Iterable[str]) -> list[Candidate]:
        out = []
        words = without_names(vec)
        p = self.params
        for sid in story_ids:
            st = self._stories[sid]
            n = len(st.members)
            sim = cosine(vec, st.centroid) / n
            wsim = cosine(words, st.words_centroid) / n if sim >= p.join else 0.0
            ok = sim >= p.join and wsim >= p.join_words
            if ok and p.cohesion > 0 and n > 1:
                inner = (cosine(st.centroid, st.centroid) - n) / (n * (n - 1))
                ok = sim >= p.cohesion * inner
            out.append(Candidate(sid, sim, wsim, ok))
        out.sort(key=lambda c: (-c.similarity, c.story_id))
        return out

    def add(self, doc: Doc, fp: Fingerprint | None = None) -> Assignment:
        """Add one article; return the story it is in now."""
        if doc.id in self._docs:
            sid = self._story_of[doc.id]
            return Assignment(doc.id, sid, False, self._stories[sid].lead, False)
        if fp is None:
            fp = self.fingerprint(doc)
        self.idf.add(fp.terms)
        vec = self.idf.vector(fp.terms)
        sk = sketch(doc.text, doc.title)
        copied = self._copy_stories(doc, sk)
        for match in self._copy_matches:
            self._union(doc.id, match)
        cands = [c for c in self._verify(doc, vec, self._propose(doc, fp)) if c.joined]
        new = not cands and not copied
        self._seq += 1
        if new:
            story = _Story(doc.id, first=doc.published, seq=self._seq)
        else:
            story = self._stories[copied[0] if copied else cands[0].story_id]
        if new:
            self._stories[doc.id] = story
        self._attach(story, doc, fp, vec)
        self._sketches[doc.id] = sk
        self.copies.add(doc.id, sk)
        merged: list[str] = []
        for sid in copied[1:]:  # the article copies members of several stories: one story
            old_id = story.id
            other = self._stories.get(sid)
            if other is None or other is story:
                continue
            story = self._merge(story, other)
            merged.append(sid if story.id != sid else old_id)
        for c in cands:  # the primary story is skipped below
            old_id = story.id
            other = self._stories.get(c.story_id)
            if other is None or other is story:
                continue
            pairs = len(story.members) * len(other.members)
            link = cosine(story.centroid, other.centroid) / pairs
            wlink = cosine(story.words_centroid, other.words_centroid) / pairs
            if link >= self.params.merge and wlink >= self.params.join_words:
                story = self._merge(story, other)
                merged.append(c.story_id if story.id != c.story_id else old_id)
        old_lead = story.lead
        self._rechoose(story)
        return Assignment(
            doc.id, story.id, new, story.lead, story.lead != old_lead, tuple(merged)
        )

    def restore(self, doc: Doc, fp: Fingerprint, story_id: str) -> None:
        """Put back an article stored earlier, in its stored story (no re-clustering).

        ``doc.text`` is only read for the copy sketch (``digest.copies``); the
        engine does not keep it.
        """
        if doc.id in self._docs:
            return
        self.idf.add(fp.terms)
        story = self._stories.get(story_id)
        if story is None:
            self._seq += 1
            story = self._stories[story_id] = _Story(story_id, first=doc.published, seq=self._seq)
        sk = sketch(doc.text, doc.title)
        for other in self.copies.query(sk):
            osk = self._sketches.get(other)
            if osk is not None and is_copy(sk, osk):
                self._union(doc.id, other)
        self._sketches[doc.id] = sk
        self.copies.add(doc.id, sk)
        self._attach(story, replace(doc, text=""), fp, self.idf.vector(fp.terms))
        self._rechoose(story)

    def expire(self, before: float) -> list[str]:
        """Forget stories whose first article is older than ``before`` (epoch s)."""
        gone = [s for s in self._stories.values() if s.first is not None and s.first < before]
        for st in gone:
            for m in st.members:
                member = self._docs.pop(m)
                self._story_of.pop(m, None)
                self.index.remove(m)
                sk = self._sketches.pop(m, None)
                if sk is not None:
                    self.copies.remove(m, sk)
                self.idf.remove(member.fp.terms)
            del self._stories[st.id]
        return [s.id for s in gone]

    # -- internals -------------------------------------------------------
    def _attach(self, story: _Story, doc: Doc, fp: Fingerprint, vec: dict[int, float]) -> None:
        self._docs[doc.id] = _Member(doc, fp, vec)
        self._story_of[doc.id] = story.id
        story.members.append(doc.id)
        story.add_vec(vec, without_names(vec))
        if doc.published is not None and (story.first is None or doc.published < story.first):
            story.first = doc.published
        if fp.terms:
            self.index.insert(doc.id, fp)

    def _merge(self, a: _Story, b: _Story) -> _Story:
        keep, drop = (a, b) if a.seq <= b.seq else (b, a)
        for m in drop.members:
            self._story_of[m] = keep.id
        keep.members.extend(drop.members)
        keep.add_vec(drop.centroid, drop.words_centroid)
        if drop.first is not None and (keep.first is None or drop.first < keep.first):
            keep.first = drop.first
        del self._stories[drop.id]
        return keep

    def _rechoose(self, story: _Story) -> None:
        versions = [
            Version(
                id=m,
                source=self._docs[m].doc.source,
                terms=self._docs[m].fp.terms,
                words=self._docs[m].fp.words,
                truncated=self._docs[m].doc.truncated,
                priority=self._docs[m].doc.priority,
                published=self._docs[m].doc.published,
                copies=self._root(m) if m in self._copy_parent else None,
                junk=self._docs[m].doc.junk,
            )
            for m in story.members
        ]
        lead, scores = choose_lead(versions, self.idf)
        story.lead = lead
        story.scores = scores
