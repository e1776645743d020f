"""Copies: is one article's body the same text as another's, or its opening?  Pure.

Observations
------------
* Syndicated copies carry the *same words in the same order* as the
  original: only site junk, titles, quotes, case, paragraphing and markup
  differ.  A truncated feed summary is the original's opening (a sentence or
  two, or a number of characters with an ellipsis).  Such pairs are the
  easiest to recognise exactly, yet the hardest for a bag-of-words
  similarity: a two-sentence summary shares few terms with a long story's
  versions, so average linkage over the story leaves it outside.
* Word order is what rewrites do *not* share (two of the seed rewrites share
  under 1% of their 5-word shingles), so a copy test on word sequences never
  joins two rewrites, let alone two events; it only adds what the
  similarity test misses.

How it works
------------
* :func:`sketch` normalises the body (lower case, words only, so quotes,
  punctuation and line breaks do not matter) and keeps (a) *opening keys*:
  a 64-bit hash of the first ``KEY_WORDS`` words of each of the first
  ``KEY_SENTENCES`` sentences, and (b) the sorted, unique 16-bit hashes of
  the word 4-shingles of the title followed by the body, up to
  ``OPENING_WORDS`` words.  16 bits are enough: an opening has at most 117
  shingles, so a shingle of another text matches one of them by chance with
  odds of 117 in 65,536 (0.2%), far below the 60% containment that decides,
  and half the bytes of 32-bit hashes per article kept.  The title is in the
  shingles (not the keys): a one-sentence summary has too few words of its
  own to be recognised, and copies keep their headline apart from a site
  suffix or prefix.
* The engine maps opening keys to articles (``digest.dedup.index.KeyMultiMap``):
  a summary and its original share the key of their first sentence; a copy
  with a line of junk left on top still shares the keys of the next sentences.
* :func:`is_copy` confirms a proposed pair: the shorter opening's shingles
  must be at least ``CONTAINED`` contained in the other's, and it must have
  at least ``MIN_SHINGLES`` of them (a one-line summary is not evidence).

Special cases
-------------
* Title and body shorter than ``MIN_SHINGLES + 3`` words get no sketch, and
  a body without a sentence of ``KEY_WORDS`` words gets no key: nothing is
  ever called a copy on a headline's worth of words.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from ..text.sentences import sentences
from .params import (
    CONTAINED,
    COPY_NAMES,
    COPY_NAMES_MIN,
    KEY_SENTENCES,
    KEY_WORDS,
    MIN_SHINGLES,
    OPENING_WORDS,
    SHINGLE,
)
from .terms import PLAIN, VOCAB

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class CopySketch:
    """What the copy test keeps of one article (a few hundred bytes)."""

    keys: tuple[int, ...]
    #: Sorted unique uint16 hashes of the opening's word 4-shingles.
    shingles: np.ndarray

    def __len__(self) -> int:
        return int(self.shingles.size)


EMPTY = CopySketch((), np.zeros(0, dtype=np.uint16))


def _h64(words: list[str]) -> int:
    return int.from_bytes(hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest(), "little")


class _WordHashes(dict[str, tuple[int, ...]]):
    """Whitespace-separated chunk -> 64-bit hashes of its lower-cased ``\\w+`` words.

    Words never span whitespace, so a text's words are its chunks' words in
    order; chunks repeat, so each is lower-cased, split and hashed once.
    """

    LIMIT = 1 << 18

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        if len(self) > self.LIMIT:
            self.clear()
        hashes = tuple(
            int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            for w in _WORD.findall(chunk.lower())
        )
        self[chunk] = hashes
        return hashes


_HASHES = _WordHashes()
#: One odd 64-bit multiplier per position in a shingle.
_MIX = tuple(
    np.uint64(int.from_bytes(hashlib.blake2b(b"mix%d" % k, digest_size=8).digest(), "little") | 1)
    for k in range(SHINGLE)
)


def _shingle_hashes(words: np.ndarray) -> np.ndarray:
    """Sorted unique 16-bit hashes of the word ``SHINGLE``-grams (words as 64-bit hashes):
    the top quarter of a random linear combination of the words' hashes."""
    n = words.size - SHINGLE + 1
    with np.errstate(over="ignore"):
        h = words[:n] * _MIX[0]
        for k in range(1, SHINGLE):
            h += words[k : k + n] * _MIX[k]
        return np.unique((h >> np.uint64(48)).astype(np.uint16))


def sketch(text: str, title: str = "") -> CopySketch:
    """The copy sketch of a clean body text (and its title, see the module docstring)."""
    opening = text[: OPENING_WORDS * 16]
    hashes = _HASHES
    words = [h for c in title.split() for h in hashes[c]]
    for c in opening.split():
        words.extend(hashes[c])
        if len(words) >= OPENING_WORDS:
            break
    words = words[:OPENING_WORDS]
    if len(words) < MIN_SHINGLES + SHINGLE - 1:
        return EMPTY
    keys: list[int] = []
    for sentence in sentences(opening):
        sw = _WORD.findall(sentence.lower())
        if len(sw) >= KEY_WORDS:
            keys.append(_h64(sw[:KEY_WORDS]))
            if len(keys) == KEY_SENTENCES:
                break
    arr = _shingle_hashes(np.array(words, dtype=np.uint64))
    return CopySketch(tuple(dict.fromkeys(keys)), arr)


def containment(a: CopySketch, b: CopySketch) -> float:
    """Share of the smaller sketch's shingles found in the other's (0 when either is empty)."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    if not len(small):
        return 0.0
    common = np.intersect1d(small.shingles, big.shingles, assume_unique=True).size
    return float(common) / len(small)


def is_copy(a: CopySketch, b: CopySketch) -> bool:
    """Whether one body is a copy of the other or of its opening (see module docstring)."""
    if min(len(a), len(b)) < MIN_SHINGLES:
        return False
    return containment(a, b) >= CONTAINED


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
    """The copy test the engine uses: the same word sequence (or its opening, :func:`is_copy`)
    naming the same things (:func:`names_shared` of the term lists ``idx``, ``other_idx``)."""
    return is_copy(sk, other) and names_shared(idx, other_idx) >= COPY_NAMES
