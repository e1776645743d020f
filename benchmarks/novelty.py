"""Would an opening's names and numbers new to a story, as it stood at arrival, part two events?

Observations
------------
* Every pairwise cue tried for two events of one kind close in time (weekdays,
  numbers, places, names the *other report* never mentions) failed the same
  way: a follow-up and a sibling's report both differ from *some* member of
  the story.  This asks a story-level, online question instead: when a report
  arrives, how many of the names and numbers of its opening (title and first
  600 characters) did *nothing the story had said before it* mention (the
  union of its earlier members' whole texts)?  A follow-up repeats the event's
  specifics and adds a few; the first report of a second event of one kind
  might name victims, towns and figures the story never held.
* It also counts the conjunction of four pairwise conflicts tried one by one
  before (weekday, number of one thing, place, names; see
  ``docs/evaluation.md``): two or more firing together might be rarer within
  an event than any one.
* It reads only the tuning splits: the dated ECB+ dev close streams and GVC
  val (3 seeds each).

How it works
------------
Each stream and seed is fed in arrival order to today's engine (``Engine.add``
on ``digest.batch.to_doc``, as ``dedupe_records`` does).  A report's
specifics are the name terms (``@``) and numbers (not years) of
``terms.term_weights`` over its opening; a story's words are every term (name
or plain) of its members' titles and texts.  Novelty is the count and the
share of the specifics absent from the words.  Three views:

* *gold*: each report against the earlier reports of its own event (same),
  and against the earlier reports of its ECB+ sibling event (GVC val: each
  other incident with a report in the week before it);
* *online*: each report against the members the engine's story held before it,
  just after the engine placed it (a wrong join: the story's earlier members
  are mostly another event; "alien": they hold none of its event);
* *final*: in each final story, each member against the members that
  arrived before it; "enters" is the first report of an event in a story
  already holding another event's (where two events were joined).

AUC is the chance a sibling (wrong) case scores higher novelty than a
same-event (right) one.  The conjunction table counts, over the pairs of one
topic (GVC val: all pairs within a week), how many of the four conflicts fire,
for same-event and sibling pairs, and for the pairs the final stories hold.

    python -m benchmarks.novelty [--seeds 0,1,2] [--jobs 2] [--part both|names|numbers] [--chars 600]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import numpy as np

from digest.batch import to_doc
from digest.dedup.engine import Engine
from digest.dedup.params import Params
from digest.dedup.terms import stem, term_weights
from digest.text.prepare import RecurringLines
from digest.text.words import STOPWORDS

from .common import load_ecb
from .dated import STREAMS
from .stray_times import stated_day

OPENING = 600
_YEAR = re.compile(r"^(19|20)\d\d$")
_CALENDAR = {stem(w) for w in (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july"
    " august september october november december").split()}
WEEK = 7 * 24.0


def opening(r: dict[str, Any], chars: int = OPENING) -> tuple[str, str]:
    return r.get("title") or "", r["text"][:chars]


def specifics(r: dict[str, Any], chars: int = OPENING) -> tuple[frozenset[str], frozenset[str]]:
    """(names, numbers) of the report's opening: name terms (weekdays and months aside) and
    numbers other than years, as ``term_weights`` spells them (names without their ``@``)."""
    terms = term_weights(*opening(r, chars))
    names = frozenset(t[1:] for t in terms if t.startswith("@") and t[1:] not in _CALENDAR)
    numbers = frozenset(t for t in terms if t[:1].isdigit() and not _YEAR.match(t))
    return names, numbers


def words(r: dict[str, Any]) -> frozenset[str]:
    """Every term of the report's title and text, names folded onto plain words."""
    return frozenset(t.lstrip("@") for t in term_weights(r.get("title") or "", r["text"]))


def novelty(spec: frozenset[str], union: set[str]) -> tuple[int, float]:
    new = len(spec - union)
    return new, (new / len(spec) if spec else 0.0)


# -- the four pairwise conflicts tried one by one (docs/evaluation.md, "Cues tried") ----------

_NUMWORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
             " sixteen seventeen eighteen nineteen twenty").split()
_TIME_UNITS = {stem(w) for w in "second minute hour day week month year decade century".split()}
_NUMBER_OF = re.compile(r"\b(\d[\d,.]*|" + "|".join(_NUMWORDS) + r")\s*-?\s*([A-Za-z]+)", re.I)
_PLACE = re.compile(r"\b(?:in|at|near|off|outside)\s+((?:[A-Z][\w'-]+\s?)+)")


def numbers_of(text: str) -> dict[str, set[str]]:
    """Numbers stated of one thing ("288 candidates", "6.1 magnitude"): thing -> values."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in _NUMBER_OF.finditer(text):
        value, thing = m.group(1).lower().rstrip(".,"), stem(m.group(2).lower())
        if _YEAR.match(value) or thing in _TIME_UNITS or thing in STOPWORDS or len(thing) < 3:
            continue
        out[thing].add(value)
    return out


def places(text: str) -> set[str]:
    return {w.lower() for m in _PLACE.finditer(text) for w in m.group(1).split()}


class Marks:
    """What the four conflicts read of one report."""

    def __init__(self, r: dict[str, Any], hours: float) -> None:
        title, head = opening(r)
        text = f"{title}. {head}"
        self.day = stated_day(text, hours)
        self.numbers = numbers_of(text)
        self.places = places(text)
        self.names = specifics(r)[0]
        self.lower = f"{title} {r['text']}".lower()
        self.words = words(r)


def conflicts(a: Marks, b: Marks, k: int = 3) -> tuple[bool, bool, bool, bool]:
    """(weekday, number, place, names) conflicts of a pair, each as tried alone before."""
    day = a.day is not None and b.day is not None and a.day != b.day
    number = any(not (vals & b.numbers[t]) for t, vals in a.numbers.items() if t in b.numbers)
    place = bool(a.places and b.places and any(p not in b.lower for p in a.places)
                 and any(p not in a.lower for p in b.places))
    names = len(a.names - b.words) >= k and len(b.names - a.words) >= k
    return day, number, place, names


# -- the replay -------------------------------------------------------------------------------


def _hours(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp() / 3600.0


Case = tuple[int, float]  # (new specifics, their share)


def replay(job: tuple[str, str, int, str, int]) -> dict[str, Any]:
    """One stream and seed: the novelty cases of the three views and the conjunction counts
    (``part``: the specifics counted, names, numbers or both; ``chars``: the opening's length)."""
    name, split, seed, part, chars = job
    records = STREAMS[name](split, seed)
    topic = {str(r["event"]): int(r["topic"]) for r in load_ecb("dev")} if name.startswith("ecb") else {}
    engine, recurring = Engine(Params()), RecurringLines()
    gold = {str(r["id"]): str(r["event"]) for r in records}
    hours = {str(r["id"]): _hours(r["published"]) for r in records}
    pick = {"names": lambda n, k: n, "numbers": lambda n, k: k, "both": lambda n, k: n | k}[part]
    spec = {str(r["id"]): pick(*specifics(r, chars)) for r in records}
    rows = {str(r["id"]): r for r in records}
    event_words: dict[str, set[str]] = defaultdict(set)
    event_seen: dict[str, list[str]] = defaultdict(list)
    out: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        rid, ev = str(r["id"]), str(r["event"])
        # gold: against its own event's earlier reports, and a sibling's
        if event_seen[ev]:
            out["gold same"].append(novelty(spec[rid], event_words[ev]))
        others = [e for e in event_seen if e != ev and event_seen[e]]
        if topic:
            others = [e for e in others if topic[e] == topic[ev]]
        else:  # GVC: other incidents with a report in the week before
            others = [e for e in others if any(0 <= hours[rid] - hours[o] <= WEEK for o in event_seen[e])]
        for e in others:
            out["gold sibling"].append(novelty(spec[rid], event_words[e]))
        # online: the story the engine placed it in, as it stood before it
        sid = engine.add(to_doc(r, recurring)).story_id
        before = [m for m in engine.members(sid) if m != rid]
        if before:
            held: set[str] = set().union(*(words(rows[m]) for m in before))
            host = Counter(gold[m] for m in before).most_common(1)[0][0]
            case = novelty(spec[rid], held)
            out["online same" if host == ev else "online sibling"].append(case)
            if all(gold[m] != ev for m in before):  # it joined a story holding none of its event
                out["online alien"].append(case)
                out["alien ids"].append(rid)
        event_seen[ev].append(rid)
        event_words[ev] |= words(r)
    # final: each story's members in arrival order
    order = {str(r["id"]): i for i, r in enumerate(records)}
    final: dict[str, list[str]] = defaultdict(list)
    for rid in gold:
        final[engine.story_of(rid)].append(rid)
    strays = 0
    stray_ids: set[str] = set()
    for members in final.values():
        members.sort(key=order.__getitem__)
        counts = Counter(gold[m] for m in members)
        strays += len(members) - counts.most_common(1)[0][1]
        stray_ids |= {m for m in members if gold[m] != counts.most_common(1)[0][0]}
        union: set[str] = set()
        evs: set[str] = set()
        for m in members:
            if evs:
                case = novelty(spec[m], union)
                if gold[m] not in evs:
                    out["final enters"].append(case)
                    host = Counter(gold[x] for x in members[: members.index(m)]).most_common(1)[0][0]
                    out["entries"].append((m, gold[m], host, len(evs), sorted(spec[m] - union)))
                elif evs == {gold[m]}:
                    out["final same"].append(case)
            union |= words(rows[m])
            evs.add(gold[m])
    # the conjunction of the pairwise conflicts
    story = {m: s for s, ms in final.items() for m in ms}
    marks = {rid: Marks(rows[rid], hours[rid]) for rid in gold}
    ids = list(gold)
    conj: dict[str, Counter[tuple[bool, ...]]] = defaultdict(Counter)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if topic:
                if topic[gold[a]] != topic[gold[b]]:
                    continue
            elif abs(hours[a] - hours[b]) > WEEK:
                continue
            kind = "same" if gold[a] == gold[b] else "sibling"
            c = conflicts(marks[a], marks[b])
            conj[kind][c] += 1
            if story[a] == story[b]:
                conj[f"merged {kind}"][c] += 1
    out["alien strays"] = [(rid in stray_ids, k, sh) for rid, (k, sh) in
                           zip(out.pop("alien ids", []), out.get("online alien", []), strict=True)]
    return {"name": name, "seed": seed, "cases": dict(out), "conj": dict(conj), "strays": strays}


def auc(pos: list[float], neg: list[float]) -> float:
    """P(a positive scores over a negative), ties half (Mann-Whitney)."""
    if not pos or not neg:
        return float("nan")
    p, n = np.asarray(pos, float), np.asarray(neg, float)
    gt = (p[:, None] > n[None, :]).mean()
    eq = (p[:, None] == n[None, :]).mean()
    return float(gt + eq / 2)


def spread(cases: list[Case]) -> str:
    if not cases:
        return "none"
    c = np.array([k for k, _s in cases])
    s = np.array([x for _k, x in cases])
    return (f"n {len(cases):5}  new count median {np.median(c):4.1f}  >=3 {np.mean(c >= 3):5.1%}"
            f"  >=5 {np.mean(c >= 5):5.1%}  share median {np.median(s):4.2f}  >=0.5 {np.mean(s >= 0.5):5.1%}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--part", choices=("both", "names", "numbers"), default="both", help="specifics counted")
    ap.add_argument("--chars", type=int, default=OPENING, help="characters of the text in the opening")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(name, split, seed, args.part, args.chars)
            for name, split in (("ecb-close", "dev"), ("gvc", "val")) for seed in seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(replay, jobs))
    for name in ("ecb-close", "gvc"):
        runs = [x for x in results if x["name"] == name]
        cases: dict[str, list[Case]] = defaultdict(list)
        conj: dict[str, Counter[tuple[bool, ...]]] = defaultdict(Counter)
        for x in runs:
            for k, v in x["cases"].items():
                cases[k] += v
            for k, v in x["conj"].items():
                conj[k].update(v)
        print(f"== {name}, seeds {args.seeds} (strays in the final stories: {[x['strays'] for x in runs]})")
        for right, wrong in (("gold same", "gold sibling"), ("online same", "online sibling"),
                             ("online same", "online alien"),
                             ("final same", "final enters")):
            print(f"  {right:15} {spread(cases[right])}")
            print(f"  {wrong:15} {spread(cases[wrong])}")
            a_count = auc([k for k, _ in cases[wrong]], [k for k, _ in cases[right]])
            a_share = auc([s for _, s in cases[wrong]], [s for _, s in cases[right]])
            print(f"  {'':15} AUC count {a_count:.3f}  share {a_share:.3f}")
        for label, bar in (("count >= 3", lambda k, s: k >= 3), ("count >= 5", lambda k, s: k >= 5),
                           ("share >= 0.5", lambda k, s: s >= 0.5), ("count >= 3 and share >= 0.5",
                                                                     lambda k, s: k >= 3 and s >= 0.5)):
            cells = "  ".join(f"{v}: {sum(bar(k, s) for k, s in cases[v])}/{len(cases[v])}"
                              for v in ("online same", "online sibling", "final same", "final enters"))
            print(f"  veto {label:28} {cells}")
        alien = [a for x in runs for a in x["cases"].get("alien strays", [])]
        left = [(k, sh) for stray, k, sh in alien if stray]
        print(f"  online alien joins still strays at the end: {len(left)} of {len(alien)}"
              f" (new count, share: {[(k, round(sh, 2)) for k, sh in left]})")
        print("  final entries (id, its event, the story's, new specifics):")
        for x in runs:
            for m, ev, host, _n, new in x["cases"].get("entries", []):
                print(f"    seed {x['seed']} {m[:14]:14} {ev:>10} into {host:>10}: {len(new)} new {new[:12]}")
        print("  conflicts firing (weekday, number, place, names), pairs:")
        for kind in ("same", "sibling", "merged same", "merged sibling"):
            c = conj.get(kind, Counter())
            total = max(sum(c.values()), 1)
            by_n = Counter(sum(k) for k in c.elements())
            single = [sum(v for k, v in c.items() if k[i]) for i in range(4)]
            print(f"    {kind:15} pairs {sum(c.values()):6}  0: {by_n[0] / total:5.1%}  1: {by_n[1] / total:5.1%}"
                  f"  2+: {sum(by_n[n] for n in (2, 3, 4)) / total:5.1%} ({sum(by_n[n] for n in (2, 3, 4))})"
                  f"  3+: {sum(by_n[n] for n in (3, 4))}  each (w, n, p, k): {single}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
