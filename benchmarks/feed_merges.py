"""A real-data proxy for false merges: the posts of one feed that a young store puts in one story.

Observations
------------
* ``../shared/corpus/feeds`` holds the test feeds of three feed parsers (feedparser, gofeed,
  w3c-feedvalidator; about 5,400 files, see ``benchmarks.feeds_corpus``).  Most have one or
  two entries; a few hundred have three or more, some of them real sites' feeds kept whole
  (a Russian phone-apps blog of 15 posts, a podcast, a planet of blogs).
* Within one feed nearly every entry is a post of its own: two entries with different links
  (or ids) and different titles that end in one story are, nearly always, a false merge
  that hides a post.  A site's template (the same labels and boilerplate in every post, one
  title prefix) is the usual cause.

How it works
------------
Each feed of 3+ entries is read as one source of a new store, the way ``digest run`` reads a
poll: every body (``text.prepare.bodies_of``), the lines recurring across the poll's bodies
(``text.lines.recurring_lines``), each entry cleaned (``text.prepare.prepare``), then each
article into a fresh :class:`Engine` in the poll's order (``articles.PollDocs.order``).  A
story counts when it holds two or more entries with different links (or ids, when no link)
and different titles (revisions of one item are not counted); its hidden posts are its
distinct titles less one.  ``--folder`` reads all the feeds of each folder as the sources
of one store instead (each feed its own source; ``--least 1``: the feeds of one or two
entries too, as the store's other articles).  A few seconds (``--folder --least 1``: about
a minute).  14 feeds have 3+ entries (118 entries).

    python -m benchmarks.feed_merges [--show N] [--folder] [--least N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.articles import PollDocs, doc_of
from digest.dedup.engine import Engine, Params
from digest.records import Article, Entry
from digest.sources.localfiles import read_path
from digest.text.lines import line_key, recurring_lines
from digest.text.prepare import bodies_of, prepare

from .feeds_corpus import CORPUS, corpus_files

FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
MIN_ENTRIES = 3


def feeds(root: Path = CORPUS, least: int = MIN_ENTRIES) -> Iterator[tuple[str, list[Entry]]]:
    """(path under the corpus, its entries) of each feed file with ``least`` entries or more."""
    for f in corpus_files(root):
        rel = str(f.relative_to(root))
        try:
            got = [e for e in read_path(f, source=rel) if isinstance(e, Entry)]
        except Exception:  # benchmarks.feeds_corpus reports these
            continue
        if len(got) >= least:
            yield rel, got


def articles_of(entries: list[Entry]) -> list[Article]:
    """One poll of a source read as ``App.ingest`` reads it (no store: no earlier keys)."""
    bodies = bodies_of(entries, workers=1)
    texts = [b.text for b in bodies]
    lines = recurring_lines(texts) if len(texts) > 2 else None
    out: list[Article] = []
    keys: set[str] = set()
    for e, b in zip(entries, bodies, strict=True):
        a = prepare(e, fetched=FETCHED, source_lines=lines, body=b)
        if a is not None and a.key not in keys:
            keys.add(a.key)
            out.append(a)
    return PollDocs.order(out)


def merged(stories: dict[str, list[Article]]) -> list[list[Article]]:
    """Of each story holding 2+ distinct posts of one source (different links, or ids, and
    different titles), those posts (other sources' members are not counted)."""
    found = []
    for members in stories.values():
        by_source: dict[str, list[Article]] = defaultdict(list)
        for a in members:
            by_source[a.source].append(a)
        for own in by_source.values():
            links = {a.url or a.guid or a.key for a in own}
            titles = {line_key(a.title) for a in own}
            if len(links) > 1 and len(titles) > 1:
                found.append(own)
    return found


def run(groups: list[list[tuple[str, list[Entry]]]]) -> dict[str, Any]:
    """Each group's feeds through one engine; the merged stories."""
    result: dict[str, Any] = {"feeds": 0, "entries": 0, "stories": [], "hidden": 0}
    for group in groups:
        engine = Engine(Params())
        by_id: dict[str, Article] = {}
        for _rel, entries in group:
            result["feeds"] += 1
            result["entries"] += len(entries)
            poll = [a for a in articles_of(entries) if a.key not in by_id]
            engine.expect(doc_of(a) for a in poll)  # as App.ingest does
            for a in poll:
                by_id[a.key] = a
                engine.add(doc_of(a))
        stories: dict[str, list[Article]] = defaultdict(list)
        for key, a in by_id.items():
            stories[engine.story_of(key)].append(a)
        for members in merged(stories):
            hidden = len({line_key(a.title) for a in members}) - 1
            result["hidden"] += hidden
            result["stories"].append({"sources": sorted({a.source for a in members}), "hidden": hidden,
                                      "titles": [a.title for a in members]})
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--folder", action="store_true", help="all feeds of a folder as one store")
    ap.add_argument("--least", type=int, default=MIN_ENTRIES, help="feeds of this many entries or more")
    ap.add_argument("--show", type=int, default=0, help="print the titles of this many merged stories")
    ap.add_argument("--json", help="write the figure (feed_merges_posts_shown) and the merged stories to this file")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"feeds corpus: {CORPUS} not found (set DIGEST_SHARED)", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    found = list(feeds(least=args.least))
    if args.folder:
        by_folder: dict[str, list[tuple[str, list[Entry]]]] = defaultdict(list)
        for rel, entries in found:
            by_folder[str(Path(rel).parent)].append((rel, entries))
        groups = list(by_folder.values())
    else:
        groups = [[f] for f in found]
    res = run(groups)
    secs = time.perf_counter() - t0
    print(f"feeds with {args.least}+ entries: {res['feeds']} ({res['entries']} entries, {len(groups)} stores); "
          f"stories holding 2+ distinct posts of one feed: {len(res['stories'])}, posts hidden: {res['hidden']} "
          f"({secs:.0f}s)")
    for s in res["stories"][: args.show]:
        print(f"\n{', '.join(s['sources'])} (hides {s['hidden']})")
        for t in s["titles"]:
            print(f"  {t[:110]}")
    if args.json:  # the gate's figure: the share of posts not hidden in another post's story
        shown = 1.0 - res["hidden"] / res["entries"] if res["entries"] else 1.0
        name = "feed_merges_folder_posts_shown" if args.folder else "feed_merges_posts_shown"
        out = {"figures": {name: round(shown, 4)}, "detail": res}
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
