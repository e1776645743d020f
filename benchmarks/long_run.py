"""Memory over a long life: 60 days of news through one process, resident memory per day.

Observations
------------
* The daemon runs for months in one process.  What it holds must follow
  the dedup window, not everything it ever read: the engine is rebuilt from
  the store once a day (``digest.service.clustering.ENGINE_RENEW``) with the articles of
  the last two windows.
* Some state lives outside the engine: the term vocabulary
  ``digest.dedup.terms.VOCAB`` (term id -> dense index, with per-term
  arrays) is one per process, shared by every engine; each engine's idf
  arrays are as long as the vocabulary.  News brings new names and numbers
  every day, so it is renewed when no engine holds it (``VOCAB_RENEW``).

How it works
------------
* Articles: ``benchmarks.speed.Generator`` over ECB+ and GVC
  (``../shared``): an endless seeded stream of stories of 1-5 versions; each
  "world" renames every capitalised word and number, so every ~1,100
  stories bring names never seen before, as the news does.
* ``--days`` (60) days of ``--per-day`` (600) articles, published through
  the day (from 2026-01-01 UTC), dealt to 25 outlets, each arriving at the
  next half-hour poll of its outlet.  Each day goes through
  ``digest.service.replay.replay`` (``App.ingest``: cleaning, engine, SQLite store,
  the daily rebuild of the engine, the day's digest written) in this one
  process, with ``--window-days`` as ``dedup.window_days`` (30, the default).
* After each day (after a garbage collection): resident memory (VmRSS from
  /proc/self/status), the vocabulary's size and bytes (dict and arrays),
  the articles in the engine, in the store, and the token caches of
  ``digest.dedup.terms`` (bounded by ``TABLE_LIMIT``/``CHUNK_LIMIT``).

Run: ``python -m benchmarks.long_run [--days 60] [--per-day 600] [--window-days 30]
[--fresh-names] [--vocab-renew TERMS] [--json FILE]``.

Measured (shared 2-core machine, 600 articles a day, 60 days, one process;
resident memory 111 MB before the first article):

=====================================  ======  ======  ======  ======  =======================
run                                    day 1   day 15  day 30  day 60  vocabulary day 15 / 60
=====================================  ======  ======  ======  ======  =======================
window 30 (default)                    178 MB  222 MB  255 MB  324 MB  35,181 / 75,743
window 7                               178 MB  224 MB  238 MB  258 MB  35,181 / 75,743
window 7, fresh names                  178 MB  228 MB  255 MB  300 MB  43,741 / 138,818
window 7, fresh names, renewed (now)   188 MB  238 MB  245 MB  248 MB  43,741 / 57,998
=====================================  ======  ======  ======  ======  =======================

* Window 30: the engine holds two windows (60 days), so it holds every
  article of the run (36,000 on day 60) and memory rises throughout, as
  designed.
* Window 7, before the vocabulary was renewed: the engine levelled off on
  day 15 (8,969 articles, 8,881 on day 60), memory did not: +71.5 MB from
  day 15 to 60 with fresh names.  What grew: ``VOCAB`` (43,741 -> 138,818
  terms, about 2,100 a day: 6.2 -> 17.7 MB), the arrays each engine keeps
  over the vocabulary's capacity (idf, dense scratch vectors: 1.8 -> 7.3 MB),
  and the token caches filling toward their bounds (10.3 -> 28.2 MB).
* Now (``terms.renew_vocabulary``): the vocabulary starts afresh at the daily
  rebuild once it holds over ``VOCAB_RENEW`` (65,536) terms, on days 26, 39
  and 52 of this run (67,274 -> 38,888 terms; the token caches 49,810 -> 10,182
  rows), and resident memory stays at 243-249 MB from day 20 to day 60
  (245.0 MB on day 30, 248.2 MB on day 60).
* CI runs 40 days of 300 with ``--vocab-renew 32768`` (renewed on days 22,
  29 and 36); the gate requires the vocabulary never to exceed its renewal size
  plus one day's new terms (``long_run_vocab_bounded``); resident memory
  day 21 -> 40 there: 216.9 -> 212.7 MB.
* Real text grows the vocabulary more slowly than the fresh-names stream:
  the ECB+ and GVC articles (1,134) follow Heaps' law with V ~ 881 n^0.45,
  which at 600 articles a day gives ~99,000 terms after 60 days, ~220,000
  after a year, ~300,000 after two: at ~160 bytes a term (vocabulary and
  one engine's arrays), 35 MB after a year, 50 MB after two.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import speed
from .common import SHARED, load_ecb
from .speed import _SYLLABLES, Generator, _h

START = datetime(2026, 1, 1, tzinfo=UTC)
OUTLETS = 25
POLL = 1800.0  # seconds between two polls of an outlet


def vm_rss() -> int:
    """Resident memory of this process, bytes (VmRSS)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def corpus() -> list[dict[str, Any]]:
    gvc = SHARED / "corpus" / "stories" / "gvc.jsonl"
    rows = load_ecb("all")
    if gvc.is_file():
        rows += [json.loads(line) for line in gvc.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def fresh_name(word: str, world: int) -> str:
    """A world's name for ``word`` from 2.6 million (``speed._name`` draws from 66,000, which
    the worlds of 60 days begin to exhaust: their names recur, as news names do not)."""
    h = _h("fresh", word, world)
    syl = [_SYLLABLES[(h >> (6 * i)) % len(_SYLLABLES)] for i in range(3 + h % 2)]
    return "".join(syl).capitalize()


def days_of(per_day: int, seed: int = 21, *, fresh_names: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Each day's replay records (id, title, text, source, published, arrived), in order."""
    if fresh_names:
        speed._name = fresh_name
    stream = Generator(corpus(), seed=seed).articles()
    for day in itertools.count():
        start = START + timedelta(days=day)
        records = []
        for k, (aid, title, text, _) in enumerate(itertools.islice(stream, per_day)):
            published = start.timestamp() + (k + 0.5) * 86400.0 / per_day
            source = f"outlet{_h(seed, aid) % OUTLETS}"
            offset = (_h(source) % 60) * 30.0  # each outlet polled at its own minute
            arrived = math.ceil((published + 60.0 - offset) / POLL) * POLL + offset
            records.append({"id": aid, "title": title, "text": text, "source": source,
                            "published": published, "arrived": arrived})
        yield records


def vocab_bytes() -> int:
    """The vocabulary's memory: its dict (keys, values, table) and its arrays."""
    from digest.dedup.terms import VOCAB

    ints = sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in VOCAB.index.items())
    arrays = VOCAB.ids.nbytes + VOCAB.prior.nbytes + VOCAB.is_name.nbytes
    return sys.getsizeof(VOCAB.index) + ints + arrays


def caches_bytes() -> int:
    """The bounded token caches of ``digest.dedup.terms``: the token and chunk tables (dicts,
    keys, arrays); the LRU caches of ``stem`` and ``term_id`` are counted in entries only."""
    from digest.dedup import terms

    total = 0
    for table, arrays in ((terms._TABLE, ("kind", "plain", "name", "upper", "alpha", "alnum")),
                          (terms._CHUNKS, ("start", "count", "rows"))):
        total += sys.getsizeof(table) + sum(sys.getsizeof(k) for k in table)
        total += sum(getattr(table, a).nbytes for a in arrays)
    return total


def measure(app: Any) -> dict[str, Any]:
    from digest.dedup import terms

    gc.collect()
    engine = app._engine
    return {
        "rss_mb": round(vm_rss() / 2**20, 1),
        "vocab": len(terms.VOCAB),
        "vocab_mb": round(vocab_bytes() / 2**20, 1),
        "engine_articles": len(engine) if engine is not None else 0,
        "idf_slots": len(engine.idf._df) if engine is not None else 0,
        "token_table": len(terms._TABLE),
        "chunks": len(terms._CHUNKS),
        "caches_mb": round(caches_bytes() / 2**20, 1),
        "lru": terms.term_id.cache_info().currsize + terms.stem.cache_info().currsize,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--per-day", type=int, default=600)
    ap.add_argument("--window-days", type=int, default=30)
    ap.add_argument("--fresh-names", action="store_true",
                    help="every world's names new (see fresh_name): the vocabulary's upper bound")
    ap.add_argument("--vocab-renew", type=int, default=None, metavar="TERMS",
                    help="the vocabulary's renewal size (dedup.params.VOCAB_RENEW) for this run: a "
                         "smaller run shows the renewal at a smaller size")
    ap.add_argument("--json", type=Path, help="write the per-day figures (and the gate's) here")
    args = ap.parse_args(argv)

    from digest.dedup import terms

    if args.vocab_renew is not None:
        terms.VOCAB_RENEW = args.vocab_renew

    from digest.app import App
    from digest.config import parse_config
    from digest.service.replay import replay
    from digest.store.base import open_store

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="digest-long-run-") as tmp:
        cfg = parse_config(
            f"sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n"
            f"dedup:\n  window_days: {args.window_days}\n",
            path=Path(tmp) / "feeds.yaml",
        )
        with App(cfg, open_store(cfg.database_url)) as app:
            base = measure(app)
            print(f"start: {base['rss_mb']} MB resident, vocabulary {base['vocab']}", flush=True)
            print("day  articles  stored  engine  vocabulary  vocab_MB  idf_slots  token_table  chunks  "
                  "caches_MB  lru  RSS_MB  s", flush=True)
            stored = 0
            for day, records in enumerate(itertools.islice(days_of(args.per_day, fresh_names=args.fresh_names), args.days), 1):
                t0 = time.monotonic()
                report = replay(app, records, formats=("html",))
                stored += report.new_articles
                row = {"day": day, "articles": len(records), "stored": stored, **measure(app),
                       "seconds": round(time.monotonic() - t0, 1)}
                rows.append(row)
                print(f"{day:3d}  {len(records):8d}  {stored:6d}  {row['engine_articles']:6d}  "
                      f"{row['vocab']:10d}  {row['vocab_mb']:8.1f}  {row['idf_slots']:9d}  "
                      f"{row['token_table']:11d}  {row['chunks']:6d}  {row['caches_mb']:9.1f}  {row['lru']:6d}  "
                      f"{row['rss_mb']:6.1f}  {row['seconds']}",
                      flush=True)
    figures = summary(rows, terms.VOCAB_RENEW)
    half = rows[len(rows) // 2]
    print(f"resident memory day {half['day']} -> {rows[-1]['day']}: {half['rss_mb']} -> {rows[-1]['rss_mb']} MB "
          f"({figures['long_run_late_rss_growth_mb']:+.1f} MB); vocabulary at most {figures['long_run_vocab_max']} "
          f"terms (renewed at {terms.VOCAB_RENEW}, largest day's growth {figures['long_run_day_growth_max']}): "
          f"{'bounded' if figures['long_run_vocab_bounded'] else 'NOT bounded'}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "start": base, "days": rows}, indent=1))
    return 0


def summary(rows: list[dict[str, Any]], renew: int) -> dict[str, float]:
    """The gate's figures: the vocabulary never holds more than its renewal size plus one
    day's new terms (``long_run_vocab_bounded``, 1 or 0), and, reported, the growth of
    resident memory over the second half of the run."""
    growth = [b["vocab"] - a["vocab"] for a, b in itertools.pairwise(rows)]
    most = max((g for g in growth if g > 0), default=0)
    vmax = max(r["vocab"] for r in rows)
    half = rows[len(rows) // 2]
    return {
        "long_run_vocab_bounded": float(vmax <= renew + most),
        "long_run_vocab_max": vmax,
        "long_run_day_growth_max": most,
        "long_run_late_rss_growth_mb": round(rows[-1]["rss_mb"] - half["rss_mb"], 1),
    }


if __name__ == "__main__":
    sys.exit(main())
