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
from dataclasses import dataclass
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


def tokens(title: str, text: str) -> list[str]:
    """The content terms of title and text in order, one per occurrence (names keyed ``"@"``).

    The same normalisation as :func:`term_weights`, as a token stream (the
    benchmark's baseline feeds it to a plain MinHash token by token).
    """
    out: list[str] = []
    for part in (title, text):
        if part:
            seen: dict[str, float] = {}
            for tok in _TOKEN.findall(part):
                seen.clear()
                _weighted_terms(tok, 1.0, seen)
                out.extend(seen)
    return out


@dataclass(slots=True)
class Fingerprint:
    """What the engine keeps (and the store saves) of one article."""

    #: term id -> weighted count
    terms: dict[int, float]
    #: MinHash signature of the salient terms (NUM_PERM uint32 values).
    signature: np.ndarray
    #: Number of content words (a completeness signal).
    words: int

    def to_bytes(self) -> bytes:
        keys = np.fromiter(self.terms.keys(), dtype=np.uint64, count=len(self.terms))
        vals = np.fromiter(self.terms.values(), dtype=np.float32, count=len(self.terms))
        head = np.array([len(self.terms), self.words, len(self.signature)], dtype=np.uint32)
        return (
            head.tobytes()
            + keys.tobytes()
            + vals.tobytes()
            + self.signature.astype(np.uint32).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        n, words, nperm = (int(x) for x in np.frombuffer(data, dtype=np.uint32, count=3))
        off = 12
        keys = np.frombuffer(data, dtype=np.uint64, count=n, offset=off)
        off += 8 * n
        vals = np.frombuffer(data, dtype=np.float32, count=n, offset=off)
        off += 4 * n
        sig = np.frombuffer(data, dtype=np.uint32, count=nperm, offset=off).copy()
        return cls(dict(zip(keys.tolist(), vals.tolist(), strict=True)), sig, words)

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
    the whole batch with numpy.
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
    (``digest.background``) and ``N0`` is ``PRIOR_DOCS``.
    """

    def __init__(self, prior_docs: float = PRIOR_DOCS) -> None:
        self.df: dict[int, int] = {}
        self.n = 0
        self.prior_docs = prior_docs
        if prior_docs > 0:
            from .background import doc_probabilities

            self._prior, self._prior_floor = doc_probabilities()
        else:
            self._prior, self._prior_floor = {}, 0.0

    def add(self, ids: Iterable[int]) -> None:
        df = self.df
        for t in ids:
            df[t] = df.get(t, 0) + 1
        self.n += 1

    def remove(self, ids: Iterable[int]) -> None:
        df = self.df
        for t in ids:
            c = df.get(t, 0) - 1
            if c > 0:
                df[t] = c
            else:
                df.pop(t, None)
        self.n = max(0, self.n - 1)

    def idf(self, t: int) -> float:
        prior = self.prior_docs * self._prior.get(t & _LOW_BITS, self._prior_floor)
        return math.log((self.n + self.prior_docs + 1) / (self.df.get(t, 0) + prior + 0.5))

    def vector(self, terms: Mapping[int, float]) -> dict[int, float]:
        """Unit-length tf-idf vector (sublinear tf)."""
        n1 = self.n + self.prior_docs + 1
        df = self.df
        n0, prior, floor = self.prior_docs, self._prior, self._prior_floor
        v = {}
        for t, f in terms.items():
            dft = df.get(t, 0) + n0 * prior.get(t & _LOW_BITS, floor) + 0.5
            w = (1.0 + math.log(f) if f >= 1 else f) * math.log(n1 / dft)
            if w > 0:
                v[t] = w
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}


def fingerprint(title: str, text: str, idf: IdfModel | None = None) -> Fingerprint:
    """Fingerprint one article.  ``idf`` picks the salient terms (else: the heaviest)."""
    weights = term_weights(title, text)
    terms = {
        (term_id(t[1:]) | NAME_BIT) if t[0] == "@" else term_id(t): w for t, w in weights.items()
    }
    if idf is not None and idf.n > 0:
        ranked = sorted(terms, key=lambda t: terms[t] * idf.idf(t), reverse=True)
    else:
        ranked = sorted(terms, key=terms.__getitem__, reverse=True)
    words = sum(1 for _ in _TOKEN.finditer(text) if _.group()[0].isalnum())
    return Fingerprint(terms, signature(ranked[:SALIENT_TERMS]), words)


def without_names(vec: Mapping[int, float]) -> dict[int, float]:
    """The unit vector of the words that are not names."""
    v = {t: x for t, x in vec.items() if not t & NAME_BIT}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())
