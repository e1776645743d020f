"""Which in-place updates of a feed entry does ``digest.revisions`` read as news?

Observations
------------
* An entry updated in place is read again when its content hash changes and the change is
  *material*: the cleaned text, compared with the entry's earlier versions by the copy test
  (``digest.output.news.adds_nothing``), gains a passage or its headline a word not read.
  What a site changes between polls without news (a timestamp, an ad slot, markup, a
  "Read more" link to another story) must not pass; a development must.
* No corpus holds one feed polled over time.  The GVC reports (real local news, several
  reports per incident) stand in: each report is the entry's first version, and a second
  version is made of it by one change of each kind below.

How it works
------------
Each report goes through ``prepare`` as a feed item (its paragraphs as HTML, no other
entries), as does its changed version; the share of changes read as material is counted
per kind::

    churn  timestamp   "Updated June 16, 2014 9:41 a.m." above the text
           ad          "Advertisement" between the first two paragraphs
           markup      each paragraph's tag with attributes, spaces doubled
           related     a last line "Read more: <another incident's headline>"
    news   paragraph   a paragraph of another report of the same incident appended (one its
                       cleaning kept, of 8 words or more, under half of whose 3-grams are in
                       the report: new to it)
           headline    the headline of another report of the same incident
           figure      a number in the text changed (read since stop 40: ``output.figures``; compared
                       with the passage it was read from since stop 41: ``reading.Read``)

           two figures the first number of each of two paragraphs changed (a toll and a count of
                       injured corrected in two places)

Then each change read is taken back: the entry's third version is its first text again
(``digest.revisions.revised`` against the first two).  A figure back is a correction, news
(``figure back``, ``two figures back``; ``figure back said``: its line says the figure the
reader read last, "**40** (was 41)"); a headline or a paragraph back says nothing not read
(``headline back``, ``paragraph back``: read as news, to be 0).  A fourth version, the change
again, is a page flipping between two texts (``flip``: read as news, to be 0).

``figure said``: of the figures changed that were read, those whose "what's new" line marks
the new figure and says the one it replaced ("**41** (was 40)", stop 42); ``two figures
said``: of the two figures changed that were read (both in the text the cleaning kept: a
first paragraph repeating the headline is not), those whose line marks both, each with the
one before.

    python -m benchmarks.inplace [--split val|test|all] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from digest.output.figures import FIGURE, extent, stated, written
from digest.output.news import adds_nothing, figures_told, whats_new
from digest.output.reading import grams_of, read_of
from digest.records import Article, Entry
from digest.revisions import revised, said
from digest.store.base import StoredArticle
from digest.text.prepare import prepare

from .dated import load_gvc

AT = datetime(2026, 11, 10, tzinfo=UTC)
_NUMBER = re.compile(r"\b\d+\b")


def _entry(title: str, paragraphs: list[str], attrs: str = "", tail: str = "") -> Entry:
    html = "".join(f"<p{attrs}>{escape(p)}</p>" for p in paragraphs) + tail
    return Entry(source="S", title=title, entry_id="x", url="https://s.example/x", content_html=html)


def stored(a: Article, fetched: datetime = AT) -> StoredArticle:
    """The article as the store gives it back (what the copy test reads: title, text, junk)."""
    return StoredArticle(key=a.key, source=a.source, url=a.url, title=a.title, text=a.text, published=a.published,
                         fetched=fetched, author=None, truncated=a.truncated, priority=0.0, junk=list(a.junk),
                         fingerprint=b"", story_id=a.key, score=None, score_detail=None, revision_of=a.revision_of)


def back_and_again(first: Article, changed: Article) -> tuple[Article | None, Article | None, list[StoredArticle]]:
    """The entry read as ``first``, then ``changed``, then ``first`` again, then ``changed``
    again, each a day apart, through ``revisions.revised`` as a poll reads it: the third and
    fourth versions read as news (None: not), and the versions stored before the third."""
    versions = [stored(first)]
    second = revised(changed, first.key, versions, "2")
    assert second is not None  # only a change read is taken back
    versions.append(stored(second, AT + timedelta(days=1)))
    third = revised(first, first.key, versions, "3")
    if third is None:
        return None, None, versions[:2]
    more = [*versions, stored(third, AT + timedelta(days=2))]
    return third, revised(changed, first.key, more, "4"), versions


def _cleaned(entry: Entry) -> Article | None:
    return prepare(entry, fetched=AT)


def variants(row: dict[str, Any], same: list[dict[str, Any]], other: dict[str, Any]) -> dict[str, Entry | None]:
    """The report's changed versions, by kind (None: the kind cannot be made of this report)."""
    paras = [p.strip() for p in row["text"].split("\n") if p.strip()]
    title = row["title"]
    grams = grams_of(row["text"])
    kept = [a.text for r in same if (a := _cleaned(_entry(r["title"], r["text"].split("\n")))) is not None]
    fresh = [p for text in kept for p in text.split("\n")  # another report's, as its cleaning kept them
             if len(p.split()) >= 8 and len(grams_of(p) & grams) < 0.5 * len(grams_of(p))]
    heads = [r["title"] for r in same if r["title"] != title]
    figure = None
    if (change := figure_change(paras)) is not None:
        figure = _entry(title, change[0])
    return {
        "timestamp": _entry(title, ["Updated June 16, 2014 9:41 a.m.", *paras]),
        "ad": _entry(title, [paras[0], "Advertisement", *paras[1:]]),
        "markup": _entry(title, [p.replace(" ", "  ") for p in paras], attrs=' class="body-text" data-slot="3"'),
        "related": _entry(title, paras, tail=f"<p>Read more: {escape(other['title'])}</p>"),
        "paragraph": _entry(title, [*paras, fresh[0]]) if fresh else None,
        "headline": _entry(heads[0], paras) if heads else None,
        "figure": figure,
        "two figures": _entry(title, two[0]) if (two := two_figures(paras)) else None,
    }


def figure_change(paras: list[str]) -> tuple[list[str], str, str] | None:
    """The paragraphs with the first number of the first paragraph holding one raised by one,
    and the figure it stands in before and after, as written ("3,000" and "4,000" where the
    "3" of "3,000" was raised: ``figures.written``); None where no paragraph holds one."""
    numbered = next((i for i, p in enumerate(paras) if _NUMBER.search(p)), None)
    if numbered is None:
        return None
    para = paras[numbered]
    m = _NUMBER.search(para)
    assert m is not None
    changed = list(paras)
    changed[numbered] = para[: m.start()] + str(int(m.group()) + 1) + para[m.end() :]
    start = next((f.start() for f in FIGURE.finditer(para) if f.start() <= m.start() < f.end()), m.start())
    return changed, written(para, start), written(changed[numbered], start)


def two_figures(paras: list[str]) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The first figure in digits (``figures.stated``: not a date, a clock or a year) of each
    of the first two paragraphs stating one raised by one (a toll and a count of injured
    corrected in two places), and each figure before and after, as written."""
    changed, changes = list(paras), []
    for i, para in enumerate(paras):
        at = next((at for _, at in stated(para, 0, len(para)) if para[at].isdigit()), None)
        if at is None:
            continue
        start = extent(para, at)[0]  # a currency sign written before it: "$500"
        old = written(para, at)
        lead, number, space, scale = old[: at - start], *old[at - start :].partition(" ")  # "1 million"
        digits = number.replace(",", "")
        if not digits.isdigit():
            continue
        new = lead + (f"{int(digits) + 1:,}" if "," in number else str(int(digits) + 1)) + space + scale
        changed[i] = para[:start] + new + para[start + len(old):]
        changes.append((old, new))
        if len(changes) == 2:
            return changed, changes
    return None


def said_was(first: Article | list[StoredArticle], article: Article, *changes: tuple[str, str]) -> bool:
    """Whether the "what's new" line of ``article`` (figures changed in ``first``, or in the
    versions read before it: each (before, after)) marks each new figure and says the one
    before it (``news.figures_told``)."""
    earlier = [stored(first)] if isinstance(first, Article) else first
    first = first if isinstance(first, Article) else earlier[0]
    new = [stored(article, AT + timedelta(days=len(earlier)))]
    read = read_of(earlier)
    line = whats_new(new, earlier, first.title, read=read)
    told = {(was, line[a:b]) for a, b, was in figures_told(line, new[0], read)}
    return all(change in told for change in changes)


def measure(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per kind: (changes read as material, changes made); and ``figure said``: of the figures
    changed that were read, those whose line marks the new figure and says the one before."""
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_event[r["event"]].append(r)
    material: Counter[str] = Counter()
    made: Counter[str] = Counter()
    for i, row in enumerate(rows):
        first = _cleaned(_entry(row["title"], [p for p in row["text"].split("\n") if p.strip()]))
        if first is None:
            continue
        same = [r for r in by_event[row["event"]] if r is not row]
        other = next(r for r in rows[i + 1 :] + rows if r["event"] != row["event"])
        for kind, entry in variants(row, same, other).items():
            article = _cleaned(entry) if entry is not None else None
            if article is None:
                continue
            made[kind] += 1
            read = not adds_nothing(article, said([stored(first)]))  # as Poll.read
            material[kind] += read
            paras = [p for p in row["text"].split("\n") if p.strip()]
            change, two = figure_change(paras), two_figures(paras)
            if kind == "figure" and read and change is not None:
                made["figure said"] += 1
                material["figure said"] += said_was(first, article, change[1:])
            kept = two is not None and all(b in first.text and a in article.text for b, a in two[1])
            if kind == "two figures" and read and two is not None and kept:  # both kept by the cleaning
                made["two figures said"] += 1
                material["two figures said"] += said_was(first, article, *two[1])
            if read and kind in BACK:
                third, fourth, before = back_and_again(first, article)
                made[f"{kind} back"] += 1
                material[f"{kind} back"] += third is not None
                if kind == "figure" and third is not None and change is not None:
                    made["figure back said"] += 1
                    material["figure back said"] += said_was(before, third, change[:0:-1])
                if kind in FIGURES and third is not None:
                    made["flip"] += 1
                    material["flip"] += fourth is not None
    return {k: (material[k], made[k]) for k in made}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", default="all", choices=("val", "test", "all"))
    ap.add_argument("--json", metavar="FILE", help="also write the gate's figures (benchmarks/floors.json) here")
    args = ap.parse_args(argv)
    counts = measure(load_gvc(args.split))
    for kind, (read, made) in counts.items():
        print(f"{kind:10s} {read:4d} / {made:4d}  {read / max(made, 1):.3f}")
    if args.json:
        churn = [counts[k] for k in CHURN]
        figures = {
            "inplace_churn_not_read": 1 - sum(r for r, _ in churn) / max(sum(m for _, m in churn), 1),
            "inplace_paragraph_read": counts["paragraph"][0] / max(counts["paragraph"][1], 1),
            "inplace_headline_read": counts["headline"][0] / max(counts["headline"][1], 1),
            "inplace_figure_read": counts["figure"][0] / max(counts["figure"][1], 1),
            "inplace_figure_said": counts["figure said"][0] / max(counts["figure said"][1], 1),
            "inplace_two_figures_said": counts["two figures said"][0] / max(counts["two figures said"][1], 1),
            "inplace_figure_back_read": _share(counts, "figure back", "two figures back"),
            "inplace_figure_back_said": _share(counts, "figure back said"),
            "inplace_back_not_read": 1 - _share(counts, "headline back", "paragraph back", "flip"),
        }
        detail = {k: {"read": r, "made": m} for k, (r, m) in counts.items()}
        Path(args.json).write_text(json.dumps({"figures": figures, "detail": detail}, indent=2), encoding="utf-8")
    return 0


def _share(counts: dict[str, tuple[int, int]], *kinds: str) -> float:
    """The share of the changes of these ``kinds`` read as news."""
    read, made = (sum(counts.get(k, (0, 0))[i] for k in kinds) for i in (0, 1))
    return read / max(made, 1)


#: The changes that are no news (the others are).
CHURN = ("timestamp", "ad", "markup", "related")
#: The changes taken back after they were read (``back_and_again``), and those of figures.
BACK = ("paragraph", "headline", "figure", "two figures")
FIGURES = ("figure", "two figures")


if __name__ == "__main__":
    raise SystemExit(main())
