"""How many feed entries are known by their link, and how many of those keys the link spelling
change moved (``digest.text.identity.link_identity``), over ../shared/corpus/feeds.

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

    python -m benchmarks.link_keys [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.feeds_corpus import CORPUS, corpus_files
from digest.errors import ParseError
from digest.sources.feeds import parse_feed
from digest.text.identity import canonical_url, is_http, link_identity


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
        pages: dict[str, set[str]] = {}
        for e in entries:
            kind = "id" if e.entry_id else "link" if is_http(e.url) else "text"
            total[kind] += 1
            per[f"{kind}:{folder}"] += 1
            total["id a link"] += kind == "id" and is_http(e.entry_id)
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
    print(f"  ids that are http(s) links (keyed by the id as spelt, left so): {total['id a link']}")
    print("  per folder: " + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
    if args.json:
        args.json.write_text(json.dumps({"total": total, "per_folder": per}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
