"""The first index of a store never served (``digest serve``): before stop 65 and now, in one process.

How it works
------------
* A year store (``benchmarks.year_store``'s fill: ``--days`` days of 150 articles; SQLite, or
  ``--pg``: a PostgreSQL schema of its own on 127.0.0.1:5432 ``test``, dropped at the end), or
  ``--config`` a store filled before (its ``feeds.yaml``).
* The index and the last month's page as a server just started renders them on a store that
  keeps no day count (every shown day counted by its view; nothing read from nor written to
  ``day_counts``), each way in turn ``--tries`` times:

  - *before*: each day counted by its whole view (its lines of what is new, each developing
    story's earlier versions read for them), each story of a day read by two statements
    (``get_story``, ``story_versions``), each version asked several times whether it is a notice,
    as before stop 65;
  - *now*: each day counted by its count view (``view.build_view(lines=False)``: no line of
    what is new; what the earlier versions said read only where a copy's test needs it),
    a day's stories read in two statements (``Store.stories_read``) and its sources' first
    reads in one (``Store.metas_read``), whether a version is a notice asked once
    (``notices.takedown`` kept: each way begins with it empty).

* Prints the least and the median seconds and the statements of each way, and now / before;
  exits 1 unless each page is the same bytes both ways.

    python -m benchmarks.first_index [--days 365] [--pg] [--config FEEDS_YAML] [--tries 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Hashable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from digest.config import Config, load_config
from digest.output import entries, news
from digest.service.daycounts import DayCounts
from digest.service.webpages import Pages
from digest.store.base import open_store
from digest.text import notices
from digest.text.notices import takedown

from . import year_store


class _WholeViews(DayCounts):
    """Day counts as before stop 65: each day counted by its whole view."""

    def _built(self, store: Any, day: date, version: Hashable | None, *, lines: bool) -> Any:
        return super()._built(store, day, version, lines=True)


class _OneByOne:
    """A store whose ``stories_read`` reads each story by two statements, as the views did
    before stop 65 (``get_story``, ``story_versions``), and whose ``metas_read`` answers
    nothing (``backlogs.backlog_of`` then asks each source's first read by two ``get_meta``
    where a version needs it, as before); every other attribute the store's."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def stories_read(self, ids: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {i: self._store.get_story(i) for i in ids}, {i: self._store.story_versions(i) for i in ids}

    def metas_read(self, keys: Sequence[str]) -> dict[str, Any]:
        return {}  # each source's first read asked by ``get_meta`` where a version needs it, as before


def _pages(cfg: Config, *, before: bool) -> Pages:
    """A server's ``Pages`` just made, on a store that keeps no day count (none read, none written)."""
    pages = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)
    if before:
        pages.counts = _WholeViews(cfg)
    pages.counts.load = lambda *a, **k: None  # type: ignore[method-assign]
    pages.counts.save = lambda *a, **k: None  # type: ignore[method-assign]
    return pages


_kept = notices._notice


def _uncached(before: bool) -> None:
    """``notices.takedown`` as a server just started has it: nothing kept; ``before``: never
    kept (each version's asked again, as before stop 65), else kept."""
    _kept.cache_clear()
    notices._notice = _kept.__wrapped__ if before else _kept  # type: ignore[attr-defined]
    for module in (news, entries):
        module.takedown = takedown  # type: ignore[attr-defined]


def _render(cfg: Config, page: Callable[[Pages, Any], bytes], *, before: bool) -> tuple[float, int, bytes]:
    """Seconds, statements and bytes of ``page`` rendered by a server just started."""
    pages = _pages(cfg, before=before)
    _uncached(before)
    with open_store(cfg.database_url) as store:
        run = type(store)._run
        statements = 0

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal statements
            statements += 1
            return run(self, *args, **kwargs)

        type(store)._run = counted  # type: ignore[method-assign]
        try:
            t0 = time.perf_counter()
            body = page(pages, _OneByOne(store) if before else store)
            seconds = time.perf_counter() - t0
        finally:
            type(store)._run = run  # type: ignore[method-assign]
            _uncached(False)
    return seconds, statements, body


def measure(cfg: Config, last: date, tries: int) -> bool:
    """Print each page's figures both ways; whether each was the same bytes both ways."""
    renders: dict[str, Callable[[Pages, Any], bytes]] = {
        "index": lambda p, s: p.index(s, "/").body,
        "month": lambda p, s: p.month(s, last.year, last.month, "/").body,
    }
    same = True
    print(f"{'page':<6} {'way':<7} {'least s':>8} {'median s':>9} {'statements':>11}")
    for name, page in renders.items():
        seconds: dict[bool, list[float]] = {True: [], False: []}
        statements: dict[bool, int] = {}
        bodies: dict[bool, set[bytes]] = {True: set(), False: set()}
        for _ in range(tries):
            for before in (True, False):
                s, n, body = _render(cfg, page, before=before)
                seconds[before].append(s)
                statements[before] = n
                bodies[before].add(body)
        for before in (True, False):
            way = "before" if before else "now"
            print(f"{name:<6} {way:<7} {min(seconds[before]):8.2f} {statistics.median(seconds[before]):9.2f}"
                  f" {statements[before]:11,}")
        ratio = min(seconds[False]) / min(seconds[True])
        ok = len(bodies[True]) == 1 and bodies[True] == bodies[False]
        same = same and ok
        print(f"{name:<6} now/before {ratio:.2f} (least), {statistics.median(seconds[False]) / statistics.median(seconds[True]):.2f}"
              f" (median), statements {statements[False] / statements[True]:.2f}; the same bytes: {ok}")
    return same


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--pg", action="store_true", help="PostgreSQL (127.0.0.1:5432 test, a schema of its own)")
    ap.add_argument("--config", type=Path, help="a store filled before (its feeds.yaml): the last day its clock's eve")
    ap.add_argument("--tries", type=int, default=3)
    args = ap.parse_args(argv)
    if args.config is not None:
        cfg = load_config(args.config)
        return 0 if measure(cfg, (cfg.now() - timedelta(days=1)).date(), args.tries) else 1
    fill = argparse.Namespace(sources=40, per_day=150, failing=4)
    try:
        with tempfile.TemporaryDirectory(prefix="digest-first-index-") as tmp:
            url = year_store.pg_url("first_index") if args.pg else None
            cfg_path, last = year_store.prepare(Path(tmp), args.days, fill, url)
            return 0 if measure(load_config(cfg_path), last, args.tries) else 1
    finally:
        if args.pg:
            year_store.drop_schemas()


if __name__ == "__main__":
    sys.exit(main())
