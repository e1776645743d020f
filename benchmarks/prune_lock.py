"""How long each batch of ``digest prune`` holds the store's write lock (stop 38 review).

Observations
------------
A prune removes ``digest.retention.BATCH`` stories a transaction.  Meanwhile no other
process clusters: SQLite's write lock, PostgreSQL's clustering lock (a daemon's poll round
or a worker's unit waits for it).  The batch's cost is its deletes: the articles' rows with
their search index entries (FTS5 triggers; PostgreSQL's GIN index), story rows, the keys
kept in ``pruned``, and on PostgreSQL the log's moves and merges.

How it works
------------
A fresh store (a SQLite file in a temporary folder, or a PostgreSQL schema made and dropped
here) is filled with ``--stories`` stories of two versions each, one every few minutes over
the 40 days before now, each article ~3,000 characters of words (the search index's real
work) and a 1.5 KB fingerprint; then ``digest.retention.prune`` keeps 5 days (a one-day
window: the fewest allowed) and each batch's transaction is timed, start to commit
(``PruneReport.held``).  Prints the median, the maximum and the total.

    python -m benchmarks.prune_lock [--stories 5000] [--postgres URL] [--sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from digest.config import parse_config
from digest.records import Article
from digest.retention import BATCH, prune
from digest.store.base import NewArticle, open_store

DAYS = 40
KEEP = 5
_WORDS = ("harbour council river bridge court school market strike flood budget ferry museum tunnel orchard "
          "airport library stadium hospital railway quarry festival reservoir lighthouse vineyard glacier canal "
          "said would after before officials residents reporters morning evening inquiry witness engineers").split()


def fill(url: str, stories: int, now: datetime, seed: int = 1) -> float:
    """Fill the store at ``url``; seconds taken."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    span = timedelta(days=DAYS).total_seconds()
    with open_store(url) as store:
        for i0 in range(0, stories, 500):
            items = []
            for i in range(i0, min(stories, i0 + 500)):
                when = now - timedelta(days=DAYS) + timedelta(seconds=span * i / stories)
                for v in range(2):
                    text = " ".join(rng.choice(_WORDS) for _ in range(420)) + "."
                    key = f"s{i:07d}v{v}"
                    art = Article(key=key, source=f"Outlet {v}", title=f"Story {i} of the {rng.choice(_WORDS)}",
                                  text=text, url=f"https://o{v}.example/{i}", published=when,
                                  fetched=when + timedelta(minutes=v))
                    items.append(NewArticle(art, rng.randbytes(1500), f"s{i:07d}v0", 0.5))
            store.add_articles(items)
    return time.perf_counter() - t0


@contextmanager
def _store_url(postgres: str | None) -> Iterator[str]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "digest.sqlite3")
        return
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
        try:
            sep = "&" if "?" in postgres else "?"
            yield f"{postgres}{sep}options={quote(f'-csearch_path={name}')}"
        finally:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


def measure(postgres: str | None, stories: int) -> dict[str, float]:
    now = datetime.now(UTC).replace(microsecond=0)
    with _store_url(postgres) as url:
        filled = fill(url, stories, now)
        cfg = parse_config(f"sources: []\ndatabase: {url}\ntimezone: UTC\ndedup:\n  window_days: 1\n",
                           path=Path("feeds.yaml"))
        with open_store(url) as store:
            t0 = time.perf_counter()
            report = prune(store, cfg, KEEP, now)
            total = time.perf_counter() - t0
    held = report.held
    return {"stories": report.stories, "articles": report.articles, "batches": len(held), "fill_s": filled,
            "median_ms": statistics.median(held) * 1000 if held else 0.0,
            "max_ms": max(held) * 1000 if held else 0.0, "total_s": total}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--stories", type=int, default=5000)
    ap.add_argument("--postgres", default=os.environ.get("DIGEST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
                    help="a database this may make a schema in")
    ap.add_argument("--sqlite", action="store_true", help="a SQLite file instead")
    args = ap.parse_args(argv)
    r = measure(None if args.sqlite else args.postgres, args.stories)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"{backend}: {args.stories} stories of 2 versions (filled in {r['fill_s']:.1f} s); pruned "
          f"{r['stories']:.0f} stories ({r['articles']:.0f} articles) in {r['batches']:.0f} batches of {BATCH}: "
          f"write lock held {r['median_ms']:.0f} ms at the median, {r['max_ms']:.0f} ms at most; "
          f"{r['total_s']:.2f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
