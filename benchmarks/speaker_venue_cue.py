"""Who a report quotes, and the named venue it places the event at (stop 63, issue #19): counted
on dev pairs before building anything.

Observations
------------
* Stop 36 (``benchmarks.quotes``) compared the *words* quoted; stop 55 every person an opening
  names; stop 54 places after "in", "at", "near".  An editor telling two same-kind events apart
  also asks *who* is speaking (the police chief of one town against another's, the team's coach
  after one game against the other's opponent) and *where exactly*: the venue, the street, the
  building ("Lucas Oil Stadium", "Elm Street", "St. Mary's Hospital").  Neither was counted.
* **Speakers**: the persons a report attributes speech to (a name within a clause of "said",
  "says", "told", "according to", "added"), as surnames.  A pair is flagged when both quote
  someone by name, share no speaker, and neither names the other's speakers anywhere.
* **Venues**: capitalised words ending in a venue noun (Stadium, Arena, Hospital, Street,
  Avenue, Road, School, Church, Hotel, Mall, Airport, ...), keyed by the noun as the offices cue
  keys a holder by the office.  Flagged when, for a noun both name, no venue of one is named
  anywhere in the other (the whole text, title first) and their names share no distinctive word
  ("Mt Cook National" and "Aoraki Mount Cook National" are one park).
* **Divisions**: "Indonesia's Aceh province", "the province of Aceh", "Knox County", keyed by
  the kind of division, read alike (a quake's province is where it struck).
* Each reading over the whole text, and the venues and divisions over the opening alone (title
  and ``OPENING`` characters), judged against the other's opening: a report's background names
  the places of other events ("the 2004 tsunami in Aceh").

How it works
------------
``python -m benchmarks.speaker_venue_cue``: ECB+ dev pairs of one topic (same event, sibling,
unrelated) and GVC val (same incident, other): per reading, flagged of both read.  ``--errors
STREAM:SEEDS,...``: the same over the pairs the engine (as on main, batch path) merged in the
final stories of those dev streams.  Tuning splits only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import combinations
from typing import Any

from .cue_text import named_people

_SAID = re.compile(r"\b(?:said|says|told|added|according to|explained|stated|noted)\b")
_CLAUSE_END = re.compile(r"[.!?;\"“”]")


def speakers(text: str) -> frozenset[str]:
    """Surnames of the persons ``text`` attributes speech to: a name within the clause before or
    the words after an attribution verb ("Smith, a spokesman, said", "said police chief Tom
    Smith", "according to Jane Doe")."""
    out: set[str] = set()
    for m in _SAID.finditer(text):
        before = text[max(0, m.start() - 80):m.start()]
        cut = [c.end() for c in _CLAUSE_END.finditer(before)]
        before = before[cut[-1]:] if cut else before
        after = text[m.end():m.end() + 60]
        stop = _CLAUSE_END.search(after)
        after = after[:stop.start()] if stop else after
        for window in (before, after):
            for name in named_people(window):
                out.add(name.split()[-1].rstrip(".,"))
    return frozenset(out)


_VENUE_NOUNS = {
    "Stadium": "Stadium", "Arena": "Arena", "Hospital": "Hospital", "Street": "Street", "St.": "Street",
    "Avenue": "Avenue", "Ave.": "Avenue", "Road": "Road", "Rd.": "Road", "Boulevard": "Boulevard",
    "Blvd.": "Boulevard", "School": "School", "Church": "Church", "Hotel": "Hotel", "Mall": "Mall",
    "Airport": "Airport", "Station": "Station", "Bridge": "Bridge", "Building": "Building", "Tower": "Tower",
    "Square": "Square", "Field": "Field", "Prison": "Prison", "Theater": "Theater", "Theatre": "Theatre",
    "Restaurant": "Restaurant", "Mosque": "Mosque", "Temple": "Temple", "Park": "Park", "Center": "Center",
    "Centre": "Center", "Club": "Club", "Bar": "Bar", "Market": "Market", "Lane": "Lane", "Drive": "Drive",
    "Highway": "Highway", "Apartments": "Apartments", "College": "College", "University": "University",
}
_VENUE = re.compile(r"((?:[A-Z][\w'’.-]*\s+){1,4})(" + "|".join(re.escape(k) for k in _VENUE_NOUNS) + r")(?![\w])")
_LEADING = frozenset("The A An At In On Near Outside Inside From To Of By For And Police Officials".split())


def venues(text: str) -> dict[str, frozenset[str]]:
    """Named venues by kind: {"Stadium": {"Lucas Oil"}, "Street": {"Elm"}}."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in _VENUE.finditer(text):
        words = m.group(1).split()
        while words and words[0] in _LEADING:
            words = words[1:]
        if words:
            out[_VENUE_NOUNS[m.group(2)]].add(" ".join(words))
    return {k: frozenset(v) for k, v in out.items()}


_DIVISION_NOUNS = r"([Pp]rovince|County|Prefecture|[Gg]overnorate|Oblast|Parish|Borough|Canton|Regency)"
_DIVISION_AFTER = re.compile(r"((?:[A-Z][\w'’.-]*\s+){1,3})" + _DIVISION_NOUNS + r"(?![\w])(?!\s+of\b)")
_DIVISION_BEFORE = re.compile(_DIVISION_NOUNS + r"\s+of\s+((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,2})")


def divisions(text: str) -> dict[str, frozenset[str]]:
    """Named administrative divisions by kind: "Indonesia's Aceh province", "the province of Aceh"
    -> {"Province": {"Aceh"}}; "Knox County" -> {"County": {"Knox"}}."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in _DIVISION_AFTER.finditer(text):
        words = [w for w in m.group(1).split() if not w.endswith(("'s", "’s"))]
        while words and words[0] in _LEADING:
            words = words[1:]
        if words:
            out[m.group(2).capitalize()].add(" ".join(words))
    for m in _DIVISION_BEFORE.finditer(text):
        out[m.group(1).capitalize()].add(m.group(2))
    return {k: frozenset(v) for k, v in out.items()}


OPENING = 400  # characters of the text read with the title as a report's opening


def opening(text: str) -> str:
    """The title line and the first ``OPENING`` characters of the text after it."""
    title, _, body = text.partition("\n")
    return title + "\n" + body[:OPENING]


def opening_divisions(text: str) -> tuple[dict[str, frozenset[str]], str]:
    """The divisions of the opening, and the opening (a conflict is judged against it)."""
    head = opening(text)
    return divisions(head), head


def _named(name: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text) is not None


def speaker_conflict(a: tuple[frozenset[str], str], b: tuple[frozenset[str], str]) -> bool | None:
    (sa, ta), (sb, tb) = a, b
    if not sa or not sb:
        return None
    return not (sa & sb) and not any(_named(s, tb) for s in sa) and not any(_named(s, ta) for s in sb)


_GENERIC = frozenset("National Regional County City State Central North South East West New Old Memorial "
                     "General Community Public High Elementary Middle International Saint Mount Municipal".split())


def _words(names: frozenset[str]) -> set[str]:
    """The distinctive words of a kind's venue names ("Mt. Cook National" -> {"Cook"}): written
    otherwise ("Mt Cook", "Aoraki Mount Cook") one venue still shares them."""
    return {w[:6] for n in names for w in re.findall(r"[A-Z][a-z]{2,}", n) if w not in _GENERIC}


def _kind_conflicts(na: frozenset[str], nb: frozenset[str], ta: str, tb: str) -> bool:
    if _words(na) & _words(nb):
        return False
    return not any(_named(n, tb) for n in na) and not any(_named(n, ta) for n in nb)


def venue_conflict(a: tuple[dict[str, frozenset[str]], str], b: tuple[dict[str, frozenset[str]], str]) -> bool | None:
    """Flagged when, for some kind both name, no venue of one is named in the other."""
    (va, ta), (vb, tb) = a, b
    kinds = set(va) & set(vb)
    if not kinds:
        return None
    return any(_kind_conflicts(va[k], vb[k], ta, tb) for k in kinds)


def venue_conflict_all(a: tuple[dict[str, frozenset[str]], str], b: tuple[dict[str, frozenset[str]], str]) -> bool | None:
    """Flagged when every kind both name conflicts (no kind agrees)."""
    (va, ta), (vb, tb) = a, b
    kinds = set(va) & set(vb)
    if not kinds:
        return None
    return all(_kind_conflicts(va[k], vb[k], ta, tb) for k in kinds)


READINGS: dict[str, tuple[Callable[[str], Any], Callable[[Any, Any], bool | None]]] = {
    "speakers (whole text)": (speakers, speaker_conflict),
    "venues by kind (whole text)": (venues, venue_conflict),
    "venues, every kind both name conflicts": (venues, venue_conflict_all),
    "divisions (province, county, ...) by kind": (divisions, venue_conflict),
    "divisions of the opening, against the other's opening": (opening_divisions, lambda a, b: venue_conflict(a[0], b[0])),
    "venues of the opening, against the other's opening": (lambda t: (venues(opening(t)), opening(t)),
                                                            lambda a, b: venue_conflict(a[0], b[0])),
}


def _read(r: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    text = (r.get("title") or "") + "\n" + r["text"]
    return {label: (read(text), text) for label, (read, _c) in READINGS.items()}


def count() -> None:
    from .dated import tuning_pair_sets

    for name, rows, _group in tuning_pair_sets():
        print(name)
        feats = [_read(r) for r in rows]
        for label, (_read_one, disagree) in READINGS.items():
            both: Counter[str] = Counter()
            flagged: Counter[str] = Counter()
            for (ra, fa), (rb, fb) in combinations(zip(rows, feats, strict=True), 2):
                kind = ("same" if ra["event"] == rb["event"] else "other" if "topic" not in ra
                        else "sibling" if ra["topic"] == rb["topic"] else "unrelated")
                verdict = disagree(fa[label], fb[label])
                if verdict is not None:
                    both[kind] += 1
                    flagged[kind] += verdict
            read = sum(bool(f[label][0][0] if isinstance(f[label][0], tuple) else f[label][0]) for f in feats)
            print(f"  {label}: {read} of {len(rows)} reports read; "
                  + ", ".join(f"{k} {flagged[k]} of {both[k]}" for k in ("same", "sibling", "unrelated", "other")
                              if both[k] or k in ("same", "sibling")))


def _errors(job: tuple[str, int]) -> Counter[str]:
    from digest.batch import dedupe_records
    from digest.dedup.engine import Engine
    from digest.dedup.params import Params

    from .dated import STREAMS
    from .tune import TUNING_SPLIT

    name, seed = job
    records = STREAMS[name](TUNING_SPLIT[name], seed)
    by_id = {r["id"]: r for r in records}
    feats = {r["id"]: _read(r) for r in records}
    stories: dict[Any, list[str]] = defaultdict(list)
    for o in dedupe_records(records, Engine(Params())):
        stories[o["story"]].append(o["id"])
    tally: Counter[str] = Counter()
    for ids in stories.values():
        for a, b in combinations(ids, 2):
            kind = "same" if by_id[a]["event"] == by_id[b]["event"] else "sibling"
            tally[kind] += 1
            for label, (_r, disagree) in READINGS.items():
                verdict = disagree(feats[a][label], feats[b][label])
                if verdict is not None:
                    tally[f"{label}|{kind} both"] += 1
                    tally[f"{label}|{kind} flagged"] += verdict
    return tally


def main(argv: list[str] | None = None) -> int:
    import argparse
    from concurrent.futures import ProcessPoolExecutor

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--errors", default="", help="STREAM:SEEDS,...: the engine's merged pairs on those dev streams")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="only the readings whose label holds this word")
    args = ap.parse_args(argv)
    for label in [k for k in READINGS if args.only not in k]:
        del READINGS[label]
    if not args.errors:
        count()
        return 0
    for part in args.errors.split(","):
        name, _, seeds = part.partition(":")
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            tally = sum(pool.map(_errors, [(name, s) for s in range(int(seeds or 1))]), Counter())
        print(f"{name}:{seeds or 1} merged pairs: same event {tally['same']}, siblings {tally['sibling']}")
        for label in READINGS:
            print(f"  {label}: same {tally[label + '|same flagged']} of {tally[label + '|same both']}, "
                  f"siblings {tally[label + '|sibling flagged']} of {tally[label + '|sibling both']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
