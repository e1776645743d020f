"""Pages per second of the HTML-to-text step, in one process and in the process pool.

Observations
------------
* Article extraction (trafilatura on a whole web page, ``html_to_text(page=True)``)
  is the costliest step per article, and pure CPU work (Python and lxml):
  one process uses one core whatever the machine has.
* ``digest.text.extract.extract_many`` spreads the pages over a process pool (one
  process per core by default), and the pipeline sends a source's whole
  pages (a folder of saved ``.html`` files, feed entries carrying whole
  pages) through it: ``App.ingest`` -> ``digest.text.prepare.bodies_of``.  The
  pool costs its start-up and the pickling of pages and texts, so it must
  be measured, not assumed.

How it works
------------
* The pages are the scrapinghub article-extraction benchmark's
  (``../shared/corpus/extraction/scrapinghub/html/*.html.gz``, 181 real news
  pages), loaded and decompressed before any clock starts.
* Timed in this process, best of ``--repeat``: every page through
  ``html_to_text(page=True)`` one after the other (the baseline); the same
  pages through ``extract_many(workers=N)`` (``--workers``, default all
  cores), pool start-up included; and the pipeline's own path,
  ``bodies_of`` over the pages as local ``.html`` entries, with one worker
  and with N.  Each result must equal the baseline's, page for page.
* Printed: pages/s of each, and the ratio pool / one process.  With N
  cores the ideal is N; start-up, pickling and uneven page sizes take some
  of it, and so does anything else running on the machine.

Measured (2 cores, 181 pages, 31 MB): 35.6 pages/s in one process, 64.4
pages/s with ``extract_many`` on 2 processes (ratio 1.81); the pipeline's
``bodies_of`` 33.9 vs 65.1 pages/s (1.92).  It exits 1 only when the pool's
texts differ from one process's (speed is machine-dependent, not gated).

    python -m benchmarks.extract_speed [--workers N] [--repeat 2] [--limit PAGES]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from digest.records import Entry
from digest.text.extract import extract_many, html_to_text
from digest.text.prepare import Body, bodies_of

from .extraction import BENCH, load_pages


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Fastest of ``repeat`` calls (the machine may be shared), and its result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="pool processes")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each (the best counts)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first PAGES pages")
    args = ap.parse_args(argv)
    if not (BENCH / "ground-truth.json").is_file():
        raise SystemExit(f"{BENCH}: benchmark pages not found (set DIGEST_SHARED to the shared folder)")
    _, pages, _ = load_pages()
    if args.limit:
        pages = pages[: args.limit]
    n, mb = len(pages), sum(len(h) for h, _ in pages) / 1e6
    print(f"{n} pages ({mb:.1f} MB of HTML), {os.cpu_count()} cores, pool of {args.workers}, "
          f"best of {args.repeat}")
    single, base = best(lambda: [html_to_text(h, url=u, page=True) for h, u in pages], args.repeat)
    pool, pooled = best(lambda: extract_many(pages, workers=args.workers), args.repeat)
    entries = [Entry(source="bench", url=u, content_html=h, is_page=True) for h, u in pages]
    want = [Body(text, title, False) if text.strip() else Body("", None, False) for text, title in base]
    b1, bodies1 = best(lambda: bodies_of(entries, workers=1), args.repeat)
    bn, bodiesn = best(lambda: bodies_of(entries, workers=args.workers), args.repeat)
    if pooled != base or bodies1 != want or bodiesn != want:
        print("FAIL: the pool's texts differ from one process's")
        return 1
    rows = [
        ("html_to_text, one process", single),
        (f"extract_many, pool of {args.workers}", pool),
        ("bodies_of (App.ingest), 1 worker", b1),
        (f"bodies_of (App.ingest), {args.workers} workers", bn),
    ]
    for label, secs in rows:
        print(f"  {label:36} {n / secs:7.1f} pages/s  ({secs:.2f}s)")
    print(f"ratio pool / one process: {single / pool:.2f} (extract_many), "
          f"{b1 / bn:.2f} (bodies_of); ideal {min(args.workers, os.cpu_count() or 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
