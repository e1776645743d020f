"""Extraction benchmark: ``html_to_text(page=True)`` then ``clean_text`` on the
scrapinghub article-extraction benchmark (181 pages, ``../shared``).

Metric (as scrapinghub/article-extraction-benchmark's ``evaluate.py`` defines it)
--------------------------------------------------------------------------------
* Tokens are ``\\w+`` matches (case kept).  Each text becomes the multiset of
  its 4-token shingles (a text shorter than 4 tokens is one shorter shingle).
* Per page: tp = shared shingles (multiset min), fp = extra predicted ones,
  fn = missed true ones; the three are divided by their sum so every page
  weighs the same.
* Precision = mean over pages of tp/(tp+fp), recall = mean of tp/(tp+fn)
  (1.0 when fp = fn = 0, 0.0 when tp = 0; pages with tp+fp = 0 are left out of
  the precision mean), F1 = harmonic mean of those two means.
* Published figure for trafilatura (default settings, comments off): F1 0.958.

Usage::

    python -m benchmarks.extraction              # table: trafilatura alone vs + clean_text
    python -m benchmarks.extraction --json       # one JSON object (for an eval gate)
    python -m benchmarks.extraction --seeds      # print the cleaned seed articles
    python -m benchmarks.extraction --worst 10   # list the pages cleaning hurt most
    python -m benchmarks.extraction --json --min-f1 0.95   # gate: exit 1 below 0.95

``DIGEST_SHARED`` overrides the location of the shared folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from digest.text.clean import clean_text
from digest.text.extract import extract_many, html_to_text

SHARED = Path(
    os.environ.get("DIGEST_SHARED") or Path(__file__).resolve().parents[1].parent / "shared"
)
BENCH = SHARED / "corpus" / "extraction" / "scrapinghub"
SEEDS = SHARED / "seeds"

_TOKEN = re.compile(r"\w+")

TpFpFn = tuple[float, float, float]


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(true: str, pred: str) -> TpFpFn:
    """Normalized (tp, fp, fn) over 4-token shingles of one page."""
    t, p = _shingles(true), _shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == 0 else tp / (tp + fn)


def score(counts: list[TpFpFn]) -> dict[str, float]:
    """Mean precision, mean recall and their harmonic mean (the benchmark's F1)."""
    precision = statistics.mean([_precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    recall = statistics.mean([_recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def load_pages() -> tuple[list[str], list[tuple[str, str | None]], list[str]]:
    """(ids, [(html, url)], [true body]) of the benchmark, sorted by id."""
    truth: dict[str, dict[str, str]] = json.loads((BENCH / "ground-truth.json").read_text("utf-8"))
    ids = sorted(truth)
    pages = []
    for key in ids:
        with gzip.open(
            BENCH / "html" / f"{key}.html.gz", "rt", encoding="utf-8", errors="replace"
        ) as f:
            pages.append((f.read(), truth[key].get("url")))
    return ids, pages, [truth[k].get("articleBody") or "" for k in ids]


def run(workers: int) -> dict[str, Any]:
    ids, pages, truth = load_pages()
    t0 = time.perf_counter()
    extracted = [html_to_text(h, url=u, page=True) for h, u in pages]
    seq_secs = time.perf_counter() - t0
    t0 = time.perf_counter()
    pooled = extract_many(pages, workers=workers)
    pool_secs = time.perf_counter() - t0
    if [t for t, _ in pooled] != [t for t, _ in extracted]:
        raise SystemExit("extract_many disagrees with html_to_text")
    t0 = time.perf_counter()
    cleaned = [clean_text(text, title=title).text for text, title in extracted]
    clean_secs = time.perf_counter() - t0
    raw_counts = [page_counts(t, p) for t, (p, _) in zip(truth, extracted, strict=True)]
    clean_counts = [page_counts(t, p) for t, p in zip(truth, cleaned, strict=True)]
    n = len(ids)
    per_page = [
        {
            "id": k,
            "f1_raw": _f1(r),
            "f1_clean": _f1(c),
            "removed_words": len(p.split()) - len(q.split()),
        }
        for k, r, c, (p, _), q in zip(
            ids, raw_counts, clean_counts, extracted, cleaned, strict=True
        )
    ]
    return {
        "pages": n,
        "extract": score(raw_counts),
        "extract_clean": score(clean_counts),
        "pages_per_sec": n / seq_secs,
        "pages_per_sec_pool": n / pool_secs,
        "pool_workers": workers,
        "clean_pages_per_sec": n / clean_secs if clean_secs else float("inf"),
        "empty_extractions": sum(1 for t, _ in extracted if not t),
        "per_page": per_page,
    }


def _f1(c: TpFpFn) -> float:
    p, r = _precision(*c), _recall(*c)
    return 2 * p * r / (p + r) if p + r else 0.0


def print_seeds() -> None:
    """Print each seed article cleaned, then the lines removed as junk."""
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text("utf-8")
        res = clean_text(raw)
        print(
            f"===== {path.name}: {len(raw.split())} -> {res.words} words, "
            f"{res.paragraphs} paragraphs, truncated={res.truncated}"
        )
        print(res.text)
        print("----- junk:")
        for line in res.junk:
            print(f"  x {line}")
        print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--seeds", action="store_true", help="print the cleaned seed articles")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--worst", type=int, default=0, help="list pages cleaning hurt most")
    ap.add_argument(
        "--min-f1", type=float, default=0.0, help="exit 1 when F1 after cleaning is below this"
    )
    args = ap.parse_args(argv)
    if args.seeds:
        print_seeds()
        return 0
    res = run(args.workers)
    status = 1 if res["extract_clean"]["f1"] < args.min_f1 else 0
    if args.json:
        res.pop("per_page")
        print(json.dumps(res, indent=2))
        return status
    print(f"{'':24} {'F1':>6} {'P':>6} {'R':>6}   ({res['pages']} pages)")
    for label, key in (("trafilatura", "extract"), ("trafilatura+clean_text", "extract_clean")):
        m = res[key]
        print(f"{label:24} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f}")
    print(
        f"html_to_text: {res['pages_per_sec']:.1f} pages/s sequential, "
        f"{res['pages_per_sec_pool']:.1f} pages/s extract_many({res['pool_workers']} workers); "
        f"clean_text: {res['clean_pages_per_sec']:.0f} pages/s; "
        f"empty extractions: {res['empty_extractions']}"
    )
    if args.worst:
        rows = sorted(res["per_page"], key=lambda r: r["f1_clean"] - r["f1_raw"])[: args.worst]
        for r in rows:
            print(
                f"  {r['id'][:16]} raw {r['f1_raw']:.3f} clean {r['f1_clean']:.3f} "
                f"removed {r['removed_words']} words"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
