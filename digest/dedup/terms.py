"""Terms: clean text in, weighted term indices out, fast.  Pure.

Observations
------------
* The per-token work of the definition (``_weighted_terms``: case folding,
  quotes, possessive, stopwords, stemming, term ids) depends on the token
  alone; only the name decision needs context (sentence start, headline case).
* No token spans whitespace, and the only whitespace that is a token is the
  line break; chunks of text between spaces repeat far more than they vary.

How it works
------------
* ``term_weights`` / ``_weighted_terms`` are the definition (names keyed
  ``"@"``), one token at a time.
* :func:`analyse` gives the same terms as arrays: the text is split on
  whitespace, each distinct chunk is tokenised once into rows of a token
  table (``_TokenTable``: per distinct token its class, term index, name
  term index, case), and the name decision is made on whole arrays.
* The lede (``lede``: the first ``LEDE_SENTENCES`` sentences of a longer text)
  weighs like the title.  On ECB+ dev the two events of a topic share their
  background (the same clinic, the same kind of quake) and differ in what the
  opening says happened.
* Other scripts (``digest.text.scripts``): a word keeps its combining marks (Hindi's vowel
  signs), and Chinese, Japanese and Thai-like runs, written without spaces between words,
  are read as character n-grams (a clause was one term); each n-gram counts for its share
  of a word.  Text without such characters gives the terms it gave before.
* Terms are interned in ``VOCAB`` (term id -> dense index, with the term's
  background prior and name flag as arrays), shared by every engine of the
  process.

Special cases
-------------
* The caches are bounded (``TABLE_LIMIT`` distinct tokens, ``CHUNK_LIMIT``
  distinct chunks) and start over when full; a text containing the
  private-use line-break marker is tokenised the plain way.
* A word's name term (``NAME_BIT``) enters ``VOCAB`` only when the word is
  first written as a name (``_TokenTable.intern_names``).
* News brings new names and numbers every day, so a process-wide vocabulary
  only grows.  It starts afresh (:func:`renew_vocabulary`, called when an
  idf model, hence an engine, is made) once it holds over ``VOCAB_RENEW``
  terms and nothing holding its indices is alive: the daily engine rebuild
  of a long-lived daemon then interns only the articles it restores.  Each
  renewal is a new ``Vocab.generation``; a fingerprint made before one finds
  its indices again (``Fingerprint.vocab_idx``).
"""

from __future__ import annotations

import gc
import hashlib
import re
import weakref
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from ..text.scripts import MARKS, grams, has_no_space_script, word_share
from ..text.sentences import sentence_ends
from ..text.words import STOPWORDS
from .params import (
    HEADLINE_CAPS,
    HEADLINE_WORDS,
    LEDE_SENTENCES,
    LEDE_WEIGHT,
    NAME_WEIGHT,
    TITLE_WEIGHT,
    VOCAB_RENEW,
)
from .prior_table import doc_probabilities


def lede(text: str) -> tuple[str, str]:
    """(lede, rest) of a text: its first ``LEDE_SENTENCES`` sentences and the rest, or
    ``("", text)`` when it has no more sentences than that (a summary is all lede: none of it
    stands out)."""
    for found, end in enumerate(sentence_ends(text), 1):
        if found == LEDE_SENTENCES:
            return text[:end], text[end:]
    return "", text


#: A word (its combining marks in it: "हिन्दी"), a number, or a sentence end.
_TOKEN = re.compile(rf"[^\W\d_][\w'’\-{MARKS}]*|\d[\d,.:]*\d|\d|[.!?;:\n]")
_SENT_END = frozenset(".!?;:\n")


def _tokens(text: str) -> list[str]:
    """The tokens of ``text``; a word holding Chinese, Japanese or Thai-like script is its
    runs' character n-grams (``digest.text.scripts.grams``) with the letters between them.
    Text without such script is read by ``_TOKEN`` alone."""
    found = _TOKEN.findall(text)
    if not has_no_space_script(text):
        return found
    out: list[str] = []
    for tok in found:
        if not has_no_space_script(tok):
            out.append(tok)
            continue
        for piece, n in grams(tok):
            out.extend([piece] if n else _TOKEN.findall(piece))
    return out


@lru_cache(maxsize=1 << 18)
def term_id(term: str) -> int:
    """A stable 63-bit id for a term (the same in every process and run).

    The top bit of the 64 is left free for ``NAME_BIT``.
    """
    h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
    return h & 0x7FFF_FFFF_FFFF_FFFF


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """A deliberately light stemmer: plural and common verb endings only."""
    n = len(word)
    if n > 5 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if n > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def word_id(word: str) -> int:
    """The term id of a plain lower-case word (stemmed, not a name)."""
    return term_id(stem(word))


def _weighted_terms(text: str, weight: float, out: dict[str, float]) -> None:
    tokens = _tokens(text)
    # Headline case: when most words of a line are capitalised, case carries
    # no information about names.
    words = [t for t in tokens if t[0].isalpha()]
    caps = sum(1 for t in words if t[0].isupper())
    headline = bool(words) and caps / len(words) > HEADLINE_CAPS and len(words) >= HEADLINE_WORDS
    start = True
    for tok in tokens:
        if tok in _SENT_END:
            start = True
            continue
        term = plain_term(tok)
        if term is None:
            start = False
            continue
        first = tok[0]
        if first.isupper() and not start and not headline:
            term, w = "@" + term, weight * NAME_WEIGHT
        else:
            w = weight
        start = False
        out[term] = out.get(term, 0.0) + w


@lru_cache(maxsize=1 << 16)
def plain_term(tok: str) -> str | None:
    """A word token's term, as a word (a name's is this with "@" before it): a number without
    its commas, else the stem of the word lower-cased without its "'s" and edge quotes and
    dashes; None for a stopword or a word of one letter.  Cached, as ``stem`` is: a text's
    tokens are mostly ones read before, and the lookup costs less than the reading (term_weights
    over ECB+, best of 5: 325 -> 267 ms); 65,536 tokens, about 13 MB at most."""
    word = tok.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'-")
    if tok[0].isdigit():
        return word.replace(",", "")
    if len(word) < 2 or word in STOPWORDS:
        return None
    return stem(word)


#: Set on the ids of terms used as names, so similarity can also be measured
#: on the other words alone (two events about the same people share names).
NAME_BIT = 1 << 63


def term_weights(title: str, text: str) -> dict[str, float]:
    """Stemmed content terms with their weighted counts (names, title and lede count more).

    Names are keyed ``"@" + term``.
    """
    out: dict[str, float] = {}
    if title:
        _weighted_terms(title, TITLE_WEIGHT, out)
    if text:
        head, rest = lede(text)
        if head:
            _weighted_terms(head, LEDE_WEIGHT, out)
        _weighted_terms(rest, 1.0, out)
    return out


_LOW_BITS = NAME_BIT - 1
#: ``_LOW_BITS`` as a numpy scalar: ``ids & PLAIN`` folds names onto plain words.
PLAIN = np.uint64(_LOW_BITS)


def grow(a: np.ndarray, size: int) -> np.ndarray:
    """``a`` in a new array of ``size`` elements, zero-filled beyond it.

    (``np.resize`` would keep a view on a buffer of whole repeats: up to
    twice the memory asked for.)
    """
    out = np.zeros(size, dtype=a.dtype)
    n = min(size, a.size)
    out[:n] = a[:n]
    return out


class Vocab:
    """Interned terms: term id -> a small dense index, with per-term arrays.

    One per process (``VOCAB``): term ids are the same in every engine, so
    engines share it.  Arrays grow by doubling.
    """

    def __init__(self) -> None:
        #: Bumped by each :meth:`renew`: indices of another generation mean nothing.
        self.generation = 0
        self._bg: tuple[dict[int, float], float] | None = None
        self._empty()

    def _empty(self) -> None:
        self.index: dict[int, int] = {}
        self.ids = np.zeros(1024, dtype=np.uint64)
        #: P(a general-news article contains the term) (``digest.dedup.background``).
        self.prior = np.zeros(1024, dtype=np.float64)
        self.is_name = np.zeros(1024, dtype=bool)

    def renew(self) -> None:
        """Forget every term (indices handed out before mean nothing now)."""
        self._empty()
        self.generation += 1

    def __len__(self) -> int:
        return len(self.index)

    def _background(self) -> tuple[dict[int, float], float]:
        if self._bg is None:
            self._bg = doc_probabilities(word_id)
        return self._bg

    def add(self, tid: int) -> int:
        """The index of term id ``tid`` (interned on first sight)."""
        i = self.index.get(tid)
        if i is not None:
            return i
        i = len(self.index)
        if i == len(self.ids):
            size = 2 * i
            self.ids = grow(self.ids, size)
            self.prior = grow(self.prior, size)
            self.is_name = grow(self.is_name, size)
        prior, floor = self._background()
        self.ids[i] = tid
        self.prior[i] = prior.get(tid & _LOW_BITS, floor)
        self.is_name[i] = bool(tid & NAME_BIT)
        self.index[tid] = i
        return i

    def indices(self, tids: Iterable[int]) -> np.ndarray:
        add = self.add
        return np.fromiter((add(t) for t in tids), dtype=np.int64)


VOCAB = Vocab()

# Token classes (see _weighted_terms): a sentence end, a skipped word, a number, a word.
_END, _SKIP, _NUM, _WORD = 0, 1, 2, 3


class _TokenTable(dict[str, int]):
    """Raw token -> row of per-token facts, computed once per distinct token.

    The per-token work of ``_weighted_terms`` (case folding, quotes,
    possessive, stopwords, stemming, term ids) depends on the token alone;
    only the name decision needs context (sentence start, headline case), and
    that is done on whole arrays in :func:`analyse`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        """Forget every token, and the arrays' capacity."""
        self.clear()
        self.kind = np.zeros(1024, dtype=np.int8)
        self.plain = np.zeros(1024, dtype=np.int64)
        self.name = np.zeros(1024, dtype=np.int64)
        self.upper = np.zeros(1024, dtype=bool)
        self.alpha = np.zeros(1024, dtype=bool)
        self.alnum = np.zeros(1024, dtype=bool)
        #: Words per occurrence of an n-gram of a script written without spaces (else 0).
        self.share = np.zeros(1024, dtype=np.float64)

    def __missing__(self, tok: str) -> int:
        row = len(self)
        if row == len(self.kind):
            for a in ("kind", "plain", "name", "upper", "alpha", "alnum", "share"):
                setattr(self, a, grow(getattr(self, a), 2 * row))
        first = tok[0]
        kind, plain, name = _SKIP, -1, -1
        if tok in _SENT_END:
            kind = _END
        else:
            word = tok.lower().replace("’", "'")
            if word.endswith("'s"):
                word = word[:-2]
            word = word.strip("'-")
            if first.isdigit():
                kind, plain = _NUM, VOCAB.add(term_id(word.replace(",", "")))
            elif not (len(word) < 2 or word in STOPWORDS):
                term = stem(word)
                kind, plain = _WORD, VOCAB.add(term_id(term))  # its name: when first seen as one
        self.kind[row], self.plain[row], self.name[row] = kind, plain, name
        share = word_share(tok)
        self.upper[row], self.alpha[row] = first.isupper(), first.isalpha()
        self.alnum[row], self.share[row] = first.isalnum() and not share, share
        self[tok] = row
        return row

    def intern_names(self, rows: np.ndarray) -> None:
        """Give word rows that have none their name's term (the same term with ``NAME_BIT``):
        most words are never written as a name, and a vocabulary entry made for each would
        double the vocabulary."""
        for row in np.unique(rows).tolist():
            self.name[row] = VOCAB.add(int(VOCAB.ids[self.plain[row]]) | NAME_BIT)


_TABLE = _TokenTable()


class _ChunkTable(dict[str, int]):
    """Whitespace-separated chunk -> its number; per number, its tokens' rows.

    No token spans whitespace, and the only whitespace that is a token is
    the line break, so a text's tokens are its chunks' tokens in order, line
    breaks marked by the private-use chunk ``_NL``.  Chunks repeat far more
    than they vary, so the regular expression runs once per distinct chunk.
    Chunk ``c``'s token rows are ``rows[start[c] : start[c] + count[c]]``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        """Forget every chunk, and the arrays' capacity."""
        self.clear()
        self.start = np.zeros(1024, dtype=np.int64)
        self.count = np.zeros(1024, dtype=np.int64)
        self.rows = np.zeros(4096, dtype=np.int64)

    def clear(self) -> None:
        super().clear()
        self.used = 0

    def __missing__(self, chunk: str) -> int:
        toks = ["\n"] if chunk == _NL else _tokens(chunk)
        rows = [_TABLE[t] for t in toks]
        c = len(self)
        if c == len(self.start):
            self.start = grow(self.start, 2 * c)
            self.count = grow(self.count, 2 * c)
        while self.used + len(rows) > len(self.rows):
            self.rows = grow(self.rows, 2 * len(self.rows))
        self.start[c], self.count[c] = self.used, len(rows)
        self.rows[self.used : self.used + len(rows)] = rows
        self.used += len(rows)
        self[chunk] = c
        return c

    def expand(self, chunks: list[str]) -> np.ndarray:
        """The token rows of a list of chunks, in order."""
        try:
            codes = np.fromiter(map(self.get_known, chunks), dtype=np.int64, count=len(chunks))
        except KeyError:
            codes = np.fromiter(map(self.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        count = self.count[codes]
        total = int(count.sum())
        ends = np.cumsum(count)
        pos = np.arange(total) - np.repeat(ends - count, count)
        return self.rows[np.repeat(self.start[codes], count) + pos]

    get_known = dict.__getitem__


_NL = "\ue000"
_NL_CHUNK = " \ue000 "
_CHUNKS = _ChunkTable()
#: Distinct raw tokens, and distinct chunks, remembered before their cache starts over
#: (the stemmer's and the term ids' LRU caches hold as many): a worker's caches stop
#: growing whatever it reads.
TABLE_LIMIT = 1 << 18
CHUNK_LIMIT = 1 << 18

#: What keeps ``VOCAB`` indices (idf models, one per engine): while one lives, no renewal.
_HOLDERS: weakref.WeakSet[object] = weakref.WeakSet()


def hold_vocabulary(holder: object) -> None:
    """Keep ``VOCAB`` as it is while ``holder`` (which keeps its indices) lives."""
    _HOLDERS.add(holder)


def renew_vocabulary(limit: int | None = None) -> bool:
    """Start ``VOCAB`` afresh when it holds over ``limit`` terms and nothing keeping its
    indices is alive (after a garbage collection, when something seemed to be); with it the
    token caches, which hold its indices, and the stemmer's and term ids' caches.  True when
    it did.  Not thread-safe: two engines are never made at once in one process."""
    if len(VOCAB) <= (VOCAB_RENEW if limit is None else limit):
        return False
    if _HOLDERS:
        gc.collect()  # an engine just dropped may sit in a reference cycle
        if _HOLDERS:
            return False
    VOCAB.renew()
    _TABLE.reset()
    _CHUNKS.reset()
    stem.cache_clear()
    term_id.cache_clear()
    return True


def _part(text: str, weight: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(term indices, weights, words) of one part, in token order; see ``_weighted_terms``."""
    table = _TABLE
    if len(table) > TABLE_LIMIT:  # bounded caches: start over (rows are recomputed alike)
        table.clear()
        _CHUNKS.clear()
    elif len(_CHUNKS) > CHUNK_LIMIT:  # chunks point into the table, not the other way
        _CHUNKS.clear()
    if _NL in text:  # (never in real text) the plain way
        rows = np.fromiter(map(table.__getitem__, _tokens(text)), dtype=np.int64)
    else:
        if "\n" in text:
            text = text.replace("\n", _NL_CHUNK)
        rows = _CHUNKS.expand(text.split())
    n = rows.size
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0), 0
    kind = table.kind[rows]
    alpha = table.alpha[rows]
    upper = table.upper[rows]
    nwords = int(alpha.sum())
    headline = nwords >= HEADLINE_WORDS and int((alpha & upper).sum()) / nwords > HEADLINE_CAPS
    keep = kind >= _NUM
    if headline:
        terms = table.plain[rows][keep]
        weights = np.full(terms.size, weight)
    else:
        start = np.empty(n, dtype=bool)
        start[0] = True
        start[1:] = kind[:-1] == _END
        name = (kind == _WORD) & upper & ~start
        named = rows[name]
        unnamed = named[table.name[named] < 0]
        if unnamed.size:
            table.intern_names(unnamed)
        terms = np.where(name, table.name[rows], table.plain[rows])[keep]
        weights = np.where(name, weight * NAME_WEIGHT, weight)[keep]
    return terms, weights, int(table.alnum[rows].sum()) + round(float(table.share[rows].sum()))


def analyse(title: str, text: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(``VOCAB`` indices, weights, words) of an article, in order of first occurrence."""
    head, rest = lede(text)
    parts = [_part(title, TITLE_WEIGHT), _part(head, LEDE_WEIGHT), _part(rest, 1.0)]  # "" gives none
    terms = np.concatenate([p[0] for p in parts])
    w = np.concatenate([p[1] for p in parts])
    words = parts[1][2] + parts[2][2]  # the text's, not the title's
    if not terms.size:
        return terms, w, words
    uniq, first, inv = np.unique(terms, return_index=True, return_inverse=True)
    sums = np.bincount(inv.reshape(-1), weights=w, minlength=uniq.size)
    order = np.argsort(first, kind="stable")
    return uniq[order], sums[order], words


def tokens(title: str, text: str) -> list[int]:
    """Term ids of title and text, one per occurrence, in order (the benchmark's
    baseline feeds them to a plain MinHash token by token)."""
    parts = [_part(p, 1.0)[0] for p in (title, text) if p]
    return VOCAB.ids[np.concatenate(parts)].tolist() if parts else []
