"""Story clustering quality on ECB+ through ``digest dedupe``, with reference rows.

Feeds a split (test by default: even topics) through the real batch contract
(``python -m digest dedupe``, the same incremental engine as the daemon) in
several shuffled orders with fixed seeds, and reports B-cubed precision,
recall, F1 and the adjusted Rand index per order, the worst order (by F1) and
the mean, plus the number of stories that mix events (and mix the two events
of one topic: the hard negatives).

Reference rows, in the same run:
* MinHash LSH over word 5-shingles, threshold 0.5, 128 permutations, union
  of candidates (connected components).
* TF-IDF cosine, agglomerative clustering with complete linkage, at the
  threshold that is best on the *dev* split (and, labelled as hindsight, the
  best threshold chosen on the split itself).

    python -m benchmarks.stories [--split test|dev] [--orders 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import ari, bcubed, load_ecb, mixed_stories

ROOT = Path(__file__).resolve().parents[1]


def run_dedupe(rows: list[dict[str, Any]]) -> tuple[dict[str, str], float]:
    payload = "".join(
        json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}) + "\n" for r in rows
    )
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "digest", "dedupe", "-"],
        input=payload, capture_output=True, text=True, cwd=ROOT, check=True,
    )
    elapsed = time.perf_counter() - t0
    pred = {}
    for line in out.stdout.splitlines():
        row = json.loads(line)
        pred[row["id"]] = row["story"]
    return pred, elapsed


def figures(pred: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, float]:
    gold = {r["id"]: r["event"] for r in rows}
    topic = {r["id"]: r["topic"] for r in rows}
    p, r, f = bcubed(pred, gold)
    # stories mixing the two events of one topic
    by_story: dict[Any, set[str]] = {}
    for i, s in pred.items():
        by_story.setdefault(s, set()).add(gold[i])
    sibling = sum(
        1 for evs in by_story.values() if len(evs) > 1 and len({topic_of(e) for e in evs}) < len(evs)
    )
    del topic
    return {
        "b3_precision": p, "b3_recall": r, "b3_f1": f, "ari": ari(pred, gold),
        "stories": len(set(pred.values())), "mixed_stories": mixed_stories(pred, gold),
        "sibling_mixed_stories": sibling,
    }


def topic_of(event: str) -> str:
    return event.replace("ecbplus", "").replace("ecb", "")


def lsh_shingles(rows: list[dict[str, Any]], threshold: float = 0.5) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = {r["id"]: r["id"] for r in rows}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        words = (r["title"] + " " + r["text"]).lower().split()
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))])
        for other in lsh.query(m):
            parent[find(r["id"])] = find(other)
        lsh.insert(r["id"], m)
    return {r["id"]: find(r["id"]) for r in rows}


def tfidf_complete(rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [r["title"] + " " + r["text"] for r in rows]
    )
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="complete", distance_threshold=threshold
    ).fit_predict(x.toarray())
    return {r["id"]: int(lab) for r, lab in zip(rows, labels, strict=True)}


def best_threshold(rows: list[dict[str, Any]]) -> tuple[float, float]:
    gold = {r["id"]: r["event"] for r in rows}
    best = (0.0, 0.0)
    for i in range(40, 100):
        t = i / 100
        f = bcubed(tfidf_complete(rows, t), gold)[2]
        if f > best[1]:
            best = (t, f)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("test", "dev"), default="test")
    ap.add_argument("--orders", type=int, default=5)
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--no-reference", action="store_true", help="skip the reference rows")
    args = ap.parse_args(argv)

    rows = load_ecb(args.split)
    print(f"ECB+ {args.split} split: {len(rows)} articles, {len({r['event'] for r in rows})} events")
    runs = []
    for seed in range(args.orders):
        order = rows[:]
        random.Random(seed).shuffle(order)
        pred, secs = run_dedupe(order)
        fig = figures(pred, rows)
        fig["seconds"] = secs
        runs.append(fig)
        print(
            f"  order {seed}: P={fig['b3_precision']:.3f} R={fig['b3_recall']:.3f} "
            f"F1={fig['b3_f1']:.3f} ARI={fig['ari']:.3f} stories={fig['stories']} "
            f"mixed={fig['mixed_stories']} (sibling events: {fig['sibling_mixed_stories']}) {secs:.1f}s"
        )
    worst = min(runs, key=lambda f: f["b3_f1"])
    mean = {k: sum(r[k] for r in runs) / len(runs) for k in worst}
    result: dict[str, Any] = {"split": args.split, "orders": runs, "worst": worst, "mean": mean}
    print(
        f"digest (worst of {args.orders}): P={worst['b3_precision']:.3f} R={worst['b3_recall']:.3f} "
        f"F1={worst['b3_f1']:.3f} ARI={worst['ari']:.3f} mixed stories={worst['mixed_stories']}"
    )
    print(f"digest (mean): F1={mean['b3_f1']:.3f} ARI={mean['ari']:.3f}; "
          f"{1000 * mean['seconds'] / len(rows):.2f} ms/article incl. process start")
    if not args.no_reference:
        ref = figures(lsh_shingles(rows), rows)
        print(f"reference: MinHash LSH 5-shingles t=0.5: P={ref['b3_precision']:.3f} "
              f"R={ref['b3_recall']:.3f} F1={ref['b3_f1']:.3f} ARI={ref['ari']:.3f}")
        result["reference_lsh_shingles"] = ref
        t_dev, f_dev = best_threshold(load_ecb("dev"))
        tf = figures(tfidf_complete(rows, t_dev), rows)
        print(f"reference: TF-IDF complete linkage, threshold {t_dev:.2f} chosen on dev (dev F1 {f_dev:.3f}): "
              f"P={tf['b3_precision']:.3f} R={tf['b3_recall']:.3f} F1={tf['b3_f1']:.3f} ARI={tf['ari']:.3f}")
        result["reference_tfidf_dev_threshold"] = {**tf, "threshold": t_dev}
        t_h, _ = best_threshold(rows)
        th = figures(tfidf_complete(rows, t_h), rows)
        print(f"reference (hindsight, threshold {t_h:.2f} chosen on this split): "
              f"P={th['b3_precision']:.3f} R={th['b3_recall']:.3f} F1={th['b3_f1']:.3f} ARI={th['ari']:.3f}")
        result["reference_tfidf_hindsight"] = {**th, "threshold": t_h}
    if args.json:
        flat = {
            f"ecb_{args.split}_worst_b3_precision": worst["b3_precision"],
            f"ecb_{args.split}_worst_b3_f1": worst["b3_f1"],
            f"ecb_{args.split}_worst_ari": worst["ari"],
        }
        Path(args.json).write_text(json.dumps({"figures": flat, "detail": result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
