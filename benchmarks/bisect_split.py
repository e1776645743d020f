"""Would a balanced bisection of each finished story part the two events it mixes?

Observations
------------
* What is left in the dev close streams' final stories are two events of one
  kind merged (the IE patches, the Endangered Species rulings, the Turkmen
  elections).  Stop 32 cut each story in two by average linkage and found the
  best cut peels one report off, never the other event
  (``docs/evaluation.md``, "A split test on each finished story").  Average
  linkage follows the loosest member; a *balanced* cut might not: spectral
  bisection (the normalised Laplacian's Fiedler vector) weighs a part by its
  volume, so a lone loose report cannot be the best cut.
* ``benchmarks.sentence_align`` found the sibling pairs merged wrongly have a
  lower whole-text cosine (median 0.412) than the same-event pairs merged
  rightly (0.544): AUC 0.703 over pairs.  The question here is whether that
  shows at the level of a story, along one cut.
* Wire-copy families inflate a part's mean cosine, so the within-part measure
  is robust: the median pair, or the mean of the pairs under ``--copy``.
* Two close events break as two bursts: the parts' median publication times
  are compared too.
* Measured before building, and only on the tuning splits: the final stories
  of the dated ECB+ dev close and apart streams and GVC val (3 seeds each),
  and undated ECB+ dev (3 shuffled orders), all through the batch path.

How it works
------------
Each run goes through ``digest.batch.dedupe_records`` with today's engine.
Cosines are ``benchmarks.sentence_align``'s whole-text cosines (the engine's
terms times the set's idf, title and lede double: ``align_vectors(...).whole``
over ECB+ dev and over GVC val).  For each final story of ``--min-size`` or
more members, three two-way cuts of its cosine matrix (diagonal zeroed):

* *sign*: the Fiedler vector (second eigenvector of the normalised
  Laplacian, scaled by D^-1/2) split at zero;
* *sweep*: the members ordered by the Fiedler vector, the prefix cut of least
  normalised cut with both parts ``--min-part`` or more;
* *medoids*: the two members that, as medoids, hold the most total cosine
  (every member to its nearer), parts ``--min-part`` or more.

A cut's *ratio* is the mean cosine across it over the lesser of the parts'
within measures (median of the pairs, or the mean of the pairs under
``--copy``): low is two groups.  A part of one member has no within measure
(ratio 1).  *hours* is the parts' median publication times apart.  The true
partition of a mixed story (its largest event against the rest) is scored
the same way.

Output: the mixed stories (members, minority, the true partition's ratio and
hours, each cut's ratio, hours and how far it matches the events); the
pure stories' ratio distribution per cut; then rules (ratio under r, smaller
part at least s, hours at least g) with mixed stories caught (fires, and the
story's B-cubed precision rises) and pure stories split; finally the
best-looking rules simulated on the final stories (each firing story cut),
B-cubed P / F1 worst of seeds per stream, today's engine as the reference row.

Counted before building, and not built: no bar separates.  The 18 mixed
stories (6 dated close, 12 undated; GVC val has no story of 4 members, its
incidents have 3 reports or fewer) are mostly one or two strays in their
sibling's story, and their true partition's ratio (median 0.89; 0.81-1.28
where the minority has 2 or more reports) is that of a pure story's best cut
(median 0.91): at the bar splitting 2% of the pure stories no cut catches
one, nor would the true partition, and catching half splits 6-21% of them
(``docs/evaluation.md``, "Stories over time").

    python -m benchmarks.bisect_split [--seeds 0,1,2] [--min-size 4] [--min-part 2] [--copy 0.9]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from digest.batch import dedupe_records
from digest.dedup.engine import Engine
from digest.dedup.params import Params

from .common import bcubed, load_ecb
from .dated import load_gvc
from .invariant_cue import UNDATED, _records
from .sentence_align import align_vectors

RUNS = (("ecb-close", "dev"), ("ecb-apart", "dev"), ("gvc", "val"), (UNDATED, "dev"))
CUTS = ("sign", "sweep", "medoids")
WITHIN = ("median", "no-copy")


def _hours(iso: str | None) -> float | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() / 3600.0


def run(job: tuple[str, str, int]) -> tuple[str, int, list[list[tuple[str, str, float | None]]]]:
    """The final stories of one run: each a list of (id, event, published hours or None)."""
    name, split, seed = job
    records = _records(name, split, seed)
    story = {o["id"]: o["story"] for o in dedupe_records(records, Engine(Params()))}
    out: dict[str, list[tuple[str, str, float | None]]] = defaultdict(list)
    for r in records:
        out[story[str(r["id"])]].append((str(r["id"]), str(r["event"]), _hours(r.get("published"))))
    return name, seed, list(out.values())


# -- cuts ----------------------------------------------------------------------------------------


def fiedler(w: np.ndarray) -> np.ndarray:
    """The Fiedler vector of the normalised Laplacian of ``w``, scaled by D^-1/2."""
    d = np.maximum(w.sum(axis=1), 1e-9)
    s = 1.0 / np.sqrt(d)
    m = s[:, None] * w * s[None, :]
    _vals, vecs = np.linalg.eigh(m)  # ascending: the largest of M is the Laplacian's least
    return np.asarray(s * vecs[:, -2])


def ncut(w: np.ndarray, part: np.ndarray) -> float:
    cut = float(w[np.ix_(part, ~part)].sum())
    va, vb = float(w[part].sum()), float(w[~part].sum())
    return cut / max(va, 1e-9) + cut / max(vb, 1e-9)


def cut_sign(w: np.ndarray, min_part: int) -> np.ndarray | None:
    part = fiedler(w) >= 0
    return part if 0 < part.sum() < len(part) else None


def cut_sweep(w: np.ndarray, min_part: int) -> np.ndarray | None:
    order = np.argsort(fiedler(w), kind="stable")
    n = len(order)
    best: tuple[float, np.ndarray] | None = None
    for k in range(min_part, n - min_part + 1):
        part = np.zeros(n, bool)
        part[order[:k]] = True
        score = ncut(w, part)
        if best is None or score < best[0]:
            best = (score, part)
    return None if best is None else best[1]


def cut_medoids(w: np.ndarray, min_part: int) -> np.ndarray | None:
    n = len(w)
    sim = w + np.eye(n)  # a member is its own medoid
    best: tuple[float, np.ndarray] | None = None
    for a, b in itertools.combinations(range(n), 2):
        part = sim[:, a] >= sim[:, b]
        if min(part.sum(), n - part.sum()) < min_part:
            continue
        score = float(np.maximum(sim[:, a], sim[:, b]).sum())
        if best is None or score > best[0]:
            best = (score, part)
    return None if best is None else best[1]


CUTTERS = {"sign": cut_sign, "sweep": cut_sweep, "medoids": cut_medoids}


@dataclass(frozen=True)
class Scored:
    part: np.ndarray
    ratio: dict[str, float]  # within measure -> cross mean / the lesser part's within
    cross: float
    hours: float | None  # the parts' median publication times apart
    small: int  # the smaller part's members


def within(w: np.ndarray, idx: np.ndarray, how: str, copy: float) -> float | None:
    if len(idx) < 2:
        return None
    pairs = w[np.ix_(idx, idx)][np.triu_indices(len(idx), 1)]
    if how == "median":
        return float(np.median(pairs))
    kept = pairs[pairs < copy]
    return float(kept.mean()) if kept.size else float(pairs.mean())


def score(w: np.ndarray, part: np.ndarray, times: list[float | None], copy: float, lone: bool = False) -> Scored:
    """A cut's figures; ``lone``: a part of one member is measured against the other's within
    (the true partition of a story holding one stray), where a cut's ratio is then 1."""
    a, b = np.flatnonzero(part), np.flatnonzero(~part)
    cross = float(w[np.ix_(a, b)].mean())
    ratio = {}
    for how in WITHIN:
        held = [x for x in (within(w, a, how, copy), within(w, b, how, copy)) if x is not None]
        whole = len(held) == 2 or (lone and held)
        ratio[how] = cross / max(min(held), 1e-9) if whole else 1.0
    ta = [t for i in a if (t := times[i]) is not None]
    tb = [t for i in b if (t := times[i]) is not None]
    hours = abs(statistics.median(ta) - statistics.median(tb)) if ta and tb else None
    return Scored(part, ratio, cross, hours, int(min(len(a), len(b))))


def precision(events: list[str], part: np.ndarray | None) -> float:
    """The members' mean B-cubed precision within the story, or within its two parts."""
    groups = [list(range(len(events)))] if part is None else [list(np.flatnonzero(part)), list(np.flatnonzero(~part))]
    total = 0.0
    for g in groups:
        c = Counter(events[i] for i in g)
        total += sum(c[events[i]] / len(g) for i in g)
    return total / len(events)


@dataclass(frozen=True)
class Story:
    run: str
    seed: int
    ids: list[str]
    events: list[str]
    cuts: dict[str, Scored | None]
    truth: Scored | None  # the largest event against the rest (mixed stories)

    @property
    def mixed(self) -> bool:
        return len(set(self.events)) > 1


def stories(results: list[tuple[str, int, list[list[tuple[str, str, float | None]]]]], min_size: int,
            min_part: int, copy: float) -> list[Story]:
    ecb, gvc = load_ecb("dev"), load_gvc("val")
    vectors = {}
    for rows in (ecb, gvc):
        whole = align_vectors(rows, 3).whole
        vectors.update({str(r["id"]): whole[k] for k, r in enumerate(rows)})
    out = []
    for name, seed, found in results:
        for members in found:
            if len(members) < min_size:
                continue
            ids = [i for i, _e, _t in members]
            events = [e for _i, e, _t in members]
            times = [t for _i, _e, t in members]
            x = np.vstack([vectors[i].toarray() for i in ids])
            w = np.clip(x @ x.T, 0.0, None)
            np.fill_diagonal(w, 0.0)
            cuts: dict[str, Scored | None] = {}
            for c, cutter in CUTTERS.items():
                part = cutter(w, min_part)
                cuts[c] = None if part is None else score(w, part, times, copy)
            truth = None
            if len(set(events)) > 1:
                top = Counter(events).most_common(1)[0][0]
                truth = score(w, np.array([e == top for e in events]), times, copy, lone=True)
            out.append(Story(name, seed, ids, events, cuts, truth))
    return out


# -- rules ---------------------------------------------------------------------------------------


def fires(s: Scored | None, how: str, r: float, size: int, gap: float) -> bool:
    if s is None or s.small < size or s.ratio[how] >= r:
        return False
    return gap <= 0 or (s.hours is not None and s.hours >= gap)


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def mixed_table(found: list[Story]) -> list[str]:
    lines = [f"  {'run':16} {'seed':>4} {'n':>3} {'events':>22} {'true ratio med/nc':>18} {'true h':>6}  "
             + "  ".join(f"{c + ' ratio med/nc, h, small, P':>32}" for c in CUTS)]
    for s in found:
        if not s.mixed:
            continue
        counts = "+".join(f"{v} {e}" for e, v in Counter(s.events).most_common())
        t = s.truth
        assert t is not None
        cells = []
        for c in CUTS:
            k = s.cuts[c]
            cells.append("-" if k is None else (
                f"{k.ratio['median']:.2f}/{k.ratio['no-copy']:.2f}, {_fmt(k.hours, '.0f'):>3}h, {k.small:2}, "
                f"{precision(s.events, None):.2f}>{precision(s.events, k.part):.2f}"))
        lines.append(f"  {s.run:16} {s.seed:4} {len(s.ids):3} {counts:>22} "
                     f"{t.ratio['median']:8.2f}/{t.ratio['no-copy']:.2f}{'':5} {_fmt(t.hours, '.0f'):>6}  "
                     + "  ".join(f"{x:>32}" for x in cells))
    return lines


def pure_table(found: list[Story]) -> list[str]:
    qs = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5)
    lines = [f"  {'cut':8} {'within':8} {'stories':>7}  " + " ".join(f"{f'q{q:g}':>6}" for q in qs)
             + f"  {'mixed true (med)':>16} {'mixed cut (med)':>16}"]
    pure = [s for s in found if not s.mixed]
    mixed = [s for s in found if s.mixed]
    for c in CUTS:
        for how in WITHIN:
            vals = np.array([k.ratio[how] if (k := s.cuts[c]) is not None else 1.0 for s in pure])
            true = [t.ratio[how] for s in mixed if (t := s.truth) is not None]
            cut = [k.ratio[how] if (k := s.cuts[c]) is not None else 1.0 for s in mixed]
            lines.append(f"  {c:8} {how:8} {len(vals):7}  " + " ".join(f"{np.quantile(vals, q):6.2f}" for q in qs)
                         + f"  {np.median(true) if true else float('nan'):16.2f} "
                         f"{np.median(cut) if cut else float('nan'):16.2f}")
    return lines


Rule = tuple[str, str, float, int, float]  # cut, within, ratio under, smaller part at least, hours at least


def rule_counts(found: list[Story], rule: Rule) -> tuple[int, int, int, int]:
    """(mixed caught, mixed, pure split, pure) for one rule."""
    c, how, r, size, gap = rule
    caught = mixed = split = pure = 0
    for s in found:
        k = s.cuts[c]
        hit = fires(k, how, r, size, gap)
        if s.mixed:
            mixed += 1
            caught += hit and k is not None and precision(s.events, k.part) > precision(s.events, None)
        else:
            pure += 1
            split += hit
    return caught, mixed, split, pure


def separation(found: list[Story], dated: bool) -> list[str]:
    """Per cut, within measure, smaller part and hours: the bar splitting at most 2% of the pure
    stories and the mixed caught under it; the bar catching half the mixed and the pure split."""
    lines = [f"  {'cut':8} {'within':8} {'small>=':>7} {'hours>=':>7} {'bar (2% pure)':>13} {'mixed caught':>12} "
             f"{'true < bar':>10} {'bar (half mixed)':>16} {'pure split':>14}"]
    for c, how, size, gap in itertools.product(CUTS, WITHIN, (2, 3), (0.0, 12.0, 24.0) if dated else (0.0,)):
        pure, mixed = [], []
        for s in found:
            k = s.cuts[c]
            on = fires(k, how, float("inf"), size, gap)
            val = k.ratio[how] if on and k is not None else float("inf")
            if s.mixed:
                mixed.append(val if k is not None and precision(s.events, k.part) > precision(s.events, None)
                             else float("inf"))
            else:
                pure.append(val)
        pure.sort()
        mixed.sort()
        bar2 = pure[int(0.02 * len(pure))] if pure else float("inf")
        caught = sum(m < bar2 for m in mixed)
        oracle = sum(s.truth.ratio[how] < bar2 for s in found if s.truth is not None)
        half = mixed[(len(mixed) + 1) // 2 - 1] if mixed else float("inf")
        split = sum(p <= half for p in pure)
        lines.append(f"  {c:8} {how:8} {size:7} {gap:7.0f} {bar2:13.2f} {caught:6}/{len(mixed):<5} "
                     f"{oracle:4}/{len(mixed):<5} {half:16.2f} {split:6}/{len(pure):<4} ({split / max(len(pure), 1):4.0%})")
    return lines


def rules_table(found: list[Story], dated: bool) -> tuple[list[str], list[Rule]]:
    ratios = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    gaps = (0.0, 12.0, 24.0, 36.0) if dated else (0.0,)
    rows = []
    for c, how, r, size, gap in itertools.product(CUTS, WITHIN, ratios, (2, 3), gaps):
        rule = (c, how, r, size, gap)
        caught, mixed, split, pure = rule_counts(found, rule)
        if caught:
            rows.append((caught / max(mixed, 1) - 5 * split / max(pure, 1), rule, caught, mixed, split, pure))
    rows.sort(key=lambda x: -x[0])
    lines = [f"  {'cut':8} {'within':8} {'ratio<':>6} {'small>=':>7} {'hours>=':>7} {'mixed caught':>14} "
             f"{'pure split':>16}"]
    for _v, (c, how, r, size, gap), caught, mixed, split, pure in rows[:12]:
        lines.append(f"  {c:8} {how:8} {r:6.2f} {size:7} {gap:7.0f} {caught:6}/{mixed:<3} ({caught / max(mixed, 1):4.0%}) "
                     f"{split:5}/{pure:<4} ({split / max(pure, 1):5.1%})")
    return lines, [x[1] for x in rows[:3]]


def simulate(found: list[Story], results: list[tuple[str, int, list[list[tuple[str, str, float | None]]]]],
             rule: Rule | None) -> dict[str, tuple[float, float]]:
    """Worst-seed B-cubed (P, F1) per run with each firing story cut in two."""
    parts: dict[tuple[str, int, str], int] = {}
    if rule is not None:
        for s in found:
            k = s.cuts[rule[0]]
            if fires(k, *rule[1:]) and k is not None:
                parts.update({(s.run, s.seed, i): int(p) for i, p in zip(s.ids, k.part, strict=True)})
    per: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for name, seed, found_stories in results:
        pred, gold = {}, {}
        for n, members in enumerate(found_stories):
            for i, e, _t in members:
                pred[i] = f"{n}/{parts.get((name, seed, i), 0)}"
                gold[i] = e
        per[name].append(bcubed(pred, gold))
    return {n: (min(x[0] for x in v), min(x[2] for x in v)) for n, v in per.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2", help="stream seeds (undated: shuffled orders)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--min-size", type=int, default=4, help="stories of this many members or more are tested")
    ap.add_argument("--min-part", type=int, default=2, help="the sweep's and medoids' smallest part")
    ap.add_argument("--copy", type=float, default=0.9, help="near copies: pairs at or above, left out of no-copy")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run, [(n, s, seed) for n, s in RUNS for seed in seeds]))
    found = stories(results, args.min_size, args.min_part, args.copy)
    print(f"== stories of {args.min_size}+ members: " + ", ".join(
        f"{n} {sum(s.run == n for s in found)} ({sum(s.run == n and s.mixed for s in found)} mixed)" for n, _s in RUNS))
    print("== the mixed stories (true: the largest event against the rest; per cut: ratio median/no-copy, hours "
          "apart, smaller part, the story's B-cubed precision before>after the cut)")
    print("\n".join(mixed_table(found)))
    print("== the cut's ratio on pure stories, quantiles (low = looks like two groups); the mixed stories' medians")
    print("\n".join(pure_table(found)))
    print("== hours apart of the cut's parts (dated runs): pure quantiles; mixed, the true partition's and the cut's")
    for c in CUTS:
        ph = [h for s in found if not s.mixed and (k := s.cuts[c]) is not None and (h := k.hours) is not None]
        mh = [h for s in found if s.mixed and (k := s.cuts[c]) is not None and (h := k.hours) is not None]
        th = [h for s in found if (t := s.truth) is not None and (h := t.hours) is not None]
        print(f"  {c:8} pure {len(ph)}: q0.5 {np.quantile(ph, 0.5):.0f} q0.9 {np.quantile(ph, 0.9):.0f} "
              f"q0.98 {np.quantile(ph, 0.98):.0f} h; mixed {len(mh)}: cut median {np.median(mh):.0f} h, "
              f"true median {np.median(th):.0f} h")
    best: list[Rule] = []
    for label, subset, dated in (
        ("dated (close, apart, GVC val)", [s for s in found if s.run != UNDATED], True),
        ("all four (undated: no hours)", found, False),
    ):
        print(f"== separation, {label}: the bar splitting 2% of pure stories, the bar catching half the mixed "
              "(caught: fires and the story's precision rises; true < bar: the true partition's ratio under it, size and hours aside)")
        print("\n".join(separation(subset, dated)))
        print(f"== rules, {label}: of those catching one or more, the best 12 by share caught minus 5 x share "
              "of pure split")
        lines, top = rules_table(subset, dated)
        print("\n".join(lines))
        best += [r for r in top if r not in best]
    print("== simulated on the final stories (firing stories cut in two), worst seed B-cubed P / F1")
    print(f"  {'rule':40} " + " ".join(f"{f'{n}:{s}':>16}" for n, s in RUNS))
    for rule in [None, *best]:
        figs = simulate(found, results, rule)
        label = "today's engine" if rule is None else f"{rule[0]} {rule[1]} <{rule[2]} s>={rule[3]} h>={rule[4]:.0f}"
        print(f"  {label:40} " + " ".join(f"{figs[n][0]:7.3f} / {figs[n][1]:5.3f}" for n, _s in RUNS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
