"""Background word rarity: an idf prior from a large general English corpus.

Observations
------------
Idf learned only from the stream is wrong exactly when it matters most: a
new install has read a handful of articles, and when five outlets carry one
story, that story's own names ("Kim", "Putin", "Vladivostok") look common
and weigh nothing.  A prior from general English (wordfreq's word
frequencies) says which words are rare in news at large.

How it works
------------
For each word of wordfreq's small English list, the chance that a typical
article (``ARTICLE_WORDS`` words) contains it is ``1 - exp(-L * freq)``.
Keys are the fingerprint's term ids (stemmed), so the prior applies to
stored fingerprints too.  Words not on the list are rare: they get the
list's smallest probability.  ``digest.dedup.fingerprint.IdfModel`` mixes this
prior in as ``PRIOR_DOCS`` pseudo-documents.

The most frequent words (``OTHER_WORDS``) of languages written in another script
(``OTHER_LANGUAGES``: Hindi, Russian, Arabic, Greek, ...) join it, only where every
letter is of that other script: a Hindi story's के and में are as common as "the", and
without them two Hindi stories of one town merged on their function words.  No Latin
word is added, so an English text's prior is the English list's alone.  (Chinese and
Japanese are read as character pairs, Thai as triples: their word lists do not apply.)
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

from .params import ARTICLE_WORDS, OTHER_LANGUAGES, OTHER_WORDS


@lru_cache(maxsize=2)
def doc_probabilities(key: Callable[[str], int]) -> tuple[dict[int, float], float]:
    """Return ({key(word): P(article contains word)}, probability for unknown terms).

    ``key`` maps a word to its term id (the terms module passes its stemmer and
    hash), so this module needs nothing of the vocabulary's and no cycle forms.
    """
    from wordfreq import get_frequency_dict

    freqs = get_frequency_dict("en", wordlist="small")
    out: dict[int, float] = {}
    for word, f in freqs.items():
        if not word.isalpha():
            continue
        p = 1.0 - math.exp(-ARTICLE_WORDS * f)
        tid = key(word)
        if p > out.get(tid, 0.0):
            out[tid] = p
    floor = 1.0 - math.exp(-ARTICLE_WORDS * min(freqs.values()))
    for lang in OTHER_LANGUAGES:
        for word, f in itertools.islice(_most_frequent(lang), OTHER_WORDS):
            if not _other_script(word):
                continue
            p = 1.0 - math.exp(-ARTICLE_WORDS * f)
            tid = key(word)
            if p > out.get(tid, 0.0):
                out[tid] = p
    return out, floor


def _most_frequent(lang: str) -> Iterator[tuple[str, float]]:
    """A wordfreq small list's words, most frequent first, with their frequencies (its
    buckets are centibels: bucket ``i`` holds the words of frequency ``10 ** (-i / 100)``),
    read without building the whole list's dictionary."""
    from wordfreq import get_frequency_list

    for i, bucket in enumerate(get_frequency_list(lang, wordlist="small")):
        for word in bucket:
            yield word, 10.0 ** (-i / 100.0)


def _other_script(word: str) -> bool:
    """Whether ``word`` is letters (with their marks: Hindi's vowel signs) of scripts other
    than Latin only: Greek, Cyrillic and later blocks, but not Latin Extended Additional."""
    letters = [c for c in word if unicodedata.category(c)[0] == "L"]
    return (
        bool(letters)
        and all(unicodedata.category(c)[0] in "LM" for c in word)
        and all(ord(c) >= 0x370 and not 0x1E00 <= ord(c) <= 0x1EFF for c in letters)
    )
