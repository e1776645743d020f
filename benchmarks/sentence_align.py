"""Do rewrites of one report align sentence by sentence where two events of one kind do not?

Observations
------------
* A rewrite of one report restates its facts sentence by sentence: several of
  its sentences are close paraphrases of sentences of the other.  Two events
  of one kind (two emergency patches, two elections of one parliament) share
  their vocabulary too, but spread over background sentences, and might have
  few sentence pairs tightly aligned.  Whole-text cosines cannot see that
  difference; a cosine between sentences can.  Counted before building.
* It reads only the tuning splits: the ECB+ dev topics (pairs of one topic,
  same event against sibling) and GVC val (all pairs, same incident against
  two); and, against the engine's own errors, the final stories of the ECB+
  dev close streams (3 seeds) and GVC val, through the batch path.

How it works
------------
A report's sentences are its title and the sentences of its text
(``digest.text.sentences.sentences``: its stops and line breaks); each is
weighted by the engine's own terms (``digest.dedup.terms.term_weights``:
stemmed content words, names apart and weighted up), times the set's idf
(over reports), unit length; a sentence of fewer than ``--min-terms`` terms is
left out.  The whole text is weighted the same way (title and lede counting
double, as in the engine) for the "whole text" cosine.  Per pair of reports:

* *max*: the best sentence-to-sentence cosine;
* *top-3*: the mean of the 3 best pairs matched one to one (greedy, best
  first; fewer when a report has fewer sentences);
* *share >= t*: the share of the shorter report's sentences whose best
  partner's cosine is at least t;
* *top-3 / whole*: alignment beyond overall overlap.

Two views:

* *pairs*: the AUC of same-event over sibling pairs, all pairs and the 40%
  most alike by words, beside the word cosine of ``benchmarks.pair_auc``; and
  "in strata": within 5 bins of those alike pairs by the whole-text cosine of
  the engine's terms, averaged (what a measure tells beyond overall overlap);
* *final*: the decisive one.  Of the pairs the final stories hold, the sibling
  pairs (the errors) against the same-event pairs (merged rightly): the AUC of
  the measure (same over sibling: a penalty on low alignment can help only
  when it is high), the medians, the share under a bar (the errors' median),
  the AUC within 5 bins of the merged pairs by whole-text cosine; and of the
  pairs left apart, same event against sibling (a boost).  Then per topic
  holding errors, the AUC of right merges over errors within that topic.

Counted before building, and not built: the sibling pairs the dev close
stories merge share stock sentences of their topic ("The term of office of MPs
is five years.") as tightly as rewrites of one report do, so at equal overall
overlap they align more, not less (``docs/evaluation.md``, "Stories over time").

    python -m benchmarks.sentence_align [--min-terms 3] [--alike 0.4] [--seeds 0,1,2] [--no-final]
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params
from digest.dedup.terms import term_weights
from digest.text.sentences import sentences

from .common import load_ecb
from .dated import STREAMS, load_gvc, tuning_pair_sets
from .novelty import auc
from .pair_auc import MEASURES, pair_index

BARS = (0.5, 0.6)
TOP = 3
STRATA = 5
NAMES = ("whole text", "max", "top-3", *(f"share >= {t}" for t in BARS), "top-3 / whole")


@dataclass(frozen=True)
class Aligned:
    """Unit sentence vectors of a set of reports, their owners, and unit whole-text vectors."""

    sent: sparse.csr_matrix
    owner: np.ndarray  # report index of each sentence row
    start: np.ndarray  # first sentence row of each report (length n + 1)
    whole: sparse.csr_matrix


def _unit(rows: list[dict[str, float]], vocab: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    data, cols, ptr = [], [], [0]
    for terms in rows:
        for t, w in terms.items():
            cols.append(vocab[t])
            data.append(w * idf[vocab[t]])
        ptr.append(len(cols))
    x = sparse.csr_matrix((np.array(data, float), np.array(cols, np.int64), np.array(ptr)), shape=(len(rows), len(idf)))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x)


def align_vectors(rows: list[dict[str, Any]], min_terms: int) -> Aligned:
    whole = [term_weights(r.get("title") or "", r["text"]) for r in rows]
    sents: list[dict[str, float]] = []
    owner: list[int] = []
    start = [0]
    for k, r in enumerate(rows):
        for s in [r.get("title") or "", *sentences(r["text"])]:
            terms = term_weights("", s)
            if len(terms) >= min_terms:
                sents.append(terms)
                owner.append(k)
        start.append(len(sents))
    held = [set(w) for w in whole]
    for k, terms in zip(owner, sents, strict=True):
        held[k].update(terms)  # a sentence's first word is no name, where the whole text may read one
    df: Counter[str] = Counter(t for h in held for t in h)
    vocab = {t: i for i, t in enumerate(df)}
    idf = np.array([math.log((1 + len(rows)) / (1 + df[t])) + 1.0 for t in vocab])
    return Aligned(_unit(sents, vocab, idf), np.array(owner), np.array(start), _unit(whole, vocab, idf))


def pair_measures(block: np.ndarray, whole: float) -> tuple[float, ...]:
    """The measures of one pair from its sentence cosines (rows: one report, columns: the other)."""
    if block.size == 0:
        return (whole, 0.0, 0.0, *(0.0 for _ in BARS), 0.0)
    order = np.argsort(block, axis=None)[::-1]
    used_r: set[int] = set()
    used_c: set[int] = set()
    best: list[float] = []
    for flat in order:
        r, c = divmod(int(flat), block.shape[1])
        if r in used_r or c in used_c:
            continue
        used_r.add(r)
        used_c.add(c)
        best.append(float(block[r, c]))
        if len(best) == TOP:
            break
    top = float(np.mean(best))
    partner = block.max(axis=1) if block.shape[0] <= block.shape[1] else block.max(axis=0)
    shares = tuple(float((partner >= t).mean()) for t in BARS)
    return (whole, float(block.max()), top, *shares, top / max(whole, 1e-9))


def _key(a: Any, b: Any) -> tuple[str, str]:
    x, y = str(a), str(b)
    return (x, y) if x < y else (y, x)


def measures_by_pair(
    rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], min_terms: int
) -> dict[tuple[str, str], tuple[float, ...]]:
    """(id, id) (sorted) -> the measures, for each pair of rows within one group."""
    v = align_vectors(rows, min_terms)
    members: dict[Hashable, list[int]] = defaultdict(list)
    for k, r in enumerate(rows):
        members[group(r)].append(k)
    out: dict[tuple[str, str], tuple[float, ...]] = {}
    for ks in members.values():
        lo = np.concatenate([np.arange(v.start[k], v.start[k + 1]) for k in ks])
        cos = (v.sent[lo] @ v.sent[lo].T).toarray()
        where = {k: np.flatnonzero(v.owner[lo] == k) for k in ks}
        wcos = (v.whole[ks] @ v.whole[ks].T).toarray()
        for (ia, a), (ib, b) in itertools.combinations(enumerate(ks), 2):
            out[_key(rows[a]["id"], rows[b]["id"])] = pair_measures(cos[np.ix_(where[a], where[b])], float(wcos[ia, ib]))
    return out


def within(c: np.ndarray, same: np.ndarray, alike: np.ndarray, stratum: np.ndarray) -> float:
    """The AUC of ``c`` within each stratum of the alike pairs, averaged weighted by the
    stratum's pairs (a stratum holding one kind only left out)."""
    total, weight = 0.0, 0
    for s in range(STRATA):
        pick = alike & (stratum == s)
        pos, neg = c[pick & same], c[pick & ~same]
        if pos.size and neg.size:
            total += auc(list(pos), list(neg)) * int(pick.sum())
            weight += int(pick.sum())
    return total / weight if weight else float("nan")


def pairs_table(rows: list[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], min_terms: int,
                alike_share: float) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    i, j, same = pair_index(rows, group)
    part, kwargs = MEASURES["words (reference)"]
    x = TfidfVectorizer(sublinear_tf=True, **kwargs).fit_transform([part(r) for r in rows])
    ref = np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
    alike = ref >= np.quantile(ref, 1.0 - alike_share)
    m = measures_by_pair(rows, group, min_terms)
    cols = np.array([m[_key(rows[a]["id"], rows[b]["id"])] for a, b in zip(i, j, strict=True)])
    lines = [
        f"  pairs {same.size} ({int(same.sum())} same event); alike {int(alike.sum())} "
        f"({int(same[alike].sum())} same event); sentences of {min_terms}+ terms",
        f"  {'measure':30} {'AUC all':>8} {'AUC alike':>10} {'in strata':>10} {'median same':>12} "
        f"{'median other':>13}",
    ]
    # the alike pairs in STRATA bins of the engine-term whole-text cosine: what a measure
    # tells beyond the overlap of the whole texts
    whole = cols[:, NAMES.index("whole text")]
    edges = np.quantile(whole[alike], np.linspace(0, 1, STRATA + 1))
    stratum = np.clip(np.searchsorted(edges, whole, side="right") - 1, 0, STRATA - 1)
    named = {"words (pair_auc reference)": ref, **{f"{n} (engine terms)" if n == "whole text" else n: cols[:, k]
                                                    for k, n in enumerate(NAMES)}}
    for name, c in named.items():
        lines.append(
            f"  {name:30} {auc(list(c[same]), list(c[~same])):8.3f} "
            f"{auc(list(c[alike & same]), list(c[alike & ~same])):10.3f} "
            f"{within(c, same, alike, stratum):10.3f} "
            f"{np.median(c[same]):12.3f} {np.median(c[~same]):13.3f}"
        )
    return lines


# -- the engine's own errors -------------------------------------------------------------------

CLASSES = ("merged sibling", "merged same", "apart same", "apart sibling")


def final_stories(job: tuple[str, str, int]) -> tuple[str, int, dict[str, str], dict[str, str]]:
    """One stream and seed through today's engine, the batch path: (id -> story, id -> event)."""
    name, split, seed = job
    records = STREAMS[name](split, seed)
    story = {str(o["id"]): str(o["story"]) for o in dedupe_records(records, Engine(Params()))}
    return name, seed, story, {str(r["id"]): str(r["event"]) for r in records}


def classed(story: dict[str, str], gold: dict[str, str], measured: dict[tuple[str, str], tuple[float, ...]]
            ) -> tuple[dict[str, list[tuple[float, ...]]], int]:
    """The measures of the pairs counted (those of one group) by class; and the merged pairs of
    two groups (not counted: another topic)."""
    out: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    other = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        merged = story[a] == story[b]
        m = measured.get(_key(a, b))
        if m is None:
            other += merged
            continue
        out[("merged " if merged else "apart ") + ("same" if gold[a] == gold[b] else "sibling")].append(m)
    return out, other


def final_table(by_class: dict[str, list[tuple[float, ...]]]) -> list[str]:
    arr = {c: np.array(by_class[c]).reshape(-1, len(NAMES)) for c in CLASSES}
    lines = ["  pairs: " + ", ".join(f"{c} {len(arr[c])}" for c in CLASSES),
             f"  {'measure':16} {'AUC merged':>10} {'med. err':>9} {'med. right':>10} {'err < bar':>18} "
             f"{'right < bar':>20} {'in strata':>10} {'AUC apart':>10}"]
    merged = np.concatenate([arr["merged same"], arr["merged sibling"]])
    same = np.arange(len(merged)) < len(arr["merged same"])
    whole = merged[:, NAMES.index("whole text")]
    edges = np.quantile(whole, np.linspace(0, 1, STRATA + 1)) if whole.size else np.zeros(STRATA + 1)
    stratum = np.clip(np.searchsorted(edges, whole, side="right") - 1, 0, STRATA - 1)
    everywhere = np.ones(len(merged), bool)
    for k, name in enumerate(NAMES):
        err, right = arr["merged sibling"][:, k], arr["merged same"][:, k]
        miss, kept = arr["apart same"][:, k], arr["apart sibling"][:, k]
        # the bar: the median of the errors (a penalty below it catches half of them)
        bar = float(np.median(err)) if err.size else float("nan")
        n_err, n_right = int((err < bar).sum()), int((right < bar).sum())
        lines.append(
            f"  {name:16} {auc(list(right), list(err)):10.3f} {bar:9.3f} "
            f"{np.median(right) if right.size else float('nan'):10.3f} "
            f"{n_err:6}/{err.size:<5} ({n_err / max(err.size, 1):5.1%}) "
            f"{n_right:6}/{right.size:<6} ({n_right / max(right.size, 1):5.1%}) "
            f"{within(merged[:, k], same, everywhere, stratum):10.3f} "
            f"{auc(list(miss), list(kept)):10.3f}"
        )
    return lines


def topic_rows(runs: list[tuple[dict[str, str], dict[str, str]]],
               measured: dict[tuple[str, str], tuple[float, ...]]) -> list[str]:
    """Per ECB+ topic whose final stories merge siblings (all seeds): the AUC of each measure,
    the same-event pairs merged over the sibling pairs merged, within that topic alone (its
    own style, its own stock sentences)."""
    topic = {str(r["id"]): int(r["topic"]) for r in load_ecb("dev")}
    by_topic: dict[int, dict[str, list[tuple[float, ...]]]] = defaultdict(lambda: defaultdict(list))
    for story, gold in runs:
        for t in {topic[a] for a in gold}:
            by_class, _ = classed(story, {a: e for a, e in gold.items() if topic[a] == t}, measured)
            for c in ("merged same", "merged sibling"):
                by_topic[t][c].extend(by_class[c])
    lines = [f"  {'topic':>5} {'right':>6} {'err':>4}  " + " ".join(f"{n:>13}" for n in NAMES)]
    for t in sorted(t for t, c in by_topic.items() if c["merged sibling"]):
        right, err = np.array(by_topic[t]["merged same"]), np.array(by_topic[t]["merged sibling"])
        lines.append(f"  {t:5} {len(right):6} {len(err):4}  " + " ".join(
            f"{auc(list(right[:, k]), list(err[:, k])):13.3f}" for k in range(len(NAMES))))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--min-terms", type=int, default=3, help="terms a sentence needs to count")
    ap.add_argument("--alike", type=float, default=0.4, help="share of pairs, most alike by words, judged apart")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-final", action="store_true", help="the gold pairs only, no engine runs")
    args = ap.parse_args(argv)
    for name, rows, group in tuning_pair_sets():
        print(name)
        print("\n".join(pairs_table(rows, group, args.min_terms, args.alike)))
    if args.no_final:
        return 0
    seeds = [int(s) for s in args.seeds.split(",")]
    measured = {
        "ecb-close": measures_by_pair(load_ecb("dev"), lambda r: r["topic"], args.min_terms),
        "gvc": measures_by_pair(load_gvc("val"), lambda r: 0, args.min_terms),
    }
    jobs = [(n, s, seed) for n, s in (("ecb-close", "dev"), ("gvc", "val")) for seed in seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(final_stories, jobs))
    for stream in measured:
        total: dict[str, list[tuple[float, ...]]] = defaultdict(list)
        crossed = 0
        for name, _seed, story, gold in results:
            if name == stream:
                by_class, other = classed(story, gold, measured[stream])
                crossed += other
                for c, ms in by_class.items():
                    total[c].extend(ms)
        print(f"== {stream}, final stories, seeds {args.seeds} (err: sibling pairs merged; right: same-event "
              f"pairs merged; bar: the errors' median; AUC apart: same over sibling among pairs left apart; "
              f"merged pairs of two topics not counted: {crossed})")
        print("\n".join(final_table(total)))
    print("== ecb-close, the topics holding the errors: right merges against errors within one topic")
    print("\n".join(topic_rows([(story, gold) for name, _s, story, gold in results if name == "ecb-close"],
                                measured["ecb-close"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
