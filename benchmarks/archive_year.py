"""A long-lived store as its reader meets it: the archive, the commands and a prune, after months.

How it works
------------
* History: ``--days`` (120) days of ``--per-day`` (100) articles from
  ``benchmarks.long_run.days_of`` (ECB+ and GVC texts renamed into ever new
  worlds, dealt to 25 outlets, each arriving at its outlet's half-hourly poll)
  go through ``digest.service.replay.replay`` day by day (``App.ingest``, the
  daily engine rebuild, the day's md/html/json written, the day sealed), in
  ``timezone: Europe/London``; each day's seconds are kept.  ``--store DIR``
  keeps the folder (its ``feeds.yaml``, ``data/``, ``out/``) and measures one
  already there instead of replaying.
* Then, the clock the morning after the last day, in this process:

  - the archive (``digest serve``'s WSGI application, each page rendered on
    request, no cache): the index as it was (every day counted: the baseline)
    and as it is (the newest ``INDEX_RECENT`` days and the months), a month's
    page, the first and the last day's pages, a story page, the Atom feed and
    three searches;
  - the store's bytes per day (the file, and by table: ``dbstat``) and the
    output folder's bytes per day and format;
  - ``digest prune --keep-days`` ``--keep`` (90): its seconds, what it removed,
    and the store's free pages after (the file keeps its size); then one more
    week replayed: the file grows by what the freed pages could not hold (the
    baseline: the file's growth over the history's last week, unpruned).

Prints each figure against its baseline.  ``--json FILE`` writes them.

    python -m benchmarks.archive_year [--days 120] [--per-day 100] [--keep 90] [--store DIR]

Measured (shared 2-core machine, loaded by others; 365 days of 100 articles, the stop 37
review): see docs/evaluation.md, "Reviews (stop 37): yearlong".
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from digest.app import App
from digest.config import Config, load_config
from digest.retention import prune
from digest.service.replay import replay
from digest.service.web import make_app
from digest.service.webpages import INDEX_RECENT, Pages
from digest.store.base import open_store

from .long_run import START, days_of

QUERIES = ("police shooting", "earthquake", '"free agent"')


def _config(folder: Path, now: datetime) -> Config:
    (folder / "feeds.yaml").write_text(
        "sources: []\noutput_dir: out\ndata_dir: data\ntimezone: Europe/London\n"
        f"clock: {now.isoformat()}\n", encoding="utf-8")  # fmt: skip
    return load_config(folder / "feeds.yaml")


def build(folder: Path, days: int, per_day: int, first: int = 0) -> tuple[Config, list[float], list[int]]:
    """Replay days ``first`` to ``days`` of the history into ``folder`` (the clock the morning
    after); the seconds of each day and the store file's bytes after it."""
    now = START + timedelta(days=days, hours=6)
    cfg = _config(folder, now)
    path = Path(cfg.database_url.removeprefix("sqlite:///"))
    seconds, size = [], []
    with App(cfg, open_store(cfg.database_url)) as app:
        for n, records in enumerate(itertools.islice(days_of(per_day, fresh_names=True), first, days), first + 1):
            t0 = time.perf_counter()
            replay(app, records)
            seconds.append(time.perf_counter() - t0)
            size.append(path.stat().st_size)
            if n == 1 or n % 30 == 0:
                print(f"day {n}: {seconds[-1]:.1f} s", flush=True)
    return cfg, seconds, size


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """The best of ``repeat`` runs, seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def get(app: Any, path: str, query: str = "") -> tuple[str, int]:
    """The status and size of one page of the WSGI ``app``."""
    status: list[str] = []
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "8080", "wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8080"}  # fmt: skip
    body = b"".join(app(env, lambda s, h: status.append(s)))
    return status[0], len(body)


def archive(cfg: Config) -> dict[str, float]:
    """Seconds of each page, rendered on request (see the module docstring)."""
    app = make_app(cfg, lambda: open_store(cfg.database_url), cache=False)
    out: dict[str, float] = {}
    with open_store(cfg.database_url) as store:
        pages = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)
        known = sorted(pages.known_days(store))
        out["days"] = len(known)
        out["index_every_day_s"] = timed(lambda: pages._counted(store, sorted(known, reverse=True)))
        story = store.db.execute(  # type: ignore[attr-defined]
            "SELECT story_id FROM articles GROUP BY story_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]  # fmt: skip
    out["index_s"] = timed(lambda: get(app, "/"), 2)
    first, last = known[0], known[-1]
    out["month_s"] = timed(lambda: get(app, f"/month/{first:%Y-%m}"), 2)
    out["first_day_s"] = timed(lambda: get(app, f"/day/{first.isoformat()}"), 2)
    out["last_day_s"] = timed(lambda: get(app, f"/day/{last.isoformat()}"), 2)
    out["story_s"] = timed(lambda: get(app, f"/story/{story}"), 2)
    out["feed_s"] = timed(lambda: get(app, "/feed.atom"), 2)
    out["feed_bytes"] = get(app, "/feed.atom")[1]
    for q in QUERIES:
        out[f"search {q}_s"] = timed(lambda q=q: get(app, "/search", "q=" + q.replace(" ", "+")), 3)  # type: ignore[misc]
    return out


def sizes(cfg: Config, days: int) -> dict[str, float]:
    """The store's and the output folder's bytes per day."""
    path = Path(cfg.database_url.removeprefix("sqlite:///"))
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out: dict[str, float] = {"store_bytes": path.stat().st_size, "store_per_day": path.stat().st_size / days}
    out["articles"] = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    out["stories"] = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 4"):
        out[f"table {name}"] = size
    for col in ("text", "fingerprint", "score_detail"):
        out[f"column {col}"] = db.execute(f"SELECT sum(length({col})) FROM articles").fetchone()[0] or 0
    db.close()
    for fmt in ("md", "html", "json"):
        files = list(cfg.output_dir.glob(f"digest-*.{fmt}"))
        out[f"out_{fmt}_per_day"] = sum(f.stat().st_size for f in files) / max(1, len(files))
    return out


def pruned(cfg: Config, keep: int) -> dict[str, float]:
    """A prune keeping ``keep`` days: its seconds, what it removed, the free pages after."""
    path = Path(cfg.database_url.removeprefix("sqlite:///"))
    with open_store(cfg.database_url) as store:
        t0 = time.perf_counter()
        report = prune(store, cfg, keep, cfg.now())
        seconds = time.perf_counter() - t0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    free = db.execute("PRAGMA freelist_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    print(report.summary(), flush=True)
    return {"prune_s": seconds, "pruned_stories": report.stories, "pruned_articles": report.articles,
            "file_after": path.stat().st_size, "free_after": free}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--per-day", type=int, default=100)
    ap.add_argument("--keep", type=int, default=90, help="the prune's --keep-days")
    ap.add_argument("--store", type=Path, help="a folder: keep the history here, or measure the one there")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    import tempfile

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="digest-archive-year-") as tmp:
        folder = args.store or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / "data" / "digest.sqlite3").exists():
            cfg = load_config(folder / "feeds.yaml")
            days = len(list(cfg.output_dir.glob("digest-*.html")))
        else:
            cfg, seconds, size = build(folder, args.days, args.per_day)
            days = args.days
            figures["replay first week s/day"] = sum(seconds[:7]) / len(seconds[:7])
            figures["replay last week s/day"] = sum(seconds[-7:]) / len(seconds[-7:])
            figures["last week unpruned: file growth"] = size[-1] - size[-8] if len(size) > 7 else 0
        figures.update(sizes(cfg, days))
        figures.update(archive(cfg))
        figures.update(pruned(cfg, args.keep))
        before = Path(cfg.database_url.removeprefix("sqlite:///")).stat().st_size
        _, _, size = build(folder, days + 7, args.per_day, first=days)  # one more week, after the prune
        figures["week after the prune: file growth"] = size[-1] - before
    width = max(map(len, figures))
    for k, v in figures.items():
        print(f"{k:<{width}}  {v:,.3f}" if isinstance(v, float) else f"{k:<{width}}  {v:,}")
    print(f"index: {figures['index_s']:.2f} s (newest {INDEX_RECENT} days) against {figures['index_every_day_s']:.2f} s "
          f"(every one of {figures['days']} days counted, as before)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
