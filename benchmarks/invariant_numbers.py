"""Would numbers that never change as an event develops part two events of one kind?

Observations
------------
* Some numbers of an event stay put while it develops, unlike a toll (12
  dead, then 40): a quake's magnitude ("a 5.9-magnitude quake", "magnitude
  6.1"), a person's age ("a 32-year-old", "aged 32", "Smith, 32,"), a game's
  score ("beat the Chiefs 20-13"), a sum of money (a contract, a bid: "$160
  million", "£30m"), a share of a vote or a turnout ("won 89 percent").  Two
  reports that state the same kind of such number and share none of its values
  might be of two events (two quakes on one island, two elections).  Tolls and
  counts of people are left out; version and patch identifiers were tried
  before (``docs/evaluation.md``, "Stories over time").
* Unlike the numbers of one thing tried in the opening, these are read in the
  whole text: the strays left state almost no numbers in their openings.
* It reads only the tuning splits: ECB+ dev (pairs of one topic: same event
  against sibling event; and the dated close streams) and GVC val (pairs
  published within a week of each other: same incident against two).

How it works
------------
Each kind is a set of patterns over the title and text; a report's values of a
kind are a set (magnitudes and percentages as written, one decimal; ages as
whole numbers; scores as the sorted pair; money as the amount in units of its
currency sign).  A pair "conflicts" in a kind when both state one and share no
value; "any" when it conflicts in at least one kind.  Two views:

* *pairs*: over the gold pairs, per kind, how many pairs both state one and,
  of those, how many share none, same event against sibling;
* *final*: the decisive count, against the engine's own errors.  Each dev
  close stream (3 seeds) and GVC val stream goes through today's engine on
  the batch path (``digest.batch.dedupe_records``, as ``benchmarks.tune``
  does); of the pairs the final stories hold, the sibling pairs (the errors)
  the cue flags against the same-event pairs (merged rightly) it flags; and of
  the same-event pairs left apart, how many it would not have flagged (a cue
  to part cannot mend those).

    python -m benchmarks.invariant_numbers [--seeds 0,1,2] [--jobs 2] [--no-final]
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import load_ecb
from .dated import STREAMS, load_gvc

WEEK_DAYS = 7
_NUM = r"(\d{1,3}(?:[.,]\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)"
_D = r"\s*-?\s*"  # ECB+ is tokenized: "5.9 - magnitude", "32 - year - old"

_MAGNITUDE = [
    re.compile(r"\b(\d(?:\.\d)?)" + _D + r"magnitude\b", re.I),
    re.compile(r"\bmagnitude" + _D + r"(?:of\s+)?(?:about\s+|around\s+)?(\d(?:\.\d)?)\b(?![.,]?\d)", re.I),
    re.compile(r"\bM\s?(\d\.\d)\b"),
    re.compile(r"\bmeasur(?:ing|ed)\s+(?:at\s+)?(?:about\s+)?(\d\.\d)\b", re.I),
    re.compile(r"\b(\d\.\d)\s+on\s+the\s+Richter", re.I),
]
_MONTHS_DAYS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|"
    "Saturday|Sunday"
)
_AGE = [
    re.compile(r"\b(\d{1,3})" + _D + r"years?" + _D + r"old\b", re.I),
    re.compile(r"\baged\s+(\d{1,3})\b", re.I),
    re.compile(r"\b(?!(?:" + _MONTHS_DAYS + r")\b)[A-Z][a-z]+\s*,\s*(\d{1,2})\s*,(?!\s*\d)"),
]
_SCORE_CONTEXT = re.compile(
    r"\b(beat|beats|won|win|wins|lost|lose|loses|defeat|defeated|defeats|victory|score|scored|game|match|"
    r"rout|routed|edged|downed|topped|drew|draw|tie|tied)\b", re.I)
_SCORE = re.compile(r"(?<![\d.,-])(\d{1,3})\s*-\s*(\d{1,3})(?![\d.]|\s*-\s*(?:year|\d))")
_MONEY = re.compile(
    r"([$£€])\s*" + _NUM + r"(?:\s*-\s*[$£€]?\s*" + _NUM + r")?\s*(million|billion|mln|bln|bn|mn|m|b|k)?\b", re.I)
_SCALE = {"million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bln": 1e9, "bn": 1e9,
          "b": 1e9, "k": 1e3}
_PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.I)
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?\n]|$)")


def _magnitudes(text: str) -> set[str]:
    out = set()
    for pat in _MAGNITUDE:
        for m in pat.finditer(text):
            v = float(m.group(1))
            if 2.0 <= v <= 9.9:
                out.add(f"{v:.1f}")
    return out


def _ages(text: str) -> set[str]:
    return {str(int(m.group(1))) for pat in _AGE for m in pat.finditer(text) if 0 < int(m.group(1)) < 120}


def _scores(text: str) -> set[str]:
    """Scores "20 - 13" in a sentence with a word of a game, as the sorted pair."""
    out = set()
    for sent in _SENTENCE.findall(text):
        if not _SCORE_CONTEXT.search(sent):
            continue
        for m in _SCORE.finditer(sent):
            a, b = int(m.group(1)), int(m.group(2))
            out.add(f"{max(a, b)}-{min(a, b)}")
    return out


def _amount(num: str, scale: str | None) -> float:
    return float(num.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)


def _money(text: str) -> set[str]:
    out = set()
    for m in _MONEY.finditer(text):
        sign, first, second, scale = m.group(1), m.group(2), m.group(3), m.group(4)
        for num in (first, second):
            if num:
                out.add(f"{sign}{_amount(num, scale):.4g}")
    return out


def _percents(text: str) -> set[str]:
    return {f"{float(m.group(1)):.1f}" for m in _PERCENT.finditer(text)}


KINDS: dict[str, Callable[[str], set[str]]] = {
    "magnitude": _magnitudes,
    "age": _ages,
    "score": _scores,
    "money": _money,
    "percent": _percents,
}


def invariants(row: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Kind -> the values the report's title and text state of it (kinds stated only)."""
    text = f"{row.get('title') or ''}\n{row['text']}"
    out = {}
    for kind, read in KINDS.items():
        values = read(text)
        if values:
            out[kind] = frozenset(values)
    return out


def conflict(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> set[str]:
    """The kinds both state with no value in common."""
    return {k for k, va in a.items() if k in b and not (va & b[k])}


# -- the gold pairs ----------------------------------------------------------------------------


def _day(r: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(r["published"])[:10])


def gold_pairs(
    rows: list[dict[str, Any]], near: Callable[[dict[str, Any], dict[str, Any]], bool]
) -> dict[str, Counter[str]]:
    """Per kind of pair (same, sibling): pairs, and per kind 'both:' and 'none:' counts."""
    marks = {str(r["id"]): invariants(r) for r in rows}
    out: dict[str, Counter[str]] = {"same": Counter(), "sibling": Counter()}
    for a, b in itertools.combinations(rows, 2):
        if not near(a, b):
            continue
        c = out["same" if a["event"] == b["event"] else "sibling"]
        c["pairs"] += 1
        ma, mb = marks[str(a["id"])], marks[str(b["id"])]
        both = ma.keys() & mb.keys()
        hit = conflict(ma, mb)
        for k in both:
            c[f"both:{k}"] += 1
        for k in hit:
            c[f"none:{k}"] += 1
        c["both:any"] += bool(both)
        c["none:any"] += bool(hit)
    return out


# -- the engine's own errors -------------------------------------------------------------------


def final_pairs(job: tuple[str, str, int]) -> dict[str, Any]:
    """One stream and seed through today's engine: per class of pair (merged same, merged
    sibling, apart same), pairs and the kinds flagged; and the flagged errors themselves."""
    name, split, seed = job
    records = STREAMS[name](split, seed)
    story = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params()))}
    gold = {str(r["id"]): str(r["event"]) for r in records}
    marks = {str(r["id"]): invariants(r) for r in records}
    hours = {str(r["id"]): datetime.fromisoformat(r["published"].replace("Z", "+00:00")).timestamp() / 3600
             for r in records}
    topic = {str(r["event"]): int(r["topic"]) for r in load_ecb("dev")} if name.startswith("ecb") else {}
    out: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[tuple[str, str, list[str]]] = []
    for a, b in itertools.combinations(gold, 2):
        merged, same = story[a] == story[b], gold[a] == gold[b]
        if not merged and not same:
            if topic and topic[gold[a]] != topic[gold[b]]:
                continue
            if not topic and abs(hours[a] - hours[b]) > 24 * WEEK_DAYS:
                continue
        cls = ("merged " if merged else "apart ") + ("same" if same else "sibling")
        hit = conflict(marks[a], marks[b])
        c = out[cls]
        c["pairs"] += 1
        c["any"] += bool(hit)
        c["both any"] += bool(marks[a].keys() & marks[b].keys())
        for k in hit:
            c[k] += 1
        if merged and not same:
            errors.append((a, b, sorted(hit)))
    return {"name": name, "seed": seed, "counts": dict(out), "errors": errors,
            "strays": sum(1 for a, b, _ in errors)}


def _pct(n: int, d: int) -> str:
    return f"{n:5}/{d:<5} ({n / d:6.1%})" if d else f"{n:5}/{d:<5} (   -  )"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-final", action="store_true", help="the gold pairs only, no engine runs")
    args = ap.parse_args(argv)
    kinds = [*KINDS, "any"]
    sets = (
        ("ECB+ dev, pairs of one topic", load_ecb("dev"), lambda a, b: a["topic"] == b["topic"]),
        ("GVC val, pairs within a week", load_gvc("val"),
         lambda a, b: abs((_day(a) - _day(b)).days) <= WEEK_DAYS),
    )
    for name, rows, near in sets:
        counts = gold_pairs(rows, near)
        print(f"== {name}: both state a kind / of those share no value")
        for label in ("same", "sibling"):
            c = counts[label]
            print(f"  {label:8} pairs {c['pairs']:6}")
            for k in kinds:
                print(f"    {k:10} both {_pct(c[f'both:{k}'], c['pairs'])}   share none "
                      f"{_pct(c[f'none:{k}'], c[f'both:{k}'])}   of all pairs {c[f'none:{k}'] / max(c['pairs'], 1):6.1%}")
    if args.no_final:
        return 0
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(n, s, seed) for n, s in (("ecb-close", "dev"), ("gvc", "val")) for seed in seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(final_pairs, jobs))
    for stream in ("ecb-close", "gvc"):
        runs = [x for x in results if x["name"] == stream]
        total: dict[str, Counter[str]] = defaultdict(Counter)
        for x in runs:
            for cls, c in x["counts"].items():
                total[cls].update(c)
        print(f"== {stream}, final stories, seeds {args.seeds}: pairs flagged (a kind both state, no value shared)")
        for cls in ("merged sibling", "merged same", "apart same", "apart sibling"):
            c = total[cls]
            cells = "  ".join(f"{k} {c[k]}" for k in KINDS)
            print(f"  {cls:15} pairs {c['pairs']:6}  both state a kind {c['both any']:6}  flagged "
                  f"{_pct(c['any'], c['pairs'])}  [{cells}]")
        for x in runs:
            flagged = [(a, b, h) for a, b, h in x["errors"] if h]
            print(f"  seed {x['seed']}: {len(x['errors'])} sibling pairs merged, {len(flagged)} flagged"
                  + "".join(f"\n    {a} ~ {b}: {h}" for a, b, h in flagged[:20]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
