"""Full text for summary-only feeds: the scrapinghub pages behind a feed of summaries.

How it works
------------
The 181 scrapinghub article pages are served on 127.0.0.1 (``FeedServer``),
with one RSS feed whose items carry only a summary (the first
``--summary-words`` words of each page's ground-truth body, cut with "...")
and a link to the page.  ``digest run`` reads the feed twice through the real
pipeline and a SQLite store: once with ``full_text: false`` (the baseline: the
summaries), once with ``full_text: true`` (each new entry's page fetched
through the guarded fetcher and extracted).

Prints pages/s of the full-text run over the baseline's time, the share of
entries whose lead became the full text (stored text not cut, longer than the
summary), and the token F1 of the stored text against the ground truth for
both runs.  ``--json`` writes the figures for the gate.

    python -m benchmarks.fulltext [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from digest.app import App
from digest.config import parse_config
from digest.store.base import open_store

from .extraction import load_pages, page_counts, score
from .loopback import FeedServer, Item, Route, rss


def run(srv: FeedServer, tmp: Path, full_text: bool) -> tuple[float, dict[str, tuple[str, bool]]]:
    text = (f"sources:\n  - name: Summaries\n    url: {srv.url('/feed.xml')}\n    full_text: {str(full_text).lower()}\n"
            "output_dir: out\ndata_dir: data\nfetch:\n  allow_hosts: ['127.0.0.1']\n  per_host: 8\n")
    cfg = parse_config(text, path=tmp / "feeds.yaml")
    t0 = time.perf_counter()
    with App(cfg, open_store(cfg.database_url)) as app:
        report = app.run()
        seconds = time.perf_counter() - t0
        if report.errors:
            raise SystemExit(f"digest run failed: {report.errors[0]}")
        stored = {r.url or "": (r.text, r.truncated) for r in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))}
    return seconds, stored


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--summary-words", type=int, default=30)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    ids, pages, truths = load_pages()
    with FeedServer() as srv:
        items = []
        for key, (html, _url), truth in zip(ids, pages, truths, strict=True):
            srv.routes[f"/a/{key}"] = Route(body=html.encode("utf-8"), content_type="text/html; charset=utf-8")
            items.append(Item(title=" ".join(truth.split()[:10]), link=srv.url(f"/a/{key}"), guid=key,
                              published=datetime(2026, 11, 10, 8, tzinfo=UTC), text=truth))
        srv.routes["/feed.xml"] = Route(body=rss("Summaries", srv.url("/"), items, full=False,
                                                 summary_words=args.summary_words))
        truth_of = {srv.url(f"/a/{k}"): t for k, t in zip(ids, truths, strict=True)}
        results = {}
        for full in (False, True):
            with tempfile.TemporaryDirectory(prefix="digest-fulltext-") as tmp:
                results[full] = run(srv, Path(tmp), full)
    base_s, base = results[False]
    full_s, full = results[True]
    n = len(ids)
    became = sum(1 for url, (text, cut) in full.items()
                 if not cut and len(text.split()) > len(base.get(url, ("", True))[0].split()))
    f1 = {k: score([page_counts(truth_of[u], t) for u, (t, _c) in stored.items() if u in truth_of])["f1"]
          for k, stored in (("summary", base), ("full", full))}
    pages_s = n / max(full_s - base_s, 1e-9)
    print(f"{n} summary-only entries; baseline run (summaries) {base_s:.1f}s, full-text run {full_s:.1f}s")
    print(f"pages fetched and extracted: {pages_s:.1f}/s (the full-text run's extra time)")
    print(f"leads that became the full text: {became}/{n} = {became / n:.3f}")
    print(f"token F1 of the stored text against the ground truth: summaries {f1['summary']:.3f}, "
          f"full text {f1['full']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": {"fulltext_lead_share": became / n,
                                                           "fulltext_f1": f1["full"]},
                                               "pages_per_s": pages_s}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
