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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from .params import ARTICLE_WORDS


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
    return out, floor
