"""Two or three ``digest run --once`` at once on one new store: the same stories as one run?

Observations
------------
* cron starts ``digest run --once`` on a schedule; a slow run, or one
  started by hand, overlaps the next.  Each process clusters with its own
  in-memory engine: one that does not see what the other stored since it
  was built puts a new version of a story it never saw into a story of its
  own (issue #21: 152 and 150 stories instead of 113).

How it works
------------
* Input: the ECB+ dev articles (``../shared``), shuffled with a seed and
  dealt to ``--feeds`` RSS files in a temporary folder (each item with its
  own link and guid, dated over the last hours, so today's digest holds
  them); a ``feeds.yaml`` reads the files as ``path`` sources.
* One run: ``python -m digest run --once --quiet`` in a subprocess on a new
  store; its stories (the partition of the article keys) are the reference.
* Concurrent: ``--trials`` times, ``2`` and ``3`` processes on a new store,
  started ``--gap`` seconds apart.  Each trial reports the number of
  stories, whether they equal the single run's (the same versions, the
  same lead), articles stored twice, and leads that are not a member of
  their story.

Run: ``python -m benchmarks.concurrent_runs [--trials 5] [--feeds 8]``.

Measured (shared 2-core machine, 496 ECB+ dev articles in 8 feeds, runs
0.3 s apart, 5 trials each).  One run: 50 stories.  Before the fix: 2 runs
46, 50, 52, 46, 49 stories (1 of 5 trials the same stories as one run), 3
runs 50, 47, 50, 46, 54 (2 of 5; one trial left 2 leads outside their
story); nothing lost or stored twice.  With the fix: 50 stories and the
same stories and leads as one run in 5 of 5 trials for 2 and for 3 runs.
The rebuild of stale engines alone (without the ``run`` lock, 3 trials):
2 runs 3 of 3 the same, 3 runs 51, 51, 52 stories (0 of 3): a restored
engine is not the one a single run grows, hence the lock.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .common import ROOT, load_ecb
from .loopback import Item, rss


def write_feeds(folder: Path, *, feeds: int, seed: int = 7, split: str = "dev") -> int:
    """The ECB+ articles of ``split`` as ``feeds`` RSS files and a feeds.yaml; how many items."""
    rows = load_ecb(split)
    random.Random(seed).shuffle(rows)
    now = datetime.now(UTC).replace(microsecond=0)
    per: dict[int, list[Item]] = defaultdict(list)
    for i, r in enumerate(rows):
        when = now - timedelta(minutes=5 + (len(rows) - i) * 0.5)  # the last few hours, in order
        per[i % feeds].append(
            Item(r["title"], f"https://outlet{i % feeds}.example/news/{r['id']}", str(r["id"]), when, r["text"])
        )
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    lines = ["sources:"]
    for f in range(feeds):
        path = folder / "feeds" / f"outlet{f}.xml"
        path.write_bytes(rss(f"Outlet {f}", f"https://outlet{f}.example/", per[f]))
        lines += [f"  - name: Outlet {f}", f"    path: {path}"]
    lines += ["output_dir: out", "data_dir: data", "timezone: UTC"]
    (folder / "feeds.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def run_digest(config: Path, n: int, gap: float) -> list[int]:
    """``n`` processes of ``digest run --once`` started ``gap`` s apart; their exit codes."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = []
    for i in range(n):
        if i:
            time.sleep(gap)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "digest", "run", "--once", "--quiet", "--config", str(config)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        ))
    codes = []
    for p in procs:
        _, err = p.communicate(timeout=1800)
        if p.returncode:
            sys.stderr.write(err.decode(errors="replace"))
        codes.append(p.returncode)
    return codes


def stories_of(db: Path) -> dict[str, object]:
    """The store's stories: partition, count, articles, leads outside their story."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT key, guid, story_id FROM articles").fetchall()
        leads = con.execute("SELECT id, lead_key FROM stories").fetchall()
    finally:
        con.close()
    members: dict[str, set[str]] = defaultdict(set)
    for key, _, sid in rows:
        members[sid].add(key)
    guids = [g for _, g, _ in rows]
    bad_leads = sum(1 for sid, lead in leads if lead not in members.get(sid, set()))
    lead_of = dict(leads)
    return {
        # the stories as sets of versions, each with its lead
        "partition": frozenset((frozenset(m), lead_of.get(sid)) for sid, m in members.items()),
        "stories": len(members),
        "story_rows": len(leads),
        "articles": len(rows),
        "twice": len(guids) - len(set(guids)),
        "bad_leads": bad_leads,
    }


def trial(base: Path, n: int, gap: float, feeds: int, tag: str) -> dict[str, object]:
    folder = base / tag
    write_feeds(folder, feeds=feeds)
    t0 = time.monotonic()
    codes = run_digest(folder / "feeds.yaml", n, gap)
    out = stories_of(folder / "data" / "digest.sqlite3")
    out["codes"], out["seconds"] = codes, round(time.monotonic() - t0, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--feeds", type=int, default=8)
    ap.add_argument("--gap", type=float, default=0.3, help="seconds between process starts")
    ap.add_argument("--procs", type=int, nargs="+", default=[2, 3])
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-concurrent-") as tmp:
        base = Path(tmp)
        single = trial(base, 1, 0.0, args.feeds, "single")
        ref = single["partition"]
        print(f"one run: {single['stories']} stories, {single['articles']} articles, "
              f"{single['bad_leads']} leads outside their story ({single['seconds']} s)", flush=True)
        summary: dict[int, list[int]] = defaultdict(list)
        same: dict[int, int] = defaultdict(int)
        for n in args.procs:
            for t in range(args.trials):
                r = trial(base, n, args.gap, args.feeds, f"n{n}-t{t}")
                equal = r["partition"] == ref
                summary[n].append(int(r["stories"]))  # type: ignore[call-overload]
                same[n] += int(equal)
                print(f"{n} runs, trial {t + 1}: {r['stories']} stories ({r['story_rows']} rows), "
                      f"{r['articles']} articles, {r['twice']} stored twice, {r['bad_leads']} leads "
                      f"outside their story, same stories as one run: {equal}, exit {r['codes']} "
                      f"({r['seconds']} s)", flush=True)
        print(json.dumps({
            "single": single["stories"],
            **{f"concurrent_{n}": {"stories": v, "same_as_single": same[n]} for n, v in summary.items()},
        }))
        return 0 if all(same[n] == args.trials for n in args.procs) else 1


if __name__ == "__main__":
    sys.exit(main())
