"""Stories over time, through ``digest replay``: follow-ups, close events, daily accounting.

Observations
------------
* A stream is read once a day.  Two things hide news from that reader: a
  follow-up that falls out of its story (or into another), and a version that
  is in no day's digest.  Neither shows when a pile is clustered at once.
* ECB+ has no dates; ``benchmarks.dated`` gives it some (events months apart,
  or a topic's two events 1-3 days apart; long-tailed report delays).  GVC has
  its real publication days.

How it works
------------
For each stream (ECB+ ``apart`` and ``close`` on a split, GVC on a split):

1. The stream is written as JSON Lines and replayed by the real command,
   ``python -m digest replay`` (its own process, a SQLite store on disk, each
   day's md/html/json digest written as the day ends).
2. From the daily JSON digests: each article's label is the story it was
   shown in as new (what the reader saw); B-cubed precision/recall/F1 against
   the gold events.  The store's final assignment is scored too.
3. Daily accounting: the share of articles shown as new on their arrival day
   (target 1.0), the articles shown as new more than once (target 0), the
   stories shown with nothing new (target 0).
4. The reference row, in the same run: the engine as it was before the time
   model (a story open for 3 days after its *first* version, no time decay),
   fed the same stream in arrival order through the batch path, with the
   digest as it was (a story listed on the day it was first seen only: a
   version arriving on a later day is in no digest).

Every figure is the worst of ``--seeds`` orders (the stream's dates and
delays are drawn per seed).

    python -m benchmarks.timeline [--split test] [--seeds 0,1,2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from digest.batch import dedupe_records
from digest.dedup.engine import Engine, Params
from digest.dedup.state import EngineState

from .common import ROOT, bcubed
from .dated import STREAMS

DAY = 86400.0


class FirstWindowState(EngineState):
    """The engine's state before the time model: a story accepts versions for ``window``
    seconds after its first one, and a pair's link does not weigh their distance in time."""

    def open(self, snums: np.ndarray, published: float | None) -> np.ndarray:
        if published is None:
            return np.ones(snums.size, dtype=bool)
        return ~(np.abs(published - self.scol.first[snums]) > self.params.window)

    def time_factor(self, nums: np.ndarray) -> np.ndarray | None:
        return None


class FirstWindowEngine(Engine):
    """The engine before the time model (``FirstWindowState``)."""

    def __init__(self, params: Params | None = None) -> None:
        super().__init__(params)
        self.state = FirstWindowState(self.state.params, self.state.index)


def _day(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).date().isoformat()


def replay(records: Sequence[dict[str, Any]], work: Path) -> dict[str, Any]:
    """Run ``digest replay`` on the records; read back what each day's digest showed."""
    (work / "in.jsonl").write_text(
        "".join(json.dumps({k: v for k, v in r.items() if k != "event"}) + "\n" for r in records),
        encoding="utf-8",
    )
    (work / "feeds.yaml").write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "replay", str(work / "in.jsonl"), "--config", str(work / "feeds.yaml")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"digest replay failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    shown: dict[str, list[tuple[str, str]]] = defaultdict(list)  # id -> [(day, story)] where new
    nothing_new = stories_shown = 0
    for path in sorted((work / "out").glob("digest-*.json")):
        digest = json.loads(path.read_text(encoding="utf-8"))
        for story in digest["stories"]:
            stories_shown += 1
            versions = [story["lead"], *story["also"]]
            fresh = [v for v in versions if v["new"]]
            nothing_new += not fresh
            for v in fresh:
                shown[v["id"]].append((digest["date"], story["story_id"]))
    from digest.store.base import open_store

    with open_store(str(work / "data" / "digest.sqlite3")) as store:
        final = {a.guid or a.key: a.story_id for a in store.articles_since(datetime(1970, 1, 1, tzinfo=UTC), with_text=False)}
    return {"shown": shown, "nothing_new": nothing_new, "stories_shown": stories_shown,
            "final": final, "seconds": seconds}


def score(records: Sequence[dict[str, Any]], out: dict[str, Any]) -> dict[str, float]:
    gold = {r["id"]: r["event"] for r in records}
    arrival = {r["id"]: _day(r["arrived"]) for r in records}
    shown = out["shown"]
    label = {i: (shown[i][0][1] if shown.get(i) else f"unshown:{i}") for i in gold}
    p, r, f = bcubed(label, gold)
    fp, fr, ff = bcubed({i: out["final"].get(i, f"lost:{i}") for i in gold}, gold)
    n = len(gold)
    on_day = sum(1 for i in gold if len(shown.get(i, [])) == 1 and shown[i][0][0] == arrival[i])
    return {
        "p": p, "r": r, "f1": f, "final_p": fp, "final_r": fr, "final_f1": ff,
        "new_on_arrival_day": on_day / n,
        "shown_twice": float(sum(1 for i in gold if len(shown.get(i, [])) > 1)),
        "never_shown": float(sum(1 for i in gold if not shown.get(i))),
        "nothing_new": float(out["nothing_new"]),
        "stories_shown": float(out["stories_shown"]),
        "seconds": out["seconds"],
    }


def reference(records: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Before the time model: 3 days from a story's first version; a story is in the digest
    of the day it was first seen only."""
    rows = [{**r, "published": r["published"]} for r in records]
    result = dedupe_records(rows, FirstWindowEngine(Params(window=3 * DAY)))
    story = {o["id"]: o["story"] for o in result}
    gold = {r["id"]: r["event"] for r in records}
    arrival = {r["id"]: _day(r["arrived"]) for r in records}
    first_day: dict[str, str] = {}
    for r in records:  # arrival order
        first_day.setdefault(story[r["id"]], arrival[r["id"]])
    p, rec, f = bcubed(story, gold)
    on_day = sum(1 for i in gold if first_day[story[i]] == arrival[i])
    return {"p": p, "r": rec, "f1": f, "new_on_arrival_day": on_day / len(gold)}


STREAM_SPLITS = {"test": {"ecb-apart": "test", "ecb-close": "test", "gvc": "test"},
                 "dev": {"ecb-apart": "dev", "ecb-close": "dev", "gvc": "val"}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", choices=sorted(STREAM_SPLITS), default="test",
                    help="test (ECB+ even topics, GVC test: report) or dev (ECB+ odd, GVC val: tune)")
    ap.add_argument("--seeds", default="0,1,2", help="stream seeds (dates and delays drawn per seed)")
    ap.add_argument("--json", metavar="FILE", help="write the figures for benchmarks/gate.py")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    figures: dict[str, float] = {}
    detail: dict[str, Any] = {}
    worst_day, worst_twice, worst_nothing = 1.0, 0.0, 0.0
    print("shown: each article labelled by the story it was shown in as new; final: the store's "
          "stories after the last day")
    print(f"{'stream':22} {'row':10} {'P':>6} {'R':>6} {'F1':>6}  {'final P':>7} {'final F1':>8}  "
          f"{'on day':>6} {'twice':>5} {'never':>5} {'no news':>7}  seconds")
    for name, split in STREAM_SPLITS[args.split].items():
        rows, refs = [], []
        for seed in seeds:
            records = STREAMS[name](split, seed)
            with tempfile.TemporaryDirectory(prefix="digest-timeline-") as tmp:
                rows.append(score(records, replay(records, Path(tmp))))
            refs.append(reference(records))
        label = f"{name}:{split}"
        ref = {k: min(x[k] for x in refs) for k in ("p", "f1", "new_on_arrival_day")}
        ref["r"] = min(x["r"] for x in refs)
        print(f"{label:22} {'reference':10} {'':>6} {'':>6} {'':>6}  {ref['p']:7.3f} {ref['f1']:8.3f}  "
              f"{ref['new_on_arrival_day']:6.3f}")
        w = {k: min(x[k] for x in rows) for k in ("p", "r", "f1", "final_p", "final_f1", "new_on_arrival_day")}
        w.update({k: max(x[k] for x in rows) for k in ("shown_twice", "never_shown", "nothing_new")})
        secs = sum(x["seconds"] for x in rows) / len(rows)
        print(f"{label:22} {'replay':10} {w['p']:6.3f} {w['r']:6.3f} {w['f1']:6.3f}  {w['final_p']:7.3f} {w['final_f1']:8.3f}  "
              f"{w['new_on_arrival_day']:6.3f} {w['shown_twice']:5.0f} {w['never_shown']:5.0f} "
              f"{w['nothing_new']:7.0f}  {secs:.1f}")
        key = name.replace("-", "_")
        figures[f"timeline_{key}_b3_precision"] = w["final_p"]
        figures[f"timeline_{key}_b3_f1"] = w["final_f1"]
        figures[f"timeline_{key}_shown_b3_precision"] = w["p"]
        figures[f"timeline_{key}_shown_b3_f1"] = w["f1"]
        worst_day = min(worst_day, w["new_on_arrival_day"])
        worst_twice = max(worst_twice, w["shown_twice"])
        worst_nothing = max(worst_nothing, w["nothing_new"])
        detail[label] = {"replay": rows, "reference": refs}
    figures["timeline_new_on_arrival_day"] = worst_day
    # as shares, so that the gate's floors read "at least": 1.0 means none
    figures["timeline_none_shown_twice"] = 1.0 if worst_twice == 0 else 0.0
    figures["timeline_no_story_without_news"] = 1.0 if worst_nothing == 0 else 0.0
    print(f"worst over streams: new on arrival day {worst_day:.3f}, shown twice {worst_twice:.0f}, "
          f"stories with nothing new {worst_nothing:.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "detail": detail}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
