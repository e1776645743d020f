"""A report that announces another event of its kind (stop 58, issue #19): the reader.

Observations
------------
* The second of two quakes on one island is told as such: "another earthquake",
  "a second quake in three days", "hit again", "days after a 5.9 quake"; a
  follow-up of one event says "death toll rises", "aftershock", "suspect
  arrested".  Stop 35 counted the words alone (``benchmarks.repeat_words``: a
  report saying one against one that does not, near chance); this reads them as
  a pair cue: the later report's marker must sit next to a word the earlier
  report's opening has (the event noun: "another *quake*" against "Quake hits
  Qeshm"), and the two must be published more than ``GAP`` apart.

How it works
------------
``announced(title, text)``: the words a report's opening (title and the engine's
lede, ``digest.dedup.terms.lede``, or the first 400 characters of a text with no
more sentences than the lede) puts next to a marker: up to ``WINDOW`` words after
"another", "second", "third", "fresh", "renewed", "latest", "new" (``--new``),
"days after", "follows", "comes after", "on the heels of", "in a series", and up
to ``WINDOW`` words before "again"; stopwords, numbers and units of time left
out, each word stemmed (``terms.stem``).  A window holding a follow-up word
("toll", "aftershock", "arrest", "funeral") is not read.  ``flags(a, b)``: the
later-published one announces a word the earlier one's opening has, and they are
more than ``GAP`` apart.  Used by ``benchmarks.close_cues --cue another``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from digest.dedup.terms import lede, stem
from digest.text.words import STOPWORDS

from .tune import records_of

#: Pairs published closer than this are never flagged (a burst's own reports).
GAP = timedelta(days=1)
#: Words read on either side of a marker.
WINDOW = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d.,]*")
#: Markers before the event noun ("another quake", "days after a 5.9 quake").
_BEFORE = ("another", "second", "third", "fourth", "fresh", "renewed", "latest", "repeat", "further")
_PHRASES = re.compile(
    r"\b(?:days?|weeks?|hours?) (?:after|since)\b|\bfollows\b|\bfollowing\b|\bcomes after\b|\bcame after\b|"
    r"\bon the heels of\b|\bin a (?:series|string|spate|wave) of\b|\bthe latest in\b|\bsecond time\b|"
    r"\bonce again\b|\bonce more\b", re.I)
#: Words that make a window a follow-up of one event, not another event.
_FOLLOW_UP = frozenset(stem(w) for w in (
    "toll", "aftershock", "aftershocks", "arrest", "arrested", "charged", "funeral", "vigil", "victims",
    "details", "video", "photos", "report", "statement", "update", "information", "day", "days",
    "hours", "week", "weeks", "time", "year", "years"))
_NOISE = frozenset(("a", "an", "the", "of", "in", "on", "at", "to", "and", "its", "his", "her", "their",
                    "this", "that", "day", "days", "week", "weeks", "hour", "hours", "year", "years",
                    "time", "times", "one", "two", "three", "four", "five", "six", "seven", "eight",
                    "nine", "ten", "just", "only", "less", "than", "more", "after", "since", "magnitude",
                    "strong", "powerful", "major", "big", "small", "minor", "deadly", "massive", "huge"))
TOPICS = False  # count: print the flagged pairs by ECB+ topic
NEW = False  # read "new" as a marker too ("a new quake", but also "new details")
PHRASES = True  # read the phrases ("days after", "follows", "in a series of") as markers
AGAIN = True  # read "again" as a marker (the words before it)
TITLE = False  # read the title only, not the lede
UNSAID = False  # flag only words the earlier report does not announce itself (its own event a repeat)


def opening(title: str, text: str) -> str:
    """The title and the engine's lede (or the first 400 characters of a short text)."""
    head = "" if TITLE else lede(text)[0] or text[:400]
    return f"{title}\n{head}"


def _content(words: list[str]) -> list[str]:
    return [stem(x) for x in (w.lower() for w in words)
            if x[0].isalpha() and x not in _NOISE and x not in STOPWORDS and len(x) > 2]


def announced(title: str, text: str) -> frozenset[str]:
    """The stemmed words the opening puts next to a marker of another event ("another
    *quake*"), less any window that reads as a follow-up ("another *aftershock*")."""
    out: set[str] = set()
    for line in opening(title, text).splitlines():
        words = _WORD.findall(line)
        low = [w.lower() for w in words]
        spans = []
        markers = _BEFORE + (("new",) if NEW else ())
        for k, w in enumerate(low):
            if w in markers:
                spans.append(words[k + 1:k + 1 + WINDOW])
            elif w == "again" and AGAIN:
                spans.append(words[max(0, k - WINDOW):k])
        for m in _PHRASES.finditer(line) if PHRASES else ():
            after = _WORD.findall(line[m.end():])
            spans.append(after[:WINDOW + 1] if m.group(0).lower() != "once again" else _WORD.findall(line[:m.start()])[-WINDOW:])
        for span in spans:
            got = _content(span)
            if not got or any(g in _FOLLOW_UP for g in got):
                continue
            out.update(got)
    return frozenset(out)


def reading(r: dict[str, Any]) -> tuple[frozenset[str], frozenset[str], datetime | None]:
    """(announced words, the opening's stemmed words, publication time) of one report."""
    title = r.get("title") or ""
    words = frozenset(stem(w.lower()) for w in _WORD.findall(opening(title, r["text"])))
    pub = r.get("published")
    when = datetime.fromisoformat(pub.replace("Z", "+00:00")) if pub else None
    return announced(title, r["text"]), words, when


def flags(a: tuple[frozenset[str], frozenset[str], datetime | None],
          b: tuple[frozenset[str], frozenset[str], datetime | None]) -> bool:
    """Whether the later-published of two reports announces another event of what the earlier
    one's opening tells, more than ``GAP`` after it.  Undated reports never flag."""
    if a[2] is None or b[2] is None or abs(a[2] - b[2]) <= GAP:
        return False
    early, late = (a, b) if a[2] < b[2] else (b, a)
    return bool((late[0] - early[0]) & early[1]) if UNSAID else bool(late[0] & early[1])


def count(streams: list[tuple[str, int]], examples: int = 10) -> None:
    """Print the pairs ``flags`` marks among a dated dev stream's reports (same event, sibling:
    the other event of one ECB+ topic, unrelated; GVC: same incident, other), with the pairs
    more than ``GAP`` apart as the base, then up to ``examples`` same-event pairs flagged."""
    from collections import Counter

    for name, seed in streams:
        rows = records_of(name, seed)
        reads = [reading(r) for r in rows]
        total: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        alarms = []
        by_topic: Counter[tuple[int, str]] = Counter()
        for i, (ra, fa) in enumerate(zip(rows, reads, strict=True)):
            for rb, fb in zip(rows[i + 1:], reads[i + 1:], strict=True):
                if fa[2] is None or fb[2] is None or abs(fa[2] - fb[2]) <= GAP:
                    continue
                ta, tb = (re.match(r"\d+", ra["event"]), re.match(r"\d+", rb["event"]))
                kind = ("same" if ra["event"] == rb["event"] else "other" if name.startswith("gvc")
                        else "sibling" if ta and tb and ta.group(0) == tb.group(0) else "unrelated")
                total[kind] += 1
                if flags(fa, fb):
                    flagged[kind] += 1
                    if ta and kind != "unrelated":
                        by_topic[(int(ta.group(0)), kind)] += 1
                    if kind != "unrelated" and len(alarms) < 40:
                        late, early = (ra, rb) if fa[2] > fb[2] else (rb, ra)
                        words = sorted((reading(late)[0]) & reading(early)[1])
                        alarms.append((kind, late, early, words))
        print(f"{name} seed {seed}: {sum(bool(f[0]) for f in reads)} of {len(rows)} reports announce; "
              "pairs over a day apart flagged: "
              + ", ".join(f"{k} {flagged[k]} of {total[k]}" for k in ("same", "sibling", "unrelated", "other")
                          if total[k]))
        if TOPICS and by_topic and not name.startswith("gvc"):
            print("  by topic (same / sibling): " + ", ".join(
                f"{t} {by_topic[(t, 'same')]}/{by_topic[(t, 'sibling')]}" for t in sorted({t for t, _k in by_topic})))
        for kind, late, early, words in alarms[:examples]:
            print(f"  {kind} {late['id']} {words} {late['title'][:70]!r}\n    after {early['id']} {early['title'][:70]!r}")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--streams", default="ecb-close:3,ecb-sameday:1,gvc:1,gvc-close:1")
    ap.add_argument("--new", action="store_true", help='read "new" as a marker too')
    ap.add_argument("--examples", type=int, default=10)
    ap.add_argument("--window", type=int, default=WINDOW)
    ap.add_argument("--no-phrases", action="store_true")
    ap.add_argument("--title", action="store_true", help="the title only")
    ap.add_argument("--unsaid", action="store_true", help="only words the earlier one does not announce")
    ap.add_argument("--topics", action="store_true", help="ECB+: flagged same / sibling pairs by topic")
    args = ap.parse_args()
    NEW, WINDOW, PHRASES, TITLE, UNSAID = args.new, args.window, not args.no_phrases, args.title, args.unsaid
    TOPICS = args.topics
    count([(n, s) for n, _c, k in (x.partition(":") for x in args.streams.split(",")) for s in range(int(k))],
          args.examples)
