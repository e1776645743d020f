"""Search speed over a large store: ``digest search`` against a plain scan, in one process.

How it works
------------
A SQLite store on disk is filled with ``--articles`` articles (ECB+ and GVC
texts, each used many times with its sentences in another order and a
serial number, in stories of 1-5 versions: real words, a realistic
vocabulary).  Then each query of ``QUERIES`` runs ``--repeat`` times through
``Store.search`` (FTS5, what ``digest search`` and the archive's search box
use) and, as the baseline, through a scan of the same table with ``LIKE``.
Prints the median and the 95th percentile of each, their ratio, and the
stories found, and whether the worst 95th percentile is within ``--target-ms``
(``--check``: exit 1 when it is not; timings on a shared machine are noisy,
so CI prints them and does not gate).

    python -m benchmarks.search_speed [--articles 100000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.records import Article
from digest.store.base import NewArticle, open_store
from digest.store.search import parse

from .common import load_ecb
from .dated import load_gvc

QUERIES = ("earthquake", "police shooting", '"Internet Explorer"', "Obama -Bush", "Klitschko", "harbour wall",
           "arrested suspect charged", "zebra")


def texts() -> list[tuple[str, str]]:
    rows = load_ecb("all") + load_gvc("all")
    return [(r.get("title") or r["text"][:80], r["text"]) for r in rows]


def fill(url: str, n: int, seed: int = 1) -> float:
    rng = random.Random(seed)
    base = texts()
    t0 = time.perf_counter()
    with open_store(url) as store:
        batch: list[NewArticle] = []
        story, left = "", 0
        for i in range(n):
            if left == 0:
                story, left = f"s{i}", rng.randint(1, 5)
            left -= 1
            title, text = base[rng.randrange(len(base))]
            parts = text.split(" . ")
            rng.shuffle(parts)
            at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
            art = Article(key=f"k{i}", source=f"Outlet {i % 40}", title=f"{title} #{i}",
                          text=" . ".join(parts), fetched=at, published=at)
            batch.append(NewArticle(art, b"fp", story, 0.5))
            if len(batch) == 2000:
                store.add_articles(batch)
                batch = []
        if batch:
            store.add_articles(batch)
    return time.perf_counter() - t0


def scan(db: object, query: str, limit: int = 20) -> list[str]:
    """The baseline: every word (``LIKE``) in the title or text, a plain table scan of every
    row (what finding all matches costs without an index; unranked)."""
    words = [w for t in parse(query) if not t.exclude for w in [" ".join(t.words)]]
    cond = " AND ".join("(title LIKE ? OR text LIKE ?)" for _ in words)
    args = [p for w in words for p in (f"%{w}%", f"%{w}%")]
    q = f"SELECT story_id FROM articles WHERE {cond} GROUP BY story_id"
    return [r[0] for r in db.execute(q, args).fetchall()][:limit]  # type: ignore[attr-defined]


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--target-ms", type=float, default=50.0)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--check", action="store_true", help="exit 1 when the target is not met")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'digest.sqlite3'}"
        seconds = fill(url, args.articles)
        print(f"{args.articles:,} articles stored with their search index in {seconds:.1f}s "
              f"({args.articles / seconds:,.0f}/s)")
        print(f"{'query':28} {'found':>5}  {'search p50':>10} {'p95':>7}  {'newest p50':>10} {'p95':>7}  "
              f"{'scan p50':>9}  {'scan/search':>11}")
        rows, worst = [], 0.0
        with open_store(url) as store:
            db = store.db  # type: ignore[attr-defined]
            for q in QUERIES:
                found = store.search(q)
                fast = timed(lambda q=q: store.search(q), args.repeat)
                # newest first (``digest search --newest``): every match read and sorted by time
                latest = timed(lambda q=q: store.search(q, newest=True), args.repeat)
                slow = timed(lambda q=q: scan(db, q), max(3, args.repeat // 5))
                s50, s95, b50 = statistics.median(fast), p95(fast), statistics.median(slow)
                n50, n95 = statistics.median(latest), p95(latest)
                worst = max(worst, s95, n95)
                print(f"{q:28} {len(found):5d}  {s50:8.1f}ms {s95:5.1f}ms  {n50:8.1f}ms {n95:5.1f}ms  "
                      f"{b50:7.1f}ms  {b50 / s50:10.1f}x")
                rows.append({"query": q, "found": len(found), "p50_ms": s50, "p95_ms": s95,
                             "newest_p50_ms": n50, "newest_p95_ms": n95, "scan_p50_ms": b50})
    ok = worst <= args.target_ms
    print(f"worst p95 {worst:.1f} ms over {args.articles:,} articles (target {args.target_ms:.0f} ms): "
          f"{'met' if ok else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"articles": args.articles, "queries": rows, "worst_p95_ms": worst}))
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
