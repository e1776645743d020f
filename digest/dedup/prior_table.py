"""The background prior (``digest.dedup.background``) precomputed: a cold start reads it.

Observations
------------
* ``doc_probabilities(word_id)`` imports wordfreq (0.1-0.2 s), reads thirteen of its
  word lists and stems and hashes some 35,000 words: 0.4-0.6 s of a cold ``digest run``'s
  2.6 s, the same every time for one wordfreq and one set of parameters.

How it works
------------
* ``prior.npz`` (beside this module) holds the computed table: term ids, probabilities,
  the floor, what it was made of (wordfreq's version, ``ARTICLE_WORDS``,
  ``OTHER_LANGUAGES``, ``OTHER_WORDS``) and a sample of words with their term ids.
* :func:`doc_probabilities` gives the table when all of these match this process
  (its ``key`` gives the sample's ids: the stemmer and the term hash are unchanged),
  else computes it as ``background.doc_probabilities`` does.  The result is the same dict
  either way (test_prior_table_is_the_computed_one: a stale table fails it).
* ``python -m digest.dedup.prior_table`` writes the file again.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from .background import doc_probabilities as computed
from .params import ARTICLE_WORDS, OTHER_LANGUAGES, OTHER_WORDS

TABLE = Path(__file__).with_name("prior.npz")
#: Words whose term ids are checked against the table's at load (one word in this many).
SAMPLE_EVERY = 97


def _recipe() -> str:
    """What the table is made of, as stored in it."""
    try:
        wordfreq = metadata.version("wordfreq")
    except metadata.PackageNotFoundError:
        wordfreq = ""
    return json.dumps(
        {
            "wordfreq": wordfreq,
            "article_words": ARTICLE_WORDS,
            "other_languages": list(OTHER_LANGUAGES),
            "other_words": OTHER_WORDS,
        },
        sort_keys=True,
    )


def _sample_words() -> list[str]:
    """Words of every kind the key sees: plurals, -ing, -ed, -ies, -ss, other scripts."""
    from wordfreq import get_frequency_list

    words = [w for bucket in get_frequency_list("en", wordlist="small") for w in bucket]
    words += [w for bucket in get_frequency_list("hi", wordlist="small")[:40] for w in bucket]
    return [w for w in words if w.isalpha()][::SAMPLE_EVERY]


def write(key: Callable[[str], int], path: Path = TABLE) -> None:
    """Compute the table with ``key`` and write it to ``path``."""
    out, floor = computed(key)
    words = _sample_words()
    np.savez_compressed(
        path,
        ids=np.fromiter(out.keys(), dtype=np.uint64, count=len(out)),
        probs=np.fromiter(out.values(), dtype=np.float64, count=len(out)),
        floor=np.float64(floor),
        recipe=np.str_(_recipe()),
        words=np.array(words, dtype=np.str_),
        word_ids=np.array([key(w) for w in words], dtype=np.uint64),
    )


def _load(key: Callable[[str], int], path: Path) -> tuple[dict[int, float], float] | None:
    try:
        with np.load(path, allow_pickle=False) as f:
            if str(f["recipe"]) != _recipe():
                return None
            if [key(w) for w in f["words"].tolist()] != f["word_ids"].tolist():
                return None
            return dict(zip(f["ids"].tolist(), f["probs"].tolist(), strict=True)), float(f["floor"])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # torn or foreign
        return None


@lru_cache(maxsize=2)
def doc_probabilities(key: Callable[[str], int]) -> tuple[dict[int, float], float]:
    """``background.doc_probabilities(key)``, read from ``prior.npz`` when it was made alike."""
    return _load(key, TABLE) or computed(key)


if __name__ == "__main__":
    from .terms import word_id

    write(word_id)
    print(f"wrote {TABLE}")
