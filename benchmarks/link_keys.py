"""How many feed entries are known by their link or by an id that is a URL, and how many of
those keys the spelling change moved (``digest.text.identity.link_identity``,
``id_identity``), over ../shared/corpus/feeds.

Observations
------------
An entry without an id is keyed by its link.  Until link keys read http as https and dropped a
leading ``www.``, a site moving to https (or adding or dropping ``www.``) gave every such entry
of its feed a new key.  The corpus is three feed parsers' test suites, not a sample of real
feeds: its share of entries without an id says how often parsers meet them, not how often
subscribers do.

How it works
------------
Each feed file (``feeds_corpus.corpus_files``: RSS, Atom, RDF, JSON Feed) is parsed as a
feed with no URL (``digest.sources.feeds.parse_feed``), and its entries counted: with an id,
keyed by an http(s) link, keyed by their text.  Of the link-keyed: ``http://`` links and
``www.`` hosts (their key changed: an upgraded store finds them by their old key,
``digest.articles.as_stored``), and pairs of one feed's entries whose links differ as spelt
but are one page now (two entries that became one: each such pair would lose an article).
Of the entries with an id: ids that are http(s) URLs, ``http://`` and ``www.`` (their key
changed too), and, over the ids as the feed wrote them (feedparser's, before ``parse_feed``
drops repeats), pairs of one feed's distinct ids that are one key now; and that would be one
key were an id read as a link is (``link_identity``: fragment, query order, tracking
parameters, host case too), the rule not taken.

    python -m benchmarks.link_keys [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import feedparser

from benchmarks.feeds_corpus import CORPUS, corpus_files
from digest.errors import ParseError
from digest.sources.feeds import parse_feed
from digest.sources.fields import ID_CHARS
from digest.text.identity import canonical_url, id_identity, is_http, link_identity


def _one_key(ids: set[str], key: Callable[[str], str]) -> int:
    """How many of one feed's distinct ``ids`` share a key with another (pairs: n - 1 a key)."""
    keys: dict[str, set[str]] = {}
    for i in ids:
        keys.setdefault(key(i), set()).add(i)
    return sum(len(spelt) - 1 for spelt in keys.values())


def _written_ids(data: bytes) -> set[str]:
    """The entry ids of a feed as written (stripped, cut as ``parse_feed`` cuts them)."""
    parsed = feedparser.parse(data)
    return {i.strip()[:ID_CHARS] for e in parsed.entries if isinstance(i := e.get("id"), str) and i.strip()}


def count(root: Path) -> tuple[Counter[str], Counter[str]]:
    """Entry counts over ``root``'s feed files, in total and per top folder (``kind:folder``)."""
    total: Counter[str] = Counter()
    per: Counter[str] = Counter()
    for path in corpus_files(root):
        if path.suffix.lower() == ".opml":
            continue
        try:
            entries = parse_feed(path.read_bytes(), source=path.name)
        except ParseError:
            total["files not feeds"] += 1
            continue
        except Exception:
            total["files failing"] += 1
            continue
        folder = path.relative_to(root).parts[0]
        total["files"] += 1
        written = {i for i in _written_ids(path.read_bytes()) if is_http(i)}
        total["id pairs one key"] += _one_key(written, id_identity)
        total["id pairs one link"] += _one_key(written, link_identity)
        total["files with http ids"] += bool(written)
        pages: dict[str, set[str]] = {}
        for e in entries:
            kind = "id" if e.entry_id else "link" if is_http(e.url) else "text"
            total[kind] += 1
            per[f"{kind}:{folder}"] += 1
            if kind == "id" and is_http(e.entry_id):
                spelt = (e.entry_id or "").strip()
                total["id a link"] += 1
                total["id http"] += spelt.lower().startswith("http://")
                total["id www"] += spelt.lower().startswith(("http://www.", "https://www."))
                total["id changed"] += id_identity(spelt) != spelt
            if kind != "link":
                continue
            url = e.url or ""
            total["link http"] += url.strip().lower().startswith("http://")
            total["link www"] += (urlsplit(canonical_url(url)).hostname or "").startswith("www.")
            pages.setdefault(link_identity(url), set()).add(canonical_url(url))
        total["merged pairs"] += sum(len(spelt) - 1 for spelt in pages.values())
        total["files with link-keyed"] += bool(pages)
    return total, per


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    total, per = count(CORPUS)
    entries = total["id"] + total["link"] + total["text"]
    print(f"{total['files']} feed files, {entries} entries: {total['id']} with an id, "
          f"{total['link']} keyed by link ({100 * total['link'] / max(entries, 1):.1f}%, in "
          f"{total['files with link-keyed']} files), {total['text']} by text")
    print(f"  of the link-keyed: {total['link http']} http://, {total['link www']} www. "
          f"(their key changed); one feed's entries now one page: {total['merged pairs']}")
    print(f"  of the ids: {total['id a link']} http(s) URLs ({100 * total['id a link'] / max(total['id'], 1):.1f}%, "
          f"{total['id http']} http://, {total['id www']} www.; {total['id changed']} keys changed)")
    print(f"  one feed's distinct URL ids now one key: {total['id pairs one key']} "
          f"({total['files with http ids']} files); were they read as links: {total['id pairs one link']}")
    print("  per folder: " + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
    if args.json:
        args.json.write_text(json.dumps({"total": total, "per_folder": per}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
