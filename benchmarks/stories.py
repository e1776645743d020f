"""Story clustering quality on ECB+ through ``digest dedupe``, with reference rows.

Observations
------------
* An incremental clusterer depends on arrival order, so one order proves
  little: the split is fed in several shuffled orders (seeds 0..N-1) and the
  *worst* order (by B-cubed F1) is what the gate sees; the mean is printed too.
* The reference rows put the figures in context: word-shingle MinHash only
  finds near-verbatim copies (high precision, recall ~0.10); TF-IDF cosine
  with complete linkage is a strong offline (non-incremental) clusterer.

How it works
------------
* digest: the split (test by default: even topics) goes through the stable
  batch contract, ``python -m digest dedupe -`` (the same incremental engine
  as the daemon), as ``{"id", "title", "text"}`` lines; figures per order
  (B-cubed P/R/F1, ARI, pairwise P/R, stories mixing events, stories mixing
  the two events of one topic) and time per article (with and without the
  process start, measured on empty input).
* MinHash LSH over lower-cased word 5-shingles, threshold 0.5, 128
  permutations; every candidate pair is united (connected components).
* TF-IDF (sublinear tf, English stop words) cosine, agglomerative complete
  linkage.  The distance threshold is swept on the *dev* split and the best
  one applied to the split measured; the best threshold on the measured split
  itself is printed too, labelled hindsight (it is not a fair comparison).
  One full tree per split is built with scikit-learn and cut at every
  threshold (complete-linkage merge heights are monotone, so the cut equals
  ``AgglomerativeClustering(distance_threshold=t)``; checked at the chosen t).

``--engine fake`` puts every article alone (a stand-in for checking the
benchmark itself: B-cubed precision 1, low recall).  ``--json FILE`` writes
``{"figures": {...gate names...}, "detail": {...}}``.

    python -m benchmarks.stories [--split test|dev] [--orders 5] [--engine digest|fake]
                                 [--no-reference] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import bcubed, figures, load_ecb, run_dedupe, startup_seconds

Rows = Sequence[dict[str, Any]]


def records(rows: Rows) -> list[dict[str, Any]]:
    return [{"id": r["id"], "title": r["title"], "text": r["text"]} for r in rows]


def lsh_shingles(rows: Rows, threshold: float = 0.5, num_perm: int = 128) -> dict[str, str]:
    """MinHash LSH over word 5-shingles; connected components of the candidates."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    parent = {r["id"]: r["id"] for r in rows}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        words = (r["title"] + " " + r["text"]).lower().split()
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles])
        for other in lsh.query(m):
            parent[find(r["id"])] = find(other)
        lsh.insert(r["id"], m)
    return {r["id"]: find(r["id"]) for r in rows}


class TfidfTree:
    """The complete-linkage tree of one split's TF-IDF vectors, cut at any threshold."""

    def __init__(self, rows: Rows) -> None:
        from sklearn.cluster import AgglomerativeClustering

        self.rows = list(rows)
        self.x = self._vectors(self.rows)
        model = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="complete",
            distance_threshold=0.0, compute_full_tree=True,
        ).fit(self.x)
        self.children = model.children_
        self.distances = model.distances_

    @staticmethod
    def _vectors(rows: Rows) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
            [r["title"] + " " + r["text"] for r in rows]
        ).toarray()

    def cut(self, threshold: float) -> dict[str, int]:
        n = len(self.rows)
        parent = list(range(2 * n))
        for k, (a, b) in enumerate(self.children):
            if self.distances[k] >= threshold:
                break
            parent[a] = parent[b] = n + k
        labels = {}
        for i, r in enumerate(self.rows):
            j = i
            while parent[j] != j:
                j = parent[j]
            labels[r["id"]] = j
        return labels

    def direct(self, threshold: float) -> dict[str, int]:
        """``AgglomerativeClustering(distance_threshold=threshold)`` itself (the check)."""
        from sklearn.cluster import AgglomerativeClustering

        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="complete", distance_threshold=threshold
        ).fit_predict(self.x)
        return {r["id"]: int(lab) for r, lab in zip(self.rows, labels, strict=True)}

    def best(self) -> tuple[float, float]:
        """(threshold, B-cubed F1) of the best cut, thresholds 0.30..1.00 by 0.01."""
        gold = {r["id"]: r["event"] for r in self.rows}
        best = (0.0, -1.0)
        for i in range(30, 101):
            f = bcubed(self.cut(i / 100), gold)[2]
            if f > best[1]:
                best = (i / 100, f)
        return best


def same_partition(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def blocks(m: dict[str, Any]) -> set[frozenset[str]]:
        out: dict[Any, set[str]] = {}
        for k, v in m.items():
            out.setdefault(v, set()).add(k)
        return {frozenset(s) for s in out.values()}

    return blocks(a) == blocks(b)


def row(label: str, f: dict[str, float]) -> str:
    return (
        f"{label:44} {f['b3_precision']:6.3f} {f['b3_recall']:6.3f} {f['b3_f1']:6.3f} "
        f"{f['ari']:6.3f} {f['pair_precision']:6.3f} {f['pair_recall']:6.3f} "
        f"{int(f['stories']):5d} {int(f['mixed_stories']):5d} {int(f['sibling_mixed_stories']):5d}"
    )


HEADER = (
    f"{'':44} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'ARI':>6} {'pair P':>6} {'pair R':>6} "
    f"{'story':>5} {'mixed':>5} {'sibl.':>5}"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", choices=("test", "dev"), default="test")
    ap.add_argument("--orders", type=int, default=5, help="shuffled orders, seeds 0..N-1")
    ap.add_argument("--engine", choices=("digest", "fake"), default="digest")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--no-reference", action="store_true", help="skip the reference rows")
    args = ap.parse_args(argv)

    rows = load_ecb(args.split)
    print(f"ECB+ {args.split} split: {len(rows)} articles, {len({r['event'] for r in rows})} events, "
          f"engine {args.engine}; 'mixed' = stories holding >1 event, 'sibl.' = both events of a topic")
    print(HEADER)
    runs: list[dict[str, float]] = []
    for seed in range(args.orders):
        order = rows[:]
        random.Random(seed).shuffle(order)
        res = run_dedupe(records(order), args.engine)
        fig = figures(res.story, rows)
        fig["seconds"] = res.seconds
        fig["seed"] = seed
        runs.append(fig)
        print(row(f"digest, order {seed} ({res.seconds:.1f}s)", fig))
    worst = min(runs, key=lambda f: f["b3_f1"])
    mean = {k: sum(r[k] for r in runs) / len(runs) for k in worst}
    print(row(f"digest WORST of {args.orders} (order {int(worst['seed'])})", worst))
    print(row(f"digest mean of {args.orders}", mean))
    start = startup_seconds() if args.engine == "digest" else 0.0
    per_article = 1000 * mean["seconds"] / len(rows)
    net = 1000 * max(0.0, mean["seconds"] - start) / len(rows)
    print(f"time: {per_article:.2f} ms/article incl. process start, "
          f"{net:.2f} ms/article without ({start:.2f}s start)")
    result: dict[str, Any] = {
        "split": args.split, "engine": args.engine, "orders": runs, "worst": worst, "mean": mean,
        "ms_per_article": per_article, "ms_per_article_net": net,
    }
    if not args.no_reference:
        result.update(reference(rows, args.split))
    if args.json:
        flat = {
            f"ecb_{args.split}_worst_b3_precision": worst["b3_precision"],
            f"ecb_{args.split}_worst_b3_recall": worst["b3_recall"],
            f"ecb_{args.split}_worst_b3_f1": worst["b3_f1"],
            f"ecb_{args.split}_worst_ari": worst["ari"],
        }
        Path(args.json).write_text(json.dumps({"figures": flat, "detail": result}, indent=2))
    return 0


def reference(rows: Rows, split: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ref = figures(lsh_shingles(rows), rows)
    print(row("ref: MinHash LSH word 5-shingles, t=0.5", ref))
    out["reference_lsh_shingles"] = ref
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("ref: TF-IDF rows skipped (scikit-learn not installed: pip install -e '.[bench]')")
        return out
    dev = load_ecb("dev")
    t_dev, f_dev = TfidfTree(dev).best()
    tree = TfidfTree(rows)
    chosen = tree.cut(t_dev)
    if not same_partition(chosen, tree.direct(t_dev)):
        print("warning: tree cut differs from AgglomerativeClustering at the chosen threshold")
    tf = figures(chosen, rows)
    print(row(f"ref: TF-IDF complete, t={t_dev:.2f} (best on dev)", tf))
    out["reference_tfidf_dev_threshold"] = {**tf, "threshold": t_dev, "dev_b3_f1": f_dev}
    t_h, _ = tree.best()
    th = figures(tree.cut(t_h), rows)
    print(row(f"ref: TF-IDF complete, t={t_h:.2f} HINDSIGHT({split})", th))
    out["reference_tfidf_hindsight"] = {**th, "threshold": t_h}
    print(f"     (dev-chosen threshold {t_dev:.2f} had dev B3 F1 {f_dev:.3f}; the hindsight row "
          f"tunes on the split it reports and is not a fair comparison)")
    return out


if __name__ == "__main__":
    sys.exit(main())
