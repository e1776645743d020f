"""False positives of ``digest.text.notices.takedown`` on real texts: must be 0.

Reads every text of ../shared/corpus/stories/*.jsonl (ECB+, GVC: title and text), the
extraction benchmark's article bodies (scrapinghub ``ground-truth.json``), and every entry of
the feeds corpus (``benchmarks.feeds_corpus``'s files through ``read_path``, each prepared as
digest stores it), and counts the texts taken for a removal or retraction notice, and those
whose first sentence is one with the word limit (``NOTICE_WORDS``) lifted.

    python -m benchmarks.notices [-v]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.feeds_corpus import CORPUS, SHARED, corpus_files
from digest.errors import DigestError
from digest.records import Entry
from digest.sources.localfiles import read_path
from digest.text import notices
from digest.text.prepare import prepare

NOW = datetime(2026, 11, 20, tzinfo=UTC)
#: Texts that speak of a removal or retraction at all (what the notice test must tell apart).
_MENTION = re.compile(r"\b(?:retract\w*|withdr[ae]wn?|taken down|(?:been|was|were) removed|no longer available)\b", re.I)


def stories() -> Iterator[tuple[str, str, str]]:
    for path in sorted((SHARED / "corpus" / "stories").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                yield f"{path.name}:{row.get('id')}", row.get("title") or "", row.get("text") or ""


def extraction() -> Iterator[tuple[str, str, str]]:
    truth = json.loads((SHARED / "corpus" / "extraction" / "scrapinghub" / "ground-truth.json").read_text("utf-8"))
    for stem, row in sorted(truth.items()):
        yield f"extraction:{stem}", "", row.get("articleBody") or ""


def feed_entries() -> Iterator[tuple[str, str, str]]:
    logging.disable(logging.WARNING)
    for f in corpus_files(CORPUS):
        try:
            entries = list(read_path(f, source=f.name))
        except (DigestError, OSError, ValueError):
            continue
        for e in entries:
            if not isinstance(e, Entry):
                continue  # an error read_path reports in place of the file's entries
            try:
                a = prepare(e, fetched=NOW)
            except DigestError:
                continue
            if a is not None:
                yield f"feeds:{f.relative_to(CORPUS)}", a.title, a.text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print each text taken")
    args = ap.parse_args()
    failed = 0
    for name, texts in (("stories", stories), ("extraction", extraction), ("feeds", feed_entries)):
        n = taken = unlimited = mention = 0
        for where, title, text in texts():
            n += 1
            kind = notices.takedown(title, text)
            limit = notices.NOTICE_WORDS
            notices.NOTICE_WORDS = 10**9
            try:
                wide = notices.takedown(title, text)
            finally:
                notices.NOTICE_WORDS = limit
            mention += bool(_MENTION.search(f"{title} {text}"))
            taken += kind is not None
            unlimited += wide is not None
            if args.verbose and wide is not None:
                print(f"  {where}: {kind or 'long'} {wide}: {(text or title)[:160]!r}")
        print(f"{name}: {n:,} texts ({mention} naming a removal or retraction), taken for a notice {taken}, "
              f"without the word limit {unlimited}")
        failed += taken
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
