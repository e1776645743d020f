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
  stopwords dropped; a light suffix stemmer (``digest.dedup.terms``, which also
  gives the terms as arrays of interned indices, fast).
* Names: a capitalised token that does not start a sentence counts
  ``NAME_WEIGHT`` times.  In headline-case lines (most words capitalised)
  case says nothing, so nothing there counts as a name.
* Terms are identified by a stable 64-bit hash (``term_id``) so fingerprints
  can be stored and compared across processes.
* The MinHash is computed over the document's *salient* terms (the ``k``
  terms with the highest tf-idf when it arrived) with datasketch's own
  permutations and scheme, on the terms' 32-bit ids (``fast_signature``
  equals datasketch's ``update_batch``), so the result is a genuine
  ``datasketch.LeanMinHash`` usable with ``MinHashLSH``.
* ``Fingerprint`` holds arrays (term ids, weights); ``terms`` is the same
  as a dict, made on demand.  ``IdfModel`` counts documents in an array over
  the interned terms.

Special cases
-------------
* Empty or junk-only text still yields a (possibly empty) fingerprint; the
  engine then keeps the article as its own story.
* Stored fingerprints carry a format version (``FINGERPRINT_VERSION``, in
  ``digest.dedup.params``); one of another version (or stored before versions)
  was made under other weights, and the engine rebuilt from a store makes it
  again from the stored text (``Engine.stored_fingerprint``) rather than mix it
  with its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np

from .params import FINGERPRINT_VERSION, NUM_PERM, PRIOR_DOCS, SALIENT_TERMS, SEED
from .sketch import LeanMinHash, MinHash
from .terms import _LOW_BITS, NAME_BIT, VOCAB, analyse, grow, hold_vocabulary, renew_vocabulary


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

    __slots__ = ("_gen", "_idx", "_terms", "ids", "signature", "top", "weights", "words")

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
        #: The vocabulary generation ``_idx`` belongs to (this process's: indices and
        #: generations mean nothing in another process, and a fingerprint never travels with
        #: them: ``to_bytes`` holds term ids).
        self._gen = VOCAB.generation
        #: Positions of the salient terms, when known (the engine remembers them).
        self.top: np.ndarray | None = None

    @property
    def terms(self) -> dict[int, float]:
        """term id -> weighted count."""
        if self._terms is None:
            self._terms = dict(zip(self.ids.tolist(), self.weights.tolist(), strict=True))
        return self._terms

    def vocab_idx(self) -> np.ndarray:
        """The terms' indices in ``VOCAB`` (interned on first use, and again after the
        vocabulary was renewed)."""
        if self._idx is None or self._gen != VOCAB.generation:
            self._idx, self._gen = VOCAB.indices(self.ids.tolist()), VOCAB.generation
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
        """The stored form: the version byte (``FINGERPRINT_VERSION``), then uint32 term count,
        words and signature length, the term ids (uint64), weights (float32) and signature
        (uint32).  Stores made before versions hold the same without the byte: a whole number
        of 4-byte words, where a versioned blob is one byte more (``version_of``)."""
        n = len(self.ids)
        head = np.array([n, self.words, len(self.signature)], dtype=np.uint32)
        return (
            bytes([FINGERPRINT_VERSION])
            + head.tobytes()
            + self.ids.astype(np.uint64).tobytes()
            + self.weights.astype(np.float32).tobytes()
            + np.asarray(self.signature).astype(np.uint32).tobytes()
        )

    @staticmethod
    def version_of(data: bytes) -> int:
        """The format version of a stored fingerprint: 0 for one stored before versions."""
        return 0 if len(data) % 4 == 0 else data[0]

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Read a stored fingerprint of this version or an earlier one (all share one layout;
        before versions, without the byte).  Whether its weights are today's is the reader's
        question (``version_of``; ``Engine.stored_fingerprint`` makes it again when not)."""
        version = cls.version_of(data)
        if version > FINGERPRINT_VERSION:
            raise ValueError(f"fingerprint format version {version} is not known (this one writes {FINGERPRINT_VERSION})")
        off = 0 if version == 0 else 1
        n, words, nperm = (int(x) for x in np.frombuffer(data, dtype=np.uint32, count=3, offset=off))
        off += 12
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


def sublinear_tf(weights: np.ndarray) -> np.ndarray:
    """Sublinear term frequency: ``1 + log(w)`` above 1, the weight itself up to 1."""
    return np.where(weights > 1, 1.0 + np.log(np.maximum(weights, 1.0)), weights)


#: ``sublinear_tf`` of every byte weight (the engine keeps whole weights in a byte).
SUBLINEAR_TF = sublinear_tf(np.arange(256, dtype=np.float64))


class IdfModel:
    """Document frequencies: the stream's own, plus a general-English prior.

    ``idf(t) = log((n + N0 + 1) / (df(t) + N0 * p(t) + 0.5))`` where ``p(t)``
    is the chance that an article of general news contains ``t``
    (``digest.dedup.background``) and ``N0`` is ``PRIOR_DOCS``.  Document
    frequencies are an array over ``VOCAB``'s indices, so a model keeps the
    vocabulary from being renewed while it lives.
    """

    def __init__(self, prior_docs: float = PRIOR_DOCS) -> None:
        renew_vocabulary()  # only when nothing else keeps its indices
        hold_vocabulary(self)
        self._df = np.zeros(max(1024, len(VOCAB.ids)), dtype=np.int32)
        self.n = 0
        self.prior_docs = prior_docs
        #: ``log(df + N0 * p + 0.5)`` per term, valid for the first ``_ld_n`` terms: only the
        #: added article's terms change, so an idf is a subtraction, not a log.
        self._ld = np.zeros(len(self._df))
        self._ld_n = 0

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

    def _lden(self) -> np.ndarray:
        df = self._room()
        v = len(VOCAB)
        if self._ld_n < v:
            if len(self._ld) < len(df):
                self._ld = grow(self._ld, len(df))
            new = slice(self._ld_n, v)
            self._ld[new] = np.log(df[new] + self.prior_docs * VOCAB.prior[new] + 0.5)
            self._ld_n = v
        return self._ld

    def _recount(self, idx: np.ndarray) -> None:
        ld = self._lden()
        ld[idx] = np.log(self._df[idx] + self.prior_docs * VOCAB.prior[idx] + 0.5)

    def add_idx(self, idx: np.ndarray) -> None:
        """Count one document holding the (distinct) terms ``idx`` (``VOCAB`` indices)."""
        self._room()[idx] += 1
        self.n += 1
        self._recount(idx)

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
        return math.log(self.n + self.prior_docs + 1) - self._lden()[idx]

    def vector_idx(self, idx: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit-length tf-idf vector (sublinear tf) as (indices, values); zero weights dropped."""
        x = sublinear_tf(weights) * self.idf_idx(idx)
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


#: ``terms.analyse``'s result: (``VOCAB`` indices, weights, words).
Analysis = tuple[np.ndarray, np.ndarray, int]


class HeldAnalyses:
    """Analyses (``terms.analyse``) made ahead of an article's fingerprint, each held with the
    title and text it was made of.  ``Engine.expect`` analyses a poll's articles to count them
    under their source; ``Engine.fingerprint`` takes the held analysis instead of making it
    again.  Measured (``benchmarks.feeds_run``, 150 feeds, polls of ~30 entries): the second
    analysis was 5.3-6.4% of ``App.ingest``'s time (``docs/evaluation.md``).  Bounded: ``clear`` (each ``expect``) drops
    what the last poll left (articles of it that were never fingerprinted)."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, str, int, Analysis]] = {}

    def clear(self) -> None:
        self._held.clear()

    def hold(self, doc_id: str, title: str, text: str) -> Analysis:
        """Analyse ``title`` and ``text`` and hold the result for ``doc_id``."""
        got = analyse(title, text)
        self._held[doc_id] = (title, text, VOCAB.generation, got)
        return got

    def take(self, doc_id: str, title: str, text: str) -> Analysis:
        """The analysis of ``title`` and ``text``: the one held for ``doc_id`` when it was made
        of the same title and text under this vocabulary (no longer held after), else made now
        (a title the engine reads as no title, ``Engine.fingerprint``, is another title)."""
        held = self._held.pop(doc_id, None)
        if held is not None and held[2] == VOCAB.generation and held[0] == title and held[1] == text:
            return held[3]
        return analyse(title, text)


def _unit_part(vec: Mapping[int, float], names: bool) -> dict[int, float]:
    """The unit vector of the names (``names``) or of the words that are not names."""
    v = {t: x for t, x in vec.items() if bool(t & NAME_BIT) == names}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def without_names(vec: Mapping[int, float]) -> dict[int, float]:
    """The unit vector of the words that are not names."""
    return _unit_part(vec, names=False)


def only_names(vec: Mapping[int, float]) -> dict[int, float]:
    """The unit vector of the names."""
    return _unit_part(vec, names=True)


def cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())
