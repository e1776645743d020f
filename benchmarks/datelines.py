"""What :func:`digest.output.openings.opening` leaves out of the corpora's real openings, to
compare one rule with another one by one.

Observations
------------
* The corpora hold 1,315 real openings: GVC's 152 reports, ECB+'s 982 articles and the 181
  scrapinghub pages' ground-truth bodies.  Few of them open with a dateline in Title Case, so a
  rule is also tried at every sentence's start in them (``--sentences``): a rule that reads a
  name or a sentence's first words as a place shows there.

How it works
------------
For each text, the words :func:`opening` leaves out before the excerpt (or, with
``--sentences``, the dateline :data:`DATELINE` takes at each sentence's start) are written as one
JSON line: ``{"where": ..., "cut": ...}``.  Run it on two trees and compare the files::

    git archive main | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python benchmarks/datelines.py --out /tmp/before.jsonl
    python -m benchmarks.datelines --out /tmp/after.jsonl --compare /tmp/before.jsonl

``--compare`` prints the counts (texts cut, texts whose cut changed) and every change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from digest.output.openings import DATELINE, opening
from digest.text.sentences import sentence_ends

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def texts(shared: Path = SHARED) -> Iterator[tuple[str, str]]:
    """(where, text) of every opening in the corpora."""
    for name in ("gvc.jsonl", "ecbplus.jsonl"):
        for line in (shared / "stories" / name).read_text("utf-8").splitlines():
            record = json.loads(line)
            yield f"{name}:{record['id']}", record["text"]
    truth = json.loads((shared / "extraction" / "scrapinghub" / "ground-truth.json").read_text("utf-8"))
    for key, page in sorted(truth.items()):
        yield f"scrapinghub:{key[:12]}", page.get("articleBody") or ""


def cuts(sentences: bool) -> Iterator[tuple[str, str]]:
    """(where, what is left out) for every opening, or every sentence's start."""
    for where, text in texts():
        if not sentences:
            left = opening(text)
            yield where, " ".join(text[: len(text) - len(left)].split()) if left != text else ""
            continue
        starts = [0, *sentence_ends(text)]
        for start in starts:
            at = start + len(text[start:]) - len(text[start:].lstrip())
            found = DATELINE.match(text, at)
            yield f"{where}@{at}", " ".join(found.group(0).split()) if found else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", action="store_true", help="every sentence's start, not the opening")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, help="an earlier --out to compare with")
    args = parser.parse_args(argv)
    rows = [{"where": where, "cut": cut} for where, cut in cuts(args.sentences)]
    args.out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    print(f"{len(rows)} places read, {sum(1 for row in rows if row['cut'])} cut")
    if args.compare:
        before = {row["where"]: row["cut"] for row in map(json.loads, args.compare.read_text("utf-8").splitlines())}
        changed = [row for row in rows if before.get(row["where"], "") != row["cut"]]
        print(f"{len(changed)} changed")
        for row in changed:
            print(f"  {row['where']}: {before.get(row['where'], '')!r} -> {row['cut']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
