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
day shown; "any" where it is one shown on any earlier day.  An entry leading with the day's
version (``news_lead``) whose excerpt leaves out its opening (not the line of what is new, which
says it) counts as skipping one; with news
where what it leaves out holds a word (``NEW_WORD_CHARS`` letters or more, or a number) that none of the
story's versions before the day holds, title or text (stop 64).  Tuning split only (GVC val).
``--updates``: each incident's first report updated the next day (:func:`updates`); with
``--openings``, its news also in its opening, before the paragraph added.
``python -m benchmarks.developing_repeats [--seed N] [--keep DIR] [--updates [--openings]]``
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from digest.output.reading import grams_of

from .common import ROOT
from .dated import gvc_close_stream
from .inplace import figure_change


def excerpts(md: str) -> list[str]:
    """Each story's excerpt in a Markdown digest, in order: the paragraph after its outlet's
    line ("" where none), up to the "also reported since" list."""
    out = []
    for block in re.split(r"^#{2,3} ", md.split("\nAlso reported since")[0], flags=re.M)[1:]:
        paras = [p.strip() for p in block.split("\n\n")]
        meta = next((i for i, p in enumerate(paras) if p.startswith(("**", "[")) and not p.startswith("**Developing")),
                    None)
        nxt = paras[meta + 1] if meta is not None and meta + 1 < len(paras) else ""
        out.append("" if nxt.startswith(("Also reported", "Earlier, ", "---")) else nxt)
    return out


#: A word of the day's version no earlier version holds: this long at least ("tide", not "the"),
#: or a number (a figure changed: "6501" for "6500").
NEW_WORD_CHARS = 4


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= NEW_WORD_CHARS or w.isdigit()}


def skipped(version: str, cut: str) -> str:
    """What the excerpt ``cut`` (Markdown, escaped) leaves out of the start of the day's
    ``version`` text: "" where it begins with the text, or is not found in it."""
    flat = " ".join(version.split())
    head = " ".join(re.sub(r"\\(.)", r"\1", cut).split())[:40].removesuffix("…").strip()
    at = flat.find(head) if head else -1
    return flat[:at] if at > 0 else ""


def _plain(cut: str) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", cut).split())


#: The start of a line of what is new looked for in its entry's excerpt: its sentence said again.
LINE_HEAD_CHARS = 40


def said_again(line: str, cut: str) -> bool:
    """Whether the excerpt ``cut`` (Markdown, escaped) says the line of what is new ``line``
    again: its first ``LINE_HEAD_CHARS`` characters in it (stop 64: the excerpt begun at an
    opening with news went on to the line's passage)."""
    head = line[:LINE_HEAD_CHARS].removesuffix("…").strip()
    return bool(head) and head in _plain(cut)


def count(out: Path, texts: dict[str, str]) -> dict[str, int]:
    """The figures over the digests in ``out`` (``texts``: each record's title and text, by id)."""
    last: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    figures = {"developing": 0, "repeats_last": 0, "repeats_any": 0, "earlier_lines": 0, "skips": 0,
               "skips_news": 0, "line_repeats": 0, "line_repeats_after": 0, "news_words": 0, "no_news": 0}
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
                line = " ".join((s["whats_new"] or "").split()).removesuffix(" …")
                if (s["news_lead"] is not None and (left := skipped(s["news_lead"]["text"] or "", cut))
                        and left.strip() not in line):  # (the line said it: the excerpt goes on after it)
                    # an opening the excerpt leaves out, with a word no earlier version holds: news
                    before = [v["id"] for v in (s["lead"], *s["also"]) if not v["new"]]
                    read = set().union(*(_words(texts.get(i, "")) for i in before))
                    figures["skips"] += 1
                    figures["skips_news"] += bool(_words(left) - read)
                if s["news_lead"] is not None:
                    figures["line_repeats"] += said_again(line, cut)
                    # said after an opening the excerpt begins with (not one opening with a line cut short)
                    figures["line_repeats_after"] += said_again(line, cut) and not _plain(cut).startswith(
                        line[:LINE_HEAD_CHARS].strip())
                    # the day's news the entry shows, its line and excerpt: words no earlier version holds
                    before = [v["id"] for v in (s["lead"], *s["also"]) if not v["new"]]
                    read = set().union(*(_words(texts.get(i, "")) for i in before))
                    shown = _words(f"{line} {_plain(cut)} {s['news_lead']['title'] or ''}") - read
                    figures["news_words"] += len(shown)
                    figures["no_news"] += not shown and bool(_words(s["news_lead"]["text"] or "") - read)
            last[sid] = cut
            seen.setdefault(sid, set()).add(cut)
    return figures


#: ``--openings``: the words of another new paragraph added to the first report's lede as a clause.
OPENING_WORDS = 6


def updates(records: list[dict[str, Any]], openings: bool = False) -> list[dict[str, Any]]:
    """``records`` and, for each incident, its first report updated the next day under a new link
    (``--updates``): its first number raised by one (``benchmarks.inplace.figure_change``: a toll
    corrected in its lede), a paragraph of the incident's next report added after its second
    (one under half of whose 3-grams it holds: new to it), its last paragraph left out (the
    update shorter: the first report stays the lead), its headline as it was.  Its line of what
    is new is the paragraph added; the opening with the figure changed is news before it.

    ``openings`` (``--openings``): the news also in the opening, as a wire's follow-up writes it
    (yesterday's lede, today's news in it): the first ``OPENING_WORDS`` words of another paragraph
    new to it added to its first paragraph as a clause (no figure raised: GVC's ledes are one
    sentence, and a sentence added made it a passage of its own, the line), then the paragraph
    added, the rest as above less its last two (stop 64: the excerpt begun at that opening went on to say the line
    again)."""
    by_event: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(records, key=lambda r: (r["arrived"], r["id"])):
        by_event.setdefault(str(r["event"]), []).append(r)
    out = list(records)
    for rows in by_event.values():
        first, paras = rows[0], [p.strip() for p in rows[0]["text"].split("\n") if p.strip()]
        change = figure_change(paras)
        grams = grams_of(first["text"])
        fresh = [p.strip() for r in rows[1:] for p in r["text"].split("\n")
                 if len(p.split()) >= 8 and len(grams_of(p) & grams) < 0.5 * len(grams_of(p))]
        if change is None or not fresh or len(paras) < 4 or (openings and (len(fresh) < 2 or len(paras) < 5)):
            continue
        at = datetime.fromisoformat(first["arrived"].replace("Z", "+00:00")) + timedelta(days=1)
        changed = change[0]
        if openings:
            lede = f"{paras[0].rstrip(' .')}, {' '.join(fresh[1].split()[:OPENING_WORDS])}."
            text = "\n".join([lede, fresh[0], *paras[1:-2]])
        else:
            text = "\n".join([*changed[:2], fresh[0], *changed[2:-1]])
        out.append(first | {"id": first["id"] + "-update", "text": text, "published": at.isoformat(),
                            "arrived": at.isoformat()})
    return sorted(out, key=lambda r: (r["arrived"], r["id"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seed", type=int, default=0, help="the stream's seed (hours, outlets, packing)")
    ap.add_argument("--keep", type=Path, help="work in this folder (kept)")
    ap.add_argument("--updates", action="store_true", help="each incident's first report updated the next day")
    ap.add_argument("--openings", action="store_true",
                    help="with --updates: the update's news also in its opening, before the paragraph added")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-developing-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        records = gvc_close_stream("val", args.seed)
        records = updates(records, args.openings) if args.updates else records
        (work / "in.jsonl").write_text(
            "".join(json.dumps({k: v for k, v in r.items() if k != "event"}) + "\n" for r in records), encoding="utf-8")
        (work / "feeds.yaml").write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n")
        proc = subprocess.run([sys.executable, "-m", "digest", "replay", str(work / "in.jsonl"), "--config",
                               str(work / "feeds.yaml")], capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"digest replay failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        f = count(work / "out", {r["id"]: f"{r['title']}\n{r['text']}" for r in records})
    print(f"GVC val, packed{' with updates' if args.updates else ''}{' news in openings' if args.openings else ''} (seed {args.seed}): {f['developing']} developing entries of a story shown before; "
          f"{f['repeats_last']} lead with the excerpt of its last day shown, {f['repeats_any']} with one of any "
          f"earlier day; {f['earlier_lines']} 'Earlier' lines; {f['skips']} excerpts leave out the opening of "
          f"the day's version, {f['skips_news']} an opening with a word no earlier version holds; "
          f"{f['line_repeats']} say their line of what is new again in their excerpt ({f['line_repeats_after']} "
          f"after an opening); "
          f"{f['news_words']} new words shown (line, excerpt, headline), {f['no_news']} entries with none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
