"""Fingerprints: clean text in, weighted terms and a MinHash out.  Pure.

Observations
------------
Copies of one story differ in junk, quoting, case and paragraphing; rewrites
share few word sequences (two of the seed rewrites share under 1% of their
5-word shingles) but keep the same *names and specific words*: the people,
places, organisations and numbers of the event.  Different events of the
same kind (two earthquakes, two rehab stays) share the generic words and
differ precisely in those names.  So a fingerprint is a bag of stemmed
content words in which capitalised words that are not sentence-initial
(names) weigh more, and the title weighs more than the body.

How it works
------------
* Tokens: words and numbers; curly quotes folded; possessive ``'s`` dropped;
  stopwords dropped; a light suffix stemmer.
* Names: a capitalised token that does not start a sentence counts
  ``NAME_WEIGHT`` times.  In headline-case lines (most words capitalised)
  case says nothing, so nothing there counts as a name.
* Terms are identified by a stable 64-bit hash (``term_id``) so fingerprints
  can be stored and compared across processes.
* The MinHash is computed over the document's *salient* terms (the ``k``
  terms with the highest tf-idf when it arrived) by datasketch itself, fed
  the terms' 32-bit ids in one batch, so the result is a genuine
  ``datasketch.LeanMinHash`` usable with ``MinHashLSH``.

Special cases
-------------
* Empty or junk-only text still yields a (possibly empty) fingerprint; the
  engine then keeps the article as its own story.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

NUM_PERM = 128
SEED = 1
NAME_WEIGHT = 5.0
TITLE_WEIGHT = 2.0
SALIENT_TERMS = 24


STOPWORDS = frozenset(
    """a about above after again against ago all almost also although always am among an and
    another any anyone anything are around as at away back be became because become been before
    being below between both but by can cannot could did do does doing done down during each
    either else enough even ever every few for from further get gets getting got had has have
    having he her here hers herself him himself his how however i if in include including into
    is it its itself just last least less let like made make many may me might more most much
    must my myself near need never new next no nor not now of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps put rather really said same
    say says see seen several shall she should since so some such than that the their theirs them
    themselves then there these they this those though three through thus to today together too
    took toward two under until up upon us use used very via was way we well were what whatever
    when where whether which while who whom whose why will with within without would yet you your
    yours yourself mr mrs ms dr also told tell week year years time times day days""".split()
)

_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*|\d[\d,.:]*\d|\d|[.!?;:\n]")
_SENT_END = frozenset(".!?;:\n")


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


def _weighted_terms(text: str, weight: float, out: dict[str, float]) -> None:
    tokens = _TOKEN.findall(text)
    # Headline case: when most words of a line are capitalised, case carries
    # no information about names.
    words = [t for t in tokens if t[0].isalpha()]
    caps = sum(1 for t in words if t[0].isupper())
    headline = bool(words) and caps / len(words) > 0.6 and len(words) >= 3
    start = True
    for tok in tokens:
        if tok in _SENT_END:
            start = True
            continue
        first = tok[0]
        word = tok.lower().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip("'-")
        if first.isdigit():
            term = word.replace(",", "")
            w = weight
        elif len(word) < 2 or word in STOPWORDS:
            start = False
            continue
        else:
            term = stem(word)
            if first.isupper() and not start and not headline:
                term, w = "@" + term, weight * NAME_WEIGHT
            else:
                w = weight
        start = False
        out[term] = out.get(term, 0.0) + w


#: Set on the ids of terms used as names, so similarity can also be measured
#: on the other words alone (two events about the same people share names).
NAME_BIT = 1 << 63


def term_weights(title: str, text: str) -> dict[str, float]:
    """Stemmed content terms with their weighted counts (names and title count more).

    Names are keyed ``"@" + term``.
    """
    out: dict[str, float] = {}
    if title:
        _weighted_terms(title, TITLE_WEIGHT, out)
    if text:
        _weighted_terms(text, 1.0, out)
    return out


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
        self.index: dict[int, int] = {}
        self.ids = np.zeros(1024, dtype=np.uint64)
        #: P(a general-news article contains the term) (``digest.background``).
        self.prior = np.zeros(1024, dtype=np.float64)
        self.is_name = np.zeros(1024, dtype=bool)
        self._bg: tuple[dict[int, float], float] | None = None

    def __len__(self) -> int:
        return len(self.index)

    def _background(self) -> tuple[dict[int, float], float]:
        if self._bg is None:
            from .background import doc_probabilities

            self._bg = doc_probabilities()
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
        self.kind = np.zeros(1024, dtype=np.int8)
        self.plain = np.zeros(1024, dtype=np.int64)
        self.name = np.zeros(1024, dtype=np.int64)
        self.upper = np.zeros(1024, dtype=bool)
        self.alpha = np.zeros(1024, dtype=bool)
        self.alnum = np.zeros(1024, dtype=bool)

    def __missing__(self, tok: str) -> int:
        row = len(self)
        if row == len(self.kind):
            for a in ("kind", "plain", "name", "upper", "alpha", "alnum"):
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
                kind, plain, name = _WORD, VOCAB.add(term_id(term)), VOCAB.add(term_id(term) | NAME_BIT)
        self.kind[row], self.plain[row], self.name[row] = kind, plain, name
        self.upper[row], self.alpha[row], self.alnum[row] = first.isupper(), first.isalpha(), first.isalnum()
        self[tok] = row
        return row


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
        self.start = np.zeros(1024, dtype=np.int64)
        self.count = np.zeros(1024, dtype=np.int64)
        self.rows = np.zeros(4096, dtype=np.int64)
        self.used = 0

    def clear(self) -> None:
        super().clear()
        self.used = 0

    def __missing__(self, chunk: str) -> int:
        toks = ["\n"] if chunk == _NL else _TOKEN.findall(chunk)
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
#: Distinct raw tokens remembered before the table starts over.
TABLE_LIMIT = 1 << 20


def _part(text: str, weight: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(term indices, weights, words) of one part, in token order; see ``_weighted_terms``."""
    table = _TABLE
    if len(table) > TABLE_LIMIT:  # bounded caches: start over (rows are recomputed alike)
        table.clear()
        _CHUNKS.clear()
    if _NL in text:  # (never in real text) the plain way
        rows = np.fromiter(map(table.__getitem__, _TOKEN.findall(text)), dtype=np.int64)
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
    headline = nwords >= 3 and int((alpha & upper).sum()) / nwords > 0.6
    keep = kind >= _NUM
    if headline:
        terms = table.plain[rows][keep]
        weights = np.full(terms.size, weight)
    else:
        start = np.empty(n, dtype=bool)
        start[0] = True
        start[1:] = kind[:-1] == _END
        name = (kind == _WORD) & upper & ~start
        terms = np.where(name, table.name[rows], table.plain[rows])[keep]
        weights = np.where(name, weight * NAME_WEIGHT, weight)[keep]
    return terms, weights, int(table.alnum[rows].sum())


def _fmix32(hv: np.ndarray) -> np.ndarray:
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


@lru_cache(maxsize=1)
def _perms() -> tuple[np.ndarray, np.ndarray]:
    a, b = _template().permutations
    return a.astype(np.uint32).reshape(1, -1), b.astype(np.uint32).reshape(1, -1)


def fast_signature(low32: np.ndarray) -> np.ndarray:
    """:func:`signature` computed directly: the same values as datasketch's
    ``affine32`` scheme (MurmurHash3 finaliser, then ``a * h + b`` mod 2^32)."""
    if _template().scheme != "affine32":  # another datasketch scheme: let it compute
        return signature(low32.tolist())
    if not low32.size:
        return np.asarray(_template().hashvalues, dtype=np.uint32).copy()
    a, b = _perms()
    with np.errstate(over="ignore"):
        hv = _fmix32(low32.astype(np.uint32).reshape(-1, 1))
        return (hv * a + b).min(axis=0)


class Fingerprint:
    """What the engine keeps (and the store saves) of one article.

    Held as arrays (term ids, weights, in order of first occurrence); ``terms``
    is the same as a dict, made on demand.
    """

    __slots__ = ("_idx", "_terms", "ids", "signature", "top", "weights", "words")

    def __init__(
        self,
        terms: Mapping[int, float] | None = None,
        signature: np.ndarray | None = None,
        words: int = 0,
        *,
        ids: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        idx: np.ndarray | None = None,
    ) -> None:
        if ids is None or weights is None:
            terms = dict(terms or {})
            ids = np.fromiter(terms.keys(), dtype=np.uint64, count=len(terms))
            weights = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
            self._terms: dict[int, float] | None = terms
        else:
            self._terms = None
        #: term ids (uint64) and their weighted counts, in order of first occurrence
        self.ids = ids
        self.weights = weights
        #: MinHash signature of the salient terms (NUM_PERM uint32 values).
        self.signature = signature if signature is not None else fast_signature(np.zeros(0, np.uint32))
        #: Number of content words (a completeness signal).
        self.words = words
        self._idx = idx
        #: Positions of the salient terms, when known (the engine remembers them).
        self.top: np.ndarray | None = None

    @property
    def terms(self) -> dict[int, float]:
        """term id -> weighted count."""
        if self._terms is None:
            self._terms = dict(zip(self.ids.tolist(), self.weights.tolist(), strict=True))
        return self._terms

    def vocab_idx(self) -> np.ndarray:
        """The terms' indices in ``VOCAB`` (interned on first use)."""
        if self._idx is None:
            self._idx = VOCAB.indices(self.ids.tolist())
        return self._idx

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Fingerprint)
            and self.terms == other.terms
            and self.words == other.words
            and np.array_equal(self.signature, other.signature)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Fingerprint({len(self.ids)} terms, words={self.words})"

    def to_bytes(self) -> bytes:
        n = len(self.ids)
        head = np.array([n, self.words, len(self.signature)], dtype=np.uint32)
        return (
            head.tobytes()
            + self.ids.astype(np.uint64).tobytes()
            + self.weights.astype(np.float32).tobytes()
            + np.asarray(self.signature).astype(np.uint32).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        n, words, nperm = (int(x) for x in np.frombuffer(data, dtype=np.uint32, count=3))
        off = 12
        keys = np.frombuffer(data, dtype=np.uint64, count=n, offset=off).copy()
        off += 8 * n
        vals = np.frombuffer(data, dtype=np.float32, count=n, offset=off).astype(np.float64)
        off += 4 * n
        sig = np.frombuffer(data, dtype=np.uint32, count=nperm, offset=off).copy()
        return cls(ids=keys, weights=vals, signature=sig, words=words)

    def minhash(self) -> LeanMinHash:
        return LeanMinHash(seed=SEED, hashvalues=self.signature, scheme=_template().scheme)


def _identity(x: int) -> int:
    return x


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity)


def signature(ids: Iterable[int]) -> np.ndarray:
    """MinHash signature of a set of term ids (their low 32 bits), via datasketch.

    The permutations are generated once and shared; datasketch applies them to
    the whole batch with numpy.  (:func:`fast_signature` gives the same values.)
    """
    t = _template()
    m = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_identity,
        permutations=t.permutations,
        scheme=t.scheme,
    )
    m.update_batch([i & 0xFFFFFFFF for i in ids])
    return np.asarray(m.hashvalues, dtype=np.uint32)


_LOW_BITS = NAME_BIT - 1

#: Weight of the general-English prior, in pseudo-documents.
PRIOR_DOCS = 1000.0


class IdfModel:
    """Document frequencies: the stream's own, plus a general-English prior.

    ``idf(t) = log((n + N0 + 1) / (df(t) + N0 * p(t) + 0.5))`` where ``p(t)``
    is the chance that an article of general news contains ``t``
    (``digest.background``) and ``N0`` is ``PRIOR_DOCS``.  Document
    frequencies are an array over ``VOCAB``'s indices.
    """

    def __init__(self, prior_docs: float = PRIOR_DOCS) -> None:
        self._df = np.zeros(max(1024, len(VOCAB.ids)), dtype=np.int32)
        self.n = 0
        self.prior_docs = prior_docs

    def _room(self) -> np.ndarray:
        if len(self._df) < len(VOCAB.ids):
            self._df = np.concatenate([self._df, np.zeros(len(VOCAB.ids) - len(self._df), np.int32)])
        return self._df

    @property
    def df(self) -> dict[int, int]:
        """term id -> document frequency (a copy, for inspection)."""
        df = self._room()
        nz = np.flatnonzero(df[: len(VOCAB)])
        return dict(zip(VOCAB.ids[nz].tolist(), df[nz].tolist(), strict=True))

    def add(self, ids: Iterable[int]) -> None:
        self.add_idx(VOCAB.indices(dict.fromkeys(ids)))

    def add_idx(self, idx: np.ndarray) -> None:
        """Count one document holding the (distinct) terms ``idx`` (``VOCAB`` indices)."""
        self._room()[idx] += 1
        self.n += 1

    def remove(self, ids: Iterable[int]) -> None:
        self.remove_idx(VOCAB.indices(dict.fromkeys(ids)))

    def remove_idx(self, idx: np.ndarray) -> None:
        df = self._room()
        df[idx] = np.maximum(df[idx] - 1, 0)
        self.n = max(0, self.n - 1)

    def idf(self, t: int) -> float:
        i = VOCAB.index.get(t)
        if i is None:
            prior, floor = VOCAB._background()
            p, df = prior.get(t & _LOW_BITS, floor), 0
        else:
            p, df = float(VOCAB.prior[i]), int(self._room()[i])
        return math.log((self.n + self.prior_docs + 1) / (df + self.prior_docs * p + 0.5))

    def idf_idx(self, idx: np.ndarray) -> np.ndarray:
        """``idf`` of the terms at ``VOCAB`` indices ``idx``."""
        dft = self._room()[idx] + self.prior_docs * VOCAB.prior[idx] + 0.5
        return np.log((self.n + self.prior_docs + 1) / dft)

    def vector_idx(self, idx: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit-length tf-idf vector (sublinear tf) as (indices, values); zero weights dropped."""
        tf = np.where(weights >= 1, 1.0 + np.log(np.maximum(weights, 1.0)), weights)
        x = tf * self.idf_idx(idx)
        keep = x > 0
        if not keep.all():
            idx, x = idx[keep], x[keep]
        norm = math.sqrt(float(x @ x)) or 1.0
        return idx, x / norm

    def vector(self, terms: Mapping[int, float]) -> dict[int, float]:
        """Unit-length tf-idf vector (sublinear tf), keyed by term id."""
        idx = VOCAB.indices(terms.keys())
        w = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
        kept, vals = self.vector_idx(idx, w)
        return dict(zip(VOCAB.ids[kept].tolist(), vals.tolist(), strict=True))


def analyse(title: str, text: str) -> tuple[np.ndarray, np.ndarray, int]:
    """(``VOCAB`` indices, weights, words) of an article, in order of first occurrence."""
    t_terms, t_w, _ = _part(title, TITLE_WEIGHT) if title else (np.zeros(0, np.int64), np.zeros(0), 0)
    b_terms, b_w, words = _part(text, 1.0) if text else (np.zeros(0, np.int64), np.zeros(0), 0)
    terms = np.concatenate([t_terms, b_terms]) if t_terms.size else b_terms
    w = np.concatenate([t_w, b_w]) if t_terms.size else b_w
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


def salient(idx: np.ndarray, weights: np.ndarray, idf: IdfModel | None) -> np.ndarray:
    """Positions of the ``SALIENT_TERMS`` heaviest terms (by tf-idf when ``idf`` has seen articles).

    Ties keep the order of first occurrence.
    """
    score = weights * idf.idf_idx(idx) if idf is not None and idf.n > 0 else weights
    return np.argsort(-score, kind="stable")[:SALIENT_TERMS]


def fingerprint(title: str, text: str, idf: IdfModel | None = None) -> Fingerprint:
    """Fingerprint one article.  ``idf`` picks the salient terms (else: the heaviest)."""
    idx, weights, words = analyse(title, text)
    ids = VOCAB.ids[idx]
    top = salient(idx, weights, idf)
    sig = fast_signature((ids[top] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    return Fingerprint(ids=ids, weights=weights, signature=sig, words=words, idx=idx)


def without_names(vec: Mapping[int, float]) -> dict[int, float]:
    """The unit vector of the words that are not names."""
    v = {t: x for t, x in vec.items() if not t & NAME_BIT}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())
