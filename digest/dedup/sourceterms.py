"""A source's own words: the terms in most of one source's articles, no evidence between them.  Pure.

Observations
------------
* A site's template repeats in every post: labels inside the paragraph ("Developer: ...
  Language: English Status: Free Description: ..."), a size line, a closing "Discuss it
  here".  A line of its own is removed by the cleaner when it recurs in the source
  (``text.clean``, "recurs in source"); inside a paragraph it stays, and its words, written
  capitalised mid-sentence, weigh as names (``NAME_WEIGHT``).  In a young store the posts of
  such a feed are each other's nearest articles: 8 of the 15 posts of a real apps blog
  (``benchmarks.feed_merges``) were one story, and a written feed of 7 such posts one story
  of 7 (``tests/test_source_template.py``).
* Between two articles of one source, a term that most of its articles hold says only that
  the source wrote both; against another source's article it is as good as any other word
  (an apps blog's "Developer" is nobody else's template).
* A small source that is mostly one developing story (a local paper in the week of a fire
  near its town, a topic's feed) holds that story's names in half its articles too, and its
  follow-ups were stories of their own: of ECB+ dev events told by one source of 4-12
  articles, 4-6 of them the event's, 49% ended in one story (82% with no own words;
  ``benchmarks.one_source``).  What tells the two apart is the headline: a story's names are
  in its headlines; a template's words are in the body, or in a label its titles repeat
  ("Apps for the Zen X1: <app>", "<headline> | Valley Wire").

How it works
------------
Each source's latest ``Params.source_recent`` articles (those the engine holds, and those of the poll it is told of ahead,
:meth:`SourceTerms.expect`) are counted per term, once per article, a word written as a
name and as a word as one term (a headline in Title Case writes the template's words as
words, another as names).  A term of the new article held by at least
``Params.source_share`` of its source's articles, and by at least ``Params.source_least`` of
them, is the source's own (:meth:`SourceTerms.own`), unless ``Params.source_titled`` or more of the
source's counted titles name it in a part no other of its titles repeats (:func:`title_parts`:
a title cut at ``:``, ``|``, a spaced hyphen and dashes, ``：｜【】`` too; a part of two or more titles is a label
or the site's name, and names nothing).  The new article and an article of the
same source are compared by their other terms: the cosine of what is left of the two vectors
(``cosines.cosines``, ``cosines.rest_scale``), each rest counted as at least
``Params.source_rest`` of its article's squared mass (a templated post's rest is a few
words, alike by chance).  Against another source's article nothing changes.

Measured: the seeds folder read as one source (five rewrites of one event, every name in
all five) keeps 0.29-0.70 of each article's mass outside its own words, and the rewrites'
rests are alike (cosine of rests 0.10-0.53): one story, as before.  The written apps feed's
posts keep 0.01-0.19, their rests share nothing (0.00-0.01): seven stories.

Special cases
-------------
* ``digest explain`` of two articles of one source shows their cosine without the source's
  own words (``Engine.source_cosine``) and names a few of them as the text writes them
  (:func:`written`).
* Articles of no source (``Doc.source`` ""), a batch's records without one, have no own
  words: they are not one source.
* A poll's articles are counted before the first of them is compared (``App.ingest`` tells
  the engine of them ahead): a new feed's first posts are read among all of it, as its
  recurring lines are.  Each is analysed once: its fingerprint takes the analysis made to
  count it (``fingerprint.HeldAnalyses``).  ``digest dedupe`` reads records one at a time: a source's first
  articles are compared before its template is known.
* Articles restored at an engine's rebuild are counted as they are restored.
* A title made of the text's opening (an entry with none: a microblog's post) is no headline
  and names nothing (:func:`made_of_text`): a body that opens with a template put its words in
  every such title, and a title-less feed of one template was one story.
* A developing story that most of a small source's articles are about is not its own when
  its headlines name it (``tests/fixtures/templated/fire.xml``: five of seven items, one
  story).  Under a label its titles repeat ("Harbour fire: ..."), the label's words name
  nothing, and where its names are in half the source's articles they are its own for the
  time: its updates join each other through their other words and other sources' reports.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import TypeVar

import numpy as np

from .terms import _SENT_END, PLAIN, VOCAB, _tokens, plain_term, term_id

_K = TypeVar("_K", int, str)

#: Where a title's parts meet: a section label or a site's name is cut off so ("Programs for
#: Nokia 5800: Talkonaut v.5.51", "Quake toll rises | Valley Wire", "Fire - updates"); in
#: Chinese and Japanese titles the full-width colon and bar, and the lenticular brackets of a
#: label ("大雨警報｜アルダー新聞", "【速報】…"): cut at ASCII marks only, such a title was one
#: part, its site's name in no part two titles repeat, and named by all of them.
_TITLE_CUT = re.compile(r"\s*(?:[:|\u2013\u2014\uff1a\uff5c\u3010\u3011]|\s-\s)\s*")


def _word_terms(text: str) -> Iterator[tuple[str, int]]:
    """Each word token of ``text`` that has a term, with that term's id as a plain word (a name
    and the same word are one term, ``PLAIN``): tokens read as ``terms._weighted_terms`` reads
    them, so the ids are those of the article's vector (``VOCAB.ids & PLAIN``)."""
    for tok in _tokens(text):
        if tok not in _SENT_END and (term := plain_term(tok)) is not None:
            yield tok, term_id(term)


def made_of_text(title: str, text: str) -> bool:
    """Whether ``title`` is ``text``'s opening (whitespace aside; less a closing " …"): the
    heading of an entry that had none (a microblog's post, a podcast's episode:
    ``digest.text.prepare.title_of_text``), no headline.  A body that opens with a template
    ("PhotoTrim v.2.1.0 Reduced to 50% ...") put its words in every such title, in no part two
    titles repeat: the titles named them, they were no longer the source's own, and a
    title-less feed of one template was one story."""
    head = " ".join(title.split()).removesuffix(" …").removesuffix("…").rstrip()
    if not head:
        return False
    opening = " ".join(text[: 4 * len(title) + 256].split())  # an opening's worth: texts are long
    return opening.startswith(head)


def title_parts(title: str) -> list[tuple[str, list[int]]]:
    """``title``'s parts (cut at ``:``, ``|``, a spaced hyphen, dashes, their full-width forms
    and ``【】``), each as its words
    lowercased (the part's key) and its terms (as a name or not, one term)."""
    parts = []
    for part in _TITLE_CUT.split(" ".join(title.split())):  # spaces collapsed first: no run to rescan
        key = part.lower()
        if key:
            parts.append((key, sorted({tid for _tok, tid in _word_terms(part)})))
    return parts


class SourceTerms:
    """Per source (by its code): how many of its latest ``recent`` articles hold each term, and
    how many of their titles name it outside the labels its titles repeat."""

    def __init__(self, recent: int) -> None:
        #: articles of each source counted at most (its latest): the counts stay bounded
        self._recent = max(1, recent)
        self._terms: dict[int, Counter[int]] = {}
        #: each source's counted articles' terms and title parts, oldest first
        self._held: dict[int, deque[tuple[list[int], list[tuple[str, list[int]]]]]] = {}
        self._parts: dict[int, Counter[str]] = {}  # how many of a source's titles hold each part
        self._titled: dict[int, Counter[int]] = {}  # terms of its titles' unrepeated parts (made when asked)
        self._ahead: set[str] = set()  # articles counted ahead (``expect``), not yet added

    def new_poll(self) -> None:
        """Forget which articles were counted ahead: a poll's article counted and then not
        added (already taken) stayed in the set for the engine's life, one id each; its terms
        stay counted among the source's latest (they were the poll's), and counted again if it
        comes back in a later poll, once more in a window of ``Params.source_recent``."""
        self._ahead.clear()

    def count(self, code: int, doc_id: str, idx: np.ndarray, title: str = "", text: str = "") -> None:
        """Count an added article's terms (vocabulary indices) and title (none where it is
        ``text``'s opening: :func:`made_of_text`), unless counted ahead."""
        if doc_id in self._ahead:
            self._ahead.discard(doc_id)
            return
        self._add(code, idx, title, text)

    def expect(self, code: int, doc_id: str, idx: Iterable[int] | np.ndarray, title: str = "", text: str = "") -> None:
        """Count an article about to be added (once: :meth:`count` will not count it again)."""
        if doc_id in self._ahead:
            return
        self._ahead.add(doc_id)
        self._add(code, np.asarray(idx), title, text)

    def _add(self, code: int, idx: np.ndarray, title: str, text: str) -> None:
        c = self._terms.get(code)
        if c is None:
            c = self._terms[code] = Counter()
            self._held[code] = deque()
            self._parts[code] = Counter()
        held, parts = self._held[code], self._parts[code]
        terms = np.unique(VOCAB.ids[idx] & PLAIN).tolist()  # a word as a name and not, one term
        named = [] if made_of_text(title, text) else title_parts(title)
        c.update(terms)
        parts.update({key for key, _ in named})
        held.append((terms, named))
        self._titled.pop(code, None)
        if len(held) > self._recent:  # the oldest leaves the count
            old_terms, old_named = held.popleft()
            _forget(c, old_terms)
            _forget(parts, {key for key, _ in old_named})

    def _titled_terms(self, code: int) -> Counter[int]:
        """How many of source ``code``'s counted titles name each term in a part no other of
        its titles repeats (a label, a site's name: a part of two or more titles, is left out)."""
        got = self._titled.get(code)
        if got is None:
            parts = self._parts.get(code, Counter())
            got = self._titled[code] = Counter()
            for _terms, named in self._held.get(code, ()):
                got.update({t for key, ts in named if parts[key] < 2 for t in ts})
        return got

    def own(self, code: int, vidx: np.ndarray, share: float, least: int, titled: int = 0) -> np.ndarray:
        """The terms of ``vidx`` that are source ``code``'s own: held by at least ``share`` of
        its articles and by at least ``least`` of them (an empty array when none), and named by
        fewer than ``titled`` of its titles outside their repeated parts (0: however many): a
        story the source keeps telling names its people and places in its headlines, a
        template's words stay in the body or in a repeated label."""
        c = self._terms.get(code)
        n = len(self._held[code]) if c is not None else 0
        if c is None or n < least or share <= 0:
            return np.zeros(0, dtype=vidx.dtype)
        floor = max(float(least), share * n)
        plain = (VOCAB.ids[vidx] & PLAIN).tolist()
        held = np.fromiter((c.get(t, 0) for t in plain), dtype=np.int64, count=vidx.size)
        mine = held >= floor
        if titled > 0 and mine.any():
            tc = self._titled_terms(code)
            mine &= np.fromiter((tc.get(t, 0) < titled for t in plain), dtype=bool, count=vidx.size)
        return vidx[mine]

    def held_terms(self, code: int) -> int:
        """How many distinct terms source ``code``'s counts hold (its share of the memory)."""
        return len(self._terms.get(code, ()))


def _forget(counts: Counter[_K], keys: Iterable[_K]) -> None:
    """One fewer of each of ``keys`` in ``counts`` (a count that reaches 0 is removed)."""
    for k in keys:
        left = counts[k] - 1
        if left:
            counts[k] = left
        else:
            del counts[k]


def written(terms: np.ndarray, title: str, text: str, limit: int) -> list[str]:
    """The first ``limit`` words of ``title`` and ``text`` whose term is among ``terms``
    (``VOCAB`` indices, as a name or not), each once, as first written ("Developer" for the
    term "developer"), in order of first occurrence; tokens read as ``_weighted_terms`` reads
    them.  What a reader recognises of a source's own words."""
    wanted = set((VOCAB.ids[terms] & PLAIN).tolist())
    out: list[str] = []
    seen: set[int] = set()
    for tok, tid in _word_terms(f"{title}\n{text}"):
        if len(out) >= limit:
            break
        if tid in wanted and tid not in seen:
            seen.add(tid)
            out.append(tok)
    return out
