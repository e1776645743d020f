"""Which text similarity best tells two events of one kind apart?

Observations
------------
* The errors left in the dated close streams are two events of one topic
  merged whole: siblings near-identical in wording (two emergency patches, two
  elections of one parliament).  A similarity of another kind helps only if it
  ranks same-event pairs over sibling pairs better than the engine's kind (a
  tf-idf cosine of single words) does, above all among the pairs alike enough
  to be linked at all.
* It reads only the tuning splits: the ECB+ dev topics (pairs of one topic,
  same event against sibling) and GVC val (all pairs, same incident against
  two).

How it works
------------
Each measure is a tf-idf cosine (scikit-learn, sublinear tf) over one part of
each report with one kind of term: single words (the reference), word pairs or
triples (a phrase kept word for word by rewrites of one report), word pairs
without stop words, capitalised words, and the openings (title, title and one
sentence, three sentences).  For each, the area under the ROC curve of
same-event against sibling pairs, over all pairs and over the "alike" pairs
(the top 40% by the reference cosine: those a link could join).  Ratios of a
phrase cosine to the reference ask whether phrases shared *beyond* words shared
part the events.  Counted before building anything (stop 38: the openings;
stop 39: the phrases).

    python -m benchmarks.pair_auc [--alike 0.4]
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from .dated import tuning_pair_sets

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def opening(row: dict[str, Any], sentences: int) -> str:
    """Title (ECB+'s first sentence) and the text's first ``sentences - 1`` sentences."""
    rest = _SENTENCE.split(row["text"].strip())[: max(sentences - 1, 0)]
    return " ".join([row["title"], *rest])


#: name -> (the part of a report compared, TfidfVectorizer arguments)
MEASURES: dict[str, tuple[Callable[[dict[str, Any]], str], dict[str, Any]]] = {
    "words (reference)": (lambda r: f"{r['title']} {r['text']}", {"ngram_range": (1, 1)}),
    "word pairs": (lambda r: f"{r['title']} {r['text']}", {"ngram_range": (2, 2)}),
    "word triples": (lambda r: f"{r['title']} {r['text']}", {"ngram_range": (3, 3)}),
    "words and pairs": (lambda r: f"{r['title']} {r['text']}", {"ngram_range": (1, 2)}),
    "pairs, no stop words": (
        lambda r: f"{r['title']} {r['text']}",
        {"ngram_range": (2, 2), "stop_words": "english"},
    ),
    "capitalised words": (
        lambda r: f"{r['title']} {r['text']}",
        {"lowercase": False, "token_pattern": r"\b[A-Z][a-zA-Z]+\b"},
    ),
    "title": (lambda r: opening(r, 1), {}),
    "title + 1 sentence": (lambda r: opening(r, 2), {}),
    "3 sentences": (lambda r: opening(r, 3), {}),
}
RATIOS = ("word pairs", "word triples", "pairs, no stop words")


def pair_index(rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable]) -> tuple[np.ndarray, ...]:
    """(i, j, same event?) over the pairs of rows within one group."""
    members: dict[Hashable, list[int]] = {}
    for k, r in enumerate(rows):
        members.setdefault(group(r), []).append(k)
    pairs = [p for m in members.values() for p in itertools.combinations(m, 2)]
    i = np.array([p[0] for p in pairs], dtype=np.int64)
    j = np.array([p[1] for p in pairs], dtype=np.int64)
    same = np.array([rows[a]["event"] == rows[b]["event"] for a, b in pairs])
    return i, j, same


def table(rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], alike_share: float) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import roc_auc_score

    i, j, same = pair_index(rows, group)
    cos: dict[str, np.ndarray] = {}
    for name, (part, kwargs) in MEASURES.items():
        x = TfidfVectorizer(sublinear_tf=True, **kwargs).fit_transform([part(r) for r in rows])
        cos[name] = np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
    ref = cos["words (reference)"]
    alike = ref >= np.quantile(ref, 1.0 - alike_share)
    for name in RATIOS:
        cos[f"{name} / words"] = cos[name] / np.maximum(ref, 1e-9)
    lines = [
        f"  pairs {same.size} ({int(same.sum())} same event); alike {int(alike.sum())} "
        f"({int(same[alike].sum())} same event)",
        f"  {'measure':30} {'AUC all':>8} {'AUC alike':>10}",
    ]
    for name, c in cos.items():
        lines.append(f"  {name:30} {roc_auc_score(same, c):8.3f} {roc_auc_score(same[alike], c[alike]):10.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--alike", type=float, default=0.4, help="share of pairs, most alike by words, judged apart")
    args = ap.parse_args(argv)
    for name, rows, group in tuning_pair_sets():
        print(name)
        print("\n".join(table(rows, group, args.alike)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
