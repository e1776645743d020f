"""What makes a syndicated copy "news" to the copy test, and what the figures rule adds.

Observations
------------
* The digest shows a story again when a version arrives that adds something to what the
  reader read (``digest.output.news.adds_nothing``, the copy test); another site's copy of a
  report the reader read should add nothing.  A copy judged news shows its story as developing,
  its "what's new" line read from the copy: clutter, not news.
* Stop 40 made a passage that states a figure no earlier version stated new (a toll raised in
  place: ``digest.output.figures``).  A copy whose site junk or cleaning left a figure in a passage
  otherwise read becomes news by it: this counts how many.

How it works
------------
The syndicated mixture (``benchmarks.syndicate_mix.build_mixture``: ECB+ articles of one
split, each of ``--originals`` with 1-4 copies from fake sites, full bodies in their site's
junk or truncated summaries) is cleaned as ``digest dedupe`` cleans it (``batch.entry_of``,
``prepare``, one ``RecurringLines`` for the stream).  Each copy is compared with its original
alone, as the reader read it; a copy that is news is counted by the first reason: a headline
word not read (a site's suffix, a "BREAKING:" label, a rewritten headline), a passage of
words not read (junk the cleaner kept), or only a figure not read.

``--passages`` prints each copy news by a passage or a figure, with its passages not read: how
stop 41 listed the junk lines the cleaner kept (docs/evaluation.md, "Stop 41: junk that made
copies news").

With ``--reports``, the risk of comparing figures by passage (stop 41): other outlets' reports
of one ECB+ event are rewrites, not copies, and restate a figure in another sentence than the
one they were read from.  Each report is read against each other report of its event; counted:
the passages read (``READ_SHARE``), those new by a figure against the whole earlier text (stop
40's rule) and by passage (``reading.Read.figures_new``), and the reports news by a figure alone
(every passage read) that stop 40's rule read as adding nothing, each printed.

    python -m benchmarks.copy_test [--split dev|test] [--originals 150] [--seed 0] [--passages | --reports]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from html import escape

from digest.batch import entry_of
from digest.output import news, reading
from digest.output.figures import figures
from digest.records import Entry
from digest.store.base import StoredArticle
from digest.text.prepare import RecurringLines, prepare

from .common import load_ecb
from .inplace import stored
from .syndicate_mix import build_mixture


def reason(copy: news.Said, original: news.Said, show: bool = False) -> str:
    """Why the copy test reads ``copy`` as news over ``original`` ("" when it adds nothing)."""
    if news.adds_nothing(copy, [original]):
        return ""
    if show:
        print(f"  {copy.title!r}: {sorted(news.headline_words(copy) - news.words_read([original]))}")
    if news.headline_words(copy) - news.words_read([original]):
        return "headline word"
    read = reading.read_of([original])
    if any(not reading.passage_read(p, read) for p in reading.new_passages(copy, read)):
        return "passage"
    return "figure only"


def reports(split: str) -> None:
    """Print what ``--reports`` counts (see the module's docstring)."""
    by_event: dict[str, list[StoredArticle]] = {}
    ids: dict[str, str] = {}
    for r in load_ecb(split):
        article = prepare(Entry(source="S", title=r["title"], entry_id=r["id"], url=None,
                                content_html="".join(f"<p>{escape(p)}</p>" for p in r["text"].split("\n") if p.strip())))
        if article is not None:
            by_event.setdefault(r["event"], []).append(stored(article))
            ids[article.key] = r["id"]
    pairs = read = whole = local = flipped = 0
    for versions in by_event.values():
        for earlier in versions:
            said = reading.read_of([earlier])
            for v in versions:
                if v is earlier:
                    continue
                pairs += 1
                text = " ".join(v.text.split())
                new_words = by_figure = by_figure_before = False
                for start, end in reading.passage_spans(text):
                    grams = reading.grams_of(text[start:end])
                    if not reading.passage_read(text[start:end], said):
                        new_words = True
                        continue
                    read += 1
                    before = bool(figures(text, start, end) - said.figures)
                    now = bool(said.figures_new(text, start, end, grams))
                    whole, local = whole + before, local + now
                    by_figure, by_figure_before = by_figure or now, by_figure_before or before
                if by_figure and not new_words and not by_figure_before:
                    flipped += 1
                    print(f"  {ids[v.key]} over {ids[earlier.key]}: {reading.new_passages(v, said)[0][:160]!r}")
    print(f"reports {pairs} pairs: passages read {read}; new by a figure: whole text {whole}, by passage {local}; "
          f"reports news by a figure alone only by passage {flipped}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--originals", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--passages", action="store_true", help="print the passages not read of each copy news by one")
    ap.add_argument("--reports", action="store_true", help="other outlets' reports of one event, each against another")
    args = ap.parse_args(argv)
    if args.reports:
        reports(args.split)
        return 0
    versions = build_mixture(load_ecb(args.split), args.originals, args.seed)
    recurring = RecurringLines()
    cleaned = {}
    for v in versions:
        article = prepare(entry_of(v.record), recurring=recurring)
        if article is not None:
            cleaned[v.id] = stored(article)
    counts: dict[str, Counter[str]] = {}
    for v in versions:
        if v.kind == "ecb" or v.id not in cleaned or v.origin not in cleaned:
            continue
        why = reason(cleaned[v.id], cleaned[v.origin])
        counts.setdefault(v.kind, Counter())[why] += 1
        if args.passages and why in ("passage", "figure only"):
            for p in reading.new_passages(cleaned[v.id], reading.read_of([cleaned[v.origin]])):
                print(f"{v.kind}\t{why}\t{v.id}\t{p[:300]!r}")
    for kind, c in sorted(counts.items()):
        total = sum(c.values())
        print(f"{kind:8} {total:4d} copies: adds nothing {c['']:4d} ({c[''] / total:.1%}); news by "
              + ", ".join(f"{r} {c[r]}" for r in ("headline word", "passage", "figure only")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
