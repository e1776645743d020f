"""Shared helpers for the benchmarks: the ECB+ corpus, the dedupe runner, clustering metrics.

Observations
------------
* ECB+ (``../shared/corpus/stories/ecbplus.jsonl``) holds 43 topics of two
  different events each; the two events of a topic are the hard negatives.
  ``title`` is the article's first sentence and ``text`` the rest, both
  tokenized (spaces around punctuation); they are passed on as given.
* Splits: odd topic = dev (tune here), even topic = test (report here).

How it works
------------
* :func:`run_dedupe` feeds records through the stable batch contract,
  ``python -m digest dedupe -`` in a subprocess (repo root as cwd, the
  running interpreter), and returns story and lead per id plus the wall time.
  ``engine="fake"`` is a stand-in that puts every article alone (lead of its
  own story), so the benchmarks can be checked without the engine.
* Metrics take two mappings id -> cluster label (predicted, gold):
  B-cubed precision/recall/F1 as per-item averages, the adjusted Rand index
  (scikit-learn's when importable, else :func:`ari_plain`, the same formula),
  pairwise precision/recall, and counts of predicted stories that mix gold
  events (and that mix the two events of one topic).

Special cases: an empty clustering has B-cubed figures 0; pairwise
precision/recall are 1.0 when there are no predicted/gold pairs at all; ARI is
1.0 when both clusterings are trivially identical (e.g. all singletons).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DIGEST_SHARED") or ROOT.parent / "shared")
ECB = SHARED / "corpus" / "stories" / "ecbplus.jsonl"

Labels = Mapping[str, Hashable]


def load_ecb(split: str) -> list[dict[str, Any]]:
    """ECB+ articles of a split: ``dev`` = odd topics, ``test`` = even topics, ``all``."""
    if not ECB.is_file():
        raise SystemExit(f"{ECB}: ECB+ corpus not found (set DIGEST_SHARED to the shared folder)")
    rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split == "all":
        return rows
    if split not in ("dev", "test"):
        raise ValueError(f"unknown split {split!r}")
    odd = split == "dev"
    return [r for r in rows if (int(r["topic"]) % 2 == 1) == odd]


# -- the system under test ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DedupeResult:
    story: dict[str, str]  # id -> story id
    lead: dict[str, bool]  # id -> is the lead of its story
    seconds: float  # wall time of the whole call (process start included)


def event_pairs(
    rows: Sequence[dict[str, Any]], group: Callable[[dict[str, Any]], Hashable], mark: Callable[[dict[str, Any]], T]
) -> Iterator[tuple[bool, T, T]]:
    """Each pair of rows within one ``group`` (an ECB+ topic, all of GVC val) as (of the same
    event?, ``mark`` of one, ``mark`` of the other): what a cue counted before building reads."""
    groups: dict[Hashable, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[group(r)].append(r)
    for members in groups.values():
        marked = [(r["event"], mark(r)) for r in members]
        for (ea, ma), (eb, mb) in itertools.combinations(marked, 2):
            yield ea == eb, ma, mb


def pair_tallies(
    rows: Sequence[dict[str, Any]],
    group: Callable[[dict[str, Any]], Hashable],
    mark: Callable[[dict[str, Any]], T],
    tally: Callable[[Counter[str], T, T], None],
) -> tuple[Counter[str], Counter[str]]:
    """Counts over :func:`event_pairs`, (same event, other event): each pair's ``"pairs"``
    counted, then ``tally`` adds what the cue counts of its two marks."""
    same: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for one_event, ma, mb in event_pairs(rows, group, mark):
        c = same if one_event else other
        c["pairs"] += 1
        tally(c, ma, mb)
    return same, other


def run_dedupe(records: Sequence[Mapping[str, Any]], engine: str = "digest") -> DedupeResult:
    """Cluster ``records`` (dicts of the batch contract) in the given order."""
    if engine == "fake":
        t0 = time.perf_counter()
        ids = [str(r["id"]) for r in records]
        return DedupeResult({i: i for i in ids}, dict.fromkeys(ids, True), time.perf_counter() - t0)
    if engine != "digest":
        raise ValueError(f"unknown engine {engine!r} (digest or fake)")
    payload = "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in records)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "dedupe", "-"],
        input=payload, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"digest dedupe failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    story: dict[str, str] = {}
    lead: dict[str, bool] = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        story[str(row["id"])] = str(row["story"])
        lead[str(row["id"])] = bool(row["lead"])
    missing = [str(r["id"]) for r in records if str(r["id"]) not in story]
    if missing:
        raise SystemExit(
            f"digest dedupe left out {len(missing)} of {len(records)} ids (first: {missing[0]}); "
            f"stderr: {proc.stderr.strip()[-500:]}"
        )
    return DedupeResult(story, lead, seconds)


def startup_seconds() -> float:
    """Wall time of ``digest dedupe`` on empty input: the fixed cost in :func:`run_dedupe`."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "digest", "dedupe", "-"],
        input="", capture_output=True, text=True, cwd=ROOT, check=False,
    )
    return time.perf_counter() - t0


# -- metrics -----------------------------------------------------------------


def _clusters(labels: Labels) -> dict[Hashable, set[str]]:
    out: dict[Hashable, set[str]] = defaultdict(set)
    for i, c in labels.items():
        out[c].add(i)
    return out


def bcubed(pred: Labels, gold: Labels) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (per-item averages over ``pred``'s ids)."""
    if not pred:
        return 0.0, 0.0, 0.0
    pc, gc = _clusters(pred), _clusters({i: gold[i] for i in pred})
    p = r = 0.0
    for i in pred:
        inter = len(pc[pred[i]] & gc[gold[i]])
        p += inter / len(pc[pred[i]])
        r += inter / len(gc[gold[i]])
    n = len(pred)
    p, r = p / n, r / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _pair_counts(pred: Labels, gold: Labels) -> tuple[int, int, int, int]:
    """(pairs together in both, pairs together in pred, pairs together in gold, all pairs)."""
    ids = list(pred)
    both = sum(comb(v, 2) for v in Counter((pred[i], gold[i]) for i in ids).values())
    pp = sum(comb(v, 2) for v in Counter(pred[i] for i in ids).values())
    gp = sum(comb(v, 2) for v in Counter(gold[i] for i in ids).values())
    return both, pp, gp, comb(len(ids), 2)


def ari_plain(pred: Labels, gold: Labels) -> float:
    """Adjusted Rand index (Hubert and Arabie), without scikit-learn."""
    both, sa, sb, total = _pair_counts(pred, gold)
    expected = sa * sb / total if total else 0.0
    top = (sa + sb) / 2
    return 1.0 if top == expected else (both - expected) / (top - expected)


def ari(pred: Labels, gold: Labels) -> float:
    """Adjusted Rand index: scikit-learn's ``adjusted_rand_score`` if importable."""
    try:
        from sklearn.metrics import adjusted_rand_score
    except ImportError:
        return ari_plain(pred, gold)
    ids = list(pred)
    codes: dict[Hashable, int] = {}
    p = [codes.setdefault(("p", pred[i]), len(codes)) for i in ids]
    g = [codes.setdefault(("g", gold[i]), len(codes)) for i in ids]
    return float(adjusted_rand_score(g, p))


def pairwise(pred: Labels, gold: Labels) -> tuple[float, float]:
    """Pairwise precision and recall (1.0 when there is no pair to judge)."""
    both, pp, gp, _ = _pair_counts(pred, gold)
    return (both / pp if pp else 1.0), (both / gp if gp else 1.0)


def mixed_stories(pred: Labels, gold: Labels) -> int:
    """How many predicted stories hold articles of more than one gold event."""
    events: dict[Hashable, set[Hashable]] = defaultdict(set)
    for i in pred:
        events[pred[i]].add(gold[i])
    return sum(1 for e in events.values() if len(e) > 1)


def sibling_mixed_stories(pred: Labels, gold: Labels, topic: Mapping[Hashable, Hashable]) -> int:
    """How many predicted stories hold two different events of one topic.

    ``topic`` maps a gold event to its topic (ECB+: ``10ecb`` and
    ``10ecbplus`` are both topic 10).
    """
    events: dict[Hashable, set[Hashable]] = defaultdict(set)
    for i in pred:
        events[pred[i]].add(gold[i])
    return sum(1 for evs in events.values() if len({topic[e] for e in evs}) < len(evs))


def figures(pred: Labels, rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """All clustering figures of ``pred`` against ECB+ rows (``id``, ``event``, ``topic``)."""
    gold = {str(r["id"]): r["event"] for r in rows}
    topic = {r["event"]: r["topic"] for r in rows}
    pred = {i: pred[i] for i in gold}
    p, r, f = bcubed(pred, gold)
    pp, pr = pairwise(pred, gold)
    return {
        "b3_precision": p, "b3_recall": r, "b3_f1": f, "ari": ari(pred, gold),
        "pair_precision": pp, "pair_recall": pr,
        "stories": len(set(pred.values())), "events": len(set(gold.values())),
        "mixed_stories": mixed_stories(pred, gold),
        "sibling_mixed_stories": sibling_mixed_stories(pred, gold, topic),
    }
