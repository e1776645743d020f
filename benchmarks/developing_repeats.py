"""Developing entries that lead with the excerpt the reader read on the story's last day shown.

Observations
------------
* A developing story is shown again because something arrived; its entry's excerpt is the
  paragraph under its heading.  Where that excerpt is the one its last digest showed, the
  reader of that digest reads the same paragraph again and must hunt for what is new (stop 63:
  the lead stayed the earlier, more complete, version and its excerpt with it).

How it works
------------
GVC val packed into a month (``benchmarks.dated.gvc_close_stream``: 78 reports, 37 incidents,
their follow-ups days to weeks later) through ``digest replay``; each day's Markdown digest read
back, its stories matched to the JSON digest's in order (the "also reported" and backlog ones
are listed apart, after them).  A developing entry of a story shown before counts as a repeat
where its excerpt (the paragraph after its outlet's line) is the one shown on the story's last
day shown; "any" where it is one shown on any earlier day.  Tuning split only (GVC val).
``python -m benchmarks.developing_repeats [--seed N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .common import ROOT
from .dated import gvc_close_stream


def excerpts(md: str) -> list[str]:
    """Each story's excerpt in a Markdown digest, in order: the paragraph after its outlet's
    line ("" where none), up to the "also reported since" list."""
    out = []
    for block in re.split(r"^#{2,3} ", md.split("\nAlso reported since")[0], flags=re.M)[1:]:
        paras = [p.strip() for p in block.split("\n\n")]
        meta = next((i for i, p in enumerate(paras) if p.startswith("**") and not p.startswith("**Developing")), None)
        nxt = paras[meta + 1] if meta is not None and meta + 1 < len(paras) else ""
        out.append("" if nxt.startswith(("Also reported", "Earlier, ", "---")) else nxt)
    return out


def count(out: Path) -> dict[str, int]:
    last: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    figures = {"developing": 0, "repeats_last": 0, "repeats_any": 0, "earlier_lines": 0}
    for path in sorted(out.glob("digest-*.json")):
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        md = path.with_suffix(".md").read_text(encoding="utf-8")
        shown = [s for s in doc["stories"] if not s["also_reported"] and not s["backlog"]]
        cuts = excerpts(md)
        if len(cuts) != len(shown):
            raise SystemExit(f"{path.name}: {len(cuts)} entries in the Markdown, {len(shown)} in the JSON")
        figures["earlier_lines"] += md.count("\nEarlier, ")
        for s, cut in zip(shown, cuts, strict=True):
            sid = s["story_id"]
            if s["status"] == "developing" and sid in last:
                figures["developing"] += 1
                figures["repeats_last"] += cut == last[sid]
                figures["repeats_any"] += cut in seen[sid]
            last[sid] = cut
            seen.setdefault(sid, set()).add(cut)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seed", type=int, default=0, help="the stream's seed (hours, outlets, packing)")
    ap.add_argument("--keep", type=Path, help="work in this folder (kept)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-developing-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        records = gvc_close_stream("val", args.seed)
        (work / "in.jsonl").write_text(
            "".join(json.dumps({k: v for k, v in r.items() if k != "event"}) + "\n" for r in records), encoding="utf-8")
        (work / "feeds.yaml").write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n")
        proc = subprocess.run([sys.executable, "-m", "digest", "replay", str(work / "in.jsonl"), "--config",
                               str(work / "feeds.yaml")], capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"digest replay failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        f = count(work / "out")
    print(f"GVC val, packed (seed {args.seed}): {f['developing']} developing entries of a story shown before; "
          f"{f['repeats_last']} lead with the excerpt of its last day shown, {f['repeats_any']} with one of any "
          f"earlier day; {f['earlier_lines']} 'Earlier' lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
