"""One office, two holders (stop 62, issue #19): the reader and its count.

Observations
------------
* A careful editor knows that an office is held by one person at a time: a
  report naming "Interior Secretary Dirk Kempthorne" and one naming "Interior
  Secretary Ken Salazar" were written under different administrations, so they
  tell different events however alike their words ("the Endangered Species
  Act", "the Bush administration").  ECB+ dev's siblings are often of that
  shape: the 76ers' coach fired in 2005 and in 2008 ("general manager Billy
  King" against "Ed Stefanski"), the Colts' coach Dungy against Pagano.
* Stop 55 read every person of the opening and stop 56 a report's subject;
  both flagged pairs of one event (a lawyer, a spokesman, the victim against
  the suspect).  This reads only a person *in an office* ("Colts coach Tony
  Dungy", "Interior Secretary Ken Salazar"), and compares only holders of one
  office.
* A bare office ("President Kiir" against "President Omar", "coach Childress"
  against "coach Rio") is many offices: two countries' presidents, two teams'
  coaches in one game.  Only a qualified office is read: a capitalised word
  before the office noun ("Interior Secretary", "Colts coach", "General
  Manager").  Unqualified, the count below flags 9 same-event pairs on ECB+ dev
  and none of the engine's errors.

How it works
------------
``offices(text)``: each "<Qualifier> <office> <Name>" of the whole text (the
office nouns ``OFFICES``; up to two capitalised qualifiers; the name one to
three capitalised words, its last word the surname) gives office → surnames.
Not read: a holder marked as not the present one ("former", "then-", "late",
"new", "interim", "acting", "incoming", "outgoing"; the 12 characters before
or the qualifiers), a qualifier that is only a sentence's first word ("The",
"In").  A pair *conflicts* when both name a holder of one office, no surname
of one is close to one of the other's (difflib ratio ≥ ``SPELLING``: a
transliteration, "Berdymukhamedov" against "Berdimuhamedov"), and neither's
holder is named anywhere in the other's whole text (a report may name the
outgoing and the incoming holder).

``python -m benchmarks.office_cue``: the pairs flagged on ECB+ dev (same
event, sibling, unrelated) and GVC val (same incident, other); ``--errors
STREAM:SEEDS``: the final stories of those dev streams (the engine as it is,
batch path), the sibling pairs the engine merged against the same-event pairs
it merged rightly, flagged and both read.  Used by ``benchmarks.close_cues
--cue offices``.  Tuning splits only.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

OFFICES = (r"Secretary|Minister|President|Premier|Chancellor|Governor|Gov\.|Mayor|Speaker|Chairman|"
           r"Chairwoman|CEO|[Cc]hief [Ee]xecutive|[Hh]ead [Cc]oach|[Cc]oach|[Mm]anager|Commissioner|"
           r"Director|Sheriff|Attorney General|Prosecutor|Ambassador")
_CAP = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_HOLDER = re.compile(rf"(?<![\w-])((?:(?:{_CAP}|[A-Z]{{2,}})\s+){{0,2}})(?:{OFFICES})\s+({_CAP}(?:\s+{_CAP}){{0,2}})\b")
_NOT_PRESENT = re.compile(r"(?:former|ex-|then-|late|new|incoming|outgoing|interim|acting|future|previous)\s*$", re.I)
_NOT_QUALIFIER = frozenset(("The", "A", "An", "And", "But", "In", "On", "At", "Of", "For", "To", "By", "With",
                            "As", "Mr", "Mrs", "Ms", "Dr"))
SPELLING = 0.8  # two surnames this alike (difflib ratio) are one person spelled two ways
_ELECT = re.compile(rf"(?<![\w-])({_CAP})-elect\s+(?:{_CAP}\s+){{0,2}}({_CAP})\b")
_TITLED = re.compile(rf"(?<![\w-])({OFFICES})\s+(?:{_CAP}\s+){{0,2}}({_CAP})\b(?!-)")
_OFFICE_WORD = {"gov.": "governor", "gov": "governor"}


def _office_word(office: str) -> str:
    word = office.split()[-1].lower()
    return _OFFICE_WORD.get(word, word)


def elect(text: str) -> frozenset[tuple[str, str]]:
    """(office, surname) of each person ``text`` names as elected, not yet in office
    ("President-elect Barack Obama": ("president", "Obama"))."""
    return frozenset((_office_word(m.group(1)), m.group(2)) for m in _ELECT.finditer(text))


def titled(text: str) -> frozenset[tuple[str, str]]:
    """(office, surname) of each person ``text`` names in office, bare offices too
    ("President Barack Obama"), not a former or an elected one."""
    return frozenset((_office_word(m.group(1)), m.group(2)) for m in _TITLED.finditer(text)
                     if not _NOT_PRESENT.search(text[max(0, m.start() - 12):m.start()]))


def offices(text: str) -> dict[str, frozenset[str]]:
    """Qualified office (lower case: "interior secretary") → the surnames ``text`` names as
    its holder."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in _HOLDER.finditer(text):
        qualifiers = [w for w in m.group(1).split() if w not in _NOT_QUALIFIER]
        if not qualifiers or _NOT_PRESENT.search(text[max(0, m.start() - 12):m.start()]) \
                or any(_NOT_PRESENT.search(w) for w in qualifiers):
            continue
        office = m.group(0)[:m.start(2) - m.start()].split()
        out[" ".join(w for w in office if w not in _NOT_QUALIFIER).lower()].add(m.group(2).split()[-1])
    return {k: frozenset(v) for k, v in out.items()}


Reading = tuple[dict[str, frozenset[str]], str, frozenset[tuple[str, str]], frozenset[tuple[str, str]]]


def reading(r: dict[str, Any]) -> Reading | None:
    """What the cue reads of one report: its qualified offices, its whole text, the persons it
    names as elected and those it names in office (None: no office)."""
    whole = f"{r.get('title') or ''}. {r['text']}"
    held, chosen, serving = offices(whole), elect(whole), titled(whole)
    return (held, whole, chosen, serving) if held or chosen or serving else None


def _named(surname: str, text: str) -> bool:
    return re.search(r"\b" + re.escape(surname) + r"\b", text) is not None


def conflict(a: Reading, b: Reading) -> bool:
    """Whether two readings name different holders of one office, or one person elected in
    one and in office in the other."""
    if a[2] & b[3] or b[2] & a[3]:
        return True
    for office in a[0].keys() & b[0].keys():
        x, y = a[0][office], b[0][office]
        if any(difflib.SequenceMatcher(None, s.lower(), t.lower()).ratio() >= SPELLING for s in x for t in y):
            continue
        if any(_named(s, b[1]) for s in x) or any(_named(t, a[1]) for t in y):
            continue
        return True
    return False


def comparable(a: Reading, b: Reading) -> bool:
    """Whether both name a holder of one qualified office, or one names an elected person
    and the other someone in that office."""
    return bool(a[0].keys() & b[0].keys() or {o for o, _ in a[2]} & {o for o, _ in b[3]}
                or {o for o, _ in b[2]} & {o for o, _ in a[3]})


def count() -> None:
    """The pairs flagged among ECB+ dev's and GVC val's reports."""
    from .dated import tuning_pair_sets

    for name, rows, _group in tuning_pair_sets():
        feats = [reading(r) for r in rows]
        total: Counter[str] = Counter()
        both: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        for (ra, fa), (rb, fb) in combinations(zip(rows, feats, strict=True), 2):
            kind = ("same" if ra["event"] == rb["event"] else "other" if "topic" not in ra
                    else "sibling" if ra["topic"] == rb["topic"] else "unrelated")
            total[kind] += 1
            if fa and fb and comparable(fa, fb):
                both[kind] += 1
                flagged[kind] += conflict(fa, fb)
        print(f"{name}: {sum(f is not None for f in feats)} of {len(rows)} reports name a holder; "
              + ", ".join(f"{k} {flagged[k]} flagged, {both[k]} both of one office, of {total[k]}"
                          for k in ("same", "sibling", "unrelated", "other") if total[k]))


def _errors(job: tuple[str, int]) -> Counter[str]:
    from digest.batch import dedupe_records
    from digest.dedup.engine import Engine
    from digest.dedup.params import Params

    from .dated import STREAMS
    from .tune import TUNING_SPLIT

    name, seed = job
    records = STREAMS[name](TUNING_SPLIT[name], seed)
    by_id = {r["id"]: r for r in records}
    feats = {r["id"]: reading(r) for r in records}
    stories: dict[Any, list[str]] = defaultdict(list)
    for o in dedupe_records(records, Engine(Params())):
        stories[o["story"]].append(o["id"])
    tally: Counter[str] = Counter()
    for ids in stories.values():
        for a, b in combinations(ids, 2):
            kind = "same" if by_id[a]["event"] == by_id[b]["event"] else "sibling"
            tally[kind] += 1
            fa, fb = feats[a], feats[b]
            if fa and fb and comparable(fa, fb):
                tally[f"{kind} both"] += 1
                tally[f"{kind} flagged"] += conflict(fa, fb)
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--errors", default="", help="STREAM:SEEDS,...: the engine's merged pairs on those dev streams")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    if not args.errors:
        count()
        return 0
    from concurrent.futures import ProcessPoolExecutor

    for part in args.errors.split(","):
        name, _, seeds = part.partition(":")
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            tally = sum(pool.map(_errors, [(name, s) for s in range(int(seeds or 1))]), Counter())
        print(f"{name}:{seeds or 1} merged pairs: same event {tally['same']} (both of one office "
              f"{tally['same both']}, flagged {tally['same flagged']}), siblings {tally['sibling']} "
              f"(both {tally['sibling both']}, flagged {tally['sibling flagged']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
