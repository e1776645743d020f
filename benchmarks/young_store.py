"""A real young store: 181 article pages of a news crawl, read as one folder source, against hand labels.

Observations
------------
* ``../shared/corpus/extraction/scrapinghub/html`` holds 181 article pages, most
  of a crawl of 18-20 Nov 2019 across many sites, some older: a new user's
  store, with one to four reports an event.  ``benchmarks/data/scrapinghub_events.json``
  labels each page with its event (153 events, 45 pages in 17 events of 2+);
  the labels were made by hand from titles and ledes before the engine's
  grouping was read (its ``_note`` says the rule).  They are an outside check:
  no threshold is chosen by them.
* Reference (the engine of main at f697aff, before the sparse-link floor):
  132 stories, B-cubed P 0.868 / R 0.994 / F1 0.927, 16 stories mixing two
  or more events.  With ``Params.sparse_cosine`` (0.17, chosen on sparse and tune dev):
  134 stories, P 0.880 / R 0.994 / F1 0.934, 16 mixed (the Schiff opinion leaves the
  impeachment hearing's story, the Audi reveal the L.A. Auto Show's); the plainly wrong
  pairs (cosine 0.19-0.33: NASCAR standings and a school roundup, two reviews of one
  magazine, the Taliban swap and a helicopter crash) are over it.

How it works
------------
The pages are gunzipped into a temp folder, read by the real pipeline
(``digest run`` with ``sources: [{name: Pages, path: pages}]``, then ``digest
build --format json``), each story's lead and "also" ids mapped back to page
file names, and scored: B-cubed P / R / F1, the number of stories mixing
events, and each mixed story with its pages' titles and labels.  About 10 s.
``--json`` writes ``{"figures": ..., "detail": ...}`` (reported, not floored).

    python -m benchmarks.young_store [--json FILE] [--quiet]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .common import ROOT, SHARED, bcubed, mixed_stories

PAGES = SHARED / "corpus" / "extraction" / "scrapinghub" / "html"
LABELS = ROOT / "benchmarks" / "data" / "scrapinghub_events.json"
#: Today's engine before the sparse-link floor (main at f697aff), measured by this module.
REFERENCE = {"stories": 132, "P": 0.868, "R": 0.994, "F1": 0.927, "mixed": 16}


def run_pages(pages: Path = PAGES) -> tuple[dict[str, Any], float]:
    """The pages through ``digest run`` + ``digest build --format json``; the digest and the wall time."""
    files = sorted(pages.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"{pages}: no pages found (set DIGEST_SHARED to the shared folder)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "pages"
        folder.mkdir()
        for f in files:
            (folder / f.name[: -len(".gz")]).write_bytes(gzip.decompress(f.read_bytes()))
        cfg = work / "feeds.yaml"
        cfg.write_text(
            "sources:\n  - {name: Pages, path: pages}\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n",
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "digest"]
        t0 = time.perf_counter()
        r = subprocess.run([*cmd, "run", "--config", str(cfg), "--quiet"], capture_output=True, text=True,
                           env=env, cwd=work, check=False)
        if r.returncode != 0:
            raise SystemExit(f"digest run failed ({r.returncode}):\n{r.stderr}")
        r = subprocess.run([*cmd, "build", "--config", str(cfg), "--format", "json", "-o", "-"],
                           capture_output=True, text=True, env=env, cwd=work, check=False)
        if r.returncode != 0:
            raise SystemExit(f"digest build failed ({r.returncode}):\n{r.stderr}")
        return json.loads(r.stdout), time.perf_counter() - t0


def page_name(article_id: str) -> str:
    """``file:<hash>.html`` -> ``<hash>.html.gz`` (the labels' key)."""
    name = article_id.split(":", 1)[1] if article_id.startswith("file:") else article_id
    return Path(name).name + ".gz"


def score(digest: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    pred: dict[str, str] = {}
    titles: dict[str, str] = {}
    for s in digest["stories"]:
        for a in (s["lead"], *s["also"]):
            name = page_name(a["id"])
            pred[name] = s["story_id"]
            titles[name] = a.get("title") or ""
    missing = sorted(set(labels) - set(pred))
    if missing:
        raise SystemExit(f"{len(missing)} labelled pages not in the digest, e.g. {missing[:3]}")
    gold = {k: labels[k] for k in pred}
    p, r, f = bcubed(pred, gold)
    mixed = []
    for s in digest["stories"]:
        names = [page_name(a["id"]) for a in (s["lead"], *s["also"])]
        if len({gold[n] for n in names}) > 1:
            mixed.append({"title": s["title"], "pages": [[gold[n], titles[n]] for n in names]})
    assert len(mixed) == mixed_stories(pred, gold)
    return {"stories": len(digest["stories"]), "P": round(p, 3), "R": round(r, 3), "F1": round(f, 3),
            "mixed": len(mixed), "mixed_stories": mixed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--quiet", action="store_true", help="only the table, not the mixed stories")
    args = ap.parse_args(argv)
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["labels"]
    sizes = Counter(labels.values())
    digest, secs = run_pages()
    res = score(digest, labels)
    print(f"{len(labels)} pages, {len(sizes)} events, {sum(n for n in sizes.values() if n > 1)} pages in "
          f"{sum(1 for n in sizes.values() if n > 1)} events of 2+ ({secs:.1f}s)")
    print(f"{'engine':<28} {'stories':>7} {'P':>6} {'R':>6} {'F1':>6} {'mixed':>6}")
    for label, row in (("today's engine", res), ("reference (main f697aff)", REFERENCE)):
        print(f"{label:<28} {row['stories']:>7} {row['P']:>6.3f} {row['R']:>6.3f} {row['F1']:>6.3f} {row['mixed']:>6}")
    if not args.quiet:
        for m in res["mixed_stories"]:
            print(f"\nmixed: {m['title']!r}")
            for lab, title in m["pages"]:
                print(f"  [{lab}] {title[:90]}")
    if args.json:
        figures = {"young_store_b3_precision": res["P"], "young_store_b3_f1": res["F1"], "young_store_mixed": res["mixed"]}
        detail = {**res, "seconds": round(secs, 1)}
        Path(args.json).write_text(json.dumps({"figures": figures, "detail": detail}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
